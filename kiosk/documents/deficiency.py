"""The deficiency notice, form นส.๒/๑ of the Bang Kaeo Fa citizen manual: section 8 of the Licensing
Facilitation Act B.E. 2558 has the officer list what is missing or wrong, once, with a deadline,
signed by both sides. Two copies, one for each side; the wording follows the manual's form."""

from __future__ import annotations

import datetime as dt

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from kiosk.config import Config
from kiosk.documents.common import (
    BuiltDocument,
    DocumentError,
    DocumentKind,
    date_th,
    local,
    printed_footer,
    service_name,
)
from kiosk.documents.sheet import GREY, Sheet
from kiosk.domain.services import ServiceDefinition
from kiosk.domain.thai import thai_digits
from kiosk.domain.workflow import CaseState
from kiosk.storage.cases import CaseView, EventView

MARGIN = 22 * mm
COPIES = (("ฉบับผู้ยื่นคำขอ", "Applicant's copy"), ("ฉบับเจ้าหน้าที่", "Office copy"))

TITLE = "หนังสือแจ้งความบกพร่องและรายการเอกสารหรือหลักฐานที่ต้องมายื่นเพิ่มเติม"
LAW = "ตามมาตรา ๘ แห่งพระราชบัญญัติการอำนวยความสะดวกในการพิจารณาอนุญาตของทางราชการ พ.ศ. ๒๕๕๘"
SUBJECT = "ขอแก้ไขความไม่ถูกต้องหรือไม่สมบูรณ์ของคำขอ ส่งเอกสารหรือหลักฐานเพิ่มเติม"


def deficiency_event(case: CaseView) -> EventView:
    """The latest needs_fix transition: what the officer recorded."""
    for event in reversed(case.events):
        if event.to_state == CaseState.NEEDS_FIX.value:
            return event
    raise DocumentError(
        f"คำขอเลขที่ {case.number} ไม่มีบันทึกความบกพร่อง",
        f"Case {case.number} has no recorded deficiency to print",
    )


def deficiency_items(event: EventView) -> list[str]:
    items = event.data.get("items")
    if isinstance(items, list) and items:
        return [str(i).strip() for i in items if str(i).strip()]
    return [part.strip() for part in event.reason.split(";") if part.strip()]


def _fix_days(event: EventView, deadline: dt.datetime) -> int:
    return max((local(deadline).date() - local(event.at).date()).days, 0)


