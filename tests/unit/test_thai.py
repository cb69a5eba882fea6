import datetime as dt
from decimal import Decimal

import pytest

from kiosk.domain import thai


@pytest.mark.parametrize("value", ["3100600445635", "1101700230708", "0994000165501"])
def test_valid_ids_from_the_reference(value: str) -> None:
    assert thai.is_valid_citizen_id(value)


@pytest.mark.parametrize(
    "value", ["1234545678789", "110170023070", "11017002307080", "110170023070x", "๑101700230708"]
)
def test_invalid_ids(value: str) -> None:
    assert not thai.is_valid_citizen_id(value)


def test_every_wrong_last_digit_is_refused() -> None:
    for digit in "0123456789":
        candidate = "110170023070" + digit
        assert thai.is_valid_citizen_id(candidate) == (digit == "8")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("21", "ยี่สิบเอ็ดบาทถ้วน"),
        ("1234.50", "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์"),
        ("0.25", "ยี่สิบห้าสตางค์"),
        ("101", "หนึ่งร้อยเอ็ดบาทถ้วน"),
        ("11", "สิบเอ็ดบาทถ้วน"),
        ("10", "สิบบาทถ้วน"),
        ("1", "หนึ่งบาทถ้วน"),
        ("20", "ยี่สิบบาทถ้วน"),
        ("1000001", "หนึ่งล้านเอ็ดบาทถ้วน"),
        ("21000000", "ยี่สิบเอ็ดล้านบาทถ้วน"),
        ("3649.22", "สามพันหกร้อยสี่สิบเก้าบาทยี่สิบสองสตางค์"),
        ("0.01", "หนึ่งสตางค์"),
        ("0", "ศูนย์บาทถ้วน"),
    ],
)
def test_amount_in_words(amount: str, words: str) -> None:
    assert thai.baht_text(Decimal(amount)) == words


def test_amount_in_words_rounds_half_up_to_the_satang() -> None:
    assert thai.baht_text(Decimal("0.005")) == "หนึ่งสตางค์"
    assert thai.baht_text(Decimal("0.004")) == "ศูนย์บาทถ้วน"


def test_buddhist_era_dates() -> None:
    day = dt.date(2025, 7, 15)
    assert thai.format_date_long(day) == "15 กรกฎาคม 2568"
    assert thai.format_date_short(day) == "15 ก.ค. 68"
    assert thai.format_date_long(day, digits="thai") == "๑๕ กรกฎาคม ๒๕๖๘"
    assert thai.format_time(dt.time(9, 5)) == "09:05 น."
    assert [thai.format_date_short(dt.date(2026, m, 1)).split()[1] for m in range(1, 13)] == list(
        thai.MONTHS_SHORT
    )


def test_fiscal_year_starts_in_october() -> None:
    assert thai.fiscal_year_be(dt.date(2025, 9, 30)) == 2568
    assert thai.fiscal_year_be(dt.date(2025, 10, 1)) == 2569


def test_digits_round_trip() -> None:
    assert thai.thai_digits("2569") == "๒๕๖๙"
    assert thai.arabic_digits("๐๓๔-๒๗๗๐๙๐") == "034-277090"


def test_masked_id_keeps_no_more_than_the_tail() -> None:
    assert thai.mask_citizen_id("1101700230708") == "1-xxxx-xxxxx-70-8"
    assert "0023" not in thai.mask_citizen_id("1101700230708")
