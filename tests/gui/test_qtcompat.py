"""The emit() work-around keeps `True`'s reference count whole over many emits."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from kiosk.ui.qtcompat import emit


class _Source(QObject):
    value = Signal(str, object)
    bare = Signal()


def test_many_emits_cost_no_reference(qapp) -> None:  # noqa: ANN001
    source = _Source()
    got: list[object] = []
    source.value.connect(lambda key, v: got.append(v))
    before = sys.getrefcount(True)
    for _ in range(5000):
        emit(source.value, "k", True)
        emit(source.bare)
    got.clear()
    assert abs(sys.getrefcount(True) - before) < 10
