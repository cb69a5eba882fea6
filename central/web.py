"""The officers' web pages, in Thai: dashboard, case lists, one case with its next steps, the bank.

Plain server-rendered HTML with no script but the bank upload, so it works on any office PC
browser. Every value shown is escaped; the applicant's citizen ID is masked on screen.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs, quote

from pydantic import ValidationError

from central.privacy import PrivacyRequestOut
from central.schemas import Action, ActionRequest, BankLineOut, CaseDetailOut, CaseOut, Dashboard, FeeIn
from kiosk.domain.catalog import Catalog
from kiosk.domain.fees import FixedFee
from kiosk.domain.money import format_baht, from_satang, to_satang
from kiosk.domain.sla import BANGKOK
from kiosk.domain.thai import format_datetime, mask_citizen_id
from kiosk.domain.workflow import CaseState, Role, allowed_targets

STYLE = """
body{font-family:'Sarabun','Noto Sans Thai',sans-serif;margin:0;background:#f5f6f8;color:#222}
header{background:#1d3f72;color:#fff;padding:.6rem 1rem;display:flex;gap:1.2rem;align-items:center}
header a{color:#fff;text-decoration:none}main{padding:1rem}
table{border-collapse:collapse;background:#fff;width:100%;margin:.5rem 0}
td,th{border:1px solid #ccd;padding:.3rem .5rem;text-align:left}th{background:#e8ecf3}
.num{text-align:right}.late{color:#b00020;font-weight:bold}.err{background:#fde;padding:.5rem}
form.act{background:#fff;border:1px solid #ccd;padding:.6rem;margin:.5rem 0}
button{padding:.3rem .9rem}
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _when(moment: dt.datetime | None) -> str:
    return format_datetime(moment.astimezone(BANGKOK)) if moment else "-"


def _baht(satang: int) -> str:
    return format_baht(from_satang(satang))


def layout(title: str, body: str, who: str) -> str:
    return f"""<!doctype html><html lang="th"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_e(title)}</title>
<style>{STYLE}</style></head><body>
<header><strong>ระบบงานหลังบ้าน</strong><a href="/office">แดชบอร์ด</a><a href="/office/cases">คำขอทั้งหมด</a>
<a href="/office/overdue">เกินกำหนด</a><a href="/office/bank">กระทบยอดธนาคาร</a>
<a href="/office/privacy">ข้อมูลส่วนบุคคล</a>
<span style="margin-left:auto">เจ้าหน้าที่: {_e(who)}</span></header>
<main><h1>{_e(title)}</h1>{body}</main></body></html>"""


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _case_rows(cases: Sequence[CaseOut]) -> list[list[str]]:
    return [
        [
            f'<a href="/office/cases/{quote(c.number)}">{_e(c.number)}</a>',
            _e(c.service_code),
            _e(c.state_th),
            _when(c.created_at),
            (
                f'<span class="late">{_when(c.sla_due_at)} เกินกำหนด</span>'
                if c.overdue
                else _when(c.sla_due_at)
            ),
            f'<span class="num">{_baht(c.amount_due_satang)}</span>' if c.amount_due_satang else "",
        ]
        for c in cases
    ]


CASE_HEADER = ["เลขที่คำขอ", "บริการ", "สถานะ", "ยื่นเมื่อ", "กำหนดแล้วเสร็จ", "ค้างชำระ (บาท)"]


def dashboard_page(board: Dashboard, overdue: Sequence[CaseOut], who: str) -> str:
    rows = [
        [
            f'<a href="/office/cases?service_code={quote(r.service_code)}">{_e(r.name_th)}</a>',
            f'<span class="num">{r.total}</span>',
            f'<span class="num">{r.finished}</span>',
            f'<span class="num">{r.unfinished}</span>',
            f'<span class="num {"late" if r.overdue else ""}">{r.overdue}</span>',
        ]
        for r in board.rows
    ]
    rows.append(
        [
            "<strong>รวม</strong>",
            f"<strong>{board.total}</strong>",
            f"<strong>{board.finished}</strong>",
            f"<strong>{board.unfinished}</strong>",
            f"<strong>{board.overdue}</strong>",
        ]
    )
    body = _table(["บริการ", "ทั้งหมด", "ดำเนินการแล้วเสร็จ", "ยังไม่แล้วเสร็จ", "เกินกำหนด"], rows)
    if overdue:
        body += "<h2>คำขอที่เกินกำหนดเวลา</h2>" + _table(CASE_HEADER, _case_rows(overdue))
    return layout("สรุปผลการให้บริการ", body, who)


def cases_page(cases: Sequence[CaseOut], state: CaseState | None, who: str, *, title: str = "") -> str:
    links = " · ".join(
        f'<a href="/office/cases?state={s.value}">{"<b>" if s is state else ""}{_e(s.label_th)}{"</b>" if s is state else ""}</a>'
        for s in CaseState
        if s is not CaseState.DRAFT
    )
    body = f"<p>{links}</p>" + _table(CASE_HEADER, _case_rows(cases)) + f"<p>{len(cases)} รายการ</p>"
    return layout(title or (f"คำขอ: {state.label_th}" if state else "คำขอทั้งหมด"), body, who)


def _action_form(number: str, state: CaseState, action: Action, label: str, fields: str = "") -> str:
    return (
        f'<form class="act" method="post" action="/office/cases/{quote(number)}">'
        f'<input type="hidden" name="action" value="{action.value}">'
        f'<input type="hidden" name="expected_state" value="{state.value}">{fields}'
        f"<button>{_e(label)}</button></form>"
    )


def _next_steps(case: CaseDetailOut, catalog: Catalog) -> str:
    state = case.state
    targets = set(allowed_targets(state, Role.OFFICER))
    if state is CaseState.AWAITING_PAYMENT:
        targets.add(CaseState.PAID)
    out: list[str] = []
    if CaseState.COMPLETE in targets:
        out.append(_action_form(case.number, state, Action.COMPLETE, "ตรวจสอบแล้ว เอกสารครบถ้วน"))
    if CaseState.NEEDS_FIX in targets:
        out.append(
            _action_form(
                case.number,
                state,
                Action.REQUEST_FIX,
                "แจ้งให้แก้ไข/ส่งเอกสารเพิ่มเติม",
                '<p>รายการที่ต้องแก้ไข (บรรทัดละรายการ)<br><textarea name="items" rows="3" cols="60"></textarea></p>'
                '<p>ภายใน <input name="fix_days" value="7" size="3"> วัน</p>',
            )
        )
    if CaseState.UNDER_REVIEW in targets:
        out.append(_action_form(case.number, state, Action.CONSIDER, "รับพิจารณา (ตรวจสถานที่/สัมภาษณ์)"))
    if CaseState.APPROVED in targets:
        service = catalog.get(case.service_code)
        fixed = [r for r in (service.fees if service else ()) if isinstance(r, FixedFee)]
        rows = ""
        for i in range(max(3, len(fixed))):
            rule = fixed[i] if i < len(fixed) else None
            rows += (
                f'<tr><td><input name="fee_key_{i}" value="{_e(rule.key if rule else "")}" size="14"></td>'
                f'<td><input name="fee_label_{i}" value="{_e(rule.label_th if rule else "")}" size="40"></td>'
                f'<td><input name="fee_amount_{i}" value="{_e(rule.amount if rule else "")}" size="10"></td></tr>'
            )
        out.append(
            _action_form(
                case.number,
                state,
                Action.APPROVE,
                "อนุมัติ",
                "<p>ค่าธรรมเนียม (เว้นว่างถ้าไม่มี)</p><table><tr><th>รหัส</th><th>รายการ</th><th>บาท</th></tr>"
                f'{rows}</table><p>ชำระภายใน <input name="pay_within_days" value="15" size="3"> วัน</p>',
            )
        )
    if CaseState.REJECTED in targets:
        out.append(
            _action_form(
                case.number,
                state,
                Action.REJECT,
                "ไม่อนุมัติ",
                '<p>เหตุผล <input name="reason" size="60" required></p>',
            )
        )
    if CaseState.PAID in targets:
        out.append(
            _action_form(
                case.number,
                state,
                Action.CONFIRM_PAYMENT,
                "ยืนยันการรับชำระเงิน",
                '<p>ช่องทาง <select name="channel"><option value="counter">ชำระที่หน่วยงาน</option>'
                '<option value="e_payment">e-Payment</option></select> '
                'เลขที่ใบเสร็จ <input name="reference" size="20"></p>',
            )
        )
    if CaseState.ISSUED in targets:
        out.append(_action_form(case.number, state, Action.ISSUE, "ออกใบอนุญาต"))
    if CaseState.PICKED_UP in targets:
        out.append(_action_form(case.number, state, Action.PICKED_UP, "ผู้ยื่นคำขอรับเอกสารแล้ว"))
    if case.sla_started_at and not case.sla_stopped_at:
        out.append(
            _action_form(
                case.number,
                state,
                Action.EXTEND,
                "ขยายระยะเวลา",
                '<p>เหตุผล <input name="reason" size="60" required></p>',
            )
        )
    return "".join(out) or "<p>ไม่มีขั้นตอนที่เจ้าหน้าที่ต้องดำเนินการ</p>"


def case_page(case: CaseDetailOut, catalog: Catalog, who: str, error: str = "") -> str:
    service = catalog.get(case.service_code)
    person = case.applicant or {}
    body = f'<p class="err">{_e(error)}</p>' if error else ""
    body += _table(
        ["", ""],
        [
            ["บริการ", _e(service.name_th if service else case.service_code)],
            ["สถานะ", f"<strong>{_e(case.state_th)}</strong>"],
            ["ผู้ยื่นคำขอ", _e(person.get("name_th", "-"))],
            ["เลขประจำตัวประชาชน", _e(mask_citizen_id(str(person.get("citizen_id", ""))))],
            ["โทรศัพท์", _e(person.get("phone", ""))],
            ["ยื่นที่ตู้", _e(case.kiosk_id)],
            ["ยื่นเมื่อ", _when(case.created_at)],
            ["เอกสารครบถ้วนเมื่อ", _when(case.sla_started_at)],
            [
                "กำหนดแล้วเสร็จ",
                (
                    f'<span class="late">{_when(case.sla_due_at)} เกินกำหนด</span>'
                    if case.overdue
                    else _when(case.sla_due_at)
                )
                + (f" (ขยาย {case.sla_extensions} ครั้ง)" if case.sla_extensions else ""),
            ],
            ["กำหนดส่งเอกสารแก้ไข", _when(case.fix_deadline)],
        ],
    )
    body += "<h2>ข้อมูลในแบบคำขอ</h2>" + _table(
        ["รายการ", "ข้อมูล"], [[_e(k), _e(v)] for k, v in case.form.items() if k != "citizen_id"]
    )
    for inv in case.invoices:
        body += f"<h2>ใบแจ้งชำระเงิน Ref.1 {_e(inv.ref1)} Ref.2 {_e(inv.ref2)} ({_e(inv.status)})</h2>"
        body += _table(
            ["รายการ", "จำนวนเงิน (บาท)"],
            [[_e(label), _baht(amount)] for _, label, amount in inv.lines]
            + [["<b>รวม</b>", _baht(inv.total_satang)]],
        )
    body += "<h2>ขั้นตอนถัดไป</h2>" + _next_steps(case, catalog)
    body += "<h2>ประวัติ</h2>" + _table(
        ["เวลา", "ที่", "เหตุการณ์", "ผู้ดำเนินการ", "เหตุผล", ""],
        [
            [
                _when(e.at),
                _e(e.kiosk_id or e.origin),
                _e(f"{e.from_state or ''} → {e.to_state}" if e.to_state else e.kind),
                _e(f"{e.actor_role} {e.actor_id}"),
                _e(e.reason),
                "ขัดแย้ง ไม่นำไปใช้" if e.status == "conflict" else "",
            ]
            for e in case.events
        ],
    )
    return layout(f"คำขอเลขที่ {case.number}", body, who)


def bank_page(lines: Sequence[BankLineOut], who: str) -> str:
    upload = """
<form class="act" id="up"><p>นำเข้าไฟล์รายการรับชำระ Bill Payment (CSV: วันที่, Ref.1, Ref.2, จำนวนเงิน, ช่องทาง)</p>
<input type="file" id="file" accept=".csv,text/csv"> <button>นำเข้า</button><pre id="out"></pre></form>
<script>
document.getElementById('up').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = document.getElementById('file').files[0]; if (!f) return;
  const r = await fetch('/api/v1/office/bank-files?filename=' + encodeURIComponent(f.name),
                        {method: 'POST', headers: {'Content-Type': 'text/csv'}, body: await f.arrayBuffer()});
  const j = await r.json();
  document.getElementById('out').textContent = r.ok
    ? `ทั้งหมด ${j.lines} รายการ · ตรงกัน ${j.matched} · ไม่ตรง ${j.mismatched} · เคยนำเข้าแล้ว ${j.skipped}` +
      (j.already_imported ? ' (ไฟล์นี้เคยนำเข้าแล้ว ไม่มีการเปลี่ยนแปลง)' : '')
    : (j.detail || r.status);
  if (r.ok) setTimeout(() => location.reload(), 1500);
});
</script>"""
    rows = [
        [
            _e(line.paid_on),
            _e(line.ref1),
            _e(line.ref2),
            f'<span class="num">{_baht(line.amount_satang)}</span>',
            _e(line.channel),
            (
                f'<a href="/office/cases/{quote(line.case_number)}">{_e(line.case_number)}</a>'
                if line.case_number
                else ""
            ),
            _e(line.reason),
        ]
        for line in lines
    ]
    body = upload + "<h2>รายการที่ไม่ตรงกัน รอเจ้าหน้าที่ตรวจสอบ</h2>"
    body += _table(["วันที่", "Ref.1", "Ref.2", "จำนวนเงิน", "ช่องทาง", "คำขอ", "เหตุผล"], rows)
    return layout("กระทบยอดการรับชำระเงินจากธนาคาร", body, who)


def parse_form(body: bytes) -> dict[str, str]:
    parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True, max_num_fields=200)
    return {k: v[0] for k, v in parsed.items()}


def action_from_form(form: dict[str, str]) -> ActionRequest:
    fees: list[FeeIn] = []
    for i in range(50):
        key, label, amount = (form.get(f"fee_{f}_{i}", "").strip() for f in ("key", "label", "amount"))
        if not (key or label or amount):
            continue
        try:
            satang = to_satang(Decimal(amount.replace(",", "")))
        except InvalidOperation as exc:
            raise ValueError(f"จำนวนเงินไม่ถูกต้อง: {amount}") from exc
        fees.append(FeeIn(key=key or f"fee_{i}", label_th=label or key, amount_satang=satang))
    fields: dict[str, object] = {
        "action": form.get("action", ""),
        "reason": form.get("reason", ""),
        "items": [line for line in form.get("items", "").splitlines() if line.strip()],
        "fees": fees,
        "channel": form.get("channel") or "counter",
        "reference": form.get("reference", ""),
        "expected_state": form.get("expected_state") or None,
    }
    for name in ("fix_days", "pay_within_days"):
        if form.get(name, "").strip():
            fields[name] = form[name].strip()
    return ActionRequest.model_validate(fields)


_KIND_TH = {"access": "ขอเข้าถึง/ขอสำเนาข้อมูล", "rectification": "ขอแก้ไขข้อมูล"}
_FIELD_TH = {
    "name_th": "ชื่อ-นามสกุล (ไทย)",
    "name_en": "ชื่อ-นามสกุล (อังกฤษ)",
    "address": "ที่อยู่",
    "phone": "โทรศัพท์",
    "birth_date": "วันเกิด (ปปปป-ดด-วว)",
    "citizen_id": "เลขประจำตัวประชาชน",
}


def privacy_page(
    requests: Sequence[PrivacyRequestOut], who: str, *, error: str = "", notice: str = ""
) -> str:
    """Access requests and rectifications of personal data (PDPA sections 30 and 35), and their log."""
    body = f'<p class="err">{_e(error)}</p>' if error else ""
    body += f"<p><b>{_e(notice)}</b></p>" if notice else ""
    fields = "".join(f'<option value="{k}">{_e(v)}</option>' for k, v in _FIELD_TH.items())
    body += f"""
<form class="act" method="post" action="/office/privacy/access">
<h2>เจ้าของข้อมูลขอเข้าถึงหรือขอรับสำเนาข้อมูลส่วนบุคคล</h2>
<p>เลขประจำตัวประชาชน <input name="citizen_id" size="17" required autocomplete="off"></p>
<p>เหตุผล/เลขที่หนังสือคำขอ <input name="reason" size="60" required></p>
<button>ส่งออกข้อมูลทั้งหมด (JSON)</button>
<p>ระบบบันทึกว่าใครขอ เมื่อใด และเพราะเหตุใด ทุกครั้ง</p></form>
<form class="act" method="post" action="/office/privacy/rectify">
<h2>เจ้าของข้อมูลขอแก้ไขข้อมูลให้ถูกต้อง</h2>
<p>เลขประจำตัวประชาชน <input name="citizen_id" size="17" required autocomplete="off">
 เฉพาะคำขอเลขที่ <input name="case_number" size="16"> (เว้นว่าง = ทุกคำขอของบุคคลนี้)</p>
<p>รายการ <select name="field">{fields}</select> หรือช่องในแบบคำขอ <input name="form_field" size="16"></p>
<p>ค่าเดิม <input name="old_value" size="40"> (เว้นว่างได้) ค่าที่ถูกต้อง <input name="new_value" size="40" required></p>
<p>หลักฐาน/เหตุผล <input name="reason" size="60" required></p>
<button>บันทึกการแก้ไข</button><p>ค่าเดิมถูกเก็บไว้เป็นประวัติ</p></form>"""
    rows = [
        [
            _when(r.at),
            _e(_KIND_TH.get(r.kind, r.kind)),
            _e(r.citizen_id),
            _e(r.officer),
            _e(r.reason),
            str(r.cases),
        ]
        for r in requests
    ]
    body += "<h2>บันทึกคำขอเกี่ยวกับข้อมูลส่วนบุคคล</h2>"
    body += _table(["เวลา", "ประเภท", "เลขประจำตัวประชาชน", "เจ้าหน้าที่", "เหตุผล", "จำนวนคำขอ"], rows)
    return layout("ข้อมูลส่วนบุคคลของผู้ยื่นคำขอ", body, who)


def digits(value: str) -> str:
    """A citizen ID as typed: 1-2345-67890-12-3 or with spaces is the same ID."""
    return "".join(ch for ch in value if not ch.isspace() and ch != "-")


def rectification_fields(form: dict[str, str]) -> dict[str, object]:
    form_field = form.get("form_field", "").strip()
    fields: dict[str, object] = {
        "citizen_id": digits(form.get("citizen_id", "")),
        "field": f"form.{form_field}" if form_field else form.get("field", ""),
        "new_value": form.get("new_value", "").strip(),
        "reason": form.get("reason", ""),
    }
    if form.get("old_value", "").strip():
        fields["old_value"] = form["old_value"].strip()
    if form.get("case_number", "").strip():
        fields["case_number"] = form["case_number"].strip().upper()
    if fields["field"] == "citizen_id":
        fields["new_value"] = digits(str(fields["new_value"]))
    return fields


def form_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    names = {"citizen_id": "เลขประจำตัวประชาชน", "reason": "เหตุผล", "field": "รายการ", "new_value": "ค่าที่ถูกต้อง"}
    return f"ข้อมูลไม่ถูกต้อง: {names.get(where, where)} ({first['msg']})"
