"""The queue ticket: an 80 mm roll, 72 mm printable, read at arm's length in a waiting room."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.units import mm

from kiosk.config import Config
from kiosk.documents import fonts, thaitext
from kiosk.documents.common import (
    BuiltDocument,
    DocumentKind,
    date_th,
    local,
    status_code,
)
from kiosk.documents.sheet import GREY, Sheet
from kiosk.domain.services import ServiceDefinition
from kiosk.domain.thai import format_time
from kiosk.storage.cases import CaseView

PAPER_WIDTH = 80 * mm
PRINTABLE_WIDTH = 72 * mm
MARGIN = (PAPER_WIDTH - PRINTABLE_WIDTH) / 2
QR_SIDE = 28 * mm

PRIORITY_TH = {
    "elderly": "ผู้สูงอายุ",
    "disabled": "ผู้พิการ",
    "pregnant": "หญิงตั้งครรภ์",
    "monk": "พระภิกษุสงฆ์",
}

NOTE_TH = "กรุณารอฟังเสียงเรียกและดูหมายเลขบนจอ หากเลยคิวของท่าน กรุณาติดต่อเจ้าหน้าที่"
NOTE_EN = "Please wait for your number on the screen."


@dataclass(frozen=True)
class TicketInfo:
    """What the queue knows when the ticket is issued (the queue issue computes these)."""

    number: str
    people_ahead: int = 0
    wait_minutes: int = 0
    issued_at: dt.datetime | None = None


def _priority_text(priority: str) -> str:
    label = PRIORITY_TH.get(priority, priority)
    return f"คิวพิเศษ {label} · PRIORITY"


def build_ticket(
    case: CaseView,
    config: Config,
    service: ServiceDefinition | None,
    ticket: TicketInfo,
    *,
    now: dt.datetime,
) -> BuiltDocument:
    issued = ticket.issued_at or now
    office = config.office
    name_th = service.display_name_th if service else case.service_code
    width = PRINTABLE_WIDTH

    # Height from the wrapped content, so the roll is cut right after the note.
    fonts.register()
    office_lines = len(thaitext.wrap(office.name_th, fonts.BOLD, 12, width))
    service_lines = len(thaitext.wrap(name_th, fonts.BOLD, 13, width))
    note_lines = len(thaitext.wrap(NOTE_TH, fonts.REGULAR, 9.5, width))
    height = (
        4 * mm
        + office_lines * 17
        + 14
        + 62
        + (18 if case.priority else 0)
        + service_lines * 18
        + 48
        + QR_SIDE
        + 26
        + note_lines * 13
        + 14
        + 4 * mm
    )

    sheet = Sheet(
        (PAPER_WIDTH, height),
        title=f"ticket {ticket.number} {case.number}",
        subject="บัตรคิว / queue ticket",
    )
    centre = PAPER_WIDTH / 2
    y = height - 4 * mm - 12
    y = sheet.para(MARGIN, y, width, office.name_th, size=12, bold=True, align="center", leading=17)
    sheet.text(centre, y + 3, "บัตรคิว · QUEUE TICKET", size=9.5, align="center", color=GREY)
    y -= 8
    sheet.rule(MARGIN, y, MARGIN + width, width=0.8)
    y -= 50
    sheet.text(centre, y, ticket.number, size=50, bold=True, align="center")
    y -= 12
    if case.priority:
        y -= 6
        label = _priority_text(case.priority)
        sheet.box(MARGIN + 6 * mm, y - 4, width - 12 * mm, 16, width=1.2)
        sheet.text(centre, y, label, size=11, bold=True, align="center")
        y -= 12
    y -= 10
    y = sheet.para(MARGIN, y, width, name_th, size=13, bold=True, align="center", leading=18)
    y += 2
    sheet.text(
        centre,
        y,
        f"รอก่อนหน้า {ticket.people_ahead} คิว · ประมาณ {ticket.wait_minutes} นาที",
        size=11,
        align="center",
    )
    y -= 12
    sheet.text(
        centre,
        y,
        f"{ticket.people_ahead} ahead of you · about {ticket.wait_minutes} min",
        size=8.5,
        align="center",
        color=GREY,
    )
    y -= 15
    sheet.text(
        centre,
        y,
        f"{date_th(issued)} เวลา {format_time(local(issued))}",
        size=10.5,
        align="center",
    )
    y -= 8 + QR_SIDE
    sheet.qr(centre - QR_SIDE / 2, y, QR_SIDE, status_code(config, case))
    y -= 12
    sheet.text(centre, y, f"คำขอเลขที่ {case.number}", size=10.5, bold=True, align="center")
    y -= 11
    sheet.text(centre, y, "สแกนเพื่อติดตามสถานะคำขอ · Scan to follow your case", size=8, align="center")
    y -= 14
    y = sheet.para(MARGIN, y, width, NOTE_TH, size=9.5, align="center", leading=13)
    sheet.text(centre, y + 2, NOTE_EN, size=8, align="center", color=GREY)
    return BuiltDocument(DocumentKind.TICKET, case.number, sheet.finish(), f"ticket {case.number}")


def default_ticket(case: CaseView) -> TicketInfo:
    """A ticket number when the queue has none for the case yet: A + the case's sequence."""
    return TicketInfo(number=f"A{case.number.rsplit('-', 1)[-1][-3:]}")
