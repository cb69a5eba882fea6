"""Each document from a demo case: its text read back by poppler, its codes decoded by zbar."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.counter import Counter
from kiosk.documents import DocumentError, DocumentKind, TicketInfo, build
from kiosk.documents.payment_codes import crc_ok, parse_tlv
from kiosk.domain.money import format_baht, from_satang
from kiosk.domain.thai import baht_text, mask_citizen_id, thai_digits
from kiosk.domain.workflow import CaseState
from kiosk.storage.cases import CaseView

from .conftest import NOW
from .helpers import canon, decode, pdf_pages, pdf_text, render

Pick = Callable[[CaseState], CaseView]


def _build(demo: Counter, kind: DocumentKind, case: CaseView, **kw: object) -> bytes:
    doc = build(
        kind,
        case,
        demo.config,
        demo.catalog.get(case.service_code),
        now=NOW,
        calendar=demo.cases.calendar,
        **kw,  # type: ignore[arg-type]
    )
    assert doc.pdf.startswith(b"%PDF")
    assert case.applicant_name not in doc.title  # spooler titles show in queues: no names
    return doc.pdf


def has(text: str, *needles: str) -> None:
    flat = canon(text)
    for needle in needles:
        assert canon(needle) in flat, f"{needle!r} not in the PDF text"


def test_ticket(demo: Counter, case_in: Pick, tmp_path: Path) -> None:
    case = case_in(CaseState.SUBMITTED)
    service = demo.catalog.get(case.service_code)
    assert service is not None
    pdf = _build(demo, DocumentKind.TICKET, case, ticket=TicketInfo("A042", 5, 20))
    text = pdf_text(pdf, tmp_path)
    has(text, demo.config.office.name_th, "A042", service.display_name_th, "รอก่อนหน้า 5 คิว", "20 นาที")
    has(text, "15 กรกฎาคม 2569", "09:05 น.", case.number)
    assert case.applicant_name not in text  # a ticket lies on the waiting-room chairs
    (png,) = render(pdf, tmp_path, "ticket")
    (qr,) = decode(png, "qrcode")
    assert qr.decode() == f"CKSTATUS:{case.number}:{case.id.replace('-', '')[:8]}"


def test_ticket_priority_mark(demo: Counter, case_in: Pick, tmp_path: Path) -> None:
    from dataclasses import replace

    case = replace(case_in(CaseState.SUBMITTED), priority="elderly")
    text = pdf_text(_build(demo, DocumentKind.TICKET, case, ticket=TicketInfo("P001")), tmp_path)
    has(text, "คิวพิเศษ", "ผู้สูงอายุ", "PRIORITY")


def test_receipt(demo: Counter, case_in: Pick, tmp_path: Path) -> None:
    case = case_in(CaseState.UNDER_REVIEW)
    service = demo.catalog.get(case.service_code)
    assert service is not None and case.sla.due_at is not None
    pdf = _build(demo, DocumentKind.RECEIPT, case)
    text = pdf_text(pdf, tmp_path)
    has(text, "ใบรับคำขอ", case.number, case.applicant_name, "เอกสารที่ได้รับ", "เจ้าหน้าที่ผู้รับคำขอ")
    has(text, "ระยะเวลาตามกฎหมาย", str(service.time_limit.value), "กำหนดแล้วเสร็จ")
    assert case.citizen_id is not None and case.citizen_id not in text.replace("-", "")
    has(text, mask_citizen_id(case.citizen_id))
    for doc in case.documents[:3]:
        has(text, doc.name_th)
    from kiosk.documents.common import date_th

    has(text, date_th(case.sla.due_at))
    png = render(pdf, tmp_path, "receipt")[0]
    (qr,) = decode(png, "qrcode")
    assert qr.decode().startswith(f"CKSTATUS:{case.number}:")


def test_receipt_before_the_clock_runs_estimates_the_decision(
    demo: Counter, case_in: Pick, tmp_path: Path
) -> None:
    case = case_in(CaseState.SUBMITTED)
    assert case.sla.due_at is None
    has(pdf_text(_build(demo, DocumentKind.RECEIPT, case), tmp_path), "โดยประมาณ")


def test_deficiency_notice_two_copies(demo: Counter, case_in: Pick, tmp_path: Path) -> None:
    case = case_in(CaseState.NEEDS_FIX)
    event = next(e for e in reversed(case.events) if e.to_state == "needs_fix")
    assert case.fix_deadline is not None
    pdf = _build(demo, DocumentKind.DEFICIENCY, case)
    assert pdf_pages(pdf) == 2
    text = pdf_text(pdf, tmp_path)
    pages = text.split("\f")
    from kiosk.documents.common import date_th

    for page, copy in zip(pages, ("ฉบับผู้ยื่นคำขอ", "ฉบับเจ้าหน้าที่"), strict=False):
        has(page, copy, "แบบ นส.๒/๑", "มาตรา ๘", case.number, case.applicant_name, "รับทราบ")
        for item in event.data["items"]:
            has(page, item)
        has(page, thai_digits(date_th(case.fix_deadline)), "ผู้ยื่นคำขอ", "เจ้าหน้าที่ผู้ซึ่งได้รับมอบหมาย")


def test_deficiency_needs_a_recorded_deficiency(demo: Counter, case_in: Pick) -> None:
    with pytest.raises(DocumentError) as err:
        _build(demo, DocumentKind.DEFICIENCY, case_in(CaseState.SUBMITTED))
    assert "ความบกพร่อง" in err.value.message_th


def test_slip_text_and_codes(demo: Counter, case_in: Pick, tmp_path: Path) -> None:
    case = case_in(CaseState.AWAITING_PAYMENT)
    (invoice,) = [i for i in case.invoices if i.status == "open"]
    office = demo.config.office
    pdf = _build(demo, DocumentKind.SLIP, case)
    text = pdf_text(pdf, tmp_path)
    total = from_satang(invoice.total_satang)
    has(text, "ใบแจ้งการชำระเงิน (Bill Payment)", "สำหรับผู้ชำระเงิน", "สำหรับธนาคาร", "ตัดตามรอยประ")
    has(text, office.bank_name_th, f"Company Code: {office.bank_company_code}", case.applicant_name)
    has(text, invoice.ref1, invoice.ref2, format_baht(total), baht_text(total))
    for label, satang in invoice.lines:
        has(text, label, format_baht(from_satang(satang)))
    assert invoice.due_date is not None
    from kiosk.documents.common import date_th

    has(text, date_th(invoice.due_date))
    human = f"|{office.biller_id} {invoice.ref1} {invoice.ref2} {invoice.total_satang}"
    assert human in text

    (png,) = render(pdf, tmp_path, "slip")
    (barcode,) = decode(png, "code128")
    assert barcode.decode() == f"|{office.biller_id}\r{invoice.ref1}\r{invoice.ref2}\r{invoice.total_satang}"
    biller, ref1, ref2, amount = barcode.decode()[1:].split("\r")
    assert (biller, ref1, ref2, int(amount)) == (
        office.biller_id,
        invoice.ref1,
        invoice.ref2,
        invoice.total_satang,
    )

    (qr,) = decode(png, "qrcode")
    payload = qr.decode()
    assert crc_ok(payload)
    tags = parse_tlv(payload)
    assert tags["01"] == "12" and tags["53"] == "764" and tags["58"] == "TH"
    assert tags["54"] == f"{total:.2f}"
    merchant = parse_tlv(tags["30"])
    assert merchant["00"] == "A000000677010112"
    assert (merchant["01"], merchant["02"], merchant["03"]) == (office.biller_id, invoice.ref1, invoice.ref2)


@pytest.mark.parametrize(
    ("satang", "words"),
    [(2100, "ยี่สิบเอ็ดบาทถ้วน"), (123450, "หนึ่งพันสองร้อยสามสิบสี่บาทห้าสิบสตางค์"), (25, "ยี่สิบห้าสตางค์")],
)
def test_slip_amount_in_words_matches_the_reference(
    demo: Counter, case_in: Pick, tmp_path: Path, satang: int, words: str
) -> None:
    from dataclasses import replace

    case = case_in(CaseState.AWAITING_PAYMENT)
    invoice = replace(case.invoices[0], total_satang=satang, lines=(("ค่าธรรมเนียม", satang),), status="open")
    case = replace(case, invoices=(invoice,))
    text = pdf_text(_build(demo, DocumentKind.SLIP, case), tmp_path)
    assert canon(f"({words})") in canon(text)
    (png,) = render(_build(demo, DocumentKind.SLIP, case), tmp_path, f"slip{satang}", dpi=300)
    (barcode,) = decode(png, "code128")
    assert barcode.decode().endswith(f"\r{satang}")


def test_slip_needs_an_open_invoice(demo: Counter, case_in: Pick) -> None:
    with pytest.raises(DocumentError):
        _build(demo, DocumentKind.SLIP, case_in(CaseState.SUBMITTED))


def test_tone_marks_survive_in_the_text_layer(demo: Counter, case_in: Pick, tmp_path: Path) -> None:
    """Shaped glyph variants (lowered tone marks) map back to their characters for copy-paste."""
    case = case_in(CaseState.AWAITING_PAYMENT)
    text = pdf_text(_build(demo, DocumentKind.SLIP, case), tmp_path)
    assert "\ue000" not in text and not any(0xF700 <= ord(c) <= 0xF8FF for c in text)
    has(text, "ผู้ชำระเงิน", "ค่าธรรมเนียม", "องค์การบริหารส่วนตำบลบางแก้วฟ้า")


def test_same_case_same_bytes(demo: Counter, case_in: Pick) -> None:
    case = case_in(CaseState.AWAITING_PAYMENT)
    assert _build(demo, DocumentKind.SLIP, case) == _build(demo, DocumentKind.SLIP, case)


def test_building_documents_loads_no_qt_widgets(tmp_path: Path) -> None:
    """kiosk.documents may use QtCore (line breaking), never QtWidgets: the printer worker has no app."""
    import subprocess
    import sys

    code = (
        "import sys, datetime as dt\n"
        "from kiosk.documents import build, DocumentKind\n"
        "from kiosk.documents.payment_codes import thai_qr_bill_payment\n"
        "from kiosk.documents import thaitext, fonts\n"
        "fonts.register(); thaitext.wrap('ทดสอบการตัดคำภาษาไทย', fonts.REGULAR, 12, 40)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6.QtWidgets', 'PySide6.QtGui'))]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
