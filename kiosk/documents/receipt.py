"""The application receipt (ใบรับคำขอ), A4: the applicant's proof that the office has the request,
what it received, and when the decision is due under the law."""

from __future__ import annotations

import datetime as dt

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from kiosk.config import Config
from kiosk.documents.common import (
    BuiltDocument,
    DocumentKind,
    applicant_line,
    date_th,
    datetime_th,
    expected_decision,
    limit_en,
    limit_th,
    office_header,
    printed_footer,
    service_name,
    service_name_en,
    status_code,
)
from kiosk.documents.sheet import GREY, LIGHT, Sheet
from kiosk.domain.services import ServiceDefinition
from kiosk.domain.sla import WorkingCalendar
from kiosk.domain.workflow import EventKind
from kiosk.storage.cases import CaseView

MARGIN = 18 * mm
LABEL_WIDTH = 45 * mm
QR_SIDE = 30 * mm

DOC_STATUS_TH = {
    "received": "ได้รับแล้ว",
    "missing": "ยังไม่ได้รับ",
    "pending": "รอตรวจสอบ",
    "not_applicable": "ไม่ต้องใช้",
}


def _receiving_officer(case: CaseView) -> str:
    """The staff account that took the request, if a staff member did (not an applicant alone)."""
    for event in case.events:
        if event.actor_role in ("staff", "officer") and event.actor_id:
            return event.actor_id
        if event.kind == EventKind.DOCUMENT_MARKED.value:
            break
    return ""


