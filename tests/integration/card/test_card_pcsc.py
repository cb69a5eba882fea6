"""One-shot reads through pcscd + vpcd + the virtual card."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest

from kiosk.devices.card.errors import CardRemovedError, NoCardError, NotThaiIdCardError
from kiosk.devices.card.profile import PROFILE_DIR
from kiosk.devices.card.reader import list_readers, read_once
from kiosk.devices.card.simulator import VpcdSimulator

from .conftest import READER, READER_2, Pcscd

pytestmark = pytest.mark.integration

Insert = Callable[..., VpcdSimulator]


def test_readers_are_listed(pcscd: Pcscd) -> None:
    assert {READER, READER_2} <= set(list_readers())


def test_read_text_then_photo(insert: Insert) -> None:
    insert("somchai")
    result = read_once()
    record = result.record
    assert result.transmits == 7
    assert record.citizen_id == "1101700203450" and record.citizen_id_valid
    assert record.name_th.first == "สมชาย" and record.name_th.middle == ""
    assert record.address.full == "123/45 ซอยร่วมฤดี ถนนเพลินจิต แขวงลุมพินี เขตปทุมวัน กรุงเทพมหานคร"
    assert record.photo is None

    full = read_once(READER, with_photo=True)
    jpeg = (PROFILE_DIR / "photo-somchai.jpg").read_bytes()
    assert hashlib.sha256(full.record.photo or b"").hexdigest() == hashlib.sha256(jpeg).hexdigest()
    assert full.transmits <= 47


def test_card_in_second_reader_is_found(insert: Insert) -> None:
    insert("nampueng", reader=READER_2)
    result = read_once()
    assert result.record.name_en.middle == "Rose"


def test_no_card(pcscd: Pcscd) -> None:
    with pytest.raises(NoCardError):
        read_once()


def test_wrong_card(insert: Insert) -> None:
    insert("not-thai-id")
    with pytest.raises(NotThaiIdCardError):
        read_once()


@pytest.mark.parametrize("how", ["profile", "flag"])
def test_3b67_variant(insert: Insert, how: str) -> None:
    if how == "profile":
        insert("thanawat-3b67")
    else:
        insert("somchai", variant_3b67=True)
    record = read_once().record
    assert record.citizen_id_valid


def test_reader_doing_get_response_itself(insert: Insert) -> None:
    insert("somchai", direct=True)
    result = read_once(with_photo=True)
    assert result.transmits < 30
    assert result.record.photo is not None


def test_lifetime_and_unknown_dates(insert: Insert) -> None:
    sim = insert("boonmee-lifetime")
    record = read_once().record
    assert record.lifetime and record.expiry_date is None
    assert record.birth_date is not None and record.birth_date.iso() == "1942"
    sim.stop()
    insert("nampueng")
    record = read_once().record
    assert record.birth_date is not None and record.birth_date.iso() == "1993-07"
    assert not record.lifetime


def test_card_pulled_in_the_middle_of_the_photo(insert: Insert) -> None:
    # 7 text transmits, then the card goes away during the 6th photo chunk.
    sim = insert("nampueng", remove_after_apdus=7 + 11)
    with pytest.raises(CardRemovedError) as info:
        read_once(with_photo=True)
    assert info.value.exit_code == 6
    assert sim.removed.wait(5)
