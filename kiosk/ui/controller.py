"""The kiosk's controller: it decides what each screen shows and what happens next.

Views only lay out and emit what the person asked for. Card events arrive as Qt signals from the
card worker; database and printing work runs as operations on worker threads (kiosk.ui.ops) and
comes back as signals too. The controller is the only place that holds the applicant's data, in a
`Visit`, and it wipes the visit and every screen when the visit ends.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from kiosk.config import Config
from kiosk.devices.card.parser import CardRecord
from kiosk.devices.card.service import (
    CardError,
    CardInserted,
    CardRead,
    CardRemoved,
    PhotoRead,
    ReaderAdded,
    ReaderRemoved,
)
from kiosk.domain.catalog import Catalog
from kiosk.domain.fees import AssessedFee, FixedFee, StaffAmountFee
from kiosk.domain.money import format_baht, from_satang
from kiosk.domain.services import Category, FieldType, FormField, ServiceDefinition, TimeUnit
from kiosk.domain.sla import BANGKOK
from kiosk.domain.thai import format_citizen_id, format_date_long, mask_citizen_id
from kiosk.domain.workflow import Actor, CaseState, EventKind, Role
from kiosk.storage.cases import CaseStore, CaseView, StaffAction
from kiosk.storage.privacy import REMOVED_EN, REMOVED_TH
from kiosk.storage.staff import VOIDABLE, StaffMember
from kiosk.sync.worker import SyncStatus
from kiosk.ui.card_source import CardEvents, CardSource, DemoCards
from kiosk.ui.errors import UserMessage
from kiosk.ui.i18n import Languages, pick, tr
from kiosk.ui.idle import IdleWatcher
from kiosk.ui.ops import Operation, Runner
from kiosk.ui.printing import DocumentPrinter, PrinterStatus, PrintResult
from kiosk.ui.qr import qr_pixmap
from kiosk.ui.qtcompat import emit
from kiosk.ui.staff import StaffDesk
from kiosk.ui.sync_status import SyncEvents, SyncSource, indicator, staff_text
from kiosk.ui.views.about_view import AboutContent
from kiosk.ui.views.documents_view import DocumentRow
from kiosk.ui.views.form_view import FieldSpec
from kiosk.ui.views.status_view import CaseDetail, CaseRow
from kiosk.ui.visit import PRIORITIES, Visit, display_value, iso_to_display, validate
from kiosk.ui.window import KioskWindow, Screen

log = logging.getLogger(__name__)

FIX_DAYS = 7  # CaseStore.record_deficiency's default: the deadline printed on the notice
MOST_USED = "most_used"
ALL = "all"


@dataclass
class KioskServices:
    """The narrow services the kiosk screen needs; assembled by kiosk.ui.app."""

    config: Config
    catalog: Catalog
    cases: CaseStore
    data_dir: Path
    printer: DocumentPrinter
    languages: Languages
    staff: StaffDesk  # signed-in staff, sign-out clock, approvals, audit log (kiosk.ui.staff)
    card_events: CardEvents
    card_source: CardSource | None = None
    demo_cards: DemoCards | None = None
    demo_profiles: list[str] = field(default_factory=list)
    # The sync worker (kiosk.sync.SyncWorker) when the kiosk is enrolled; its statuses arrive as
    # `sync_events.status_changed`. None: not enrolled, the outbox just fills up.
    sync: SyncSource | None = None
    sync_events: SyncEvents | None = None


@dataclass(frozen=True)
class Timeouts:
    idle_ms: int
    warning_ms: int = 20_000
    done_ms: int = 45_000


def category_names() -> dict[str, str]:
    return {
        MOST_USED: tr("Most used"),
        ALL: tr("All"),
        Category.WELFARE.value: tr("Welfare"),
        Category.REGISTRATION.value: tr("Registration"),
        Category.PERMIT.value: tr("Permits"),
        Category.NOTIFICATION.value: tr("Notifications"),
        Category.TAX.value: tr("Taxes"),
    }


CATEGORY_ORDER = [
    MOST_USED,
    Category.WELFARE.value,
    Category.REGISTRATION.value,
    Category.PERMIT.value,
    Category.NOTIFICATION.value,
    Category.TAX.value,
    ALL,
]


def time_limit_text(service: ServiceDefinition) -> str:
    units = {
        TimeUnit.MINUTES: tr("minutes"),
        TimeUnit.HOURS: tr("hours"),
        TimeUnit.DAYS: tr("days"),
        TimeUnit.WORKING_DAYS: tr("working days"),
    }
    return f"{service.time_limit.value} {units[service.time_limit.unit]}"


def fee_summary(service: ServiceDefinition) -> str:
    if not service.fees:
        return tr("No fee")
    if all(isinstance(r, FixedFee) for r in service.fees):
        total = sum((r.amount for r in service.fees if isinstance(r, FixedFee)), Decimal(0))
        return tr("Fee {amount} baht").format(amount=format_baht(total))
    return tr("Fee depends on your request")


def is_elderly(record: CardRecord, elderly_age: int, today: dt.date | None = None) -> bool:
    """Old enough for the elderly priority by the card's birth date. The card may leave the month or
    day unknown: the age counted is the one the person has certainly reached (latest possible birthday)."""
    born = record.birth_date
    if born is None:
        return False
    today = today or dt.datetime.now(BANGKOK).date()
    month, day = born.month or 12, born.day or 31
    age = today.year - born.year - ((today.month, today.day) < (month, day))
    return age >= elderly_age


def priority_labels() -> list[tuple[str, str]]:
    return [(value, pick(th, en)) for value, th, en in PRIORITIES]


def local_date(moment: dt.datetime | None) -> str:
    return format_date_long(moment.astimezone(BANGKOK).date()) if moment else ""


class KioskController(QObject):
    screen_changed = Signal(str)
    visit_ended = Signal(str)  # why: finished, idle, card_removed, declined, staff
    form_ready = Signal()
    submitted = Signal(str)
    submit_failed = Signal(str)
    printed = Signal(object)  # list[PrintResult]
    status_shown = Signal(int)
    staff_changed = Signal(bool)
    devices_refreshed = Signal(str)
    case_updated = Signal(str)
    rated = Signal(int)
    message_shown = Signal(str)  # kind of the message, for tests
    sync_changed = Signal(object)  # the SyncStatus now shown

    def __init__(self, window: KioskWindow, services: KioskServices, timeouts: Timeouts) -> None:
        super().__init__()
        self.w = window
        self.s = services
        self.cases = services.cases
        self.timeouts = timeouts
        self.db = Runner("db", self)
        self.print_runner = Runner("printer", self)
        self.idle = IdleWatcher(timeouts.idle_ms, timeouts.warning_ms, self)
        self.visit = Visit(serial=1)
        self.staff = False
        self.takeover = False
        self.readers: set[str] = set()
        self.cards_in: set[str] = set()
        self.card_service_down = False
        self.most_used: list[str] = []
        self.category = MOST_USED
        self.unlocked_fields: set[str] = set()
        self.done_number = ""
        self.done_service = ""
        self.status_reader = ""
        self.status_case: str = ""
        self.submitting = False
        self.printer_state: PrinterStatus | None = None
        self.outbox_waiting: int | None = None
        self.sync_status: SyncStatus | None = None
        self.status_case_priority = ""
        self._closed = False
        self._reason_action: Callable[[str], None] | None = None
        self._reason_cancel: Callable[[], None] | None = None
        self._return_screen: Screen | None = None
        self._void_pending: tuple[str, str] | None = None  # case number, reason: awaiting approval
        self._exit_pending = False  # *Exit kiosk* asked: a fresh staff code and PIN close the kiosk
        self._connect()
        services.languages.on_change(self._language_changed)
        self.w.services.set_category_names(category_names())
        self._load_most_used()
        self._refresh_sync_indicator()
        self.show_welcome()

    # --- wiring -----------------------------------------------------------------------------

    def _connect(self) -> None:
        w = self.w
        self.s.card_events.received.connect(self.on_card_event)
        if self.s.sync_events is not None:
            self.s.sync_events.status_changed.connect(self.on_sync_status)
        w.toggle_language.connect(self.s.languages.toggle)
        w.call_staff.connect(self.call_staff)
        w.welcome.start_without_card.connect(self.start_without_card)
        w.welcome.status_lookup.connect(self.open_status)
        w.notice.accepted.connect(self.accept_notice)
        w.notice.declined.connect(lambda: self.end_visit("declined"))
        w.reading.without_card.connect(self.continue_without_card)
        w.reading.cancel.connect(lambda: self.end_visit("declined"))
        w.services.chosen.connect(self.choose_service)
        w.services.category_changed.connect(self.set_category)
        w.services.search_changed.connect(lambda _t: self._show_services())
        w.services.back.connect(lambda: self.end_visit("declined"))
        w.about.back.connect(lambda: self.go(Screen.SERVICES))
        w.about.missing_asked.connect(self.explain_missing_document)
        w.about.start_form.connect(self.open_form)
        w.form.value_changed.connect(self.set_value)
        w.form.field_left.connect(self.check_field)
        w.form.edit_requested.connect(self.ask_edit_reason)
        w.form.back.connect(lambda: self.go(Screen.ABOUT))
        w.form.next.connect(self.form_next)
        w.documents.mark.connect(self.mark_document)
        w.documents.back.connect(lambda: self.go(Screen.FORM))
        w.documents.next.connect(self.open_review)
        w.review.back.connect(self._review_back)
        w.review.submit.connect(self.submit)
        w.done.finish.connect(lambda: self.end_visit("finished"))
        w.done.rated.connect(self.rate)
        w.status.find_requested.connect(self.find_case)
        w.status.print_slip.connect(self.print_slip)
        w.status.open_case.connect(self.open_case)
        w.status.mark_document.connect(self.mark_case_document)
        w.status.record_deficiency.connect(self.record_case_deficiency)
        w.status.record_payment.connect(self.record_counter_payment)
        w.status.reprint.connect(self.reprint)
        w.status.back.connect(self._status_back)
        w.pin.submitted.connect(self.unlock)
        w.pin.cancelled.connect(self._pin_cancelled)
        self.s.staff.attach(self.db, self, self._staff_input)
        self.s.staff.timed_out.connect(lambda: self.lock_staff(how="auto"))
        w.reason.submitted.connect(self._reason_given)
        w.reason.cancelled.connect(self._reason_cancelled)
        w.idle.still_here.connect(self.idle.activity)
        self.idle.warn.connect(self._idle_warn)
        self.idle.resumed.connect(w.idle.hide)
        self.idle.expired.connect(lambda: self.end_visit("idle"))
        bar = w.staff_bar
        bar.take_over.connect(self.set_takeover)
        bar.priority_changed.connect(self.set_priority)
        bar.open_case.connect(self.staff_open_case)
        bar.exit_full_screen.connect(self.toggle_full_screen)
        bar.lock.connect(self.lock_staff)
        bar.demo_insert.connect(self.insert_demo_card)
        bar.demo_remove.connect(self.remove_demo_card)
        bar.end_visit.connect(lambda: self.end_visit("staff"))
        bar.void_case.connect(self.void_case)
        bar.audit_log.connect(lambda: self.s.staff.show_audit(self.w))
        w.exit_requested.connect(self.request_exit)
        self.staff_changed.connect(w.set_staff_present)  # a locked window leaves full screen for staff only

    def shutdown(self) -> None:
        """Stop every worker and timer this controller started (the tests check that none is left)."""
        if self._closed:
            return
        self._closed = True
        # Sync first: it shares the database, which the caller closes next.
        if self.s.sync is not None:
            self.s.sync.stop()
        if self.s.sync_events is not None:
            with contextlib.suppress(RuntimeError, TypeError):
                self.s.sync_events.status_changed.disconnect(self.on_sync_status)
        self.idle.shutdown()
        if self.s.card_source is not None:
            self.s.card_source.stop()
        if self.s.demo_cards is not None:
            self.s.demo_cards.stop()
        self.s.staff.shutdown()
        self.db.shutdown()
        self.print_runner.shutdown()
        self.visit.wipe()

    # --- navigation -------------------------------------------------------------------------

    @property
    def screen(self) -> Screen:
        return self.w.current_screen

    def go(self, screen: Screen) -> None:
        self.w.show_screen(screen)
        if screen is Screen.WELCOME:
            self.idle.disarm()
        elif screen is Screen.DONE:
            self.idle.arm(self.timeouts.done_ms)
        else:
            self.idle.arm()
        emit(self.screen_changed, screen.value)

    def show_welcome(self) -> None:
        self._update_reader_state()
        self.go(Screen.WELCOME)

    def _visit_open(self) -> bool:
        return self.screen not in (Screen.WELCOME, Screen.STATUS) or bool(self.visit.service)

    def show_error(self, message: UserMessage) -> None:
        self.w.show_message(message.text, message.what_to_do)
        emit(self.message_shown, message.kind)

    def _language_changed(self, _language: str) -> None:
        self.w.retranslate()
        self.w.services.set_category_names(category_names())
        self.w.staff_bar.set_priority_labels(priority_labels())
        self.s.staff.retranslate()
        self.w.notice.retranslate()
        screen = self.screen
        if screen is Screen.SERVICES:
            self._show_services()
        elif screen is Screen.ABOUT:
            self._show_about()
        elif screen is Screen.DONE and self.done_number:
            self.w.done.retranslate()
        else:
            self._redraw_visit_screen()
        self._refresh_sync_indicator()
        self._refresh_devices_text()

    # --- the visit: start, notice, card -------------------------------------------------------

    def _new_visit(self, *, with_card: bool, reader: str = "") -> None:
        self.visit.wipe()
        self.visit = Visit(serial=self.visit.serial + 1, with_card=with_card, reader=reader)
        self.unlocked_fields.clear()
        self.done_number = ""
        if self.staff and self.takeover:
            self._record_visit_action("take_over", starting=True)  # staff start it on someone's behalf

    def start_without_card(self) -> None:
        self._new_visit(with_card=False)
        self.w.notice.configure(with_card=False, retention_days=self.s.config.privacy.retention_days)
        self.go(Screen.NOTICE)

    def start_with_card(self, reader: str) -> None:
        self._new_visit(with_card=True, reader=reader)
        self.w.notice.configure(with_card=True, retention_days=self.s.config.privacy.retention_days)
        self.w.reading.set_stage(1)
        self.go(Screen.NOTICE)

    def accept_notice(self) -> None:
        self.visit.notice_accepted = True
        if self.visit.with_card and self.visit.record is None:
            self.go(Screen.READING)  # first: a source may answer at once, and the record lands here
            self._request_read(self.visit.reader)  # the card is read now, never before the notice
        else:
            self._show_services()
            self.go(Screen.SERVICES)

    def continue_without_card(self) -> None:
        self.visit.with_card = False
        self.visit.reader = ""
        self.visit.record = None
        self._show_services()
        self.go(Screen.SERVICES)

    def on_card_event(self, event: object) -> None:
        if self.s.demo_cards is not None and isinstance(event, ReaderAdded | ReaderRemoved):
            self.s.demo_cards.track(event)
        if isinstance(event, ReaderAdded):
            self.readers.add(event.reader)
            self.card_service_down = False
            self._update_reader_state()
        elif isinstance(event, ReaderRemoved):
            self.readers.discard(event.reader)
            self.cards_in.discard(event.reader)
            self._update_reader_state()
            if self.visit.with_card and self.visit.reader == event.reader:
                self.card_removed(event.reader)
        elif isinstance(event, CardInserted):
            self.cards_in.add(event.reader)
            self.readers.add(event.reader)
            self.card_inserted(event.reader)
        elif isinstance(event, CardRead):
            self.card_read(event)
        elif isinstance(event, CardRemoved):
            self.cards_in.discard(event.reader)
            self.card_removed(event.reader)
        elif isinstance(event, CardError):
            self.card_error(event)
        elif (
            isinstance(event, PhotoRead)
            and event.reader == self.visit.reader
            and self.visit.service is not None
        ):
            self.visit.photo = event.photo
        if isinstance(event, ReaderAdded | ReaderRemoved | CardError):
            self._refresh_devices_text()

    def _update_reader_state(self) -> None:
        if self.card_service_down:
            state = "unavailable"
        elif self.readers:
            state = "ready"
        else:
            state = "waiting"
        self.w.welcome.set_reader_state(state)

    def card_inserted(self, reader: str) -> None:
        screen = self.screen
        if screen is Screen.STATUS and not self.visit.service:
            self.status_reader = reader
            self.w.status.set_message(tr("Reading your card…"))
            self._request_read(reader)  # the applicant looks their requests up with the card
            return
        if screen is Screen.DONE or screen is Screen.WELCOME:
            self.start_with_card(reader)
            return
        if self.visit.with_card and self.visit.reader != reader:
            # A second card while a visit is open: the first person's data goes before anything else.
            self.end_visit("card_removed")
            self.start_with_card(reader)
            return
        if not self.visit.with_card:
            # The applicant started without a card and inserts one now: use it to fill the form.
            self.visit.with_card = True
            self.visit.reader = reader
            if self.visit.notice_accepted:
                self._request_read(reader)

    def card_read(self, event: CardRead) -> None:
        if self.screen is Screen.STATUS and event.reader == self.status_reader and not self.visit.service:
            self._lookup_citizen(event.record.citizen_id)
            return
        if event.reader != self.visit.reader or not self.visit.with_card:
            return
        if not self.visit.notice_accepted:
            return  # a read asked for by an earlier visit: nothing is kept before the notice is accepted
        if not event.record.citizen_id_valid:
            self.card_error(
                CardError(
                    event.reader,
                    "invalid_id",
                    "อ่านเลขประจำตัวประชาชนจากบัตรไม่ถูกต้อง",
                    "The citizen ID read from the card is not valid.",
                )
            )
            return
        self.visit.record = event.record
        if not self.visit.priority and is_elderly(event.record, self.s.config.queue.elderly_age):
            self.visit.priority = "elderly"  # the card says so: served first without having to ask
            self.w.staff_bar.set_priority(self.visit.priority)
        self.w.reading.set_stage(2)
        if self.visit.service is not None:
            if self.visit.service.needs_photo:
                self._request_photo()
            self.visit.prefill(self.s.config.office)
            self.visit.init_documents()
            if self.screen is Screen.FORM:
                self._build_form()
        if self.screen is Screen.READING:
            self._show_services()
            self.go(Screen.SERVICES)

    def card_error(self, event: CardError) -> None:
        if event.reader == "":
            self.card_service_down = event.kind == "service_unavailable"
            self._update_reader_state()
            return
        message = UserMessage(event.message_th, event.message_en, kind=event.kind)
        if self.screen is Screen.STATUS and event.reader == self.status_reader:
            self.w.status.set_message(message.text)
            return
        if event.reader != self.visit.reader:
            return
        if self.screen in (Screen.READING, Screen.NOTICE):
            self.w.reading.show_problem(
                message.text,
                tr("Take the card out and insert it again, continue without the card, or ask the staff."),
            )
        else:
            self.show_error(message)
        emit(self.message_shown, event.kind)

    def card_removed(self, reader: str) -> None:
        if self.screen is Screen.STATUS and reader == self.status_reader:
            # The look-up belonged to that card: it goes with it.
            self.status_reader = ""
            self.w.status.clear()
            return
        if not self.visit.with_card or reader != self.visit.reader:
            return
        if self.screen is Screen.DONE:
            return  # expected: the applicant takes the card; the done screen holds no personal data
        self.end_visit("card_removed")

    def _request_read(self, reader: str) -> None:
        if self.s.demo_cards is not None and self.s.demo_cards.inserted and reader.startswith("Demo"):
            self.s.demo_cards.request_read()
        elif self.s.card_source is not None:
            self.s.card_source.request_read(reader or None)

    def _request_photo(self) -> None:
        if (
            self.s.demo_cards is not None
            and self.s.demo_cards.inserted
            and self.visit.reader.startswith("Demo")
        ):
            self.s.demo_cards.request_photo()
        elif self.s.card_source is not None:
            self.s.card_source.request_photo(self.visit.reader or None)

    # --- ending a visit ----------------------------------------------------------------------

    def end_visit(self, why: str) -> None:
        """Wipe every trace of the visit from memory and from every screen, then welcome the next."""
        log.info("visit ended: %s", why)
        self.idle.disarm()
        self.visit.wipe()
        self.visit = Visit(serial=self.visit.serial + 1)
        self.unlocked_fields.clear()
        self.done_number = ""
        self.done_service = ""
        self.status_reader = ""
        self.status_case = ""
        self._reason_action = None
        self._reason_cancel = None
        self._return_screen = None
        for page in self.w.pages.values():
            page.clear()
        self.w.hide_message()
        self.w.idle.hide()
        self.w.reason.hide()
        self.w.pin.hide()
        self.lock_staff(ending=True)
        self.s.languages.reset()
        self.show_welcome()
        emit(self.visit_ended, why)

    def _idle_warn(self, seconds: int) -> None:
        self.w.idle.set_seconds(seconds)
        if not self.w.idle.isVisible():
            self.w.idle.open()

    # --- services ----------------------------------------------------------------------------

    def _load_most_used(self) -> None:
        def work() -> list[str]:
            tally = Tally(c.service_code for c in self.cases.find(limit=2000))
            return [code for code, _ in tally.most_common()]

        def done(codes: list[str]) -> None:
            self.most_used = codes
            if self.screen is Screen.SERVICES:
                self._show_services()

        self.db.submit(Operation("most used services", work, done, lambda _m: None))

    def set_category(self, key: str) -> None:
        self.category = key
        self._show_services()

    def _services_in_view(self) -> list[ServiceDefinition]:
        query = self.w.services.search.text().strip()
        if query:
            return list(self.s.catalog.search(query))
        services = list(self.s.catalog)
        if self.category == MOST_USED:
            rank = {code: i for i, code in enumerate(self.most_used)}
            return sorted(services, key=lambda s: (rank.get(s.code, len(rank)), s.name_th))[:12]
        if self.category == ALL:
            return services
        return [s for s in services if s.category.value == self.category]

    def _show_services(self) -> None:
        names = category_names()
        self.w.services.select_category(self.category)
        rows = [
            (
                s.code,
                pick(s.name_th, s.name_en),
                f"{names.get(s.category.value, s.category.value)} · {time_limit_text(s)} · {fee_summary(s)}",
            )
            for s in self._services_in_view()
        ]
        self.w.services.show_services(rows)

    def choose_service(self, code: str) -> None:
        service = self.s.catalog.get(code)
        if service is None:
            return
        self.visit.service = service
        self.visit.values.clear()
        self.visit.prefill(self.s.config.office)
        self.visit.init_documents()
        if service.needs_photo and self.visit.record is not None:
            self._request_photo()
        self._show_about()
        self.go(Screen.ABOUT)

    def _show_about(self) -> None:
        s = self.visit.service
        if s is None:
            return
        docs: list[tuple[str, str]] = []
        for d in s.documents:
            parts = []
            if d.originals:
                parts.append(tr("originals: {count}").format(count=d.originals))
            if d.copies:
                parts.append(tr("copies: {count}").format(count=d.copies))
            detail = ", ".join(parts)
            if d.condition_th:
                detail += ("\n    " if detail else "") + tr("Only: {condition}").format(
                    condition=d.condition_th
                )
            if d.satisfied_by_card:
                detail += ("\n    " if detail else "") + tr(
                    "Not needed when your ID card is read at this kiosk."
                )
            docs.append((pick(d.name_th, d.name_en), detail))
        fees: list[tuple[str, str]] = []
        for rule in s.fees:
            if isinstance(rule, FixedFee):
                amount = tr("{amount} baht").format(amount=format_baht(rule.amount))
            elif isinstance(rule, StaffAmountFee):
                amount = tr("set by the staff under the local ordinance")
            elif isinstance(rule, AssessedFee):
                amount = tr("assessed by the officer later")
            else:
                amount = tr("worked out from your form")
            fees.append((pick(rule.label_th, rule.label_en), amount))
        steps = []
        for step in s.steps:
            title = step.type_th
            if step.duration is not None:
                title += f" ({step.duration.value.normalize():f} {_unit(step.duration.unit)})"
            steps.append((title, step.description_th))
        self.w.about.show_content(
            AboutContent(
                name=pick(s.name_th, s.name_en),
                unit=s.responsible_unit_th,
                time_limit=time_limit_text(s),
                steps=steps,
                documents=docs,
                fees=fees,
                fee_note=s.fee_note_th if not fees else "",
                photo_note=tr("This service needs your photo: it is read from your card.")
                if s.needs_photo
                else "",
            )
        )

    def explain_missing_document(self) -> None:
        self.w.about.show_missing_answer(
            tr("If you don't have a document"),
            tr(
                "You can still send your request today. The staff will check your documents and list what "
                "is missing on a deficiency notice, which you and the staff both sign. You then have {days} "
                "days to bring it. The office's time limit starts only when your documents are complete; "
                "if they are not brought in time, the request is returned to you. Documents read from your "
                "ID card are not needed."
            ).format(days=FIX_DAYS),
        )

    # --- the form ----------------------------------------------------------------------------

    def open_form(self) -> None:
        self._build_form()
        self.go(Screen.FORM)
        emit(self.form_ready)

    def _spec(self, f: FormField) -> FieldSpec:
        editor = {FieldType.TEXTAREA: "text", FieldType.SELECT: "select", FieldType.CHECKBOX: "checkbox"}.get(
            f.type, "line"
        )
        placeholders = {
            FieldType.DATE: tr("day/month/year, e.g. 15/04/2568"),
            FieldType.CITIZEN_ID: tr("13 digits"),
            FieldType.PHONE: tr("e.g. 0812345678"),
        }
        value = self.visit.values.get(f.key, False if f.type is FieldType.CHECKBOX else "")
        if f.type is FieldType.CITIZEN_ID and isinstance(value, str) and self.visit.locked(f):
            value = format_citizen_id(value)
        return FieldSpec(
            key=f.key,
            label=pick(f.label_th, f.label_en),
            editor=editor,
            value=value,
            required=f.required,
            help=pick(f.help_th, f.help_en),
            unit=f.unit_th,
            placeholder=placeholders.get(f.type, ""),
            choices=tuple((c.value, pick(c.label_th, c.label_en)) for c in f.choices),
            locked=self.visit.locked(f) and f.key not in self.unlocked_fields,
            staff_only=f.staff_only,
            numeric=f.type in (FieldType.NUMBER, FieldType.DECIMAL, FieldType.MONEY),
        )

    def _build_form(self) -> None:
        s = self.visit.service
        if s is None:
            return
        specs = [self._spec(f) for f in self.visit.form_fields(staff=self.staff)]
        self.w.form.build(pick(s.name_th, s.name_en), specs, staff=self.staff)
        self._show_fees()

    def set_value(self, key: str, value: object) -> None:
        f = self.visit.field(key)
        if f is None:
            return
        if self.visit.locked(f) and key not in self.unlocked_fields:
            return  # a read-only field cannot change; refuse a programmatic change too
        self.visit.values[key] = value if isinstance(value, bool) else str(value or "")
        if self.w.form.rows.get(key) is not None and self.w.form.rows[key].error.isVisible():
            self.check_field(key)
        self._show_fees()

    def check_field(self, key: str) -> bool:
        f = self.visit.field(key)
        if f is None:
            return True
        _, error = validate(f, self.visit.values.get(key, False if f.type is FieldType.CHECKBOX else ""))
        self.w.form.set_error(key, error)
        return error is None

    def _show_fees(self) -> None:
        s = self.visit.service
        if s is None or not s.fees:
            self.w.form.set_fees([], "", "")
            return
        found, problem = self.visit.fee_quote()
        lines: list[tuple[str, str]] = []
        notes: list[str] = []
        if found is not None:
            lines = [
                (
                    pick(line.label_th, line.label_en),
                    tr("{amount} baht").format(amount=format_baht(line.amount)),
                )
                for line in found.lines
            ]
            for key in found.pending:
                rule = next(r for r in s.fees if r.key == key)
                name = pick(rule.label_th, rule.label_en)
                if isinstance(rule, StaffAmountFee):
                    notes.append(tr("{fee}: set by the staff").format(fee=name))
                elif isinstance(rule, AssessedFee):
                    notes.append(tr("{fee}: assessed by the officer later").format(fee=name))
                else:
                    notes.append(tr("{fee}: shown when the form is filled in").format(fee=name))
        if problem:
            notes.append(problem)
        total = ""
        if found is not None and found.lines:
            total = tr("Total now: {amount} baht").format(amount=format_baht(found.total))
        self.w.form.set_fees(lines, total, "\n".join(notes))

    def form_next(self) -> None:
        errors = self.visit.errors(staff=self.staff)
        for f in self.visit.form_fields(staff=self.staff):
            self.w.form.set_error(f.key, errors.get(f.key))
        if errors:
            count = len(errors)
            self.w.form.set_summary(tr("Please check {count} field(s) marked in red.").format(count=count))
            self.w.form.focus_field(next(iter(errors)))
            return
        self.w.form.set_summary("")
        if self.visit.service is not None and self.visit.service.documents:
            self._show_documents()
            self.go(Screen.DOCUMENTS)
        else:
            self.open_review()

    def ask_edit_reason(self, key: str) -> None:
        f = self.visit.field(key)
        if f is None or not self.staff:
            return

        def unlock(reason: str) -> None:
            self.unlocked_fields.add(key)
            self.visit.edit_baseline[key] = self.visit.values.get(key, "")
            # The event names the field and keeps the reason; never the values themselves.
            self.visit.staff_actions.append(
                StaffAction(
                    EventKind.FIELD_EDITED,
                    self._staff_actor(),
                    dt.datetime.now(dt.UTC),
                    reason=reason,
                    data={"field": key},
                )
            )
            self._build_form()
            self.w.form.focus_field(key)

        self._ask_reason(
            tr("Correct a field read from the card"),
            tr("Why does “{field}” need correcting?").format(field=pick(f.label_th, f.label_en)),
            unlock,
        )

    def _ask_reason(
        self,
        title: str,
        question: str,
        then: Callable[[str], None],
        otherwise: Callable[[], None] | None = None,
    ) -> None:
        self._reason_action = then
        self._reason_cancel = otherwise
        self.w.reason.ask(title, question)

    def _reason_given(self, reason: str) -> None:
        action, self._reason_action, self._reason_cancel = self._reason_action, None, None
        self.w.reason.hide()
        if action is not None:
            action(reason)

    def _reason_cancelled(self) -> None:
        cancel, self._reason_action, self._reason_cancel = self._reason_cancel, None, None
        self.w.reason.hide()
        if cancel is not None:
            cancel()

    # --- documents and review ------------------------------------------------------------------

    def _show_documents(self) -> None:
        s = self.visit.service
        if s is None:
            return
        rows = []
        for d in s.documents:
            parts = []
            if d.originals:
                parts.append(tr("originals: {count}").format(count=d.originals))
            if d.copies:
                parts.append(tr("copies: {count}").format(count=d.copies))
            detail = ", ".join(parts)
            if d.condition_th:
                detail += ("\n" if detail else "") + tr("Only: {condition}").format(condition=d.condition_th)
            rows.append(
                DocumentRow(
                    key=d.key,
                    name=pick(d.name_th, d.name_en),
                    detail=detail,
                    status=self.visit.documents.get(d.key, "pending"),
                    conditional=d.conditional,
                    by_card=d.satisfied_by_card and self.visit.record is not None,
                )
            )
        self.w.documents.show_documents(rows, staff=self.staff)

    def mark_document(self, key: str, status: str) -> None:
        if not self.staff or key not in self.visit.documents:
            return
        self.visit.documents[key] = status
        self._show_documents()

    def _review_back(self) -> None:
        if self.visit.service is not None and self.visit.service.documents:
            self._show_documents()
            self.go(Screen.DOCUMENTS)
        else:
            self.go(Screen.FORM)

    def open_review(self) -> None:
        self._show_review()
        self.go(Screen.REVIEW)

    def _show_review(self) -> None:
        v, s = self.visit, self.visit.service
        if s is None:
            return
        applicant = v.applicant()
        who = [
            (tr("Name"), applicant.name_th),
            (tr("Citizen ID"), mask_citizen_id(applicant.citizen_id) if applicant.citizen_id else ""),
        ]
        if v.priority:
            who.append((tr("Served first as"), dict(priority_labels()).get(v.priority, v.priority)))
        answers = [
            (pick(f.label_th, f.label_en), self._review_value(f))
            for f in v.form_fields(staff=self.staff)
            if f.prefill not in ("card:citizen_id",)
        ]
        statuses = {
            "pending": tr("to be checked by staff"),
            "received": tr("received"),
            "missing": tr("missing"),
            "not_applicable": tr("not needed"),
        }
        docs = [
            (pick(d.name_th, d.name_en), statuses.get(v.documents.get(d.key, "pending"), ""))
            for d in s.documents
        ]
        found, _ = v.fee_quote()
        fees = (
            [(pick(line.label_th, line.label_en), format_baht(line.amount)) for line in found.lines]
            if found
            else []
        )
        sections = [
            (tr("Service"), [("", pick(s.name_th, s.name_en)), (tr("Time limit"), time_limit_text(s))]),
            (tr("Applicant"), who),
            (tr("Your answers"), answers),
        ]
        if docs:
            sections.append((tr("Documents"), docs))
        if fees:
            sections.append((tr("Fees"), fees))
        self.w.review.show_summary(sections, deficiency=v.missing_documents(), fix_days=FIX_DAYS)

    def _review_value(self, f: FormField) -> str:
        value = self.visit.values.get(f.key, "")
        if f.type is FieldType.DATE and isinstance(value, str):
            iso, error = validate(f, value)
            return iso_to_display(iso) if error is None and iso else value
        return display_value(f, value) or "-"

    # --- submit -----------------------------------------------------------------------------------

    def actor(self) -> Actor:
        if self.staff and self.takeover:
            return self.s.staff.actor
        return Actor(Role.APPLICANT)

    def submit(self) -> None:
        v, s = self.visit, self.visit.service
        if s is None or self.submitting:
            return
        errors = v.errors(staff=self.staff)
        if errors:
            self._build_form()
            self.go(Screen.FORM)
            self.form_next()
            return
        applicant = v.applicant()
        form = v.clean_form()
        staff_actions = v.submitted_actions()
        documents = dict(v.documents)
        missing = v.missing_documents()
        priority = v.priority
        actor = self.actor()
        staff_actor = self.s.staff.actor
        cases = self.cases
        serial = v.serial
        code = s.code
        # The queue ticket is issued with the case, in its transaction, in the service's group.
        queue = cases.queue
        group = queue.group_for(s.code, s.category.value) if queue is not None else None

        def work() -> CaseView:
            case = cases.submit(
                code,
                applicant,
                form,
                actor,
                documents=documents,
                priority=priority,
                staff_actions=staff_actions,
                ticket_group=group,
            )
            if missing:
                ticket = case.ticket_number
                case = cases.record_deficiency(case.number, missing, staff_actor, fix_days=FIX_DAYS)
                case = replace(case, ticket_number=ticket)
            return case

        def done(case: CaseView) -> None:
            self.submitting = False
            self._written()
            emit(self.submitted, case.number)
            if serial != self.visit.serial:
                log.info("a case was saved after its visit had ended")
                return
            self._show_done(case, deficiency=bool(missing))

        def failed(message: UserMessage) -> None:
            self.submitting = False
            emit(self.submit_failed, message.kind)
            if serial != self.visit.serial:
                return
            self.w.review.set_busy(False)
            self.show_error(message)

        self.submitting = True
        self.w.review.set_busy(True)
        self.w.hide_message()
        self.db.submit(Operation("submit case", work, done, failed))

    def _show_done(self, case: CaseView, *, deficiency: bool) -> None:
        s = self.visit.service
        assert s is not None
        self.done_number = case.number
        self.done_service = s.code
        lines = [
            tr(
                "The office will handle your request within {limit}, counted from the day your documents are complete."
            ).format(limit=time_limit_text(s))
        ]
        if deficiency and case.fix_deadline is not None:
            lines.append(
                tr(
                    "Some documents are missing: please bring them by {date}. Keep the deficiency notice."
                ).format(date=local_date(case.fix_deadline))
            )
        lines.append(
            tr("Keep your ticket. You can check your request here with your ID card or this number.")
        )
        url = self.s.config.server.url
        qr_text = f"{url}/status/{case.number}" if url else case.number
        # Nothing personal stays once the number is on screen: the visit's data goes now.
        self.visit.wipe()
        for screen in (Screen.FORM, Screen.DOCUMENTS, Screen.REVIEW, Screen.ABOUT, Screen.NOTICE):
            self.w.pages[screen].clear()
        self.w.done.show_result(
            case.number, "\n\n".join(lines), qr_pixmap(qr_text, 260), tr("Scan to follow your request")
        )
        self.w.done.set_printing(tr("Printing your ticket…"))
        self._show_ticket(case)
        self.go(Screen.DONE)
        self._print_after_submit(case.number, deficiency)

    def _show_ticket(self, case: CaseView) -> None:
        """The queue number on the done screen (the counter calls it), then the estimated wait."""
        queue = self.cases.queue
        number = case.ticket_number
        self.w.done.set_ticket(number, "")
        if not number or queue is None:
            return
        serial, case_id = self.visit.serial, case.id

        def work() -> tuple[int, int] | None:
            ticket = queue.ticket_for_case(case_id)
            return queue.estimate(ticket.id) if ticket is not None else None

        def done(found: tuple[int, int] | None) -> None:
            if found is None or serial != self.visit.serial or self.screen is not Screen.DONE:
                return
            ahead, minutes = found
            self.w.done.set_ticket(
                number,
                tr("{count} people ahead of you, about {minutes} minutes").format(
                    count=ahead, minutes=minutes
                )
                if ahead
                else tr("You are next: please watch the screen."),
            )

        self.db.submit(Operation("ticket estimate", work, done, lambda _m: None))

    def _print_after_submit(self, number: str, deficiency: bool) -> None:
        printer = self.s.printer
        serial = self.visit.serial

        def work() -> list[PrintResult]:
            results = [printer.print_ticket(number)]
            results.append(printer.print_deficiency(number) if deficiency else printer.print_receipt(number))
            return results

        def done(results: list[PrintResult]) -> None:
            emit(self.printed, results)
            if serial != self.visit.serial or self.screen is not Screen.DONE:
                return
            failed = [r for r in results if not r.printed]
            if failed:
                self.w.done.set_printing(pick(failed[0].message_th, failed[0].message_en))
            else:
                self.w.done.set_printing(tr("Your ticket has been printed. Please take it."))

        def failed(message: UserMessage) -> None:
            emit(self.printed, [])
            if serial == self.visit.serial and self.screen is Screen.DONE:
                self.w.done.set_printing(message.text + " " + message.what_to_do)

        self.print_runner.submit(Operation("print after submit", work, done, failed))

    def rate(self, value: int) -> None:
        record = {
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "kiosk": self.s.config.kiosk.id,
            "service": self.done_service,
            "rating": value,
        }
        path = self.s.data_dir / "ratings.jsonl"
        self.w.done.mark_rated(value)
        self.idle.activity()

        def work() -> None:
            # No personal data: when, where, which service and the score.
            with path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(record) + "\n")

        self.db.submit(Operation("save rating", work, lambda _r: emit(self.rated, value), self.show_error))

    # --- status look-up ----------------------------------------------------------------------------

    def open_status(self) -> None:
        self._leave_case()
        self.w.status.clear()
        self.w.status.set_staff(self.staff)
        self.go(Screen.STATUS)
        self.w.status.number.setFocus()

    def _status_back(self) -> None:
        self._leave_case()
        if self._return_screen is not None:
            screen, self._return_screen = self._return_screen, None
            self.w.status.clear()
            self.go(screen)
            return
        self.end_visit("finished")

    def find_case(self, number: str) -> None:
        # A ticket's QR read by a scanner arrives as typed text: the number is its last part.
        number = number.strip().rstrip("/").rsplit("/", 1)[-1].upper()
        if not number:
            self.w.status.set_message(tr("Please type the request number."))
            return
        self.w.status.set_message(tr("Looking up…"))
        cases = self.cases

        def done(case: CaseView) -> None:
            self._show_cases([case])

        def failed(message: UserMessage) -> None:
            self.w.status.show_cases([])
            self.w.status.set_message(message.text)
            emit(self.status_shown, 0)

        self.db.submit(Operation("find case", lambda: cases.get(number), done, failed))

    def _lookup_citizen(self, citizen_id: str) -> None:
        cases = self.cases
        reader = self.status_reader
        self.w.status.set_message(tr("Looking up…"))

        def done(found: list[CaseView]) -> None:
            if reader != self.status_reader:
                return  # the card was taken out meanwhile
            self._show_cases(found)

        def failed(message: UserMessage) -> None:
            self.w.status.set_message(message.text)
            emit(self.status_shown, 0)

        self.db.submit(Operation("cases of a citizen", lambda: cases.for_citizen(citizen_id), done, failed))

    def _show_cases(self, found: list[CaseView]) -> None:
        self._leave_case()
        rows = []
        for c in found:
            service = self.s.catalog.get(c.service_code)
            lines = [tr("Sent on {date}").format(date=local_date(c.created_at))]
            if c.amount_due_satang:
                lines.append(
                    tr("To pay: {amount} baht").format(amount=format_baht(from_satang(c.amount_due_satang)))
                )
            if c.state is CaseState.NEEDS_FIX and c.fix_deadline is not None:
                lines.append(
                    tr("Bring the missing documents by {date}").format(date=local_date(c.fix_deadline))
                )
            if c.sla.due_at is not None and c.sla.running:
                lines.append(tr("Due by {date}").format(date=local_date(c.sla.due_at)))
            rows.append(
                CaseRow(
                    number=c.number,
                    service=pick(service.name_th, service.name_en) if service else c.service_code,
                    state=pick(c.state.label_th, c.state.label_en),
                    lines=tuple(lines),
                    can_pay=c.state is CaseState.AWAITING_PAYMENT and c.amount_due_satang > 0,
                )
            )
        self.w.status.set_staff(self.staff)
        self.w.status.show_cases(rows)
        self.w.status.set_message(
            tr("{count} request(s) found.").format(count=len(rows)) if rows else tr("No request found.")
        )
        emit(self.status_shown, len(rows))

    def print_slip(self, number: str) -> None:
        printer = self.s.printer
        self.w.status.set_message(tr("Printing the payment slip…"))

        def done(result: PrintResult) -> None:
            emit(self.printed, [result])
            self.w.status.set_message(
                tr("The payment slip has been printed. Please take it.")
                if result.printed
                else pick(result.message_th, result.message_en)
            )

        def failed(message: UserMessage) -> None:
            emit(self.printed, [])
            self.w.status.set_message(message.text + " " + message.what_to_do)

        self.print_runner.submit(Operation("print slip", lambda: printer.print_slip(number), done, failed))

    # --- staff -----------------------------------------------------------------------------------

    def call_staff(self) -> None:
        if self.staff:
            return
        emit(self.message_shown, "staff_called")
        self._void_pending = None
        self.w.pin.ask_sign_in()
        self.s.staff.check_accounts(self.w.pin.error.setText)

    def unlock(self, code: str, pin: str) -> None:
        """The pad's staff code and PIN: a sign-in, a supervisor approving a void (kiosk.ui.staff), or
        the fresh sign-in that closes the kiosk."""
        if self._exit_pending:
            self._confirm_exit(code, pin)
            return
        if self._void_pending is not None:
            self._approve_void(code, pin)
            return
        if self.staff:
            return

        def refused(kind: str, text: str) -> None:
            self.w.pin.set_busy(False)
            self.w.pin.error.setText(text)
            emit(self.message_shown, f"staff_{kind}")

        self.w.pin.set_busy(True)
        self.s.staff.sign_in(code, pin, done=self._signed_in, refused=refused)

    def _signed_in(self, _member: StaffMember) -> None:
        if not self.w.pin.isVisible():
            self.s.staff.sign_out("visit_end")  # the visit ended while the PIN was being checked
            return
        self.w.pin.hide()
        self.staff = True
        self.w.staff_bar.set_member(self.s.staff.who(), can_audit=self.s.staff.can_approve)
        self.w.staff_bar.set_priority(self.visit.priority)
        self.w.staff_bar.show()
        self._staff_views_changed()
        self.refresh_devices()
        emit(self.staff_changed, True)

    def _pin_cancelled(self) -> None:
        self._void_pending = None
        self._exit_pending = False
        self.w.pin.hide()

    def _staff_input(self, widget: QWidget) -> bool:
        """Input that keeps staff signed in: on the staff bar or a staff prompt, on the checklist or a
        case staff opened, or anywhere while staff have taken the visit over."""
        if self.takeover:
            return True
        w = self.w
        areas: list[QWidget] = [w.staff_bar, w.reason, w.pin, w.documents]
        if self.status_case:
            areas.append(w.status)
        return any(a is widget or a.isAncestorOf(widget) for a in areas)

    def lock_staff(self, *, ending: bool = False, how: str = "") -> None:
        was = self.staff
        if was and self.takeover and not ending:
            self._record_visit_action("give_back")  # the applicant carries on alone
        self.staff = False
        self.takeover = False
        self._void_pending = None
        self._exit_pending = False
        bar = self.w.staff_bar
        bar.takeover.blockSignals(True)
        bar.takeover.setChecked(False)
        bar.takeover.blockSignals(False)
        bar.set_member("", can_audit=False)
        bar.set_can_void(False)
        bar.hide()
        if was:
            if self.w.reason.isVisible():
                self._reason_cancelled()  # a staff prompt does not outlive staff mode
            self.w.pin.hide()
            self.s.staff.sign_out(how or ("visit_end" if ending else "manual"))
            self._staff_views_changed()
            emit(self.staff_changed, False)

    def void_case(self) -> None:
        """Void (withdraw) the case on screen: a reason, then a supervisor's code and PIN on this screen."""
        number = self.status_case
        if not self.staff or not number:
            return

        def approve(reason: str) -> None:
            self._void_pending = (number, reason)
            self.w.pin.ask_approval(
                tr("Approve voiding a request"),
                tr(
                    "Request {number}: a supervisor or an administrator, not you, enters their code and PIN."
                ).format(number=number),
            )

        self._ask_reason(
            tr("Void a request"),
            tr("Why is request {number} voided? A supervisor approves next.").format(number=number),
            approve,
        )

    def _approve_void(self, code: str, pin: str) -> None:
        assert self._void_pending is not None
        number, reason = self._void_pending

        def done(c: CaseView) -> None:
            self._void_pending = None
            self.w.pin.hide()
            self._case_written(c)
            emit(self.message_shown, "case_voided")

        def failed(message: UserMessage) -> None:
            self.w.pin.set_busy(False)
            self.w.pin.error.setText(message.text)
            emit(self.message_shown, "void_refused")

        self.w.pin.set_busy(True)
        self.s.staff.void(self.cases, number, reason, code, pin, done=done, failed=failed)

    def _staff_views_changed(self) -> None:
        self._redraw_visit_screen()
        self.w.status.set_staff(self.staff)

    def _redraw_visit_screen(self) -> None:
        """Rebuild the form, checklist or review: they depend on the language and on staff mode."""
        screen = self.screen
        if screen is Screen.FORM:
            self._build_form()
        elif screen is Screen.DOCUMENTS:
            self._show_documents()
        elif screen is Screen.REVIEW:
            self._show_review()

    def set_takeover(self, on: bool) -> None:
        if not self.staff:
            return
        self.takeover = on
        self.w.staff_bar.retranslate()
        self._record_visit_action("take_over" if on else "give_back")
        log.info("staff %s the visit", "took over" if on else "gave back")

    def _record_visit_action(self, action: str, *, starting: bool = False) -> None:
        """A staff action during a visit: kept with the visit, written as an event when it is sent."""
        idle = self.screen in (Screen.WELCOME, Screen.STATUS, Screen.DONE) and not self.visit.service
        if idle and not starting:
            return  # no request under way: there is no case for it to belong to
        self.visit.staff_actions.append(
            StaffAction(
                EventKind.STAFF_ACTION,
                self._staff_actor(),
                dt.datetime.now(dt.UTC),
                data={"action": action},
            )
        )

    def set_priority(self, value: str) -> None:
        if not self.staff:
            return
        if self.screen is Screen.STATUS and self.status_case:
            self._set_case_priority(self.status_case, value)
            return
        self.visit.priority = value
        if self.screen is Screen.REVIEW:
            self._show_review()

    def _set_case_priority(self, number: str, value: str) -> None:
        """A stored case's priority changes as an event, with the reason staff give."""
        before = self.status_case_priority
        if value == before:
            return
        cases, actor = self.cases, self._staff_actor()
        name = dict(priority_labels()).get(value, value)

        def revert() -> None:
            if self.status_case == number:
                self.w.staff_bar.set_priority(before)

        def change(reason: str) -> None:
            def work() -> CaseView:
                cases.set_priority(number, value, actor, reason=reason)
                return cases.get(number)

            def done(c: CaseView) -> None:
                self._written()
                self._show_case_detail(c)

            def failed(message: UserMessage) -> None:
                revert()
                self._status_failed(message)

            self.db.submit(Operation("set priority", work, done, failed))

        self._ask_reason(
            tr("Change the priority of a request"),
            tr("Why is request {number} now served as “{priority}”?").format(number=number, priority=name),
            change,
            revert,
        )

    def toggle_full_screen(self) -> None:
        if self.w.isFullScreen():
            self.w.showNormal()
        else:
            self.w.showFullScreen()

    def request_exit(self) -> None:
        """The staff bar's *Exit kiosk*: closes a locked kiosk, for signed-in staff only, after a fresh
        staff code and PIN (docs/lockdown.md): during a take-over any touch keeps staff signed in, so
        a kiosk left signed in must not close for whoever stands at it."""
        if not self.staff:
            return
        self._void_pending = None
        self._exit_pending = True
        self.w.pin.ask_approval(
            tr("Close the kiosk"), tr("To close the kiosk, enter your staff code and PIN again.")
        )

    def _confirm_exit(self, code: str, pin: str) -> None:
        def done(_member: StaffMember) -> None:
            if not self._exit_pending or not self.staff:
                return  # cancelled, or staff signed out, while the PIN was being checked
            self._exit_pending = False
            self.w.pin.hide()
            self.end_visit("staff")  # nobody's data stays on screen or in memory
            self.w.exit_kiosk()

        def refused(kind: str, text: str) -> None:
            self.w.pin.set_busy(False)
            self.w.pin.error.setText(text)
            emit(self.message_shown, f"staff_{kind}")

        self.w.pin.set_busy(True)
        self.s.staff.confirm(code, pin, purpose="exit", done=done, refused=refused)

    def staff_open_case(self) -> None:
        if self.screen is not Screen.STATUS:
            self._return_screen = self.screen if self.screen is not Screen.WELCOME else None
        self.w.status.clear()
        self.w.status.set_staff(True)
        self.go(Screen.STATUS)
        self.w.status.number.setFocus()

    def open_case(self, number: str) -> None:
        if not self.staff:
            return
        cases, actor = self.cases, self._staff_actor()

        def work() -> CaseView:
            # Staff looking into a stored case is part of its history.
            cases.record_action(number, "open_case", actor)
            return cases.get(number)

        def done(c: CaseView) -> None:
            self._written()
            self._show_case_detail(c)

        self.db.submit(Operation("open case", work, done, self._status_failed))

    def _leave_case(self) -> None:
        """No stored case on screen: the staff bar's priority is the visit's again."""
        self.w.staff_bar.set_can_void(False)
        if self.status_case:
            self.status_case = ""
            self.status_case_priority = ""
            self.w.staff_bar.set_priority(self.visit.priority)

    def _status_failed(self, message: UserMessage) -> None:
        self.w.status.set_message(message.text + " " + message.what_to_do)
        emit(self.message_shown, message.kind)

    def _show_case_detail(self, c: CaseView) -> None:
        self.status_case = c.number
        self.status_case_priority = c.priority
        self.w.staff_bar.set_priority(c.priority)
        service = self.s.catalog.get(c.service_code)
        docs = tuple(
            (
                d.key,
                d.name_th,
                {
                    "pending": tr("not checked"),
                    "received": tr("received"),
                    "missing": tr("missing"),
                    "not_applicable": tr("not needed"),
                }.get(d.status, d.status),
            )
            for d in c.documents
        )
        lines = [
            pick(c.state.label_th, c.state.label_en),
            pick(REMOVED_TH, REMOVED_EN) if c.personal_removed else c.applicant_name,
            mask_citizen_id(c.citizen_id or ""),
            tr("Sent on {date}").format(date=local_date(c.created_at)),
        ]
        if c.amount_due_satang:
            lines.append(
                tr("To pay: {amount} baht").format(amount=format_baht(from_satang(c.amount_due_satang)))
            )
        if c.priority:
            lines.append(f"{tr('Served first as')}: {dict(priority_labels()).get(c.priority, c.priority)}")
        self.w.status.show_detail(
            CaseDetail(
                number=c.number,
                title=f"{c.number} · "
                + (pick(service.name_th, service.name_en) if service else c.service_code),
                lines=tuple(lines),
                documents=docs,
                can_record_deficiency=c.state in (CaseState.SUBMITTED, CaseState.RESUBMITTED)
                and any(d.status == "missing" for d in c.documents),
                can_pay=c.state is CaseState.AWAITING_PAYMENT and c.amount_due_satang > 0,
            )
        )
        self.w.status.set_message("")
        self.w.staff_bar.set_can_void(self.staff and c.state in VOIDABLE)
        emit(self.case_updated, c.number)

    def _staff_actor(self) -> Actor:
        return self.s.staff.actor

    def mark_case_document(self, number: str, key: str, status: str) -> None:
        if not self.staff:
            return
        cases, actor = self.cases, self._staff_actor()

        def work() -> CaseView:
            cases.mark_document(number, key, status, actor)
            return cases.get(number)

        self.db.submit(Operation("mark document", work, self._case_written, self._status_failed))

    def _case_written(self, c: CaseView) -> None:
        self._written()
        self._show_case_detail(c)

    def record_case_deficiency(self, number: str) -> None:
        if not self.staff:
            return
        cases, actor = self.cases, self._staff_actor()

        def work() -> CaseView:
            current = cases.get(number)
            items = [d.name_th for d in current.documents if d.status == "missing"]
            cases.record_deficiency(number, items, actor, fix_days=FIX_DAYS)
            return cases.get(number)

        def done(c: CaseView) -> None:
            self._case_written(c)
            self._print_case_document(number, "deficiency")

        self.db.submit(Operation("record deficiency", work, done, self._status_failed))

    def record_counter_payment(self, number: str) -> None:
        if not self.staff:
            return
        cases, actor = self.cases, self._staff_actor()

        def work() -> CaseView:
            current = cases.get(number)
            cases.record_payment(number, current.amount_due_satang, "counter", actor)
            return cases.get(number)

        self.db.submit(Operation("record payment", work, self._case_written, self._status_failed))

    def reprint(self, number: str, kind: str) -> None:
        """Staff reprint a document of a stored case: recorded as an event, then printed."""
        if not self.staff:
            return
        cases, actor = self.cases, self._staff_actor()

        def done(_c: CaseView) -> None:
            self._written()
            self._print_case_document(number, kind)

        self.db.submit(
            Operation(
                f"record reprint {kind}",
                lambda: cases.record_action(number, "reprint", actor, data={"document": kind}),
                done,
                self._status_failed,
            )
        )

    def _print_case_document(self, number: str, kind: str) -> None:
        printer = self.s.printer
        method = {
            "ticket": printer.print_ticket,
            "receipt": printer.print_receipt,
            "deficiency": printer.print_deficiency,
            "slip": printer.print_slip,
        }[kind]

        def done(result: PrintResult) -> None:
            emit(self.printed, [result])
            self.w.status.set_message(
                tr("Printed.") if result.printed else pick(result.message_th, result.message_en)
            )

        def failed(message: UserMessage) -> None:
            emit(self.printed, [])
            self._status_failed(message)

        self.print_runner.submit(Operation(f"reprint {kind}", lambda: method(number), done, failed))

    def insert_demo_card(self, profile: str) -> None:
        demo = self.s.demo_cards
        if demo is None:
            return
        how = demo.insert(profile)
        log.info("demo card inserted (%s)", how)

    def remove_demo_card(self) -> None:
        if self.s.demo_cards is not None:
            self.s.demo_cards.remove()

    def refresh_devices(self) -> None:
        printer, cases = self.s.printer, self.cases

        def printer_done(state: PrinterStatus) -> None:
            self.printer_state = state
            self._refresh_devices_text()

        def outbox_done(count: int) -> None:
            self.outbox_waiting = count
            self._refresh_devices_text()

        def ignore(message: UserMessage) -> None:
            self._refresh_devices_text()

        self.print_runner.submit(Operation("printer status", printer.status, printer_done, ignore))
        self.db.submit(Operation("outbox count", cases.pending_outbox, outbox_done, ignore))

    def _refresh_devices_text(self) -> None:
        if self.card_service_down:
            card = tr("Card reader: PC/SC service not running")
        elif self.readers:
            card = tr("Card reader: {names}").format(names=", ".join(sorted(self.readers)))
        else:
            card = tr("Card reader: none connected")
        if self.printer_state is None:
            printer = tr("Printer: checking…")
        else:
            printer = tr("Printer: {state}").format(
                state=pick(self.printer_state.message_th, self.printer_state.message_en)
            )
        sync = staff_text(
            self.sync_status,
            worker=self.s.sync is not None,
            server_url=self.s.config.server.url,
            waiting=self.outbox_waiting,
        )
        pin = "  ·  " + tr("demo staff accounts in use") if self.s.staff.demo else ""
        text = f"{card}  ·  {printer}  ·  {sync}{pin}"
        self.w.staff_bar.set_devices(text)
        emit(self.devices_refreshed, text)

    # --- sync with the central server ---------------------------------------------------------------

    def on_sync_status(self, status: SyncStatus) -> None:
        """A status from the sync thread, already on the GUI thread (queued signal)."""
        if self._closed:
            return
        self.sync_status = status
        self._refresh_sync_indicator()
        if self.staff:
            self._refresh_devices_text()
        emit(self.sync_changed, status)

    def _refresh_sync_indicator(self) -> None:
        if self.s.sync is None:
            self.w.sync.show_state("", "")
            return
        shown = indicator(self.sync_status)
        self.w.sync.show_state(shown.state, shown.text)

    def _written(self) -> None:
        """A case write committed its outbox rows: sync now rather than at the next tick."""
        if self.s.sync is not None:
            self.s.sync.wake()
        elif self.staff:
            cases = self.cases

            def counted(count: int) -> None:
                self.outbox_waiting = count
                self._refresh_devices_text()

            self.db.submit(Operation("outbox count", cases.pending_outbox, counted, lambda _m: None))


def _unit(unit: TimeUnit) -> str:
    return {
        TimeUnit.MINUTES: tr("minutes"),
        TimeUnit.HOURS: tr("hours"),
        TimeUnit.DAYS: tr("days"),
        TimeUnit.WORKING_DAYS: tr("working days"),
    }[unit]