def build_receipt(
    case: CaseView,
    config: Config,
    service: ServiceDefinition | None,
    *,
    now: dt.datetime,
    calendar: WorkingCalendar | None = None,
) -> BuiltDocument:
    sheet = Sheet(A4, title=f"receipt {case.number}", subject="ใบรับคำขอ / application receipt")
    right = sheet.width - MARGIN
    text_width = right - MARGIN
    y = office_header(sheet, config.office, sheet.height - MARGIN - 6, margin=MARGIN)
    y -= 8
    sheet.rule(MARGIN, y, right, width=1)
    y -= 30
    sheet.text(MARGIN, y, "ใบรับคำขอ", size=22, bold=True)
    sheet.text(MARGIN, y - 16, "Application receipt", size=11, color=GREY)

    qr_top = y + 20
    sheet.qr(right - QR_SIDE, qr_top - QR_SIDE, QR_SIDE, status_code(config, case))
    sheet.text(right - QR_SIDE / 2, qr_top - QR_SIDE - 11, "ติดตามสถานะคำขอ", size=9.5, align="center")
    sheet.text(
        right - QR_SIDE / 2, qr_top - QR_SIDE - 20, "Follow your case", size=8, align="center", color=GREY
    )

    value_x = MARGIN + LABEL_WIDTH
    value_width = right - QR_SIDE - 6 * mm - value_x
    decision, estimate = expected_decision(case, service, calendar or WorkingCalendar(), now)
    rows: list[tuple[str, str, str, bool]] = [
        ("เลขที่คำขอ", "Case number", case.number, True),
        ("บริการ", "Service", service_name(case, service), False),
        ("ผู้ยื่นคำขอ", "Applicant", applicant_line(case), False),
        ("วันที่ยื่นคำขอ", "Submitted", datetime_th(case.created_at), False),
    ]
    if service is not None:
        rows.append(
            (
                "ระยะเวลาตามกฎหมาย",
                "Legal time limit",
                f"{limit_th(service.time_limit)} ({limit_en(service.time_limit)})",
                False,
            )
        )
    if decision is not None:
        note = " (โดยประมาณ นับจากวันที่เจ้าหน้าที่ตรวจสอบเอกสารครบถ้วน)" if estimate else " (นับจากวันที่เอกสารครบถ้วน)"
        rows.append(("กำหนดแล้วเสร็จ", "Decision due", date_th(decision) + note, False))

    y -= 44
    for thai, english, value, strong in rows:
        sheet.label(MARGIN, y, thai, english)
        width = value_width if y > qr_top - QR_SIDE - 26 else right - value_x
        end = sheet.para(value_x, y, width, value, size=12.5, bold=strong, leading=17)
        english_name = service_name_en(service) if thai == "บริการ" else ""
        if english_name:
            end = sheet.para(value_x, end + 3, width, english_name, size=8.5, color=GREY, leading=11)
        y = min(end, y - 17) - 9

    y -= 6
    sheet.text(MARGIN, y, "เอกสารที่ได้รับ", size=13, bold=True)
    sheet.text(MARGIN + 80, y, "Documents received", size=9, color=GREY)
    y -= 8
    col_no, col_status = MARGIN + 10 * mm, right - 32 * mm
    sheet.box(MARGIN, y - 16, text_width, 16, fill=LIGHT)
    sheet.text(MARGIN + 3, y - 11.5, "ลำดับ", size=10, bold=True)
    sheet.text(col_no + 3, y - 11.5, "รายการเอกสาร", size=10, bold=True)
    sheet.text(col_status + 3, y - 11.5, "สถานะ", size=10, bold=True)
    y -= 16
    documents = [d for d in case.documents if d.status != "not_applicable"] or list(case.documents)
    for i, doc in enumerate(documents, 1):
        lines = sheet.line_count(col_status - col_no - 6, doc.name_th, size=11)
        row_height = lines * 15 + 6
        sheet.box(MARGIN, y - row_height, text_width, row_height, width=0.4)
        sheet.text(MARGIN + 3, y - 14, str(i), size=11)
        sheet.para(col_no + 3, y - 14, col_status - col_no - 6, doc.name_th, size=11, leading=15)
        sheet.text(
            col_status + 3,
            y - 14,
            DOC_STATUS_TH.get(doc.status, doc.status),
            size=11,
            bold=doc.status == "received",
        )
        y -= row_height
        if y < 95 * mm and i < len(documents):
            printed_footer(sheet, config, now, margin=MARGIN, y=10 * mm)
            sheet.new_page()
            y = sheet.height - MARGIN
            sheet.text(MARGIN, y, f"ใบรับคำขอ เลขที่ {case.number} (ต่อ)", size=11, bold=True)
            sheet.text(right, y, "Application receipt (continued)", size=8.5, align="right", color=GREY)
            y -= 10
    if not documents:
        sheet.text(MARGIN + 3, y - 14, "ไม่มีรายการเอกสาร", size=11)
        y -= 20

    y -= 22
    follow = (
        f"ติดตามสถานะคำขอได้โดยสแกน QR ด้านบน หรือที่ตู้บริการของ{config.office.name_th} "
        f"หรือโทร {config.office.phone} โดยแจ้งเลขที่คำขอ {case.number}"
    )
    y = sheet.para(MARGIN, y, text_width, follow, size=11.5, leading=16)
    sheet.text(
        MARGIN,
        y + 3,
        f"To follow your case, scan the QR code or call {config.office.phone} with case number {case.number}.",
        size=8.5,
        color=GREY,
    )

    # Signature block of the receiving officer, bottom right.
    sign_x = right - 80 * mm
    y = max(y - 40, 40 * mm)
    officer = _receiving_officer(case)
    sheet.text(sign_x, y, "(ลงชื่อ)", size=11.5)
    sheet.dotted_line(sign_x + 32, y, right - 20)
    sheet.text(sign_x + 40, y - 20, "(", size=11.5)
    sheet.dotted_line(sign_x + 48, y - 20, right - 28)
    sheet.text(right - 24, y - 20, ")", size=11.5)
    if officer:
        sheet.text((sign_x + right) / 2 + 5, y - 18, officer, size=9, align="center", color=GREY)
    sheet.text((sign_x + right) / 2, y - 38, "เจ้าหน้าที่ผู้รับคำขอ", size=11.5, align="center")
    sheet.text((sign_x + right) / 2, y - 49, "Receiving officer", size=8.5, align="center", color=GREY)

    printed_footer(sheet, config, now, margin=MARGIN, y=10 * mm)
    return BuiltDocument(DocumentKind.RECEIPT, case.number, sheet.finish(), f"receipt {case.number}")
