"""Errors where they meet people: a calm message in Thai and English with what to do next.

`KnownError` is the environment (no printer, a locked database, a card that is not a Thai ID card)
and brings its own words. Anything else is a bug: logged with the traceback but without the
exception's text, which for database errors can hold the applicant's data, and shown as a generic
message that hands the visit to staff.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from kiosk.errors import KnownError
from kiosk.ui.i18n import pick

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UserMessage:
    message_th: str
    message_en: str
    what_to_do_th: str = "กรุณาแจ้งเจ้าหน้าที่ที่เคาน์เตอร์"
    what_to_do_en: str = "Please ask the staff at the counter."
    kind: str = "error"  # a short name for tests and the log, never personal data

    @property
    def text(self) -> str:
        return pick(self.message_th, self.message_en)

    @property
    def what_to_do(self) -> str:
        return pick(self.what_to_do_th, self.what_to_do_en)


def scrubbed_traceback(exc: BaseException) -> str:
    """Where it happened and the exception type, not its message: SQL errors quote the parameters.

    Source lines are left out too: a line can hold a literal, and the file and line number find it.
    """
    frames = "".join(
        f"  {f.filename}:{f.lineno} in {f.name}\n" for f in traceback.extract_tb(exc.__traceback__)
    )
    return f"{frames}{type(exc).__module__}.{type(exc).__qualname__}"


def classify(exc: BaseException, *, during: str = "") -> UserMessage:
    if isinstance(exc, KnownError):
        log.info("%s: %s (%s)", during or "operation", type(exc).__name__, exc.detail)
        return UserMessage(exc.message_th, exc.message_en, kind=getattr(exc, "kind", type(exc).__name__))
    if isinstance(exc, OperationalError | sqlite3.OperationalError):
        log.error("%s: database unavailable\n%s", during or "operation", scrubbed_traceback(exc))
        return UserMessage(
            "ขณะนี้บันทึกข้อมูลไม่ได้ ข้อมูลที่กรอกยังอยู่ครบ",
            "The kiosk cannot save right now. What you entered is still here.",
            "กรุณาลองอีกครั้ง หรือแจ้งเจ้าหน้าที่",
            "Please try again, or ask the staff.",
            kind="database",
        )
    if isinstance(exc, SQLAlchemyError):
        log.error("%s: database error\n%s", during or "operation", scrubbed_traceback(exc))
        return UserMessage(
            "ระบบบันทึกข้อมูลขัดข้อง",
            "The kiosk's records had a problem.",
            kind="database",
        )
    log.error("%s: unexpected error\n%s", during or "operation", scrubbed_traceback(exc))
    return UserMessage(
        "ขออภัย ระบบขัดข้องชั่วคราว",
        "Sorry, something went wrong.",
        kind="bug",
    )


def install_excepthooks(on_bug: Callable[[], None]) -> Callable[[], None]:
    """Log unhandled exceptions (scrubbed) and fall back to a safe screen; returns the uninstaller."""
    previous_sys, previous_thread = sys.excepthook, threading.excepthook

    def sys_hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        exc.__traceback__ = tb
        log.critical("unhandled error in the GUI thread\n%s", scrubbed_traceback(exc))
        try:
            on_bug()
        except Exception:  # the fallback itself failing must not recurse
            log.critical("the safe screen could not be shown")

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            log.critical(
                "unhandled error in thread %s\n%s",
                args.thread.name if args.thread else "?",
                scrubbed_traceback(args.exc_value),
            )

    sys.excepthook = sys_hook
    threading.excepthook = thread_hook

    def uninstall() -> None:
        sys.excepthook, threading.excepthook = previous_sys, previous_thread

    return uninstall
