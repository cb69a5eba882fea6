"""The Bill Payment slip, A4 in two parts with a cut line: the payer keeps the top, the bank teller
takes the bottom and scans its barcode, or the payer scans the Thai QR with a banking app. Both codes
carry the biller ID, Ref.1 (the case number without dashes) and Ref.2 (the invoice's sequence), so the
bank's statement line maps back to one invoice. Layout from `shared/reference/payments.md`."""

from __future__ import annotations

import datetime as dt

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from kiosk.config import Config, Office
from kiosk.documents import fonts
from kiosk.documents.common import (
    BuiltDocument,
    DocumentError,
    DocumentKind,
    date_th,
    printed_footer,
    service_name,
)
from kiosk.documents.payment_codes import barcode_human_line, bill_payment_barcode, thai_qr_bill_payment
from kiosk.documents.sheet import GREY, LIGHT, Sheet
from kiosk.domain.money import format_baht, from_satang
from kiosk.domain.services import ServiceDefinition
from kiosk.domain.thai import baht_text
from kiosk.storage.cases import CaseView, InvoiceView

MARGIN = 14 * mm
CUT_Y = 146 * mm
QR_SIDE = 32 * mm
BARCODE_MODULE = 0.3 * mm
LABEL_W = 31 * mm


def open_invoice(case: CaseView) -> InvoiceView:
    invoice = next((i for i in case.invoices if i.status == "open"), None)
    if invoice is None:
        raise DocumentError(
            f"คำขอเลขที่ {case.number} ไม่มีรายการค้างชำระ",
            f"Case {case.number} has no open invoice to print a slip for",
        )
    return invoice


def _phone(case: CaseView) -> str:
    for key, value in case.form_data.items():
        if "phone" in key and isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _part_header(sheet: Sheet, office: Office, top: float, part_th: str, part_en: str) -> float:
    right = sheet.width - MARGIN
    box_w = 62 * mm
    sheet.box(right - box_w, top - 24, box_w, 29, width=1, fill=LIGHT)
    sheet.text(right - box_w / 2, top - 8, part_th, size=13, bold=True, align="center")
    sheet.text(right - box_w / 2, top - 19.5, part_en, size=8.5, align="center", color=GREY)
    width = right - box_w - 6 * mm - MARGIN
    y = sheet.para(MARGIN, top - 6, width, office.name_th, size=14, bold=True, leading=18)
    sheet.text(MARGIN, y + 5, office.name_en, size=8.5, color=GREY)
    y -= 8
    y = sheet.para(
        MARGIN, y, width, f"{office.address_th} โทร\u00a0{office.phone}", size=9.5, color=GREY, leading=12
    )
    return min(y, top - 30)


def _field(sheet: Sheet, x: float, y: float, thai: str, english: str, value: str, *, width: float) -> None:
    sheet.label(x, y, thai, english, size=10.5)
    sheet.para(x + LABEL_W, y, width - LABEL_W, value, size=12, bold=True, leading=15)


