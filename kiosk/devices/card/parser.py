"""Raw card fields into a typed record.

Personal data (PDPA): the record and its parts never show personal data in `repr`/`str`, so that a
stray `log.debug("%r", record)` cannot leak it. Only the check digit of the citizen ID is shown.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

log = logging.getLogger(__name__)

BE_OFFSET = 543
_PADDING = b" \x00"
_REDACTED = "<redacted>"


# C0, DEL and C1: TIS-620 maps them to control characters, which no name or address holds. Kept, a
# NUL or an escape inside a field would be stored, printed and refused by the central server.
_CONTROLS = {c: "\ufffd" for c in (*range(0x20), *range(0x7F, 0xA0))}


def decode_tis620(raw: bytes) -> str:
    """Decode a space/NUL padded TIS-620 field; an undefined or control byte becomes U+FFFD, not a lost
    card."""
    text = raw.rstrip(_PADDING).decode("tis_620", errors="replace").translate(_CONTROLS)
    if "\ufffd" in text:
        log.warning("card text field holds bytes outside TIS-620 text")
    return text


def split_parts(raw: bytes, count: int) -> tuple[str, ...]:
    """Split on '#' first, then trim each part: '#' separates even empty parts (`Mr.#Somchai##Jaidee`)."""
    parts = [p.strip() for p in decode_tis620(raw).split("#")]
    if len(parts) > count:
        # Never drop text: anything past the last expected part stays with the last part.
        parts = parts[: count - 1] + ["#".join(parts[count - 1 :])]
    return tuple(parts + [""] * (count - len(parts)))


def citizen_id_check_digit(first12: str) -> int:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def citizen_id_is_valid(cid: str) -> bool:
    if len(cid) != 13 or not cid.isascii() or not cid.isdigit():
        return False
    return citizen_id_check_digit(cid[:12]) == int(cid[12])


def mask_citizen_id(cid: str) -> str:
    return f"x-xxxx-xxxxx-xx-{cid[12]}" if len(cid) == 13 else "x-xxxx-xxxxx-xx-x"


@dataclass(frozen=True, repr=False)
class PartialDate:
    """A Common Era date whose day, or month and day, the card may leave unknown (`00`)."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def complete(self) -> bool:
        return self.month is not None and self.day is not None

    def as_date(self) -> dt.date | None:
        if self.month is None or self.day is None:
            return None
        return dt.date(self.year, self.month, self.day)

    def __repr__(self) -> str:
        return f"PartialDate({_REDACTED})"


def parse_be_date(raw: str) -> PartialDate | None:
    """`YYYYMMDD` in the Buddhist Era into a CE date; `00` day or month stays unknown; None if invalid."""
    if len(raw) != 8 or not raw.isascii() or not raw.isdigit():
        return None
    year_be, month, day = int(raw[:4]), int(raw[4:6]), int(raw[6:])
    year = year_be - BE_OFFSET
    if not 1 <= year <= 9999:
        return None
    if month == 0:
        # With the month unknown a day means nothing.
        return PartialDate(year) if day == 0 else None
    if not 1 <= month <= 12:
        return None
    if day == 0:
        return PartialDate(year, month)
    try:
        dt.date(year, month, day)
    except ValueError:
        return None
    return PartialDate(year, month, day)


@dataclass(frozen=True, repr=False)
class PersonName:
    prefix: str = ""
    first: str = ""
    middle: str = ""
    last: str = ""

    @classmethod
    def from_raw(cls, raw: bytes) -> PersonName:
        return cls(*split_parts(raw, 4))

    @property
    def full(self) -> str:
        """As printed on forms: prefix glued to the first name in Thai style is the caller's choice."""
        return " ".join(p for p in (self.prefix, self.first, self.middle, self.last) if p)

    def as_dict(self) -> dict[str, str]:
        return {"prefix": self.prefix, "first": self.first, "middle": self.middle, "last": self.last}

    def __repr__(self) -> str:
        return f"PersonName({_REDACTED})"


ADDRESS_PARTS = ("house_no", "moo", "trok", "soi", "road", "subdistrict", "district", "province")


