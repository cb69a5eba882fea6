"""What every document takes from a case and the office: dates in Bangkok and the Buddhist Era,
the service's names and time limit, the status look-up code, the office header."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from kiosk.config import Config, Office
from kiosk.documents.sheet import GREY, Sheet
from kiosk.domain.services import ServiceDefinition, TimeLimit
from kiosk.domain.sla import BANGKOK, WorkingCalendar, due_at
from kiosk.domain.thai import format_date_long, format_time, mask_citizen_id
from kiosk.errors import KnownError
from kiosk.storage.cases import CaseView


class DocumentKind(StrEnum):
    TICKET = "ticket"
    RECEIPT = "receipt"
    DEFICIENCY = "deficiency"
    SLIP = "slip"

    @property
    def label_th(self) -> str:
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self][1]


_LABELS = {
    DocumentKind.TICKET: ("บัตรคิว", "queue ticket"),
    DocumentKind.RECEIPT: ("ใบรับคำขอ", "application receipt"),
    DocumentKind.DEFICIENCY: ("หนังสือแจ้งความบกพร่อง", "deficiency notice"),
    DocumentKind.SLIP: ("ใบแจ้งการชำระเงิน", "Bill Payment slip"),
}


class DocumentError(KnownError):
    """The case has nothing this document could say (no deficiency recorded, no open invoice)."""

    exit_code = 1


@dataclass(frozen=True)
class BuiltDocument:
    kind: DocumentKind
    case_number: str
    pdf: bytes
    # Job title for the spooler: no personal data, it shows in printer queues and logs.
    title: str


UNITS_TH = {"minutes": "นาที", "hours": "ชั่วโมง", "days": "วัน", "working_days": "วันทำการ"}
UNITS_EN = {"minutes": "minutes", "hours": "hours", "days": "days", "working_days": "working days"}


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(BANGKOK)


def date_th(moment: dt.datetime) -> str:
    return format_date_long(local(moment).date())


def datetime_th(moment: dt.datetime) -> str:
    return f"{date_th(moment)} เวลา {format_time(local(moment))}"


def limit_th(limit: TimeLimit) -> str:
    return f"{limit.value} {UNITS_TH[limit.unit.value]}"


def limit_en(limit: TimeLimit) -> str:
    return f"{limit.value} {UNITS_EN[limit.unit.value]}"


def service_name(case: CaseView, service: ServiceDefinition | None) -> str:
    return service.name_th if service else case.service_code


def service_name_en(service: ServiceDefinition | None) -> str:
    return service.name_en if service and service.name_en else ""


def expected_decision(
    case: CaseView, service: ServiceDefinition | None, calendar: WorkingCalendar, now: dt.datetime
) -> tuple[dt.datetime | None, bool]:
    """The date the decision is due, and whether it is an estimate.

    Running clock: the SLA due date. Otherwise the legal limit counted from today, because the clock
    starts only when the documents are verified complete; the receipt says so.
    """
    if case.sla.due_at is not None:
        return case.sla.due_at, False
    if service is None:
        return None, True
    return due_at(now, service.time_limit, calendar), True


def status_code(config: Config, case: CaseView) -> str:
    """What the status QR holds: the case number and the first 8 hex digits of its UUID.

    The UUID part means a guessed case number alone does not open someone's status. With a central
    server it is a link people's phones can open; without one, a short code the kiosk's scanner reads.
    """
    key = case.id.replace("-", "")[:8]
    if config.server.url:
        return f"{config.server.url}/s/{case.number}?k={key}"
    return f"CKSTATUS:{case.number}:{key}"


def applicant_line(case: CaseView) -> str:
    masked = f" (เลขประจำตัวประชาชน {mask_citizen_id(case.citizen_id)})" if case.citizen_id else ""
    return f"{case.applicant_name}{masked}"


def office_header(sheet: Sheet, office: Office, top: float, *, margin: float) -> float:
    """Office name, English name, address and phone, centred; returns the baseline below them."""
    centre = sheet.width / 2
    width = sheet.width - 2 * margin
    y = sheet.para(margin, top, width, office.name_th, size=17, bold=True, align="center")
    sheet.text(centre, y + 4, office.name_en, size=10, align="center", color=GREY)
    y -= 11
    y = sheet.para(
        margin,
        y,
        width,
        f"{office.address_th} โทร\u00a0{office.phone}",
        size=10.5,
        align="center",
        color=GREY,
    )
    return y


def printed_footer(sheet: Sheet, config: Config, now: dt.datetime, *, margin: float, y: float) -> None:
    sheet.text(
        margin,
        y,
        f"พิมพ์เมื่อ {datetime_th(now)} · ตู้บริการ {config.kiosk.id} · Counter Kiosk",
        size=8.5,
        color=GREY,
    )
