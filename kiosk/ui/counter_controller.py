"""The counter's controller: sign-in, the queue actions of one counter, what its window shows.

Every `QueueStore` call runs as an `Operation` on the `kiosk-counter` thread (kiosk.ui.ops), one at
a time, so the window never waits for the database; results come back on the GUI thread. The desk
refreshes itself every few seconds, because other counters and kiosks change the line too. Action
buttons are enabled only when the queue would accept the action, and all of them are disabled while
one is under way, so a double press cannot call two applicants.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.config import Config
from kiosk.counter import Counter
from kiosk.domain.catalog import Catalog
from kiosk.domain.sla import BANGKOK
from kiosk.domain.thai import format_time
from kiosk.errors import ConfigError, KnownError
from kiosk.storage.queue import CounterView, GroupStatus, QueueError, QueueStore, TicketView
from kiosk.storage.staff import SignInRefused, StaffAccounts
from kiosk.ui import theme
from kiosk.ui.counter_window import CounterWindow, CurrentTicket, Enabled, WaitingRow
from kiosk.ui.errors import UserMessage
from kiosk.ui.i18n import Languages, pick, tr
from kiosk.ui.ops import Operation, Runner
from kiosk.ui.qtcompat import emit
from kiosk.ui.visit import PRIORITIES

log = logging.getLogger(__name__)

Authenticate = Callable[[str, str], str | None]
RecordSignOut = Callable[[str, str], None]  # (staff id, how)
Claim = Callable[[TicketView, str], bool]
REFRESH_MS = 2000
CLOSE_WAIT = 2.0  # seconds the window waits, on exit, for the counter to be closed in the database
INPUT_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin})
WAITING_SHOWN = 60  # the list shows the head of the line; the counts say how long it is


def staff_authenticator(counter: Counter) -> Authenticate:
    """Sign-in at the counter with the office's staff accounts (kiosk.storage.staff): the staff id
    for a right code and PIN, None for a wrong one; a locked or disabled account, or no accounts at
    all, raises its own Thai/English message. The hash is slow on purpose: call it off the GUI thread."""
    policy = counter.config.staff
    accounts = StaffAccounts(
        counter.db,
        kiosk_id=counter.config.kiosk.id,
        max_failures=policy.max_failures,
        lockout_minutes=policy.lockout_minutes,
    )

    def authenticate(staff_code: str, pin: str) -> str | None:
        try:
            return accounts.sign_in(staff_code, pin).id
        except SignInRefused as refused:
            if refused.kind == "wrong":
                return None
            raise

    return authenticate


def staff_sign_out(counter: Counter) -> RecordSignOut:
    """The audit entry of an officer leaving the counter (`how`: manual or auto)."""
    accounts = StaffAccounts(counter.db, kiosk_id=counter.config.kiosk.id)

    def record(staff_id: str, how: str) -> None:
        try:
            accounts.sign_out(accounts.get(staff_id), how=how)
        except KnownError as exc:  # an id that is not an account (a test's own authenticator)
            log.info("counter sign-out not audited: %s", exc.message_en)

    return record


@dataclass
class CounterServices:
    """The narrow services the counter window needs; assembled by kiosk.ui.app.run_counter."""

    config: Config
    catalog: Catalog
    queue: QueueStore
    counter_id: str
    authenticate: Authenticate
    languages: Languages
    # The online check that nobody else has called the ticket (kiosk.sync, when enrolled).
    claim: Claim | None = None
    # The same check with the signed-in officer's id in the server's copy of the call.
    claim_for: Callable[[str], Claim] | None = None
    refresh_ms: int = REFRESH_MS
    record_sign_out: RecordSignOut | None = None
    # No input in the window for this long and no ticket held: the officer is signed out.
    sign_out_ms: int = 30 * 60_000


@dataclass(frozen=True)
class DeskState:
    view: CounterView
    waiting: list[TicketView]
    groups: list[GroupStatus]
    next: TicketView | None


def priority_names() -> dict[str, str]:
    return {value: pick(th, en) for value, th, en in PRIORITIES}


class CounterController(QObject):
    refreshed = Signal(object)  # DeskState
    action_done = Signal(str)  # the action's name
    action_failed = Signal(str)  # the error's kind
    signed_in = Signal(str)
    signed_out = Signal()

    def __init__(self, window: CounterWindow, services: CounterServices) -> None:
        super().__init__()
        self.w = window
        self.s = services
        self.queue = services.queue
        self.counter_id = services.counter_id
        self.runner = Runner("counter", self)
        self.staff_id = ""
        self.state: DeskState | None = None
        self.busy = False
        self._closed = False
        self._refreshing = False
        self.timer = QTimer(self)
        self.timer.setObjectName("counterRefresh")
        self.timer.setInterval(services.refresh_ms)
        self.timer.timeout.connect(self.refresh)
        self.idle = QTimer(self)
        self.idle.setObjectName("counterSignOut")
        self.idle.setSingleShot(True)
        self.idle.setInterval(services.sign_out_ms)
        self.idle.timeout.connect(self._idle_sign_out)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._connect()
        services.languages.on_change(self._language_changed)
        self._show_header()
        self.w.show_sign_in()

    def _connect(self) -> None:
        w = self.w
        w.sign_in.connect(self.sign_in)
        w.sign_out.connect(self.sign_out)
        w.toggle_language.connect(self.s.languages.toggle)
        w.call_next.connect(self.call_next)
        w.call_number.connect(self.ask_call_number)
        w.recall.connect(lambda: self._act("recall", lambda q, c, s: q.recall(c, s)))
        w.miss.connect(lambda: self._act("miss", lambda q, c, s: q.miss(c, s)))
        w.start.connect(lambda: self._act("start", lambda q, c, s: q.start(c, s)))
        w.finish.connect(lambda: self._act("finish", lambda q, c, s: q.finish(c, s)))
        w.pause.connect(self.toggle_break)
        w.transfer.connect(self.ask_transfer)
        w.return_ticket.connect(self.ask_return)
        w.set_priority.connect(self.ask_priority)
        w.transfer_prompt.submitted.connect(self.transfer)
        w.transfer_prompt.cancelled.connect(w.transfer_prompt.hide)
        w.number_prompt.submitted.connect(self._number_given)
        w.number_prompt.cancelled.connect(w.number_prompt.hide)
        w.priority_prompt.submitted.connect(self.set_priority)
        w.priority_prompt.cancelled.connect(w.priority_prompt.hide)
        w.desk.waiting.currentItemChanged.connect(lambda *_: self._show_enabled())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Any key or click in this window restarts the sign-out clock."""
        if (
            self.staff_id
            and event.type() in INPUT_EVENTS
            and isinstance(watched, QWidget)
            and watched.window() is self.w
        ):
            self.idle.start()
        return False

    def _idle_sign_out(self) -> None:
        if not self.staff_id:
            return
        if self.busy or (self.state is not None and self.state.view.current is not None):
            self.idle.start()  # never in the middle of a service: look again later
            return
        log.info(
            "counter %s: signed out after %d idle minutes", self.counter_id, self.s.sign_out_ms // 60_000
        )
        self.sign_out(how="auto")

    def shutdown(self) -> None:
        """Stop the timer and the worker; a counter left signed in is closed, so the board and the
        waiting estimate stop counting it.

        The close is one short transaction, but another writer may hold SQLite's lock (up to the
        busy timeout, 5 s): it runs on a thread of its own and the window waits at most CLOSE_WAIT
        seconds for it; if it is still waiting then, it finishes (or fails, logged) in the background."""
        if self._closed:
            return
        self._closed = True
        self.timer.stop()
        self.idle.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.runner.shutdown()
        if self.staff_id:
            queue, counter, staff = self.queue, self.counter_id, self.staff_id

            def close() -> None:
                try:
                    queue.close_counter(counter, staff)
                except KnownError as exc:  # a ticket still called or served here: the counter stays open
                    log.info("counter %s left open on exit (%s)", counter, exc.message_en)
                except Exception:  # closing the app must not fail on the way out
                    log.exception("the counter could not be closed on exit")

            closing = threading.Thread(target=close, name="kiosk-counter-close", daemon=True)
            closing.start()
            closing.join(CLOSE_WAIT)
            if closing.is_alive():
                log.warning("counter %s: closing it is taking long; the window does not wait", counter)
            self.staff_id = ""

    # --- what the window shows ----------------------------------------------------------------

    def _counter_config(self) -> tuple[str, str, tuple[str, ...]]:
        found = next((c for c in self.s.config.queue.counters if c.id == self.counter_id), None)
        if found is None:
            return (f"ช่องบริการ {self.counter_id}", f"Counter {self.counter_id}", ())
        return (found.name_th, found.name_en, found.groups)

    def _show_header(self) -> None:
        name_th, name_en, groups = self._counter_config()
        if self.state is not None:
            v = self.state.view
            name_th, name_en, groups = v.name_th, v.name_en, v.groups
        lines = tr("Lines {groups}").format(groups=" ".join(groups))
        title = f"{pick(name_th, name_en)}  ·  {lines}"
        state = self.state.view.state if self.state is not None else "closed"
        texts = {"open": tr("Open"), "break": tr("On a break"), "closed": tr("Closed")}
        staff = tr("Staff: {staff}").format(staff=self.staff_id) if self.staff_id else ""
        self.w.set_header(title, staff, state, texts.get(state, state))

    def _language_changed(self, _language: str) -> None:
        self.w.retranslate()
        self._show()

    def _service_name(self, code: str) -> str:
        service = self.s.catalog.get(code) if code else None
        return pick(service.name_th, service.name_en) if service is not None else code

    def _current(self, t: TicketView) -> CurrentTicket:
        if t.state == "serving" and t.started_at is not None:
            state_text = tr("Serving since {time}").format(time=format_time(t.started_at.astimezone(BANGKOK)))
        else:
            state_text = tr("Called: waiting for the applicant to come")
        detail = [tr("Called {count} time(s)").format(count=t.calls)]
        if t.misses:
            detail.append(tr("missed once before"))
        waited = _minutes(t.first_called_at, t.issued_at)
        if waited is not None:
            detail.append(tr("waited {minutes} min").format(minutes=waited))
        return CurrentTicket(
            number=t.number,
            state=t.state,
            state_text=state_text,
            service=self._service_name(t.service_code),
            priority=priority_names().get(t.priority, t.priority) if t.priority else "",
            case_number=tr("Request {number}").format(number=t.case_number) if t.case_number else "",
            detail=" · ".join(detail),
        )

    def _waiting_row(self, t: TicketView, now: dt.datetime) -> WaitingRow:
        parts = [t.number]
        if t.priority:
            parts.append("★ " + priority_names().get(t.priority, t.priority))
        if t.state == "missed":
            parts.append(tr("missed, comes back"))
        if t.target_counter and t.target_counter != self.counter_id:
            parts.append(tr("→ counter {counter}").format(counter=t.target_counter))
        elif t.target_counter:
            parts.append(tr("→ this counter"))
        waited = _minutes(now, t.issued_at)
        if waited is not None:
            parts.append(tr("{minutes} min").format(minutes=waited))
        return WaitingRow(t.number, "  ·  ".join(parts))

    def _group_line(self, g: GroupStatus) -> tuple[str, str]:
        """(the line's name, how many wait and for how long)."""
        detail = tr("{count} in line").format(count=g.waiting)
        if g.priority_waiting:
            detail += " " + tr("({count} priority)").format(count=g.priority_waiting)
        if g.waiting:
            detail += " · " + tr("about {minutes} min").format(minutes=g.wait_minutes)
        return f"{g.prefix}  {pick(g.name_th, g.name_en)}", detail

    def _show(self) -> None:
        self._show_header()
        state = self.state
        if state is None:
            return
        current = state.view.current
        self.w.desk.show_ticket(
            self._current(current) if current is not None else None,
            tr("Nobody called. Press “Call next” when you are ready.")
            if state.view.state == "open"
            else tr("The counter is on a break.")
            if state.view.state == "break"
            else "",
        )
        self.w.desk.show_groups([self._group_line(g) for g in state.groups])
        now = dt.datetime.now(dt.UTC)
        selected = self.w.desk.selected_number()
        self.w.desk.show_waiting([self._waiting_row(t, now) for t in state.waiting[:WAITING_SHOWN]], selected)
        self._show_enabled()

    def enabled(self) -> Enabled:
        """What the queue would accept now (the window enables exactly these buttons)."""
        state = self.state
        if state is None or not self.staff_id or self.busy:
            return Enabled()
        view = state.view
        current = view.current
        is_open = view.state == "open"
        called = current is not None and current.state == "called"
        serving = current is not None and current.state == "serving"
        return Enabled(
            # A ticket being served is finished by calling the next one (QueueStore.call_next).
            call_next=is_open and (current is None or serving) and state.next is not None,
            call_number=is_open and (current is None or serving),
            recall=called,
            miss=called,
            start=called,
            finish=serving,
            transfer=called or serving,
            pause=is_open and current is None,
            resume=view.state == "break",
            return_ticket=True,
            priority=current is not None or bool(self.w.desk.selected_number()),
            sign_out=current is None,
        )

    def _show_enabled(self) -> None:
        state = self.state
        paused = state is not None and state.view.state == "break"
        final = state is not None and state.view.current is not None and state.view.current.misses > 0
        self.w.set_enabled(self.enabled(), paused=paused, final_miss=final)

    def show_error(self, message: UserMessage) -> None:
        self.w.show_message(message.message_th, message.message_en)
        emit(self.action_failed, message.kind)

    # --- sign-in ------------------------------------------------------------------------------

    def sign_in(self, staff_code: str, pin: str) -> None:
        if self.busy or self.staff_id:
            return
        if not pin:
            self.w.signin.error.setText(tr("Please enter your PIN."))
            return
        authenticate, queue, counter = self.s.authenticate, self.queue, self.counter_id

        def work() -> tuple[str, CounterView] | None:
            staff_id = authenticate(staff_code, pin)  # may be slow on purpose (a key derivation)
            if staff_id is None:
                return None
            return staff_id, queue.open_counter(counter, staff_id)

        def done(result: tuple[str, CounterView] | None) -> None:
            self.busy = False
            self.w.signin.set_busy(False)
            if result is None:
                self.w.signin.pin.clear()
                self.w.signin.error.setText(tr("Wrong staff code or PIN."))
                emit(self.action_failed, "sign_in")
                return
            self.staff_id = result[0]
            log.info("counter %s opened", counter)
            self.w.hide_message()
            self.w.show_desk()
            self.timer.start()
            self.idle.start()
            self.refresh()
            emit(self.signed_in, self.staff_id)

        def failed(message: UserMessage) -> None:
            self.busy = False
            self.w.signin.set_busy(False)
            self.w.signin.error.setText(f"{message.message_th}\n{message.message_en}")
            emit(self.action_failed, message.kind)

        self.busy = True
        self.w.signin.set_busy(True)
        self.w.signin.error.clear()
        self.runner.submit(Operation("counter sign-in", work, done, failed))

    def sign_out(self, how: str = "manual") -> None:
        if not self.staff_id or self.busy:
            return
        if self.state is not None and self.state.view.current is not None:
            self.show_error(_finish_first())
            return
        queue, counter, staff = self.queue, self.counter_id, self.staff_id

        def done(_view: CounterView) -> None:
            self.busy = False
            self.staff_id = ""
            self.state = None
            self.timer.stop()
            self.idle.stop()
            self.w.hide_message()
            self.w.show_sign_in()
            self._show_header()
            emit(self.signed_out)

        def failed(message: UserMessage) -> None:
            self.busy = False
            self._show_enabled()
            self.show_error(message)

        self.busy = True
        self._show_enabled()
        record = self.s.record_sign_out

        def close() -> CounterView:
            view = queue.close_counter(counter, staff)
            if record is not None:
                record(staff, how)
            return view

        self.runner.submit(Operation("counter close", close, done, failed))

    # --- the desk -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the counter, its line and the groups' counts; skipped while the last read runs."""
        if not self.staff_id or self._refreshing or self._closed:
            return
        queue, counter = self.queue, self.counter_id

        def work() -> DeskState:
            view = queue.counter_view(counter)
            groups = [g for g in queue.board(recent=0).groups if g.prefix in view.groups]
            # Its lines, and the tickets sent to this counter from any line.
            return DeskState(view, queue.waiting(counter=counter), groups, queue.next_candidate(counter))

        def done(state: DeskState) -> None:
            self._refreshing = False
            if not self.staff_id:
                return  # signed out meanwhile
            self.state = state
            self._show()
            emit(self.refreshed, state)

        def failed(message: UserMessage) -> None:
            self._refreshing = False
            self.show_error(message)

        self._refreshing = True
        self.runner.submit(Operation("counter refresh", work, done, failed))

    def _act(self, name: str, action: Callable[[QueueStore, str, str], object]) -> None:
        """One queue action for this counter, then a refresh; the buttons wait for its answer."""
        if not self.staff_id or self.busy:
            return
        queue, counter, staff = self.queue, self.counter_id, self.staff_id

        def done(_result: object) -> None:
            self.busy = False
            self.w.hide_message()
            log.info("counter %s: %s", counter, name)
            emit(self.action_done, name)
            self.refresh()

        def failed(message: UserMessage) -> None:
            self.busy = False
            self.show_error(message)
            self.refresh()  # the line may have moved under us (another counter, a sync)

        self.busy = True
        self._show_enabled()
        self.runner.submit(Operation(f"counter {name}", lambda: action(queue, counter, staff), done, failed))

    def call_next(self) -> None:
        claim = self.s.claim_for(self.staff_id) if self.s.claim_for else self.s.claim

        def call(q: QueueStore, counter: str, staff: str) -> TicketView:
            ticket = q.call_next(counter, staff, claim=claim)
            if ticket is None:
                raise QueueError("ไม่มีผู้รอรับบริการในคิวของช่องนี้", "Nobody is waiting in this counter's lines.")
            return ticket

        self._act("call_next", call)

    def toggle_break(self) -> None:
        if self.state is None:
            return
        on = self.state.view.state == "open"
        self._act("break" if on else "resume", lambda q, c, s: q.set_break(c, on, s))

    def ask_transfer(self) -> None:
        state = self.state
        if state is None or state.view.current is None:
            return
        current = state.view.current
        groups = [("", tr("Same line ({group})").format(group=current.group))] + [
            (g.prefix, f"{g.prefix} · {pick(g.name_th, g.name_en)}")
            for g in self.s.config.queue.groups
            if g.prefix != current.group
        ]
        counters = [("", tr("Any counter of that line"))] + [
            (c.id, pick(c.name_th, c.name_en))
            for c in self.s.config.queue.counters
            if c.id != self.counter_id
        ]
        self.w.transfer_prompt.ask(groups, counters)

    def transfer(self, group: str, to_counter: str, reason: str) -> None:
        prompt = self.w.transfer_prompt
        if not group and not to_counter:
            prompt.error.setText(tr("Choose another line or another counter."))
            return
        if not reason:
            prompt.error.setText(tr("Please give the reason."))
            return
        prompt.hide()
        self._act(
            "transfer",
            lambda q, c, s: q.transfer(
                c, s, group=group or None, to_counter=to_counter or None, reason=reason
            ),
        )

    def ask_return(self) -> None:
        self.w.number_prompt.ask(self.w.number_prompt.RETURN)

    def ask_call_number(self) -> None:
        self.w.number_prompt.ask(self.w.number_prompt.CALL)

    def _number_given(self, number: str) -> None:
        if self.w.number_prompt.mode == self.w.number_prompt.CALL:
            self.call_number(number)
        else:
            self.return_ticket(number)

    def return_ticket(self, number: str) -> None:
        if not number:
            self.w.number_prompt.error.setText(tr("Please type the ticket number."))
            return
        self.w.number_prompt.hide()
        self._act("return", lambda q, _c, s: q.return_ticket(number, s))

    def call_number(self, number: str) -> None:
        """Call a given waiting or missed ticket out of turn (the applicant is at the counter)."""
        if not number:
            self.w.number_prompt.error.setText(tr("Please type the ticket number."))
            return
        self.w.number_prompt.hide()
        self._act("call_number", lambda q, c, s: q.call_ticket(c, number, s))

    def ask_priority(self) -> None:
        state = self.state
        number = self.w.desk.selected_number()
        selected = ""
        if state is not None:
            if not number and state.view.current is not None:
                number = state.view.current.number
            found = next((t for t in [*state.waiting, state.view.current] if t and t.number == number), None)
            selected = found.priority if found is not None else ""
        choices = [(value, pick(th, en)) for value, th, en in PRIORITIES]
        self.w.priority_prompt.ask(number, choices, selected)

    def set_priority(self, number: str, priority: str, reason: str) -> None:
        prompt = self.w.priority_prompt
        if not number:
            prompt.error.setText(tr("Please type the ticket number."))
            return
        if not reason:
            prompt.error.setText(tr("Please give the reason."))
            return
        prompt.hide()
        self._act("priority", lambda q, _c, s: q.set_priority(number, priority, s, reason))