def _payer_part(
    sheet: Sheet, case: CaseView, config: Config, service: ServiceDefinition | None, invoice: InvoiceView
) -> None:
    office = config.office
    right = sheet.width - MARGIN
    width = right - MARGIN
    y = _part_header(sheet, office, sheet.height - 12 * mm, "ส่วนที่ 1 สำหรับผู้ชำระเงิน", "Part 1: for the payer")
    y -= 10
    sheet.text(sheet.width / 2, y, "ใบแจ้งการชำระเงิน (Bill Payment)", size=17, bold=True, align="center")
    y -= 24
    half = width / 2
    _field(sheet, MARGIN, y, "ชื่อผู้ชำระเงิน", "Payer", case.applicant_name, width=half)
    _field(sheet, MARGIN + half, y, "เลขที่คำขอ", "Case number", case.number, width=half)
    y -= 24
    _field(sheet, MARGIN, y, "Ref.1", "รหัสอ้างอิง 1", invoice.ref1, width=half)
    _field(sheet, MARGIN + half, y, "Ref.2", "รหัสอ้างอิง 2", invoice.ref2 or "-", width=half)
    y -= 24
    due = date_th(invoice.due_date) if invoice.due_date else "-"
    _field(sheet, MARGIN, y, "ชำระภายในวันที่", "Pay by", due, width=half)
    _field(sheet, MARGIN + half, y, "บริการ", "Service", service_name(case, service), width=half)
    y -= sheet.line_count(half - LABEL_W, service_name(case, service), size=12, bold=True) * 15 + 12

    # Itemised fees.
    col_item, col_amount = MARGIN + 14 * mm, right - 40 * mm
    sheet.box(MARGIN, y - 17, width, 17, fill=LIGHT)
    sheet.text(MARGIN + 7 * mm, y - 12, "ลำดับ", size=10.5, bold=True, align="center")
    sheet.text(col_item + 3, y - 12, "รายการ", size=10.5, bold=True)
    sheet.text(right - 3, y - 12, "จำนวนเงิน (บาท)", size=10.5, bold=True, align="right")
    y -= 17
    for i, (label, satang) in enumerate(invoice.lines, 1):
        lines = sheet.line_count(col_amount - col_item - 6, label, size=11.5)
        h = lines * 15 + 5
        sheet.box(MARGIN, y - h, width, h, width=0.4)
        sheet.text(MARGIN + 7 * mm, y - 13, str(i), size=11.5, align="center")
        sheet.para(col_item + 3, y - 13, col_amount - col_item - 6, label, size=11.5, leading=15)
        sheet.text(right - 3, y - 13, format_baht(from_satang(satang)), size=11.5, align="right")
        y -= h
    total = from_satang(invoice.total_satang)
    # Tall rows: stacked marks (ทั้ง, สิ้น) must clear the rule above them.
    sheet.box(MARGIN, y - 22, width, 22, width=0.8)
    sheet.text(col_amount - 3, y - 16, "รวมเป็นเงินทั้งสิ้น / Total", size=12, bold=True, align="right")
    sheet.text(right - 3, y - 16, format_baht(total), size=12.5, bold=True, align="right")
    y -= 22
    sheet.box(MARGIN, y - 18, width, 18, width=0.4)
    sheet.text(sheet.width / 2, y - 13, f"({baht_text(total)})", size=12, bold=True, align="center")
    y -= 32

    notes = [
        f"ชำระได้ที่เคาน์เตอร์{office.bank_name_th}ทุกสาขา (Company Code {office.bank_company_code}) "
        "โดยยื่นใบแจ้งนี้ทั้งฉบับ หรือสแกน Thai QR ในส่วนที่ 2 ด้วยแอปพลิเคชันของธนาคาร",
        "จำนวนเงินที่ชำระต้องตรงกับยอดที่ระบุ และยังไม่รวมค่าธรรมเนียมที่ธนาคารเรียกเก็บ",
        "เก็บส่วนที่ 1 และหลักฐานการชำระเงินจากธนาคารไว้เป็นหลักฐาน",
    ]
    sheet.text(MARGIN, y, "หมายเหตุ", size=11, bold=True)
    y -= 15
    for i, note in enumerate(notes, 1):
        y = sheet.para(
            MARGIN + 4 * mm, y, width - 4 * mm, f"{i}. {note}", size=10.5, leading=14, indent=4 * mm
        )
    sheet.text(
        MARGIN + 4 * mm,
        y + 2,
        "Pay at any branch of the bank or scan the Thai QR with a banking app; the amount must match; bank fees extra.",
        size=8,
        color=GREY,
    )


def _cut_line(sheet: Sheet) -> None:
    label = "ตัดตามรอยประ · cut here"
    centre = sheet.width / 2
    gap = 40 * mm
    sheet.rule(8 * mm, CUT_Y, centre - gap / 2, width=0.7, dash=(4, 3))
    sheet.rule(centre + gap / 2, CUT_Y, sheet.width - 8 * mm, width=0.7, dash=(4, 3))
    sheet.text(centre, CUT_Y - 3, label, size=9, align="center", color=GREY)


