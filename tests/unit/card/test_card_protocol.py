"""Every branch of the Thai ID protocol against fake transports."""

from __future__ import annotations

import hashlib
import io

import pytest

from kiosk.devices.card import layout
from kiosk.devices.card.errors import (
    ApduError,
    CardDataError,
    CardNotPresentError,
    CardReadError,
    CardRemovedError,
    NotThaiIdCardError,
    TransportError,
)
from kiosk.devices.card.profile import PROFILE_DIR, CardProfile, build_profile, load_profile
from kiosk.devices.card.protocol import ThaiIdProtocol, jpeg_end, read_apdu, select_apdu
from kiosk.devices.card.reader import read_from_transport
from kiosk.devices.card.simulator import VirtualCard

from .conftest import CardTransport, ScriptedTransport

ATR = bytes.fromhex("3B79180000544820 4E49442031 30".replace(" ", ""))
ATR_3B67 = bytes.fromhex("3B670000544820 4E494431".replace(" ", ""))


def test_block_plan_reads_text_in_three_blocks() -> None:
    assert [(b.offset, b.length) for b in layout.TEXT_BLOCKS] == [(0x0004, 222), (0x00F6, 131), (0x1579, 160)]
    assert all(b.length <= 255 for b in layout.TEXT_BLOCKS)


def test_text_read_is_seven_transmits(somchai: CardProfile) -> None:
    card = VirtualCard(somchai)
    t = CardTransport(card)
    result = read_from_transport(t, card.atr)
    assert result.transmits == 7 == len(t.sent)
    assert t.sent[0] == select_apdu()
    reads = [a for a in t.sent if a[:2] == b"\x80\xb0"]
    assert [(a[2] << 8 | a[3], a[6]) for a in reads] == [(0x0004, 222), (0x00F6, 131), (0x1579, 160)]
    # GET RESPONSE asks for exactly what the 61 xx announced, with P2 = 00 for this ATR.
    grs = [a for a in t.sent if a[:2] == b"\x00\xc0"]
    assert [a.hex() for a in grs] == ["00c00000de", "00c0000083", "00c00000a0"]
    assert result.record.citizen_id == "1101700203450"
    assert result.record.photo is None


def test_3b67_card_gets_p2_one(somchai: CardProfile) -> None:
    card = VirtualCard(somchai, variant_3b67=True)
    assert card.atr[:2] == b"\x3b\x67"
    t = CardTransport(card)
    result = read_from_transport(t, card.atr)
    assert all(a[3] == 0x01 for a in t.sent if a[:2] == b"\x00\xc0")
    assert result.record.name_en.first == "Somchai"


def test_3b67_card_rejects_p2_zero(somchai: CardProfile) -> None:
    """The variant is real: a reader ignoring the ATR fails on it (what the field reports say)."""
    card = VirtualCard(somchai, variant_3b67=True)
    with pytest.raises(CardReadError):
        read_from_transport(CardTransport(card), ATR)


def test_reader_answering_9000_with_data(somchai: CardProfile) -> None:
    card = VirtualCard(somchai, direct=True)
    t = CardTransport(card)
    result = read_from_transport(t, card.atr)
    assert len(t.sent) == 4  # SELECT + 3 READs, no GET RESPONSE needed
    assert result.record.address.province == "กรุงเทพมหานคร"


def test_6c_on_read_resends_with_corrected_length() -> None:
    data = bytes(range(10))
    t = ScriptedTransport([(b"", 0x6C0A), (b"", 0x610A), (data, 0x9000)])
    proto = ThaiIdProtocol(t, ATR)
    assert proto.command(read_apdu(0x0004, 20), "READ") == data
    assert t.sent[1] == read_apdu(0x0004, 10)
    assert t.sent[2].hex() == "00c000000a"


def test_6c_on_get_response_resends_get_response() -> None:
    data = b"A" * 8
    t = ScriptedTransport([(b"", 0x6108), (b"", 0x6C08), (data, 0x9000)])
    proto = ThaiIdProtocol(t, ATR)
    # The card announced 8 bytes: GET RESPONSE asks for 8; a 6C correction would be honoured too.
    assert proto.command(read_apdu(0, 8), "READ") == data
    assert t.sent[1].hex() == "00c0000008"
    assert t.sent[2].hex() == "00c0000008"


