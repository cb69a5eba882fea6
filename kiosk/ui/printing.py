"""What the kiosk needs from printing, and the stand-in used until a printer is wired.

The documents/printing work is built separately; the UI depends only on this narrow protocol. Each
call runs on the UI's printer worker thread (never the GUI thread) and returns a `PrintResult`;
raising is also fine: the operation's failure path shows a calm message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class PrintResult:
    printed: bool
    message_th: str = ""
    message_en: str = ""
    path: str = ""  # a PDF written instead of paper (demo), shown to staff


@dataclass(frozen=True)
class PrinterStatus:
    ready: bool
    message_th: str
    message_en: str


class DocumentPrinter(Protocol):
    def print_ticket(self, case_number: str) -> PrintResult: ...
    def print_receipt(self, case_number: str) -> PrintResult: ...
    def print_deficiency(self, case_number: str) -> PrintResult: ...
    def print_slip(self, case_number: str) -> PrintResult: ...
    def status(self) -> PrinterStatus: ...
    def close(self) -> None: ...


NOT_AVAILABLE = PrintResult(
    False,
    "ขณะนี้เครื่องนี้ยังพิมพ์เอกสารไม่ได้ กรุณาจดเลขที่คำขอ เจ้าหน้าที่จะพิมพ์ให้ที่เคาน์เตอร์",
    "This kiosk cannot print yet. Please note the case number; the staff will print it at the counter.",
)


class UnavailablePrinter:
    """Prints nothing and says so: the visit still completes and the number stays on screen."""

    def print_ticket(self, case_number: str) -> PrintResult:
        return NOT_AVAILABLE

    def print_receipt(self, case_number: str) -> PrintResult:
        return NOT_AVAILABLE

    def print_deficiency(self, case_number: str) -> PrintResult:
        return NOT_AVAILABLE

    def print_slip(self, case_number: str) -> PrintResult:
        return NOT_AVAILABLE

    def status(self) -> PrinterStatus:
        return PrinterStatus(False, "ยังไม่ได้ต่อเครื่องพิมพ์", "No printer connected")

    def close(self) -> None:
        pass
