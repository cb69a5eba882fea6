"""User actions as operation objects, run off the GUI thread; results come back as Qt signals.

An `Operation` has work (runs on the runner's one worker thread and must not touch widgets), a
success path and a failure path; both paths run on the GUI thread. The failure path always runs
when the work raises, with the error already classified for the applicant (kiosk.ui.errors).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Signal

from kiosk.ui.errors import UserMessage, classify, scrubbed_traceback
from kiosk.ui.qtcompat import emit

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Operation(Generic[T]):
    name: str  # for the log: what was done, never whom it was done for
    work: Callable[[], T]
    on_success: Callable[[T], None]
    on_failure: Callable[[UserMessage], None]


class Runner(QObject):
    """One named worker thread: database work keeps SQLite writes in order, printing keeps jobs in order."""

    _finished = Signal(object, object, object)  # operation, result, exception
    idle = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._executor: ThreadPoolExecutor | None = ThreadPoolExecutor(1, thread_name_prefix=f"kiosk-{name}")
        self._pending = 0
        self._finished.connect(self._deliver)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def submit(self, op: Operation[Any]) -> None:
        if self._executor is None:
            log.warning("%s: runner stopped; operation %s dropped", self.name, op.name)
            return
        self._pending += 1
        self._executor.submit(self._call, op)

    def _call(self, op: Operation[Any]) -> None:  # worker thread
        started = time.perf_counter()
        try:
            result = op.work()
        except BaseException as exc:  # the failure path must always run
            emit(self._finished, op, None, exc)
        else:
            log.debug("%s: %s took %.1f ms", self.name, op.name, (time.perf_counter() - started) * 1000)
            emit(self._finished, op, result, None)

    def _deliver(self, op: Operation[Any], result: object, exc: BaseException | None) -> None:  # GUI thread
        self._pending -= 1
        try:
            if exc is not None:
                op.on_failure(classify(exc, during=op.name))
            else:
                op.on_success(result)
        except Exception as bug:
            # A bug in a success path must not leave the screen waiting forever.
            log.error("%s: handler of %s failed\n%s", self.name, op.name, scrubbed_traceback(bug))
            if exc is None:
                op.on_failure(classify(bug, during=op.name))
        finally:
            if self._pending == 0:
                emit(self.idle)

    def shutdown(self) -> None:
        """Finish the operation under way, drop the queued ones; results after this are not delivered."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        with contextlib.suppress(RuntimeError, TypeError):
            self._finished.disconnect(self._deliver)
