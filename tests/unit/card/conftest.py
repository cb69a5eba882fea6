"""Fake transports for the card protocol: one backed by the project's virtual card, one scripted."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from kiosk.devices.card.errors import CardNotPresentError, TransportError
from kiosk.devices.card.profile import CardProfile, build_profile, load_profile
from kiosk.devices.card.simulator import VirtualCard

Response = tuple[bytes, int] | Exception


class CardTransport:
    """A `Transport` over a `VirtualCard`, recording every APDU, with failures injectable by index."""

    def __init__(self, card: VirtualCard, *, fail_at: dict[int, Exception] | None = None) -> None:
        self.card = card
        self.sent: list[bytes] = []
        self.fail_at = dict(fail_at or {})
        self.closed = False

    def send_and_receive(self, apdu: bytes) -> tuple[bytes, int]:
        index = len(self.sent)
        self.sent.append(apdu)
        if index in self.fail_at:
            raise self.fail_at.pop(index)
        reply = self.card.process(apdu)
        return reply[:-2], reply[-2] << 8 | reply[-1]

    def close(self) -> None:
        self.closed = True


class ScriptedTransport:
    """Answers from a list, in order; records what was sent."""

    def __init__(self, responses: Iterable[Response]) -> None:
        self.responses = list(responses)
        self.sent: list[bytes] = []

    def send_and_receive(self, apdu: bytes) -> tuple[bytes, int]:
        self.sent.append(apdu)
        if not self.responses:
            raise AssertionError(f"unexpected APDU {apdu.hex(' ')}")
        response = self.responses.pop(0)
        if isinstance(response, Exception):
            raise response
        return response

    def close(self) -> None:
        pass


@pytest.fixture
def somchai() -> CardProfile:
    return load_profile("somchai")


@pytest.fixture
def make_profile() -> Callable[..., CardProfile]:
    def make(**fields: str) -> CardProfile:
        base = {
            "citizen_id": "1101700203450",
            "name_th": "นาย#สมชาย##ใจดี",
            "name_en": "Mr.#Somchai##Jaidee",
            "birth_date": "25280415",
            "gender": "1",
            "issuer": "ท้องถิ่นเขตปทุมวัน/กรุงเทพมหานคร",
            "issue_date": "25650110",
            "expiry_date": "25740414",
            "address": "1#####ตำบลก#อำเภอข#จังหวัดค",
        }
        base.update(fields)
        return build_profile("test", {"fields": base})

    return make


__all__ = ["CardNotPresentError", "CardTransport", "ScriptedTransport", "TransportError"]
