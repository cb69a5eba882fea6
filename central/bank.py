"""Bank reconciliation: a Bill Payment transaction file in, paid invoices and a list of mismatches out.

The bank's file (CSV) has one line per payment: date, Ref.1, Ref.2, amount, channel. A line matches
an open invoice with the same Ref.1 and Ref.2 and exactly its amount; the invoice becomes paid and
the case moves to `paid` (by the system, as the bank's word). Anything else is listed for an
officer with the reason: no such invoice, a different amount, already paid, a line we cannot read.

Importing is idempotent twice over: a file already imported (same bytes) changes nothing, and a line
already seen in another file (a weekly file repeating the daily ones) is skipped by its fingerprint.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from central.models import BankImport, BankLine, Case, Invoice, utcnow
from central.schemas import BankImportReport, BankLineOut
from central.service import CentralService
from kiosk.domain.workflow import CaseState, EventKind, Role

MAX_FILE = 20 * 1024 * 1024
_HEADER = {
    "date": "date",
    "transactiondate": "date",
    "paymentdate": "date",
    "ref1": "ref1",
    "reference1": "ref1",
    "ref2": "ref2",
    "reference2": "ref2",
    "amount": "amount",
    "channel": "channel",
}


@dataclass(frozen=True)
class BankTxn:
    line_no: int
    paid_on: str  # ISO date
    ref1: str
    ref2: str
    amount_satang: int
    channel: str
    problem: str = ""  # set when the line cannot be read
    raw: str = ""


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Thai banks' desktop exports are often TIS-620 (Windows code page 874).
        return data.decode("cp874", errors="replace")


def _date(text: str) -> str:
    value = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y%m%d", "%d-%m-%Y"):
        try:
            day = dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if day.year > 2400:  # Buddhist Era
            day = day.replace(year=day.year - 543)
        return day.isoformat()
    raise ValueError(f"unreadable date {value!r}")


def _satang(text: str) -> int:
    value = text.strip().replace(",", "").replace("฿", "")
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"unreadable amount {text!r}") from exc
    exponent = amount.as_tuple().exponent
    # is_finite first: comparing NaN raises InvalidOperation and would abort the whole file.
    if not amount.is_finite() or amount < 0 or (isinstance(exponent, int) and exponent < -2):
        raise ValueError(f"unreadable amount {text!r}")
    return int(amount * 100)


_REF = re.compile(r"^[0-9A-Z]{0,18}$")


def parse(data: bytes) -> list[BankTxn]:
    rows = list(csv.reader(io.StringIO(_decode(data))))
    order = ["date", "ref1", "ref2", "amount", "channel"]
    start = 0
    if rows:
        names = [re.sub(r"[^a-z0-9]", "", c.lower()) for c in rows[0]]
        if any(n in _HEADER for n in names) and not any(ch.isdigit() for ch in "".join(rows[0][:1])):
            # Names we know place their column; others (a Thai heading) keep the documented order.
            known = [_HEADER.get(n) for n in names]
            order = [
                k or (order[i] if i < len(order) and order[i] not in known else f"_{i}")
                for i, k in enumerate(known)
            ]
            start = 1
    txns: list[BankTxn] = []
    for line_no, row in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in row):
            continue
        raw = ",".join(row)[:300]
        fields = dict(zip(order, row, strict=False))
        try:
            ref1 = fields.get("ref1", "").strip().upper()
            ref2 = fields.get("ref2", "").strip().upper()
            if not ref1 or not _REF.match(ref1) or not _REF.match(ref2):
                raise ValueError("unreadable Ref.1/Ref.2")
            txns.append(
                BankTxn(
                    line_no,
                    _date(fields.get("date", "")),
                    ref1,
                    ref2,
                    _satang(fields.get("amount", "")),
                    fields.get("channel", "").strip()[:16],
                    raw=raw,
                )
            )
        except ValueError as exc:
            txns.append(BankTxn(line_no, "", "", "", 0, "", problem=str(exc), raw=raw))
    return txns


def _fingerprints(txns: list[BankTxn]) -> list[str]:
    """The same payment twice in one file counts twice; the same file twice counts once."""
    seen: Counter[str] = Counter()
    prints = []
    for t in txns:
        key = (
            f"bad|{t.raw}"
            if t.problem
            else f"{t.paid_on}|{t.ref1}|{t.ref2}|{t.amount_satang}|{t.channel.upper()}"
        )
        seen[key] += 1
        prints.append(hashlib.sha256(f"{key}|{seen[key]}".encode()).hexdigest())
    return prints


def import_file(
    service: CentralService, data: bytes, *, filename: str = "", officer: str = ""
) -> BankImportReport:
    if len(data) > MAX_FILE:
        raise ValueError("file too large")
    file_hash = hashlib.sha256(data).hexdigest()
    txns = parse(data)
    prints = _fingerprints(txns)

    def work(s: Session) -> tuple[str, bool]:
        existing = s.scalar(select(BankImport.id).where(BankImport.file_sha256 == file_hash))
        if existing is not None:
            return existing, True
        record = BankImport(file_sha256=file_hash, filename=filename[:200], officer=officer[:64])
        s.add(record)
        s.flush()
        known = set(s.scalars(select(BankLine.fingerprint).where(BankLine.fingerprint.in_(prints))))
        wanted = {(t.ref1, t.ref2) for t in txns if not t.problem}
        refs1 = {r1 for r1, _ in wanted}
        owners = set(s.scalars(select(Invoice.case_id).where(Invoice.ref1.in_(refs1))))
        # Cases first, then their invoices read again under the lock: a kiosk push paying one of them
        # in the meantime has committed by then, so its invoice shows as paid and is not paid twice.
        cases = service._lock_cases(s, owners)
        fresh = (
            select(Invoice)
            .where(Invoice.case_id.in_(sorted(cases)), Invoice.ref1.in_(refs1))
            .order_by(Invoice.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        invoices = {(i.ref1, i.ref2): i for i in s.scalars(fresh) if (i.ref1, i.ref2) in wanted}
        matched = mismatched = 0
        for txn, fingerprint in zip(txns, prints, strict=True):
            if fingerprint in known:
                continue
            known.add(fingerprint)
            status, reason, invoice = _match(txn, invoices, cases)
            line = BankLine(
                import_id=record.id,
                fingerprint=fingerprint,
                line_no=txn.line_no,
                paid_on=txn.paid_on,
                ref1=txn.ref1,
                ref2=txn.ref2,
                amount_satang=txn.amount_satang,
                channel=txn.channel,
                status=status,
                reason=reason,
                invoice_id=invoice.id if invoice else None,
                case_number=cases[invoice.case_id].number if invoice else None,
            )
            s.add(line)
            if status == "matched" and invoice is not None:
                matched += 1
                _settle(service, s, cases[invoice.case_id], invoice, txn)
            else:
                mismatched += 1
        record.lines, record.matched, record.mismatched = len(txns), matched, mismatched
        return record.id, False

    import_id, already = service._tx(work)
    return report(service, import_id, already=already)


def _match(
    txn: BankTxn, invoices: dict[tuple[str, str], Invoice], cases: dict[str, Case]
) -> tuple[str, str, Invoice | None]:
    if txn.problem:
        return "mismatch", f"อ่านบรรทัดนี้ไม่ได้ / unreadable line: {txn.problem}", None
    invoice = invoices.get((txn.ref1, txn.ref2))
    if invoice is None:
        return "mismatch", "ไม่พบใบแจ้งชำระเงินตาม Ref.1/Ref.2 / no invoice with these references", None
    if invoice.status == "paid":
        return "mismatch", "ใบแจ้งนี้ชำระแล้ว / invoice already paid", invoice
    if invoice.status != "open":
        return "mismatch", f"ใบแจ้งนี้ถูกยกเลิก / invoice is {invoice.status}", invoice
    if txn.amount_satang != invoice.total_satang:
        return (
            "mismatch",
            f"จำนวนเงินไม่ตรง: ต้องชำระ {invoice.total_satang / 100:,.2f} บาท / amount differs",
            invoice,
        )
    case = cases[invoice.case_id]
    if case.state != CaseState.AWAITING_PAYMENT.value:
        return "mismatch", f"คำขออยู่ในสถานะ {CaseState(case.state).label_th} / case is {case.state}", invoice
    return "matched", "", invoice


def _settle(service: CentralService, s: Session, case: Case, invoice: Invoice, txn: BankTxn) -> None:
    now = utcnow()
    reference = f"{txn.paid_on} {txn.channel}".strip()[:64]
    paid = service._pay(s, case, invoice, "bill_payment", reference, "bank", Role.SYSTEM, now)
    paid.origin = "bank"
    source = CaseState(case.state)
    service._check(case, CaseState.PAID, Role.SYSTEM, "")
    service._enter(case, CaseState.PAID, now)
    moved = service._office_event(
        s, case, EventKind.TRANSITION, Role.SYSTEM, "bank", now, source, CaseState.PAID, origin="bank"
    )
    service._emit(s, case.kiosk_id, case.id, [paid.id, moved.id])


def report(service: CentralService, import_id: str, *, already: bool = False) -> BankImportReport:
    with service.db.session() as s:
        record = s.get(BankImport, import_id)
        assert record is not None
        lines = list(
            s.scalars(
                select(BankLine)
                .where(BankLine.import_id == import_id, BankLine.status == "mismatch")
                .order_by(BankLine.line_no)
            )
        )
        stored = record.matched + record.mismatched
        return BankImportReport(
            import_id=record.id,
            already_imported=already,
            lines=record.lines,
            matched=record.matched,
            mismatched=record.mismatched,
            skipped=record.lines - stored,
            mismatches=[_line_out(line) for line in lines],
        )


def mismatches(service: CentralService, *, limit: int = 500) -> list[BankLineOut]:
    with service.db.session() as s:
        rows = s.scalars(
            select(BankLine)
            .where(BankLine.status == "mismatch")
            .order_by(BankLine.paid_on.desc())
            .limit(limit)
        )
        return [_line_out(line) for line in rows]


def _line_out(line: BankLine) -> BankLineOut:
    return BankLineOut(
        line_no=line.line_no,
        paid_on=line.paid_on,
        ref1=line.ref1,
        ref2=line.ref2,
        amount_satang=line.amount_satang,
        channel=line.channel,
        status=line.status,
        reason=line.reason,
        case_number=line.case_number,
    )
