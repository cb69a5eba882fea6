"""Hostile card memory: random and truncated text blocks, broken photos, a card answering nonsense.

Whatever the chip holds or answers, a read ends in a `CardRecord` or one of the card's documented
errors (`CardKnownError` at the reader, `ApduError`/`CardDataError`/`TransportError` inside the
protocol): never another exception, never a record holding control characters.
"""

from __future__ import annotations

import json
import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kiosk.devices.card import layout
from kiosk.devices.card.errors import (
    ApduError,
    CardDataError,
    CardKnownError,
    CardNotPresentError,
    NotThaiIdCardError,
    TransportError,
)
from kiosk.devices.card.parser import CardRecord, decode_tis620, parse_record
from kiosk.devices.card.profile import ATR_3B67, ATR_NORMAL, CardProfile, load_profile
from kiosk.devices.card.protocol import ThaiIdProtocol
from kiosk.devices.card.reader import read_from_transport, read_photo_from_transport
from kiosk.devices.card.simulator import VirtualCard

SOMCHAI = load_profile("somchai")
FIELDS = {f.name: f for f in layout.TEXT_FIELDS}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class CardTransport:
    """A `Transport` over the project's virtual card (the simulator's card logic, no socket)."""

    def __init__(self, card: VirtualCard) -> None:
        self.card = card
        self.sent = 0

    def send_and_receive(self, apdu: bytes) -> tuple[bytes, int]:
        self.sent += 1
        reply = self.card.process(apdu)
        return reply[:-2], reply[-2] << 8 | reply[-1]

    def close(self) -> None:
        pass


def card_with(memory: bytes, *, atr: bytes = ATR_NORMAL, direct: bool = False) -> CardTransport:
    return CardTransport(VirtualCard(CardProfile("fuzz", "", True, atr, memory), direct=direct))


def texts(record: CardRecord) -> list[str]:
    return [
        record.citizen_id,
        *record.name_th.as_dict().values(),
        *record.name_en.as_dict().values(),
        record.birth_date_be,
        record.issuer,
        record.issue_date_be,
        record.expiry_date_be,
        *record.address.as_dict().values(),
        record.issuer_code,
        record.card_type,
    ]


def check_record(record: CardRecord) -> None:
    """What every consumer of a record relies on, however broken the card."""
    for text in texts(record):
        # A control character (NUL above all) would be stored, printed and refused by the server.
        assert not any(unicodedata.category(c) == "Cc" for c in text), repr(text)
    if record.citizen_id_valid:
        assert len(record.citizen_id) == 13 and record.citizen_id.isascii() and record.citizen_id.isdigit()
    if record.birth_date is not None:
        assert 1 <= record.birth_date.year <= 9999
        record.birth_date.iso()
    assert record.lifetime == (record.expiry_date is None)
    json.dumps(record.to_json_dict(), ensure_ascii=False)
    shown = repr(record) + str(record)
    assert record.name_th.first not in shown or len(record.name_th.first) < 3


# --- the parser on raw field bytes -------------------------------------------------------------


def field_bytes(f: layout.Field) -> st.SearchStrategy[bytes]:
    # Full-length, truncated (a short answer) and over-long fields; Thai, ASCII and any byte.
    return st.one_of(
        st.binary(min_size=0, max_size=f.length + 8),
        st.text(
            alphabet="กขคงจฉชซญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮะาิีึืุูเแโใไๅ็่้๊๋์#0123456789 \x00", max_size=f.length
        ).map(lambda s: s.encode("tis_620")),
    )


raw_fields = st.fixed_dictionaries({name: field_bytes(f) for name, f in FIELDS.items()})


@FUZZ
@given(raw_fields)
@example({name: b"" for name in FIELDS})
@example({name: b"\x00" * f.length for name, f in FIELDS.items()})
@example(
    {**{name: b" " * f.length for name, f in FIELDS.items()}, "name_th": b"\xe0\xe1\x00\x01#\x7f#\x1b[2J#x"}
)
def test_any_field_bytes_parse_into_a_clean_record(raw: dict[str, bytes]) -> None:
    check_record(parse_record(raw))


def test_control_bytes_inside_a_field_become_replacement_characters() -> None:
    # Padding at the end goes; a NUL or escape inside a name is garbage, not text to keep.
    assert decode_tis620(b"\xca\xc1\x00\xaa\xd2\xc2\x1b  \x00") == "สม\ufffdชาย\ufffd"
    record = parse_record(
        {**{n: b" " * f.length for n, f in FIELDS.items()}, "citizen_id": b"1\x00" + b"1" * 11}
    )
    assert "\x00" not in record.citizen_id and not record.citizen_id_valid


# --- the whole read: protocol + parser over the virtual card -----------------------------------


def memory_with_blocks(blocks: list[bytes]) -> bytes:
    memory = bytearray(SOMCHAI.memory)
    for block, data in zip(layout.TEXT_BLOCKS, blocks, strict=True):
        memory[block.offset : block.offset + len(data)] = data[: block.length]
    return bytes(memory)


text_blocks = st.tuples(*(st.binary(min_size=b.length, max_size=b.length) for b in layout.TEXT_BLOCKS))


@FUZZ
@given(blocks=text_blocks, direct=st.booleans(), variant=st.booleans())
def test_random_text_blocks_read_into_a_record(
    blocks: tuple[bytes, ...], direct: bool, variant: bool
) -> None:
    transport = card_with(
        memory_with_blocks(list(blocks)), atr=ATR_3B67 if variant else ATR_NORMAL, direct=direct
    )
    result = read_from_transport(transport, transport.card.atr)
    check_record(result.record)
    assert result.transmits == (4 if direct else 7)


