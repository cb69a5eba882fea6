"""A believable demo office: applicants, and cases in every workflow state, over the last weeks.

Everything is fictional: names are common Thai names, citizen IDs are generated with valid check
digits, and the random generator is seeded so every run of `kiosk demo seed` tells the same story.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from kiosk.counter import Counter
from kiosk.domain.fees import AssessedFee, FeeLine, StaffAmountFee, quote
from kiosk.domain.services import FieldType, FormField, ServiceDefinition
from kiosk.domain.thai import be_year, id_check_digit
from kiosk.domain.workflow import Actor, CaseState, Role
from kiosk.storage.cases import ApplicantInfo, CaseView

FIRST_NAMES = (
    ("นาย", "สมชาย", "Mr.", "Somchai"),
    ("นาง", "สมศรี", "Mrs.", "Somsri"),
    ("นางสาว", "กนกวรรณ", "Miss", "Kanokwan"),
    ("นาย", "ประเสริฐ", "Mr.", "Prasert"),
    ("นาง", "บุญเรือน", "Mrs.", "Bunruean"),
    ("นาย", "วีระพงษ์", "Mr.", "Weerapong"),
    ("นางสาว", "ณัฐธิดา", "Miss", "Natthida"),
    ("นาย", "สุทธิพงษ์", "Mr.", "Sutthiphong"),
    ("นาง", "ลำดวน", "Mrs.", "Lamduan"),
    ("นาย", "ชูศักดิ์", "Mr.", "Chusak"),
    ("นางสาว", "พิมพ์ชนก", "Miss", "Phimchanok"),
    ("นาย", "ธนากร", "Mr.", "Thanakorn"),
)
LAST_NAMES = (
    ("ใจดี", "Jaidee"),
    ("ศรีสุข", "Srisuk"),
    ("แก้วประเสริฐ", "Kaewprasert"),
    ("บุญมา", "Boonma"),
    ("ทองคำ", "Thongkham"),
    ("พึ่งบุญ", "Phuengboon"),
    ("มั่นคง", "Mankong"),
    ("สายทอง", "Saithong"),
)
VILLAGES = ("บ้านบางแก้วฟ้า", "บ้านคลองโยง", "บ้านวัดกลางคูเวียง", "บ้านท่าตำหนัก")
BUSINESSES = ("ร้านป้าแดงข้าวแกง", "ตลาดนัดบางแก้วฟ้า", "ร้านก๋วยเตี๋ยวเรือลุงชม", "อู่ช่างเอกยนต์", "ร้านชำสมใจ")
GOODS = ("ข้าวแกงและอาหารตามสั่ง", "ผลไม้ตามฤดูกาล", "ขนมไทย", "ของชำและเครื่องดื่ม", "ก๋วยเตี๋ยวเรือ")

# Where each demo case ends up, and how many: every state of the workflow appears.
STORY: tuple[tuple[CaseState, int], ...] = (
    (CaseState.SUBMITTED, 5),
    (CaseState.NEEDS_FIX, 3),
    (CaseState.RESUBMITTED, 2),
    (CaseState.COMPLETE, 4),
    (CaseState.UNDER_REVIEW, 6),
    (CaseState.APPROVED, 2),
    (CaseState.REJECTED, 2),
    (CaseState.AWAITING_PAYMENT, 6),
    (CaseState.PAID, 3),
    (CaseState.ISSUED, 4),
    (CaseState.PICKED_UP, 6),
    (CaseState.WITHDRAWN, 1),
)

STAFF = Actor(Role.STAFF, "staff.somsri")
OFFICER = Actor(Role.OFFICER, "officer.wichai")
APPLICANT = Actor(Role.APPLICANT)


def citizen_id(rng: random.Random) -> str:
    first12 = str(rng.choice((1, 3))) + "".join(str(rng.randrange(10)) for _ in range(11))
    return first12 + str(id_check_digit(first12))


def _person(rng: random.Random) -> ApplicantInfo:
    prefix, first, prefix_en, first_en = rng.choice(FIRST_NAMES)
    last, last_en = rng.choice(LAST_NAMES)
    house = (
        f"{rng.randrange(1, 300)}/{rng.randrange(1, 20)}"
        if rng.random() < 0.4
        else str(rng.randrange(1, 300))
    )
    moo = rng.randrange(1, 9)
    born = dt.date(rng.randrange(1940, 2000), rng.randrange(1, 13), rng.randrange(1, 28))
    return ApplicantInfo(
        citizen_id=citizen_id(rng),
        name_th=f"{prefix}{first} {last}",
        name_en=f"{prefix_en} {first_en} {last_en}",
        birth_date=born.isoformat(),
        address=f"{house} หมู่ที่ {moo} {rng.choice(VILLAGES)} ตำบลบางแก้วฟ้า อำเภอนครชัยศรี จังหวัดนครปฐม",
        phone=f"08{rng.randrange(10_000_000, 99_999_999)}",
    )


def _card_value(prefill: str, person: ApplicantInfo) -> str:
    field = prefill.removeprefix("card:")
    return {
        "citizen_id": person.citizen_id,
        "name_th.full": person.name_th,
        "name_en.full": person.name_en,
        "birth_date": person.birth_date,
        "address.full": person.address,
    }.get(field, "")


def _number(f: FormField, rng: random.Random, today: dt.date) -> str:
    low = int(f.min_value) if f.min_value is not None else 1
    high = int(f.max_value) if f.max_value is not None else None
    if low >= 2400:  # a Buddhist Era year (tax year, year of construction)
        return str(be_year(today.year) if high is None else min(high, be_year(today.year)))
    key = f.key
    ranges = (("area", 20, 400), ("sqm", 20, 400), ("height", 3, 15), ("floor", 1, 4), ("distance", 2, 50))
    for word, lo, hi in ranges:
        if word in key:
            lo, hi = max(lo, low), hi if high is None else min(hi, high)
            return str(rng.randrange(lo, max(lo, hi) + 1))
    top = min(high, low + 9) if high is not None else low + 9
    return str(rng.randrange(low, top + 1))


def _text(f: FormField, person: ApplicantInfo, rng: random.Random) -> str:
    key = f.key
    if any(w in key for w in ("address", "location", "place", "site")):
        return f"{rng.randrange(1, 250)} หมู่ที่ {rng.randrange(1, 9)} ตำบลบางแก้วฟ้า อำเภอนครชัยศรี จังหวัดนครปฐม"
    if key.endswith(("_no", "_number", "_code")) or "account" in key:
        return "".join(str(rng.randrange(10)) for _ in range(10))
    if "name" in key:
        return (
            person.name_th
            if any(w in key for w in ("owner", "applicant", "proxy"))
            else rng.choice(BUSINESSES)
        )
    if "bank" in key:
        return "ธนาคารกรุงไทย สาขานครชัยศรี"
    if "building" in key:
        return rng.choice(("อาคารพักอาศัย ค.ส.ล. ๒ ชั้น", "อาคารพาณิชย์ ๓ ชั้น", "โรงเก็บของชั้นเดียว"))
    if any(w in key for w in ("goods", "product", "business", "activity", "food", "type")):
        return rng.choice(GOODS)
    # Free text staff would fill with a reference to the attachments.
    return "ตามเอกสารประกอบที่แนบ"


def _form(service: ServiceDefinition, person: ApplicantInfo, rng: random.Random) -> dict[str, Any]:
    today = dt.date.today()
    values: dict[str, Any] = {}
    for f in service.form:
        if f.prefill and f.prefill.startswith("card:"):
            values[f.key] = _card_value(f.prefill, person)
        elif not f.required and rng.random() < 0.6:
            continue  # most applicants leave optional fields empty
        elif f.type is FieldType.SELECT:
            values[f.key] = rng.choice(f.choices).value
        elif f.type in (FieldType.NUMBER, FieldType.DECIMAL):
            values[f.key] = _number(f, rng, today)
        elif f.type is FieldType.MONEY:
            values[f.key] = f"{rng.randrange(5, 80) * 1000}.00"
        elif f.type is FieldType.PHONE:
            values[f.key] = person.phone
        elif f.type is FieldType.CITIZEN_ID:
            values[f.key] = person.citizen_id
        elif f.type is FieldType.DATE:
            values[f.key] = (today - dt.timedelta(days=rng.randrange(30, 900))).isoformat()
        elif f.type is FieldType.CHECKBOX:
            values[f.key] = True
        elif f.type is FieldType.EMAIL:
            values[f.key] = "applicant@example.com"
        else:
            values[f.key] = _text(f, person, rng)
    return values


def _fee_lines(service: ServiceDefinition, form: dict[str, Any], rng: random.Random) -> list[FeeLine]:
    entered: dict[str, Decimal] = {}
    for rule in service.fees:
        if isinstance(rule, StaffAmountFee):
            top = int(rule.cap) if rule.cap is not None else 2000
            entered[rule.key] = Decimal(rng.randrange(1, max(2, top // 50) + 1) * 50).min(Decimal(top))
        elif isinstance(rule, AssessedFee):
            entered[rule.key] = Decimal(rng.randrange(20_000, 600_000)) / 100
    return list(quote(service.fees, form, entered).lines)


def _walk(
    counter: Counter,
    case: CaseView,
    service: ServiceDefinition,
    target: CaseState,
    when: Iterator[dt.datetime],
    rng: random.Random,
) -> None:
    store = counter.cases
    number = case.number
    if target is CaseState.SUBMITTED:
        return
    if target is CaseState.WITHDRAWN:
        store.transition(number, target, APPLICANT, reason="ผู้ยื่นคำขอแจ้งขอยกเลิก", now=next(when))
        return
    if target in (CaseState.NEEDS_FIX, CaseState.RESUBMITTED):
        missing = [d.name_th for d in service.documents if not d.satisfied_by_card][:1] or [
            "ข้อมูลในแบบคำขอไม่ครบถ้วน"
        ]
        store.record_deficiency(
            number, [f"ขาด{m}" if not m.startswith("ข้อมูล") else m for m in missing], STAFF, now=next(when)
        )
        if target is CaseState.RESUBMITTED:
            store.transition(number, CaseState.RESUBMITTED, APPLICANT, now=next(when))
        return
    for doc in service.documents:
        if not doc.conditional:
            store.mark_document(number, doc.key, "received", STAFF, now=next(when))
    store.transition(number, CaseState.COMPLETE, STAFF, now=next(when))
    if target is CaseState.COMPLETE:
        return
    store.transition(number, CaseState.UNDER_REVIEW, OFFICER, now=next(when))
    if target is CaseState.UNDER_REVIEW:
        return
    if target is CaseState.REJECTED:
        store.transition(number, target, OFFICER, reason="ไม่เป็นไปตามหลักเกณฑ์ที่กฎหมายกำหนด", now=next(when))
        return
    if target is CaseState.APPROVED:
        store.transition(number, CaseState.APPROVED, OFFICER, now=next(when))
        return
    lines = _fee_lines(service, case.form_data, rng)
    view = store.approve(number, OFFICER, lines, now=next(when))
    if target is CaseState.AWAITING_PAYMENT:
        return
    if view.state is CaseState.AWAITING_PAYMENT:
        store.record_payment(
            number, view.amount_due_satang, "counter", STAFF, reference="RC-DEMO", now=next(when)
        )
    if target is CaseState.PAID and view.state is CaseState.AWAITING_PAYMENT:
        return
    store.transition(number, CaseState.ISSUED, OFFICER, now=next(when))
    if target is CaseState.PICKED_UP:
        store.transition(number, CaseState.PICKED_UP, STAFF, now=next(when))


def _pace(service: ServiceDefinition, rng: random.Random) -> dt.timedelta:
    """Time between two steps of a case: most finish well within the legal limit, one in ten not."""
    unit_seconds = {"minutes": 60, "hours": 3600, "days": 86400, "working_days": 86400 * 7 / 5}
    limit = service.time_limit.value * unit_seconds[service.time_limit.unit.value]
    share = rng.uniform(0.25, 0.4) if rng.random() < 0.1 else rng.uniform(0.02, 0.08)
    return dt.timedelta(seconds=limit * share)


def seed(counter: Counter, *, now: dt.datetime | None = None, seed_value: int = 2569) -> list[str]:
    """Write the demo office's cases; returns their numbers."""
    now = now or dt.datetime.now(dt.UTC)
    rng = random.Random(seed_value)  # noqa: S311 - demo data, not secrets
    services = list(counter.catalog)
    if not services:
        return []
    # Counter taxes are paid on the spot; cases that wait for payment are permits decided in days.
    with_fees = [s for s in services if s.fees and s.time_limit.unit.value in ("days", "working_days")]
    numbers: list[str] = []
    for target, count in STORY:
        for _ in range(count):
            pool = (
                with_fees
                if target in (CaseState.AWAITING_PAYMENT, CaseState.PAID) and with_fees
                else services
            )
            service = rng.choice(pool)
            start = now - dt.timedelta(days=rng.randrange(1, 40), minutes=rng.randrange(60))
            start = start.replace(hour=2 + rng.randrange(0, 6))  # 09:00-15:00 in Bangkok
            pace = _pace(service, rng)
            steps = (start + pace * i for i in range(1, 100))
            person = _person(rng)
            form = _form(service, person, rng)
            case = counter.cases.submit(service.code, person, form, APPLICANT, now=start)
            # Payment needs a fee: a free service that was meant to wait for payment is issued instead.
            final = target
            if target in (CaseState.AWAITING_PAYMENT, CaseState.PAID) and not _fee_lines(
                service,
                form,
                random.Random(0),  # noqa: S311 - demo data
            ):
                final = CaseState.ISSUED
            _walk(counter, case, service, final, (min(t, now) for t in steps), rng)
            numbers.append(case.number)
    return numbers
