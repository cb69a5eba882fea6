"""Thai formats: citizen and tax IDs, Buddhist Era dates, Thai digits, amounts in Thai words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kiosk.domain.money import to_baht

BE_OFFSET = 543

MONTHS_LONG = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
MONTHS_SHORT = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)

_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_ARABIC_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def id_check_digit(first12: str) -> int:
    """Mod-11 check digit of a 13-digit citizen ID or juristic/agency tax ID."""
    if len(first12) != 12 or not first12.isascii() or not first12.isdigit():
        raise ValueError("need the first 12 digits")
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def is_valid_citizen_id(value: str) -> bool:
    """True for 13 ASCII digits whose last digit is the mod-11 check digit (also agency tax IDs)."""
    digits = value.replace("-", "").replace(" ", "")
    if len(digits) != 13 or not digits.isascii() or not digits.isdigit():
        return False
    return id_check_digit(digits[:12]) == int(digits[12])


def format_citizen_id(value: str) -> str:
    """`1101700230708` -> `1-1017-00230-70-8`, as printed on the card."""
    d = value
    return f"{d[0]}-{d[1:5]}-{d[5:10]}-{d[10:12]}-{d[12]}" if len(d) == 13 else value


def mask_citizen_id(value: str) -> str:
    """Enough to tell two applicants apart on screen or paper, not enough to be the ID (PDPA)."""
    return f"{value[0]}-xxxx-xxxxx-{value[10:12]}-{value[12]}" if len(value) == 13 else "x" * len(value)


def thai_digits(text: str) -> str:
    return text.translate(_THAI_DIGITS)


def arabic_digits(text: str) -> str:
    return text.translate(_ARABIC_DIGITS)


def be_year(year_ce: int) -> int:
    return year_ce + BE_OFFSET


def ce_year(year_be: int) -> int:
    return year_be - BE_OFFSET


def format_date_long(day: dt.date, *, digits: str = "arabic") -> str:
    """`15 กรกฎาคม 2568`."""
    text = f"{day.day} {MONTHS_LONG[day.month - 1]} {be_year(day.year)}"
    return thai_digits(text) if digits == "thai" else text


def format_date_short(day: dt.date, *, digits: str = "arabic") -> str:
    """`15 ก.ค. 68`."""
    text = f"{day.day} {MONTHS_SHORT[day.month - 1]} {be_year(day.year) % 100:02d}"
    return thai_digits(text) if digits == "thai" else text


def format_time(moment: dt.time | dt.datetime) -> str:
    """`09:05 น.`."""
    return f"{moment.hour:02d}:{moment.minute:02d} น."


def format_datetime(moment: dt.datetime) -> str:
    return f"{format_date_long(moment.date())} {format_time(moment)}"


def fiscal_year_be(day: dt.date) -> int:
    """The government fiscal year starts on 1 October: 1 Oct 2025 is in fiscal year 2569."""
    return be_year(day.year + (1 if day.month >= 10 else 0))


_UNITS = ("", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า")
_PLACES = ("", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน")


def _below_million(n: int, *, after_higher: bool = False) -> str:
    """Words for 0 < n < 1,000,000. `after_higher`: a million group stands before this one."""
    words: list[str] = []
    digits = str(n)
    width = len(digits)
    for i, ch in enumerate(digits):
        d = int(ch)
        place = width - i - 1
        if d == 0:
            continue
        if place == 1 and d == 1:
            words.append("สิบ")
        elif place == 1 and d == 2:
            words.append("ยี่สิบ")
        elif place == 0 and d == 1 and (after_higher or digits[:-1].strip("0")):
            words.append("เอ็ด")
        else:
            words.append(_UNITS[d] + _PLACES[place])
    return "".join(words)


def number_words(n: int) -> str:
    """A whole number in Thai words: 21 -> ยี่สิบเอ็ด, 1000000 -> หนึ่งล้าน."""
    if n < 0:
        raise ValueError("negative amounts have no words on a slip")
    if n == 0:
        return "ศูนย์"
    if n < 1_000_000:
        return _below_million(n)
    millions, rest = divmod(n, 1_000_000)
    return number_words(millions) + "ล้าน" + (_below_million(rest, after_higher=True) if rest else "")


def baht_text(amount: Decimal | int | str) -> str:
    """Amount in words as on a receipt: 1234.50 -> หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์."""
    value = to_baht(Decimal(amount))
    if value < 0:
        raise ValueError("negative amounts have no words on a slip")
    satang_total = int(value * 100)
    baht, satang = divmod(satang_total, 100)
    if baht == 0 and satang == 0:
        return "ศูนย์บาทถ้วน"
    text = number_words(baht) + "บาท" if baht else ""
    return text + (number_words(satang) + "สตางค์" if satang else "ถ้วน")
