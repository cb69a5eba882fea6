"""The card service on the real stack: events once each, pulls, a vanishing reader, pcscd restarts."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from kiosk.devices.card.service import (
    CardError,
    CardInserted,
    CardRead,
    CardRemoved,
    CardService,
    PhotoRead,
    ReaderAdded,
    ReaderRemoved,
)
from kiosk.devices.card.simulator import VpcdSimulator

from .conftest import READER, READER_2, EventLog, Pcscd, assert_consistent, wait_until

pytestmark = pytest.mark.integration

Insert = Callable[..., VpcdSimulator]


@pytest.fixture
def events() -> EventLog:
    return EventLog()


@pytest.fixture
def service(pcscd: Pcscd, events: EventLog) -> Iterator[CardService]:
    svc = CardService(events, poll_interval=0.1).start()
    yield svc
    svc.stop()
    assert not svc.running
    assert_consistent(events.events)


def test_insert_read_remove(service: CardService, events: EventLog, insert: Insert) -> None:
    events.wait_for(ReaderAdded, where=lambda e: e.reader == READER)
    events.wait_for(ReaderAdded, where=lambda e: e.reader == READER_2)
    sim = insert("somchai", wait_present=False)
    inserted = events.wait_for(CardInserted)
    assert inserted.reader == READER and inserted.atr[:2] == b"\x3b\x79"
    read = events.wait_for(CardRead)
    assert read.record.citizen_id == "1101700203450"
    assert read.record.photo is None
    assert read.transmits == 7
    sim.stop()
    events.wait_for(CardRemoved)
    mark = events.mark()
    insert("chaloem", wait_present=False)
    read = events.wait_for(CardRead, after=mark)
    assert read.record.name_th.prefix == "ว่าที่ร้อยตรีหญิง"
    assert len(events.of(CardRead)) == 2
    assert len(events.of(ReaderAdded)) == 2


def test_without_read_on_insert_a_card_is_read_only_on_request(
    pcscd: Pcscd, events: EventLog, insert: Insert
) -> None:
    """The kiosk's mode: insertion is reported and nothing is sent to the card until it is asked."""
    with CardService(events, read_on_insert=False, poll_interval=0.1) as service:
        sim = insert("somchai", wait_present=False)
        events.wait_for(CardInserted)
        time.sleep(0.6)  # several polls with the card in
        assert events.of(CardRead) == [] and events.of(CardError) == []
        assert sim.card.apdus == 0, "an APDU reached the card before the read was asked for"
        service.request_read(READER)
        read = events.wait_for(CardRead)
        assert read.record.citizen_id == "1101700203450" and sim.card.apdus == read.transmits == 7
        sim.stop()
        events.wait_for(CardRemoved)
        service.request_read()  # nothing in any reader by now: a clear error, no read
        assert events.wait_for(CardError).kind == "no_card"
    assert_consistent(events.events)


def test_photo_on_request(service: CardService, events: EventLog, insert: Insert) -> None:
    insert("nampueng", wait_present=False)
    events.wait_for(CardRead)
    service.request_photo()
    photo = events.wait_for(PhotoRead)
    assert photo.reader == READER
    assert photo.photo is not None and photo.photo[:2] == b"\xff\xd8" and photo.photo[-2:] == b"\xff\xd9"


def test_pull_during_photo_read_gives_error_and_no_record(
    pcscd: Pcscd, events: EventLog, insert: Insert
) -> None:
    with CardService(events, with_photo=True, poll_interval=0.1):
        insert("nampueng", wait_present=False, remove_after_apdus=7 + 15)
        error = events.wait_for(CardError)
        assert error.kind == "removed" and error.reader == READER
        assert "ระหว่างการอ่าน" in error.message_th
        events.wait_for(CardRemoved)
        assert events.of(CardRead) == []
    assert_consistent(events.events)


def test_wrong_card_event(service: CardService, events: EventLog, insert: Insert) -> None:
    insert("not-thai-id", wait_present=False)
    error = events.wait_for(CardError)
    assert error.kind == "not_thai_id"


def test_service_recovers_after_pcscd_restart(own_pcscd: Pcscd, events: EventLog, insert: Insert) -> None:
    with CardService(events, poll_interval=0.1) as service:
        insert("somchai", wait_present=False, reconnect=True)
        events.wait_for(CardRead)
        builds = service.context_builds
        own_pcscd.restart()
        # The same card, still inserted, is not news: the service re-reads quietly after rebuilding.
        wait_until(lambda: service.context_builds > builds, 10, "the service to rebuild its context")
        wait_until(lambda: service.running, 1, "the worker to stay alive")
        mark = events.mark()
        insert("kongphop-expired", reader=READER_2, wait_present=False)
        read = events.wait_for(CardRead, after=mark, where=lambda e: e.reader == READER_2)
        assert read.record.expiry_date is not None
    assert_consistent(events.events)
    # Whatever the timing of the restart, somchai's card was never reported read twice in a row.
    somchai_reads = [e for e in events.of(CardRead) if e.record.citizen_id == "1101700203450"]
    assert len(somchai_reads) <= len(events.of(CardRemoved, READER)) + 1


def test_service_waits_for_pcscd_to_come_back(own_pcscd: Pcscd, events: EventLog, insert: Insert) -> None:
    with CardService(events, poll_interval=0.1, retry_interval=0.2) as service:
        events.wait_for(ReaderAdded)
        own_pcscd.stop()
        try:
            error = events.wait_for(CardError, where=lambda e: e.kind == "service_unavailable")
            assert error.reader == ""
        finally:
            own_pcscd.start()
        insert("boonmee-lifetime", wait_present=False)
        read = events.wait_for(CardRead)
        assert read.record.lifetime
        assert service.running


def test_reader_that_disappears(own_pcscd: Pcscd, events: EventLog, insert: Insert) -> None:
    """pcscd comes back with other readers: the old ones are reported gone (card first), the new added."""
    with CardService(events, poll_interval=0.1):
        insert("somchai", wait_present=False)
        events.wait_for(CardRead)
        try:
            own_pcscd.restart("Spare PCD")
            events.wait_for(ReaderRemoved, where=lambda e: e.reader == READER)
            events.wait_for(ReaderAdded, where=lambda e: e.reader == "Spare PCD 00 00")
            assert events.of(CardRemoved, READER)
        finally:
            own_pcscd.restart()
    assert_consistent(events.events)
