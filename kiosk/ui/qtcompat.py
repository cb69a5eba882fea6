"""Work-arounds for defects of the installed Qt binding, each detected at run time.

PySide6 6.12.0: `SignalInstance.emit()` returns `True` without taking a reference, so every emit from
Python costs `True` one reference; after some thousands of emits (an afternoon at the counter) the
interpreter aborts with "bool_dealloc: deallocating True or False". Every emit in kiosk.ui goes
through `emit()`, which gives the reference back when the probe below finds the defect, so the kiosk
is safe on both the defective and a fixed binding.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

log = logging.getLogger(__name__)

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def _emit_drops_a_reference() -> bool:
    probe = _Probe()
    rounds = 16
    before = sys.getrefcount(True)
    results = [probe.ping.emit() for _ in range(rounds)]  # type: ignore[func-returns-value]
    del results
    lost = before - sys.getrefcount(True)
    for _ in range(max(lost, 0)):
        _incref(True)  # give back what the probe itself cost
    return lost >= rounds


EMIT_DROPS_REFERENCE = _emit_drops_a_reference()
if EMIT_DROPS_REFERENCE:
    log.info("Qt binding returns emit()'s result without a reference: compensating")


def emit(signal: SignalInstance, *args: Any) -> None:
    result: object = signal.emit(*args)  # type: ignore[func-returns-value]
    if EMIT_DROPS_REFERENCE and isinstance(result, bool):
        _incref(result)
