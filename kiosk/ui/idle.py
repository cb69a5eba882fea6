"""The idle clock: a visible warning, then the visit ends. It runs only while a visit is open."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

from kiosk.ui.qtcompat import emit

_ACTIVITY = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.KeyPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.Wheel,
        QEvent.Type.InputMethod,
    }
)


class IdleWatcher(QObject):
    """`warn(seconds_left)` each second of the warning, `expired` at the end; any touch restarts it."""

    warn = Signal(int)
    expired = Signal()
    resumed = Signal()

    def __init__(self, timeout_ms: int, warning_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timeout_ms = timeout_ms
        self.warning_ms = min(warning_ms, timeout_ms)
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.timeout.connect(self._start_warning)
        self._tick = QTimer(self)
        self._tick.setInterval(min(1000, max(self.warning_ms // 4, 10)))
        self._tick.timeout.connect(self._on_tick)
        self._deadline = 0.0
        self._armed = False
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def armed(self) -> bool:
        return self._armed

    @property
    def warning(self) -> bool:
        return self._tick.isActive()

    def arm(self, timeout_ms: int | None = None) -> None:
        """Start (or restart) the clock; `timeout_ms` overrides the length for this screen only."""
        self._armed = True
        self._restart(timeout_ms)

    def _restart(self, timeout_ms: int | None = None) -> None:
        was_warning = self._tick.isActive()
        self._tick.stop()
        total = timeout_ms if timeout_ms is not None else self.timeout_ms
        self._current_warning = min(self.warning_ms, total)
        self._quiet.start(max(total - self._current_warning, 0))
        if was_warning:
            emit(self.resumed)

    def disarm(self) -> None:
        self._armed = False
        self._quiet.stop()
        self._tick.stop()

    def activity(self) -> None:
        if self._armed:
            self._restart()

    def _start_warning(self) -> None:
        self._deadline = time.monotonic() + self._current_warning / 1000
        self._tick.start()
        self._on_tick()

    def _on_tick(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            self.disarm()
            emit(self.expired)
            return
        emit(self.warn, math.ceil(left))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._armed and event.type() in _ACTIVITY:
            self._restart()
        return False

    def shutdown(self) -> None:
        self.disarm()
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