def _bank_part(sheet: Sheet, case: CaseView, config: Config, invoice: InvoiceView) -> None:
    office = config.office
    right = sheet.width - MARGIN
    width = right - MARGIN
    y = _part_header(sheet, office, CUT_Y - 9 * mm, "ส่วนที่ 2 สำหรับธนาคาร", "Part 2: for the bank")
    y -= 6
    sheet.text(
        MARGIN,
        y,
        f"ชำระเงินที่ {office.bank_name_th}  Company Code: {office.bank_company_code}",
        size=12.5,
        bold=True,
    )
    sheet.text(right, y, f"Biller ID {office.biller_id}", size=10.5, align="right")
    y -= 22
    half = width / 2
    phone = _phone(case)
    _field(sheet, MARGIN, y, "ชื่อผู้ชำระเงิน", "Payer", case.applicant_name, width=half)
    sheet.label(MARGIN + half, y, "โทรศัพท์", "Phone", size=10.5)
    if phone:
        sheet.text(MARGIN + half + LABEL_W, y, phone, size=12, bold=True)
    else:
        sheet.dotted_line(MARGIN + half + LABEL_W, y, right)
    y -= 24
    _field(sheet, MARGIN, y, "Ref.1", "รหัสอ้างอิง 1", invoice.ref1, width=half)
    _field(sheet, MARGIN + half, y, "Ref.2", "รหัสอ้างอิง 2", invoice.ref2 or "-", width=half)
    y -= 24
    total = from_satang(invoice.total_satang)
    sheet.label(MARGIN, y, "จำนวนเงิน", "Amount (THB)", size=10.5)
    sheet.box(MARGIN + LABEL_W, y - 6, 45 * mm, 19, width=1)
    sheet.text(MARGIN + LABEL_W + 45 * mm - 4, y, format_baht(total), size=13, bold=True, align="right")
    sheet.text(MARGIN + LABEL_W + 49 * mm, y, f"({baht_text(total)})", size=12, bold=True)
    y -= 30

    # What the teller fills in.
    sheet.text(MARGIN, y, "วันที่ชำระ", size=11)
    sheet.dotted_line(MARGIN + 17 * mm, y, MARGIN + 62 * mm)
    sheet.text(MARGIN + 66 * mm, y, "สาขา", size=11)
    sheet.dotted_line(MARGIN + 76 * mm, y, MARGIN + 120 * mm)
    sheet.text(MARGIN + 124 * mm, y, "ผู้รับเงิน", size=11)
    sheet.dotted_line(MARGIN + 139 * mm, y, right)
    y -= 19
    x = MARGIN
    x += sheet.checkbox(x, y, "เงินสด / Cash", size=11) + 8 * mm
    x += sheet.checkbox(x, y, "เช็ค / Cheque  เลขที่", size=11) + 2
    sheet.dotted_line(x, y, x + 30 * mm)
    x += 32 * mm
    sheet.text(x, y, "ธนาคาร/สาขา", size=11)
    sheet.dotted_line(x + 22 * mm, y, right)
    y -= 12

    # The codes: barcode bottom left with its human-readable line, Thai QR bottom right.
    content = bill_payment_barcode(office.biller_id, invoice.ref1, invoice.ref2, invoice.total_satang)
    qr_payload = thai_qr_bill_payment(office.biller_id, invoice.ref1, invoice.ref2, invoice.total_satang)
    code_top = min(y - 4, 22 * mm + QR_SIDE + 4)
    qr_x = right - QR_SIDE
    sheet.qr(qr_x, code_top - QR_SIDE, QR_SIDE, qr_payload)
    sheet.text(
        qr_x + QR_SIDE / 2, code_top - QR_SIDE - 10, "Thai QR Payment", size=9, bold=True, align="center"
    )
    sheet.text(qr_x + QR_SIDE / 2, code_top - QR_SIDE - 19, "สแกนจ่ายผ่านแอปธนาคาร", size=8.5, align="center")
    bar_height = 14 * mm
    bar_y = code_top - 6 - bar_height
    width_bar = sheet.barcode128_width(content, module=BARCODE_MODULE)
    available = qr_x - 4 * mm - MARGIN
    bar_x = MARGIN + max((available - width_bar) / 2, 0)
    sheet.barcode128(bar_x, bar_y, content, module=BARCODE_MODULE, height=bar_height)
    sheet.text(
        MARGIN + available / 2,
        bar_y - 11,
        barcode_human_line(content),
        size=10,
        align="center",
        font=fonts.MONO,
    )
    printed_footer_note = "ธนาคารโปรดสแกนบาร์โค้ด หรือบันทึก Ref.1 / Ref.2 ให้ถูกต้อง"
    sheet.text(MARGIN + available / 2, bar_y - 23, printed_footer_note, size=9, align="center", color=GREY)


def build_slip(
    case: CaseView, config: Config, service: ServiceDefinition | None, *, now: dt.datetime
) -> BuiltDocument:
    invoice = open_invoice(case)
    sheet = Sheet(A4, title=f"slip {case.number} {invoice.ref2}", subject="ใบแจ้งการชำระเงิน / Bill Payment")
    _payer_part(sheet, case, config, service, invoice)
    _cut_line(sheet)
    _bank_part(sheet, case, config, invoice)
    printed_footer(sheet, config, now, margin=MARGIN, y=7 * mm)
    return BuiltDocument(DocumentKind.SLIP, case.number, sheet.finish(), f"slip {case.number}")
