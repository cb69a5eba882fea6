"""Staff at the kiosk: who is signed in, the automatic sign-out clock, approvals and the audit log.

Each member of staff signs in with their own code and PIN (`kiosk.storage.staff`); there is no
shared PIN any more, so every staff action in a case's history and in the audit log names a person.
Staff mode closes by itself after `[staff] sign_out_minutes` without staff input (input on the staff
bar and its prompts, or anywhere while staff have taken the visit over), at the end of each visit,
and on *Lock*. Every database call runs on the controller's database worker.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget
from sqlalchemy.exc import SQLAlchemyError

from kiosk.counter import Counter
from kiosk.domain.sla import BANGKOK
from kiosk.domain.thai import format_date_short, format_time
from kiosk.domain.workflow import Actor, Role
from kiosk.errors import KnownError
from kiosk.storage import audit
from kiosk.storage.cases import CaseStore, CaseView
from kiosk.storage.staff import StaffAccounts, StaffMember, StaffRole, void_case
from kiosk.ui.errors import UserMessage
from kiosk.ui.i18n import tr
from kiosk.ui.ops import Operation, Runner
from kiosk.ui.qtcompat import emit
from kiosk.ui.views.audit_view import AuditLogView, AuditRow

log = logging.getLogger(__name__)

AUDIT_VIEWED = "staff.audit_viewed"
AUDIT_ROWS = 200

_ACTIVITY = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.KeyPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.Wheel,
        QEvent.Type.InputMethod,
    }
)


def role_name(role: str) -> str:
    return {
        StaffRole.COUNTER.value: tr("counter staff"),
        StaffRole.SUPERVISOR.value: tr("supervisor"),
        StaffRole.ADMIN.value: tr("administrator"),
    }.get(role, role)


def action_name(action: str) -> str:
    """An audit action in words; an action this kiosk does not know is shown as its code."""
    names = {
        audit.SIGN_IN: tr("signed in"),
        audit.SIGN_IN_FAILED: tr("sign-in refused"),
        audit.LOCKED_OUT: tr("account locked after wrong PINs"),
        audit.SIGN_OUT: tr("signed out"),
        audit.APPROVAL_FAILED: tr("approval refused"),
        audit.ACCOUNT_ADDED: tr("account created"),
        audit.ACCOUNT_PIN_SET: tr("PIN changed"),
        audit.ACCOUNT_DISABLED: tr("account disabled"),
        audit.ACCOUNT_ENABLED: tr("account enabled"),
        audit.ACCOUNT_UNLOCKED: tr("account unlocked"),
        audit.CASE_VOIDED: tr("request voided"),
        AUDIT_VIEWED: tr("audit log viewed"),
        "case.document_marked": tr("document marked"),
        "case.deficiency_recorded": tr("deficiency recorded"),
        "case.payment_recorded": tr("payment recorded"),
        "case.priority_set": tr("priority set"),
        "case.field_edited": tr("card field corrected"),
        "case.take_over": tr("took over a visit"),
        "case.give_back": tr("gave a visit back"),
        "case.reprint": tr("reprinted a document"),
        "case.open_case": tr("opened a request"),
        "case.transition": tr("request moved on"),
        "case.created": tr("request created"),
        "case.service_started": tr("started serving at a counter"),
        "case.service_finished": tr("finished serving at a counter"),
    }
    return names.get(action, action)


def _entry_detail(entry: audit.AuditRecord) -> str:
    d = entry.detail
    parts = []
    if entry.action == audit.SIGN_OUT and d.get("how"):
        parts.append(
            {"auto": tr("automatic"), "manual": tr("Lock"), "visit_end": tr("end of visit")}.get(
                str(d["how"]), str(d["how"])
            )
        )
    if "approved_by" in d:
        parts.append(tr("approved by {staff}").format(staff=d["approved_by"]))
    if "document" in d:
        parts.append(str(d["document"]))
    if entry.action == audit.SIGN_IN_FAILED and d.get("why"):
        parts.append(str(d["why"]))
    return f"{action_name(entry.action)} ({', '.join(parts)})" if parts else action_name(entry.action)


def no_accounts_text() -> str:
    # Both languages at once: whoever stands at the kiosk, the administrator must read it.
    return (
        "ยังไม่มีบัญชีเจ้าหน้าที่ ผู้ดูแลระบบต้องสร้างบัญชีด้วยคำสั่ง kiosk staff add\n"
        "There are no staff accounts yet: an administrator creates them with `kiosk staff add`."
    )


class StaffDesk(QObject):
    """The signed-in member of staff and the sign-out clock; the controller owns the staff bar."""

    timed_out = Signal()

    def __init__(self, accounts: StaffAccounts, *, sign_out_ms: int, demo: bool = False) -> None:
        super().__init__()
        self.accounts = accounts
        self.sign_out_ms = sign_out_ms
        self.demo = demo
        self.member: StaffMember | None = None
        self.last_id = ""
        self._timer = QTimer(self)
        self._timer.setObjectName("staffSignOut")
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._expired)
        self._runner: Runner | None = None
        self._staff_input: Callable[[QWidget], bool] = lambda _w: False
        self._audit_view: AuditLogView | None = None
        self._filtering = False

    @classmethod
    def for_counter(cls, counter: Counter, *, demo: bool = False) -> StaffDesk:
        policy = counter.config.staff
        accounts = StaffAccounts(
            counter.db,
            kiosk_id=counter.config.kiosk.id,
            max_failures=policy.max_failures,
            lockout_minutes=policy.lockout_minutes,
        )
        if demo:
            accounts.seed_demo()
        elif not accounts.count():
            log.warning("no staff accounts: nobody can sign in until `kiosk staff add` creates one")
        if os.environ.get("KIOSK_STAFF_PIN") or (counter.data_dir / "keys" / "staff.pin").exists():
            log.warning(
                "KIOSK_STAFF_PIN and keys/staff.pin are no longer used: each member of staff signs in "
                "with an account (kiosk staff add; see docs/staff.md)"
            )
        return cls(accounts, sign_out_ms=policy.sign_out_minutes * 60_000, demo=demo)

    def attach(self, runner: Runner, parent: QObject, staff_input: Callable[[QWidget], bool]) -> None:
        """Work on the controller's database worker; `staff_input(widget)` says which touches are staff's."""
        self._runner = runner
        self._staff_input = staff_input
        self.setParent(parent)
        app = QCoreApplication.instance()
        if app is not None and not self._filtering:
            app.installEventFilter(self)
            self._filtering = True

    # --- who -------------------------------------------------------------------------------------

    @property
    def staff_id(self) -> str:
        """The signed-in member; after a sign-out, the last one (a deficiency written at submit
        belongs to whoever marked the documents during the visit)."""
        return self.member.id if self.member is not None else self.last_id

    @property
    def actor(self) -> Actor:
        return Actor(Role.STAFF, self.staff_id)

    @property
    def can_approve(self) -> bool:
        return self.member is not None and self.member.role.can_approve

    def who(self) -> str:
        m = self.member
        return f"{m.id} {m.name} · {role_name(m.role.value)}" if m is not None else ""

    # --- signing in and out ------------------------------------------------------------------------

    def _submit(self, op: Operation[Any]) -> None:
        if self._runner is None:
            raise RuntimeError("StaffDesk.attach was not called")
        self._runner.submit(op)

    def check_accounts(self, say: Callable[[str], None]) -> None:
        """Tell the pad when no account exists yet: nobody could sign in, and it says how to fix it."""
        accounts = self.accounts

        def counted(n: int) -> None:
            if n == 0:
                say(no_accounts_text())

        self._submit(Operation("count staff accounts", accounts.count, counted, lambda _m: None))

    def sign_in(
        self,
        code: str,
        pin: str,
        *,
        done: Callable[[StaffMember], None],
        refused: Callable[[str, str], None],
    ) -> None:
        """`refused(kind, text)`: kind is wrong, locked, disabled or no_accounts (kiosk.storage.staff)."""
        accounts = self.accounts

        def ok(member: StaffMember) -> None:
            self.member = member
            self.last_id = member.id
            self._timer.start(self.sign_out_ms)
            log.info("staff signed in (%s)", member.role.value)
            done(member)

        def failed(message: UserMessage) -> None:
            refused(message.kind, no_accounts_text() if message.kind == "no_accounts" else message.text)

        self._submit(Operation("staff sign-in", lambda: accounts.sign_in(code, pin), ok, failed))

    def confirm(
        self,
        code: str,
        pin: str,
        *,
        purpose: str,
        done: Callable[[StaffMember], None],
        refused: Callable[[str, str], None],
    ) -> None:
        """A fresh code and PIN for one action (`purpose`, written with the audit entry, e.g. "exit");
        whoever is signed in stays signed in. A wrong PIN counts towards that account's lockout."""
        accounts = self.accounts

        def failed(message: UserMessage) -> None:
            refused(message.kind, no_accounts_text() if message.kind == "no_accounts" else message.text)

        self._submit(
            Operation(f"staff {purpose}", lambda: accounts.sign_in(code, pin, purpose=purpose), done, failed)
        )

    def sign_out(self, how: str) -> None:
        """`how`: manual, auto, visit_end. Written to the audit log on the database worker."""
        member, self.member = self.member, None
        self._timer.stop()
        if self._audit_view is not None:
            self._audit_view.clear()
            self._audit_view.hide()
        if member is None:
            return
        log.info("staff signed out (%s)", how)
        accounts = self.accounts
        self._submit(
            Operation(
                "staff sign-out", lambda: accounts.sign_out(member, how=how), lambda _r: None, lambda _m: None
            )
        )

    def activity(self) -> None:
        if self.member is not None:
            self._timer.start(self.sign_out_ms)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            self.member is not None
            and event.type() in _ACTIVITY
            and isinstance(watched, QWidget)
            and (self._staff_input(watched) or self._in_audit_view(watched))
        ):
            self.activity()
        return False

    def _in_audit_view(self, widget: QWidget) -> bool:
        view = self._audit_view
        return view is not None and (view is widget or view.isAncestorOf(widget))

    def _expired(self) -> None:
        emit(self.timed_out)

    # --- approval ----------------------------------------------------------------------------------

    def void(
        self,
        cases: CaseStore,
        number: str,
        reason: str,
        code: str,
        pin: str,
        *,
        done: Callable[[CaseView], None],
        failed: Callable[[UserMessage], None],
    ) -> None:
        """Void (withdraw) a case with a supervisor's approval given on this screen."""
        requester = self.member
        if requester is None:
            return
        accounts = self.accounts

        def work() -> CaseView:
            void_case(
                cases,
                accounts,
                number,
                requester=requester,
                approver_code=code,
                approver_pin=pin,
                reason=reason,
            )
            return cases.get(number)  # with its checklist and history, as the detail screen shows it

        self._submit(Operation("void case", work, done, failed))

    # --- the audit log -------------------------------------------------------------------------------

    def show_audit(self, window: QWidget) -> AuditLogView | None:
        """Supervisors and administrators only: the last entries and the chain check."""
        member = self.member
        if member is None or not member.role.can_approve:
            return None
        if self._audit_view is None:
            self._audit_view = AuditLogView(window)
            self._audit_view.closed.connect(self._audit_view.hide)
            self._audit_view.refresh.connect(lambda: self._load_audit(reviewed=False))
        self._audit_view.clear()
        self._audit_view.set_chain(tr("Checking the chain…"), intact=True)
        self._audit_view.open()
        self._load_audit(reviewed=True)
        return self._audit_view

    def _load_audit(self, *, reviewed: bool) -> None:
        member, accounts, view = self.member, self.accounts, self._audit_view
        if member is None or view is None:
            return

        def work() -> tuple[list[audit.AuditRecord], audit.Verdict]:
            if reviewed:
                # Reading the log is itself in the log.
                accounts.record(member, AUDIT_VIEWED)
            return audit.recent(accounts.db, limit=AUDIT_ROWS), audit.check(accounts.db)

        def done(result: tuple[list[audit.AuditRecord], audit.Verdict]) -> None:
            entries, verdict = result
            if self.member is None or not view.isVisible():
                return
            if verdict.intact:
                # What the check can vouch for, no more: a change made without the audit key shows;
                # entries cut off the end, or a log rewritten with the key file, do not.
                view.set_chain(
                    tr(
                        "No break in the chain: {count} entries checked. A change made without this "
                        "kiosk's audit key would show here; entries cut off the end, or a log rewritten "
                        "by someone with the key file, would not."
                    ).format(count=verdict.entries),
                    intact=True,
                )
            else:
                view.set_chain(
                    tr("WARNING: the audit log was tampered with. The chain breaks at entry {seq}.").format(
                        seq=verdict.broken_at
                    ),
                    intact=False,
                )
            view.show_rows(
                [
                    AuditRow(
                        e.seq,
                        _local_time(e.at),
                        f"{e.staff_id} ({role_name(e.role)})" if e.staff_id and e.role else e.staff_id or "-",
                        _entry_detail(e),
                        e.target,
                    )
                    for e in entries
                ],
                broken_at=verdict.broken_at,
            )

        def failed(message: UserMessage) -> None:
            view.set_chain(message.text, intact=False)

        self._submit(Operation("audit log", work, done, failed))

    def retranslate(self) -> None:
        if self._audit_view is not None:
            self._audit_view.retranslate()

    def shutdown(self) -> None:
        """Stop the clock and the input watch; a member still signed in is signed out in the log."""
        self._timer.stop()
        app = QCoreApplication.instance()
        if app is not None and self._filtering:
            app.removeEventFilter(self)
            self._filtering = False
        member, self.member = self.member, None
        if member is not None:
            try:
                self.accounts.sign_out(member, how="shutdown")
            except (KnownError, SQLAlchemyError, OSError) as exc:
                log.warning("the sign-out at shutdown was not recorded: %s", type(exc).__name__)


def _local_time(moment: dt.datetime) -> str:
    local = moment.astimezone(BANGKOK)
    return f"{format_date_short(local.date())} {format_time(local)}"
