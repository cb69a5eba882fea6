"""Case numbers people read, unique across the kiosks of an office even when they work offline.

Scheme: ``<kiosk>-<BE year>-<sequence>``, e.g. ``K01-2569-00042``.

- ``kiosk`` is the kiosk's own short code (``[A-Z][A-Z0-9]{1,3}``), unique in the office: the
  office assigns it when the kiosk is enrolled, so two kiosks never share a prefix.
- the Buddhist Era year of the submission (Asia/Bangkok), because Thai registers number requests
  per year (เลขที่ 42/2569) and staff read it that way;
- the sequence is the kiosk's own counter for that year, allocated in the same transaction that
  writes the case, so a number is used once and never skipped by a crash.

No coordination is needed: numbers from different kiosks differ in the prefix, numbers from one
kiosk differ in the year or the sequence. The case's UUID stays the key for machines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CASE_NUMBER = re.compile(r"^(?P<kiosk>[A-Z][A-Z0-9]{1,3})-(?P<year>25\d\d|26\d\d)-(?P<seq>\d{5,})$")


@dataclass(frozen=True)
class CaseNumber:
    kiosk: str
    year_be: int
    seq: int

    def __str__(self) -> str:
        return f"{self.kiosk}-{self.year_be}-{self.seq:05d}"

    @property
    def compact(self) -> str:
        """Digits and capitals only, for a Bill Payment Ref.1: ``K01256900042``."""
        return str(self).replace("-", "")

    @classmethod
    def parse(cls, text: str) -> CaseNumber:
        match = _CASE_NUMBER.match(text.strip().upper())
        if match is None:
            raise ValueError(f"not a case number: {text!r} (expected e.g. K01-2569-00042)")
        return cls(match["kiosk"], int(match["year"]), int(match["seq"]))


def sequence_name(kiosk: str, year_be: int) -> str:
    return f"case:{kiosk}:{year_be}"