def _page(
    sheet: Sheet,
    case: CaseView,
    config: Config,
    service: ServiceDefinition | None,
    event: EventView,
    deadline: dt.datetime,
    copy: tuple[str, str],
    now: dt.datetime,
) -> None:
    office = config.office
    right = sheet.width - MARGIN
    width = right - MARGIN
    centre = sheet.width / 2
    top = sheet.height - 16 * mm
    sheet.text(right, top, "(แบบ นส.๒/๑)", size=12, align="right")
    sheet.box(MARGIN, top - 5, 62 * mm, 19, width=0.8)
    sheet.text(MARGIN + 5, top + 1, copy[0], size=12, bold=True)
    sheet.text(MARGIN + 5 + 33 * mm, top + 1, copy[1], size=8.5, color=GREY)

    y = top - 34
    y = sheet.para(MARGIN, y, width, TITLE, size=15, bold=True, align="center", leading=20)
    y = sheet.para(MARGIN, y, width, LAW, size=12, align="center", leading=17)
    sheet.text(
        centre,
        y + 4,
        "Notice of deficiencies and of documents to be submitted (Licensing Facilitation Act B.E. 2558, s. 8)",
        size=8.5,
        align="center",
        color=GREY,
    )
    y -= 18
    half = centre - 12 * mm
    sheet.text(MARGIN, y, f"ที่ {case.number}", size=12.5)
    y = sheet.para(half, y, right - half, f"สำนักงาน {office.name_th}", size=12.5, leading=17)
    sheet.text(half, y, f"วันที่ {thai_digits(date_th(event.at))}", size=12.5)
    y -= 24
    y = sheet.para(MARGIN, y, width, f"เรื่อง  {SUBJECT}", size=12.5, leading=18, indent=10 * mm)
    y -= 4
    sheet.text(MARGIN, y, f"เรียน  {case.applicant_name}", size=12.5)
    y -= 26

    service_th = service_name(case, service)
    body = f"ตามที่ท่านได้ยื่นคำขอ{service_th} เลขที่ {case.number} เมื่อวันที่ {thai_digits(date_th(case.created_at))} นั้น"
    y = sheet.para(MARGIN + 15 * mm, y, width - 15 * mm, body, size=12.5, leading=18)
    y = sheet.para(
        MARGIN + 15 * mm,
        y,
        width - 15 * mm,
        "เจ้าหน้าที่ได้ตรวจคำขอของท่านแล้วพบว่าคำขอไม่ถูกต้องหรือไม่สมบูรณ์ดังนี้",
        size=12.5,
        leading=18,
    )
    for number, item in enumerate(deficiency_items(event), 1):
        y = sheet.para(
            MARGIN + 15 * mm,
            y,
            width - 15 * mm,
            f"{thai_digits(str(number))})  {item}",
            size=12.5,
            bold=True,
            leading=18,
            indent=8 * mm,
        )
    y -= 6
    days = _fix_days(event, deadline)
    notice = (
        "จึงขอแจ้งให้ท่านทราบเพื่อดำเนินการแก้ไขให้ถูกต้องหรือสมบูรณ์ และส่งเอกสารหรือหลักฐานเพิ่มเติม "
        f"ภายใน {thai_digits(str(days))} วัน นับแต่วันที่ได้ลงนามรับทราบในบันทึกนี้ "
        f"คือภายในวันที่ {thai_digits(date_th(deadline))} "
        "หากท่านไม่ดำเนินการแก้ไขคำขอหรือส่งเอกสารหรือหลักฐานเพิ่มเติมให้ครบถ้วนภายในเวลาดังกล่าว "
        "จะถือว่าท่านไม่ประสงค์ที่จะให้เจ้าหน้าที่ดำเนินการตามคำขอต่อไป "
        "และจะส่งคืนคำขอพร้อมเอกสารหรือหลักฐานให้แก่ท่าน"
    )
    y = sheet.para(MARGIN + 15 * mm, y, width - 15 * mm, notice, size=12.5, leading=18)
    y = sheet.para(
        MARGIN,
        y + 2,
        width,
        f"Please fix the items above and bring the documents by {local(deadline):%d %B %Y} "
        f"({local(deadline).year + 543} B.E.); otherwise the request and its documents are returned.",
        size=8.5,
        color=GREY,
        leading=11,
    )
    y -= 8
    sheet.text(MARGIN + 15 * mm, y, "จึงเรียนมาเพื่อทราบและดำเนินการต่อไปด้วย", size=12.5)

    # Two signature blocks: the applicant acknowledges, the officer signs for the office.
    y = min(y - 46, 92 * mm)
    col = width / 2
    for i, (name, role_th, role_en) in enumerate(
        (
            (case.applicant_name, "ผู้ยื่นคำขอ", "Applicant"),
            ("", "เจ้าหน้าที่ผู้ซึ่งได้รับมอบหมาย", "Officer"),
        )
    ):
        x = MARGIN + i * col
        mid = x + col / 2
        sheet.text(x + 4, y, "(ลงชื่อ)", size=12)
        sheet.dotted_line(x + 40, y, x + col - 62)
        sheet.text(x + col - 58, y, "รับทราบ" if i == 0 else "", size=12)
        sheet.text(x + 30, y - 22, "(", size=12)
        if name:
            sheet.text(mid, y - 22, name, size=12, align="center")
        else:
            sheet.dotted_line(x + 38, y - 22, x + col - 38)
        sheet.text(x + col - 30, y - 22, ")", size=12)
        if i == 1:
            sheet.text(x + 30, y - 42, "ตำแหน่ง", size=12)
            sheet.dotted_line(x + 68, y - 42, x + col - 30)
        sheet.text(mid, y - 62, role_th, size=12, align="center")
        sheet.text(mid, y - 74, role_en, size=8.5, align="center", color=GREY)
        sheet.text(x + 30, y - 94, "วันที่", size=12)
        sheet.dotted_line(x + 56, y - 94, x + col - 30)

    printed_footer(sheet, config, now, margin=MARGIN, y=10 * mm)


def build_deficiency(
    case: CaseView, config: Config, service: ServiceDefinition | None, *, now: dt.datetime
) -> BuiltDocument:
    event = deficiency_event(case)
    deadline = case.fix_deadline
    if deadline is None:
        raw = event.data.get("fix_deadline")
        deadline = dt.datetime.fromisoformat(raw) if isinstance(raw, str) else None
    if deadline is None:
        raise DocumentError(
            "ยังไม่ได้กำหนดวันที่ต้องแก้ไขให้แล้วเสร็จ", f"Case {case.number} has no deadline for its deficiencies"
        )
    sheet = Sheet(A4, title=f"deficiency {case.number}", subject="แบบ นส.๒/๑ / deficiency notice")
    for i, copy in enumerate(COPIES):
        if i:
            sheet.new_page()
        _page(sheet, case, config, service, event, deadline, copy, now)
    return BuiltDocument(DocumentKind.DEFICIENCY, case.number, sheet.finish(), f"deficiency {case.number}")