@dataclass(frozen=True, repr=False)
class Address:
    house_no: str = ""
    moo: str = ""
    trok: str = ""
    soi: str = ""
    road: str = ""
    subdistrict: str = ""
    district: str = ""
    province: str = ""

    @classmethod
    def from_raw(cls, raw: bytes) -> Address:
        return cls(*split_parts(raw, len(ADDRESS_PARTS)))

    @property
    def full(self) -> str:
        return " ".join(p for p in (getattr(self, n) for n in ADDRESS_PARTS) if p)

    def as_dict(self) -> dict[str, str]:
        d = {n: getattr(self, n) for n in ADDRESS_PARTS}
        d["full"] = self.full
        return d

    def __repr__(self) -> str:
        return f"Address({_REDACTED})"


@dataclass(frozen=True, repr=False)
class CardRecord:
    citizen_id: str
    citizen_id_valid: bool
    name_th: PersonName
    name_en: PersonName
    birth_date: PartialDate | None
    birth_date_be: str
    gender: str | None  # "male" / "female"; None for a code the card should not hold
    issuer: str
    issue_date: dt.date | None
    issue_date_be: str
    expiry_date: dt.date | None
    expiry_date_be: str
    lifetime: bool
    address: Address
    issuer_code: str = ""
    card_type: str = ""
    photo: bytes | None = field(default=None, compare=False)

    @property
    def masked_citizen_id(self) -> str:
        return mask_citizen_id(self.citizen_id)

    def is_expired(self, today: dt.date | None = None) -> bool:
        if self.expiry_date is None:
            return False
        return self.expiry_date < (today or dt.date.today())

    def with_photo(self, photo: bytes | None) -> CardRecord:
        return replace(self, photo=photo)

    def to_json_dict(self, *, photo_sha256: str | None = None) -> dict[str, Any]:
        """The `kiosk card read --json` object (docs/card.md); a public contract: keys do not change."""
        d: dict[str, Any] = {
            "citizen_id": self.citizen_id,
            "citizen_id_valid": self.citizen_id_valid,
            "name_th": self.name_th.as_dict(),
            "name_en": self.name_en.as_dict(),
            "birth_date": self.birth_date.iso() if self.birth_date else None,
            "birth_date_be": self.birth_date_be,
            "gender": self.gender,
            "issuer": self.issuer,
            "issue_date": self.issue_date.isoformat() if self.issue_date else None,
            "expiry_date": self.expiry_date.isoformat() if self.expiry_date else None,
            "address": self.address.as_dict(),
        }
        if photo_sha256 is not None:
            d["photo_sha256"] = photo_sha256
        return d

    def __repr__(self) -> str:
        photo = "yes" if self.photo else "no"
        return f"CardRecord(citizen_id={self.masked_citizen_id}, photo={photo})"

    __str__ = __repr__


def _ascii(raw: bytes) -> str:
    return raw.rstrip(_PADDING).decode("ascii", errors="replace").translate(_CONTROLS).strip()


def _full_date(raw: str) -> dt.date | None:
    parsed = parse_be_date(raw)
    return parsed.as_date() if parsed else None


def parse_record(raw: Mapping[str, bytes], photo: bytes | None = None) -> CardRecord:
    """Build the record from raw fields keyed by `layout.Field.name`."""
    cid = _ascii(raw["citizen_id"])
    birth_be = _ascii(raw["birth_date"])
    issue_be = _ascii(raw["issue_date"])
    expiry_be = _ascii(raw["expiry_date"])
    expiry = _full_date(expiry_be)
    gender = {"1": "male", "2": "female"}.get(_ascii(raw["gender"]))
    return CardRecord(
        citizen_id=cid,
        citizen_id_valid=citizen_id_is_valid(cid),
        name_th=PersonName.from_raw(raw["name_th"]),
        name_en=PersonName.from_raw(raw["name_en"]),
        birth_date=parse_be_date(birth_be),
        birth_date_be=birth_be,
        gender=gender,
        issuer=decode_tis620(raw["issuer"]).strip(),
        issue_date=_full_date(issue_be),
        issue_date_be=issue_be,
        # Lifetime cards carry an out-of-range expiry (commonly 99999999): no date, flagged.
        expiry_date=expiry,
        expiry_date_be=expiry_be,
        lifetime=expiry is None,
        address=Address.from_raw(raw["address"]),
        issuer_code=_ascii(raw.get("issuer_code", b"")),
        card_type=_ascii(raw.get("card_type", b"")),
        photo=photo,
    )
