"""The Windows spooler (pywin32), used only on Windows and imported lazily there.

Untested on this project's CI (Linux). The PDF goes to the queue as a RAW job, which prints
correctly only on printers whose driver takes PDF directly (most office lasers with a PDF
interpreter, and "Microsoft Print to PDF"); a printer that needs GDI rendering is better driven
through SumatraPDF or a PDF-to-XPS step, which is not done here.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from kiosk.devices.printer.errors import NoPrinterError, PrinterNotFoundError, PrintJobFailedError

# PRINTER_STATUS_* bits from winspool.h.
_STATUS_OFFLINE = 0x00000080
_STATUS_PAPER_OUT = 0x00000010
_STATUS_ERROR = 0x00000002
_STATUS_PAUSED = 0x00000001


def available() -> bool:
    return sys.platform == "win32"


def _win32print() -> Any:
    try:
        return importlib.import_module("win32print")
    except ImportError as exc:  # pragma: no cover - Windows only
        raise NoPrinterError(detail="pywin32 is not installed") from exc


class WindowsSpooler:  # pragma: no cover - Windows only
    def printers(self) -> list[str]:
        w = _win32print()
        flags = w.PRINTER_ENUM_LOCAL | w.PRINTER_ENUM_CONNECTIONS
        return [p[2] for p in w.EnumPrinters(flags)]

    def default(self) -> str | None:
        try:
            return str(_win32print().GetDefaultPrinter())
        except Exception:
            return None

    def print_pdf(self, pdf: bytes, *, printer: str | None, title: str) -> str:
        from kiosk.devices.printer.errors import OutOfPaperError, PrinterOfflineError

        w = _win32print()
        name = printer or self.default()
        if not name:
            raise NoPrinterError(detail="no Windows default printer")
        try:
            handle = w.OpenPrinter(name)
        except Exception as exc:
            raise PrinterNotFoundError(name, detail=str(exc)) from exc
        try:
            status = w.GetPrinter(handle, 2)["Status"]
            if status & _STATUS_PAPER_OUT:
                raise OutOfPaperError(name, detail=f"status 0x{status:x}")
            if status & (_STATUS_OFFLINE | _STATUS_PAUSED | _STATUS_ERROR):
                raise PrinterOfflineError(name, detail=f"status 0x{status:x}")
            try:
                w.StartDocPrinter(handle, 1, (title, None, "RAW"))
                w.StartPagePrinter(handle)
                w.WritePrinter(handle, pdf)
                w.EndPagePrinter(handle)
                w.EndDocPrinter(handle)
            except Exception as exc:
                raise PrintJobFailedError(name, detail=str(exc)) from exc
        finally:
            w.ClosePrinter(handle)
        return name