def _finish_first() -> UserMessage:
    return UserMessage(
        "กรุณาให้บริการคิวปัจจุบันให้เสร็จ หรือโอนคิวก่อนออกจากระบบ",
        "Finish or transfer the current ticket before signing out.",
        kind="busy",
    )


def _minutes(later: dt.datetime | None, earlier: dt.datetime | None) -> int | None:
    if later is None or earlier is None:
        return None
    return max(0, int((later - earlier).total_seconds() // 60))


@dataclass
class CounterApp:
    window: CounterWindow
    controller: CounterController
    services: CounterServices

    def shutdown(self) -> None:
        self.controller.shutdown()
        self.services.languages.uninstall()
        self.window.close()
        self.window.deleteLater()


def build_counter(
    counter: Counter,
    counter_id: str,
    *,
    authenticate: Authenticate | None = None,
    claim: Claim | None = None,
    claim_for: Callable[[str], Claim] | None = None,
    refresh_ms: int = REFRESH_MS,
    sign_out_ms: int | None = None,
) -> CounterApp:
    """The counter window as `kiosk counter` starts it; tests pass their own `authenticate`."""
    app = QApplication.instance()
    assert isinstance(app, QApplication), "create the QApplication first"
    config = counter.config
    if counter_id not in {c.id for c in config.queue.counters}:
        known = ", ".join(c.id for c in config.queue.counters)
        raise ConfigError(
            f"ไม่มีช่องบริการ {counter_id} ในการตั้งค่า (มี {known})",
            f"No counter {counter_id} in the configuration (counters: {known})",
        )
    theme.apply(app)
    languages = Languages(config.kiosk.language)
    languages.set(languages.default)
    queue = counter.queue  # its start and finish go into the ticket's case history (Counter.open)
    services = CounterServices(
        config=config,
        catalog=counter.catalog,
        queue=queue,
        counter_id=counter_id,
        authenticate=authenticate or staff_authenticator(counter),
        languages=languages,
        claim=claim,
        claim_for=claim_for,
        refresh_ms=refresh_ms,
        record_sign_out=staff_sign_out(counter),
        sign_out_ms=(
            sign_out_ms if sign_out_ms is not None else config.staff.counter_sign_out_minutes * 60_000
        ),
    )
    window = CounterWindow(office_name=config.office.name_th)
    return CounterApp(window, CounterController(window, services), services)
