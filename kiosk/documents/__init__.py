"""Printed documents as PDF: queue ticket, application receipt, deficiency notice, Bill Payment slip.

Each is built from a case snapshot (`CaseView`), the office configuration and the service definition;
`build()` is the one entry point the printer worker and the CLI use. Thai is shaped by HarfBuzz and
wrapped at word boundaries (`thaitext`); the font is bundled in `resources/fonts`.
"""

from __future__ import annotations

import datetime as dt

from kiosk.config import Config
from kiosk.documents.common import BuiltDocument, DocumentError, DocumentKind
from kiosk.documents.ticket import TicketInfo
from kiosk.domain.services import ServiceDefinition
from kiosk.domain.sla import WorkingCalendar
from kiosk.storage.cases import CaseView

__all__ = ["BuiltDocument", "DocumentError", "DocumentKind", "TicketInfo", "build"]


def build(
    kind: DocumentKind,
    case: CaseView,
    config: Config,
    service: ServiceDefinition | None,
    *,
    now: dt.datetime | None = None,
    ticket: TicketInfo | None = None,
    calendar: WorkingCalendar | None = None,
) -> BuiltDocument:
    """Build one document. `case` must be a detailed snapshot (`CaseStore.get`) for its events."""
    from kiosk.documents.deficiency import build_deficiency
    from kiosk.documents.receipt import build_receipt
    from kiosk.documents.slip import build_slip
    from kiosk.documents.ticket import build_ticket, default_ticket

    now = now or dt.datetime.now(dt.UTC)
    if kind is DocumentKind.TICKET:
        return build_ticket(case, config, service, ticket or default_ticket(case), now=now)
    if kind is DocumentKind.RECEIPT:
        return build_receipt(case, config, service, now=now, calendar=calendar)
    if kind is DocumentKind.DEFICIENCY:
        return build_deficiency(case, config, service, now=now)
    return build_slip(case, config, service, now=now)