def test_virtual_card_corrects_a_too_long_get_response(somchai: CardProfile) -> None:
    card = VirtualCard(somchai)
    card.process(select_apdu())
    assert card.process(read_apdu(0x0004, 13))[-2:] == b"\x61\x0d"
    assert card.process(bytes.fromhex("00c0000020"))[-2:] == b"\x6c\x0d"
    assert card.process(bytes.fromhex("00c000000d")) == b"1101700203450\x90\x00"


def test_chained_61_is_followed() -> None:
    t = ScriptedTransport([(b"", 0x6104), (b"ab", 0x6102), (b"cd", 0x9000)])
    assert ThaiIdProtocol(t, ATR).command(read_apdu(0, 4), "READ") == b"abcd"


def test_endless_61_is_cut_short() -> None:
    t = ScriptedTransport([(b"", 0x6101)] * 20)
    with pytest.raises(ApduError):
        ThaiIdProtocol(t, ATR).command(read_apdu(0, 1), "READ")
    assert len(t.sent) <= 8


def test_error_status_is_typed() -> None:
    t = ScriptedTransport([(b"", 0x6B00)])
    with pytest.raises(ApduError) as info:
        ThaiIdProtocol(t, ATR).read_binary(0x2000, 10)
    assert info.value.sw == 0x6B00


def test_short_block_is_a_data_error() -> None:
    t = ScriptedTransport([(b"abc", 0x9000)])
    with pytest.raises(CardDataError):
        ThaiIdProtocol(t, ATR).read_binary(0, 10)


def test_not_ready_card_gets_a_brief_retry(somchai: CardProfile) -> None:
    card = VirtualCard(somchai)
    t = CardTransport(card, fail_at={0: TransportError("not ready"), 1: TransportError("not ready")})
    now = [0.0]
    sleeps: list[float] = []

    def sleep(s: float) -> None:
        sleeps.append(s)
        now[0] += s

    proto = ThaiIdProtocol(t, card.atr, sleep=sleep, clock=lambda: now[0])
    proto.select()
    assert len(t.sent) == 3 and len(sleeps) == 2


def test_not_ready_gives_up_after_the_deadline() -> None:
    t = ScriptedTransport([TransportError("x")] * 100)
    now = [0.0]

    def sleep(s: float) -> None:
        now[0] += s

    proto = ThaiIdProtocol(t, ATR, sleep=sleep, clock=lambda: now[0], not_ready_timeout=0.5)
    with pytest.raises(TransportError):
        proto.select()
    assert 5 <= len(t.sent) <= 15


def test_pulled_card_is_not_retried() -> None:
    t = ScriptedTransport([CardNotPresentError("gone")])
    with pytest.raises(CardRemovedError):
        read_from_transport(t, ATR)
    assert len(t.sent) == 1


def test_wrong_card() -> None:
    card = VirtualCard(load_profile("not-thai-id"))
    t = CardTransport(card)
    with pytest.raises(NotThaiIdCardError) as info:
        read_from_transport(t, card.atr)
    assert info.value.exit_code == 5
    assert len(t.sent) == 1


def test_select_9000_is_accepted() -> None:
    t = ScriptedTransport([(b"", 0x9000)])
    ThaiIdProtocol(t, ATR).select()


@pytest.mark.parametrize("at", [2, 4, 6])
def test_card_pulled_mid_text_read_gives_no_record(somchai: CardProfile, at: int) -> None:
    t = CardTransport(VirtualCard(somchai), fail_at={at: CardNotPresentError("removed")})
    with pytest.raises(CardRemovedError) as info:
        read_from_transport(t, ATR)
    assert info.value.exit_code == 6


def test_exchange_failure_then_card_gone_is_removal(somchai: CardProfile) -> None:
    """vpcd (and some readers) report a failed exchange first; pcscd notices the pull a moment later."""
    t = CardTransport(VirtualCard(somchai), fail_at={9: TransportError("transaction failed")})
    with pytest.raises(CardRemovedError):
        read_from_transport(t, ATR, with_photo=True, card_gone=lambda: True)
    t = CardTransport(VirtualCard(somchai), fail_at={9: TransportError("transaction failed")})
    with pytest.raises(CardReadError) as info:
        read_from_transport(t, ATR, with_photo=True, card_gone=lambda: False)
    assert info.value.exit_code == 1


