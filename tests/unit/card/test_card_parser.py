"""Parser edges: TIS-620 exactness, '#' splitting, partial dates, lifetime cards, check digits, PDPA repr."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from kiosk.devices.card import layout
from kiosk.devices.card.parser import (
    Address,
    PartialDate,
    PersonName,
    citizen_id_check_digit,
    citizen_id_is_valid,
    decode_tis620,
    parse_be_date,
    parse_record,
    split_parts,
)
from kiosk.devices.card.profile import available_profiles, load_profile


def raw_fields(memory: bytes) -> dict[str, bytes]:
    return {f.name: memory[f.offset : f.offset + f.length] for f in layout.TEXT_FIELDS}


def pad(text: str, length: int = 100, fill: bytes = b" ") -> bytes:
    data = text.encode("tis_620")
    return data + fill * (length - len(data))


def test_tis620_tone_marks_and_sara_am_are_exact() -> None:
    # น้ำ: NO NU, MAI THO, SARA AM as three code points, never the decomposed NIKHAHIT + SARA AA.
    assert decode_tis620(b"\xb9\xe9\xd3" + b" " * 10) == "\u0e19\u0e49\u0e33"
    assert decode_tis620(pad("ผึ้ง")) == "\u0e1c\u0e36\u0e49\u0e07"
    for word in ["น้ำผึ้ง", "ก้องภพ", "ธนวัฒน์", "มั่นคง", "ฤๅษี", "ฃ๏๛"]:
        assert decode_tis620(pad(word)) == word


def test_padding_nul_and_space_is_stripped() -> None:
    assert decode_tis620(b"abc\x00\x00\x00") == "abc"
    assert decode_tis620(b"abc   ") == "abc"


def test_split_on_hash_before_trimming_keeps_empty_parts() -> None:
    assert split_parts(pad("Mr.#Somchai##Jaidee"), 4) == ("Mr.", "Somchai", "", "Jaidee")
    # A part made of spaces is empty, and is still a part: trimming first would shift the fields.
    assert split_parts(pad("1#   #  #ซอยก#"), 5) == ("1", "", "", "ซอยก", "")
    assert split_parts(pad(""), 4) == ("", "", "", "")


def test_address_with_empty_parts() -> None:
    addr = Address.from_raw(pad("99/1#หมู่ที่ 5####ตำบลหนองน้ำใส#อำเภอเมืองขอนแก่น#จังหวัดขอนแก่น", 160))
    assert addr.as_dict() == {
        "house_no": "99/1",
        "moo": "หมู่ที่ 5",
        "trok": "",
        "soi": "",
        "road": "",
        "subdistrict": "ตำบลหนองน้ำใส",
        "district": "อำเภอเมืองขอนแก่น",
        "province": "จังหวัดขอนแก่น",
        "full": "99/1 หมู่ที่ 5 ตำบลหนองน้ำใส อำเภอเมืองขอนแก่น จังหวัดขอนแก่น",
    }


def test_extra_parts_are_kept_not_dropped() -> None:
    assert split_parts(pad("a#b#c#d#e"), 4) == ("a", "b", "c", "d#e")


def test_english_middle_name() -> None:
    name = PersonName.from_raw(pad("Miss#Nampueng#Rose#Srisuk"))
    assert (name.prefix, name.first, name.middle, name.last) == ("Miss", "Nampueng", "Rose", "Srisuk")
    assert name.full == "Miss Nampueng Rose Srisuk"


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("25280415", "1985-04-15"),
        ("25360700", "1993-07"),
        ("24850000", "1942"),
        ("25190229", "1976-02-29"),
    ],
)
def test_birth_dates(raw: str, iso: str) -> None:
    date = parse_be_date(raw)
    assert date is not None and date.iso() == iso


@pytest.mark.parametrize("raw", ["25180229", "25281301", "25280015", "2528041", "abcdefgh", "        "])
def test_invalid_dates_are_none_never_invented(raw: str) -> None:
    assert parse_be_date(raw) is None


def test_partial_date_as_date() -> None:
    assert PartialDate(1993, 7).as_date() is None
    assert PartialDate(1993, 7, 1).as_date() == dt.date(1993, 7, 1)


@pytest.mark.parametrize(
    ("cid", "valid"),
    [
        ("1101700203450", True),
        ("3700100456781", True),
        ("1101700203451", False),
        ("110170020345", False),
        ("11017002034a0", False),
        ("", False),
    ],
)
def test_check_digit(cid: str, valid: bool) -> None:
    assert citizen_id_is_valid(cid) is valid


def test_check_digit_formula() -> None:
    # (11 - sum(d[i] * (13 - i)) % 11) % 10; a remainder of 0 or 1 wraps to 1 or 0.
    assert citizen_id_check_digit("110170020345") == 0
    assert citizen_id_check_digit("000000000000") == 1


def test_lifetime_card() -> None:
    record = parse_record(raw_fields(load_profile("boonmee-lifetime").memory))
    assert record.lifetime is True
    assert record.expiry_date is None
    assert record.expiry_date_be == "99999999"
    assert not record.is_expired()
    assert record.birth_date is not None and record.birth_date.iso() == "1942"
    assert record.to_json_dict()["expiry_date"] is None


def test_expired_card() -> None:
    record = parse_record(raw_fields(load_profile("kongphop-expired").memory))
    assert record.lifetime is False
    assert record.expiry_date == dt.date(2023, 3, 15)
    assert record.is_expired(dt.date(2025, 1, 1))


def test_json_shape_is_the_cli_contract() -> None:
    data = parse_record(raw_fields(load_profile("somchai").memory)).to_json_dict(photo_sha256="ab")
    assert list(data) == [
        "citizen_id",
        "citizen_id_valid",
        "name_th",
        "name_en",
        "birth_date",
        "birth_date_be",
        "gender",
        "issuer",
        "issue_date",
        "expiry_date",
        "address",
        "photo_sha256",
    ]
    assert data["name_th"] == {"prefix": "นาย", "first": "สมชาย", "middle": "", "last": "ใจดี"}
    assert data["gender"] == "male"
    assert data["issue_date"] == "2022-01-10"
    assert list(data["address"]) == [
        "house_no",
        "moo",
        "trok",
        "soi",
        "road",
        "subdistrict",
        "district",
        "province",
        "full",
    ]


@pytest.mark.parametrize("profile", [p for p in available_profiles() if p != "not-thai-id"])
def test_every_profile_parses_with_a_valid_id(profile: str) -> None:
    record = parse_record(raw_fields(load_profile(profile).memory))
    assert record.citizen_id_valid
    assert record.gender in ("male", "female")
    assert record.birth_date is not None
    assert record.issue_date is not None


@pytest.mark.parametrize("profile", ["somchai", "nampueng", "chaloem", "boonmee-lifetime"])
def test_repr_and_str_leak_no_personal_data(profile: str, caplog: pytest.LogCaptureFixture) -> None:
    record = parse_record(raw_fields(load_profile(profile).memory), photo=b"\xff\xd8secretphoto\xff\xd9")
    data = record.to_json_dict()
    secrets = [
        record.citizen_id,
        record.citizen_id[:5],
        record.birth_date_be,
        *(v for v in data["name_th"].values() if v),
        *(v for v in data["name_en"].values() if len(v) > 4),
        *(v for k, v in data["address"].items() if v and k != "full"),
        "secretphoto",
    ]
    caplog.set_level(logging.DEBUG)
    logging.getLogger("test").debug(
        "%r %s %r %r %r", record, record, record.name_th, record.address, [record]
    )
    shown = " ".join(
        [repr(record), str(record), repr(record.name_th), repr(record.address), repr(record.birth_date)]
    )
    shown += caplog.text
    for secret in secrets:
        assert secret not in shown, secret
    assert record.masked_citizen_id in repr(record)


def test_records_compare_by_content_not_photo() -> None:
    memory = load_profile("somchai").memory
    a = parse_record(raw_fields(memory))
    assert a == parse_record(raw_fields(memory), photo=b"x")
    assert a.with_photo(b"x").photo == b"x"
