"""What staff read when paper does not come out: Thai first, English second, and what to do."""

from __future__ import annotations

from kiosk.errors import KnownError


class PrinterError(KnownError):
    """A printing problem in the environment. `kind` is stable for programs and tests."""

    exit_code = 7
    kind = "printer"


class NoPrinterError(PrinterError):
    kind = "no_printer"

    def __init__(self, *, detail: str = "") -> None:
        super().__init__(
            "ไม่พบเครื่องพิมพ์ที่ใช้งานได้ กรุณาตรวจสอบการเชื่อมต่อเครื่องพิมพ์ หรือตั้งค่าเครื่องพิมพ์หลัก",
            "No printer is available: check the printer's cable or set a default printer.",
            detail=detail,
        )


class PrinterNotFoundError(PrinterError):
    kind = "printer_not_found"

    def __init__(self, name: str, *, detail: str = "") -> None:
        super().__init__(
            f"ไม่พบเครื่องพิมพ์ชื่อ {name} กรุณาตรวจสอบชื่อเครื่องพิมพ์ในการตั้งค่า",
            f"There is no printer named {name!r}: check [printers] in kiosk.toml (see `kiosk printers`).",
            detail=detail,
        )


class PrinterOfflineError(PrinterError):
    kind = "offline"

    def __init__(self, name: str, *, detail: str = "") -> None:
        super().__init__(
            f"เครื่องพิมพ์ {name} ไม่พร้อมใช้งาน (ออฟไลน์หรือถูกหยุดไว้) กรุณาเปิดเครื่องพิมพ์ ตรวจสอบสายและกระดาษ แล้วกดพิมพ์ซ้ำ",
            f"Printer {name} is offline or stopped: switch it on, check cable and paper, then reprint.",
            detail=detail,
        )


class OutOfPaperError(PrinterError):
    kind = "out_of_paper"

    def __init__(self, name: str, *, detail: str = "") -> None:
        super().__init__(
            f"เครื่องพิมพ์ {name} กระดาษหมด กรุณาเติมกระดาษ แล้วกดพิมพ์ซ้ำ",
            f"Printer {name} is out of paper: load paper, then reprint.",
            detail=detail,
        )


class PrintJobFailedError(PrinterError):
    kind = "job_failed"

    def __init__(self, name: str, *, detail: str = "") -> None:
        super().__init__(
            f"พิมพ์เอกสารที่เครื่องพิมพ์ {name} ไม่สำเร็จ งานพิมพ์ถูกยกเลิกแล้ว กรุณาตรวจสอบเครื่องพิมพ์ แล้วกดพิมพ์ซ้ำ",
            f"The job on printer {name} failed and was cancelled: check the printer, then reprint.",
            detail=detail,
        )


class RasterError(PrinterError):
    kind = "raster"

    def __init__(self, *, detail: str = "") -> None:
        super().__init__(
            "แปลงเอกสารเป็นภาพสำหรับเครื่องพิมพ์ความร้อนไม่ได้ กรุณาแจ้งผู้ดูแลระบบ",
            "Cannot turn the document into an image for the thermal printer (is poppler-utils installed?).",
            detail=detail,
        )