def test_photo_read_in_order_once_and_trimmed(somchai: CardProfile) -> None:
    jpeg = (PROFILE_DIR / "photo-somchai.jpg").read_bytes()
    card = VirtualCard(somchai)
    t = CardTransport(card)
    result = read_from_transport(t, card.atr, with_photo=True)
    assert result.record.photo == jpeg
    reads = [a[2] << 8 | a[3] for a in t.sent if a[:2] == b"\x80\xb0"][3:]
    chunks = -(-len(jpeg) // 255)
    assert reads == [0x017B + 255 * i for i in range(chunks)]
    assert result.transmits == 7 + 2 * chunks


def test_photo_filling_all_chunks_stays_within_47_transmits() -> None:
    profile = load_profile("nampueng")
    card = VirtualCard(profile)
    result = read_from_transport(CardTransport(card), card.atr, with_photo=True)
    assert result.record.photo == (PROFILE_DIR / "photo-nampueng.jpg").read_bytes()
    assert result.transmits == 47


def _jpeg_with_thumbnail() -> bytes:
    """A JPEG whose APP1 segment holds a complete thumbnail (with its own FF D9)."""
    from PIL import Image

    thumb = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(thumb, "JPEG")
    main = io.BytesIO()
    Image.new("RGB", (40, 50), (10, 200, 10)).save(main, "JPEG")
    body = b"Exif\x00\x00" + thumb.getvalue()
    app1 = b"\xff\xe1" + (len(body) + 2).to_bytes(2, "big") + body
    m = main.getvalue()
    return m[:2] + app1 + m[2:]


def test_jpeg_end_skips_an_embedded_thumbnail() -> None:
    jpeg = _jpeg_with_thumbnail()
    assert jpeg.find(b"\xff\xd9") < len(jpeg) - 2
    assert jpeg_end(jpeg + b"\x00" * 300) == len(jpeg)
    assert jpeg_end(jpeg[:-1]) is None


def test_photo_with_thumbnail_is_read_whole(make_profile: object) -> None:
    jpeg = _jpeg_with_thumbnail()
    profile = load_profile("somchai")
    memory = bytearray(profile.memory)
    memory[layout.PHOTO.offset : layout.PHOTO.offset + layout.PHOTO.length] = bytes(layout.PHOTO.length)
    memory[layout.PHOTO.offset : layout.PHOTO.offset + len(jpeg)] = jpeg
    card = VirtualCard(CardProfile("t", "", True, profile.atr, bytes(memory)))
    photo = ThaiIdProtocol(CardTransport(card), card.atr)
    photo.select()
    assert hashlib.sha256(photo.read_photo() or b"").digest() == hashlib.sha256(jpeg).digest()


def test_card_without_photo_costs_one_chunk() -> None:
    card = VirtualCard(load_profile("chaloem"))
    t = CardTransport(card)
    proto = ThaiIdProtocol(t, card.atr)
    proto.select()
    assert proto.read_photo() is None
    assert len(t.sent) == 3


def test_garbage_photo_area_is_an_error() -> None:
    profile = build_profile("t", {"fields": {"citizen_id": "1101700203450"}})
    memory = bytearray(profile.memory)
    memory[layout.PHOTO.offset : layout.PHOTO.offset + 4] = b"GIF8"
    card = VirtualCard(CardProfile("t", "", True, profile.atr, bytes(memory)))
    proto = ThaiIdProtocol(CardTransport(card), card.atr)
    proto.select()
    with pytest.raises(CardDataError):
        proto.read_photo()


def test_photo_pull_mid_way_gives_no_record(somchai: CardProfile) -> None:
    t = CardTransport(VirtualCard(somchai), fail_at={15: CardNotPresentError("removed")})
    with pytest.raises(CardRemovedError):
        read_from_transport(t, ATR, with_photo=True)


def test_field_by_field_reference_method(somchai: CardProfile) -> None:
    card = VirtualCard(somchai)
    t = CardTransport(card)
    proto = ThaiIdProtocol(t, card.atr)
    proto.select()
    raw = proto.read_fields_one_by_one(layout.CLASSIC_TEXT_FIELDS)
    assert len(t.sent) == 19
    assert raw["citizen_id"] == b"1101700203450"