@FUZZ
@given(cut=st.integers(min_value=0, max_value=len(SOMCHAI.memory)), with_photo=st.booleans())
def test_truncated_card_memory_is_a_record_or_an_unreadable_card(cut: int, with_photo: bool) -> None:
    transport = card_with(SOMCHAI.memory[:cut])
    try:
        result = read_from_transport(transport, transport.card.atr, with_photo=with_photo)
    except CardKnownError as exc:
        assert exc.kind == "unreadable" and exc.message_th and exc.message_en
        return
    check_record(result.record)


# --- the photo reader ----------------------------------------------------------------------------

PHOTO_MAX = layout.PHOTO_CHUNK * layout.PHOTO_CHUNKS


def jpeg_like() -> st.SearchStrategy[bytes]:
    segment = st.builds(
        lambda marker, body: bytes([0xFF, marker]) + len(body).to_bytes(2, "big")[:2] + body,
        st.integers(0, 255),
        st.binary(max_size=300),
    )
    return st.builds(
        lambda parts, tail: b"\xff\xd8" + b"".join(parts) + tail,
        st.lists(segment, max_size=12),
        st.sampled_from([b"\xff\xd9", b"", b"\xff", b"\xff\xda\x00\x02\xff\x00\xff\xd9"]),
    )


photo_area = st.one_of(
    st.binary(max_size=layout.PHOTO.length),
    jpeg_like(),
    st.just(b""),
    st.binary(max_size=40).map(lambda b: b"\x20" * 300 + b),
)


@FUZZ
@given(photo=photo_area, fill=st.sampled_from([b"\x00", b"\xff", b" "]))
@example(photo=b"\xff\xd8", fill=b"\x00")
@example(photo=b"\xff\xd8\xff\xe0\x00\x00", fill=b"\xff")
def test_random_photo_areas_give_a_jpeg_none_or_a_card_error(photo: bytes, fill: bytes) -> None:
    memory = bytearray(SOMCHAI.memory)
    start = layout.PHOTO.offset
    memory[start : start + layout.PHOTO.length] = (photo + fill * layout.PHOTO.length)[: layout.PHOTO.length]
    transport = card_with(bytes(memory))
    try:
        jpeg = read_photo_from_transport(transport, transport.card.atr)
    except CardKnownError as exc:
        assert exc.kind == "unreadable"
        return
    if jpeg is not None:
        assert jpeg.startswith(b"\xff\xd8") and jpeg.endswith(b"\xff\xd9") and len(jpeg) <= PHOTO_MAX
    # One SELECT, then READ + GET RESPONSE per chunk, never a chunk twice.
    assert transport.sent <= 1 + 2 * layout.PHOTO_CHUNKS


# --- the protocol against a reader answering nonsense --------------------------------------------


class RandomTransport:
    """Answers every APDU with data and a status word drawn by Hypothesis, or a transport failure."""

    def __init__(self, draw: st.DataObject) -> None:
        self.draw = draw
        self.sent = 0

    def send_and_receive(self, apdu: bytes) -> tuple[bytes, int]:
        self.sent += 1
        first = self.sent == 1
        # A transport failure on SELECT makes the protocol wait for a slow card (1.5 s): only later.
        failures = [CardNotPresentError("gone")] + ([] if first else [TransportError("reader hiccup")])
        failure = self.draw.draw(st.sampled_from([None, None, None, None, *failures]), label="failure")
        if failure is not None:
            raise failure
        sw = self.draw.draw(
            st.one_of(
                st.sampled_from([0x9000, 0x610A, 0x6100, 0x61FF, 0x6C00, 0x6CFF, 0x6B00, 0x6A82, 0x6986]),
                st.integers(0, 0xFFFF),
            ),
            label="sw",
        )
        data = self.draw.draw(st.binary(max_size=300), label="data")
        return data, sw

    def close(self) -> None:
        pass


@FUZZ
@given(st.data(), st.booleans())
def test_a_reader_answering_nonsense_ends_in_a_record_or_a_card_error(
    data: st.DataObject, photo: bool
) -> None:
    transport = RandomTransport(data)
    try:
        result = read_from_transport(transport, ATR_NORMAL, with_photo=photo)
    except CardKnownError as exc:
        assert exc.kind in {"unreadable", "removed", "not_thai_id"} and exc.message_th and exc.message_en
    else:
        check_record(result.record)
    # `61`/`6C` loops are bounded: at most 8 exchanges per command.
    assert transport.sent <= 8 * (1 + len(layout.TEXT_BLOCKS) + (layout.PHOTO_CHUNKS if photo else 0))


@FUZZ
@given(st.data())
def test_protocol_commands_raise_only_their_own_errors(data: st.DataObject) -> None:
    protocol = ThaiIdProtocol(RandomTransport(data), ATR_NORMAL, not_ready_timeout=0, sleep=lambda _s: None)
    try:
        protocol.select()
        offset = data.draw(st.integers(0, 0xFFFF), label="offset")
        length = data.draw(st.integers(1, layout.MAX_READ), label="length")
        assert len(protocol.read_binary(offset, length)) == length
        photo = protocol.read_photo()
        assert photo is None or (photo[:2] == b"\xff\xd8" and photo[-2:] == b"\xff\xd9")
    except (ApduError, CardDataError, TransportError, NotThaiIdCardError):
        pass
