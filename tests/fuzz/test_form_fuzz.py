"""Hostile answers on the kiosk's forms: over-long text, control characters (NUL, escape, RTL
override), mixed scripts, emoji, combining marks and Thai digits, through the validation the kiosk
runs (`Visit.errors`, the same `validate` the form calls) and then `CaseStore.submit`.

Either the applicant reads a clear message and nothing is written, or the case is stored, reads back
exactly as validation cleaned it, and its events leave the outbox as the central server accepts them.
"""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from kiosk.counter import Counter
from kiosk.domain.services import FieldType, FormField, ServiceDefinition
from kiosk.domain.thai import is_valid_citizen_id
from kiosk.domain.workflow import Actor, Role
from kiosk.errors import KnownError
from kiosk.storage.models import Applicant, Case, Event, OutboxItem
from kiosk.sync.store import SyncStore
from kiosk.ui.visit import IDENTITY_FIELDS, Visit, validate

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
SPECIAL = [
    "\x00",  # NUL: PostgreSQL text cannot hold it
    "\x1b[2J",  # a terminal escape
    "\x7f",
    "\u0085",  # C1 next line
    "\r",
    "\n",
    "\t",
    "\u202e",  # RIGHT-TO-LEFT OVERRIDE
    "\u2067",  # RIGHT-TO-LEFT ISOLATE
    "\u2028",  # LINE SEPARATOR
    "\u200b",  # zero width space: Thai input methods insert it between words
    "\u200d",
    "\ufeff",
    "\U0001f600",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # a family: one emoji of five code points
    "e\u0301",  # combining acute
    "ก\u0e48\u0e49\u0e4a",  # stacked Thai tone marks
    "Ж",
    "عربى",
    "中文",
    "\U000e0041",  # a tag character
    "\ue000",  # private use
]


PRINTABLE = st.characters(
    blacklist_categories=("Cc", "Cs", "Zl", "Zp"),
    blacklist_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
)


def thai(digits: str) -> str:
    return digits.translate(str.maketrans("0123456789", THAI_DIGITS))


@st.composite
def citizen_ids(draw: st.DrawFn) -> str:
    first = draw(st.sampled_from("123456789")) + draw(
        st.text(alphabet="0123456789", min_size=11, max_size=11)
    )
    check = (11 - sum(int(d) * (13 - i) for i, d in enumerate(first)) % 11) % 10
    cid = first + str(check)
    return draw(st.sampled_from([cid, thai(cid), f"{cid[0]}-{cid[1:5]}-{cid[5:10]}-{cid[10:12]}-{cid[12]}"]))


def plausible(f: FormField) -> st.SearchStrategy[Any]:
    """Answers a careful applicant would give: the fuzz then breaks them."""
    digits = st.text(alphabet="0123456789", min_size=1, max_size=6)
    by_type: dict[FieldType, st.SearchStrategy[Any]] = {
        FieldType.CITIZEN_ID: citizen_ids(),
        FieldType.PHONE: st.text(alphabet="0123456789", min_size=8, max_size=8).flatmap(
            lambda d: st.sampled_from(["08" + d, thai("08" + d), f"08-{d[:4]}-{d[4:]}"])
        ),
        FieldType.DATE: st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)).map(
            lambda d: f"{d.day:02d}/{d.month:02d}/{d.year + 543}"
        ),
        FieldType.NUMBER: digits,
        FieldType.DECIMAL: st.tuples(digits, digits).map(".".join),
        FieldType.MONEY: st.tuples(digits, st.text(alphabet="0123456789", max_size=2)).map(
            lambda p: f"{p[0]}.{p[1]}" if p[1] else p[0]
        ),
        FieldType.EMAIL: st.just("somchai@example.com"),
        FieldType.SELECT: st.sampled_from([c.value for c in f.choices] or ["x"]),
    }
    if f.type is FieldType.CHECKBOX:
        return st.just(True) if f.required else st.booleans()
    # Any script, emoji, combining marks, zero-width joiners: everything that is text.
    text = st.text(PRINTABLE, min_size=1, max_size=60).filter(lambda t: t.strip())
    return by_type.get(f.type, text)


def hostile(f: FormField) -> st.SearchStrategy[Any]:
    if f.type is FieldType.CHECKBOX:
        return st.booleans()
    base = plausible(f)
    injected = st.tuples(base, st.sampled_from(SPECIAL), st.floats(0, 1)).map(
        lambda t: t[0][: int(len(t[0]) * t[2])] + t[1] + t[0][int(len(t[0]) * t[2]) :]
    )
    return st.one_of(
        base,
        base,
        injected,
        st.text(max_size=80),  # any code point but surrogates
        st.lists(st.sampled_from(SPECIAL), min_size=1, max_size=6).map("".join),
        st.integers(1, 5000).map(lambda n: ("ก่" * n)[:n]),  # long, and at every length a cap can have
        st.sampled_from(["1e999999", "Infinity", "NaN", "1_000", "-0", "0x10", "๑e๒", "9" * 40, " ", ""]),
    )


@pytest.fixture(scope="module")
def counter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Counter]:
    path: Path = tmp_path_factory.mktemp("form-fuzz")
    counter = Counter.open(path)
    yield counter
    counter.close()
    shutil.rmtree(path, ignore_errors=True)


def rows(counter: Counter) -> tuple[int, ...]:
    with counter.db.session() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(t)) or 0 for t in (Case, Event, OutboxItem, Applicant)
        )


def last_outbox_id(counter: Counter) -> int:
    with counter.db.session() as s:
        return s.scalar(select(func.max(OutboxItem.id))) or 0


@st.composite
def visits(draw: st.DrawFn, catalog: list[ServiceDefinition]) -> tuple[ServiceDefinition, dict[str, Any]]:
    service = draw(st.sampled_from(catalog))
    fields = Visit(serial=1, service=service).form_fields(staff=True)
    # A few hostile answers among careful ones, so that some visits get through to the database.
    bad = set(draw(st.lists(st.sampled_from([f.key for f in fields]), max_size=2, unique=True)))
    values = {f.key: draw(hostile(f) if f.key in bad else plausible(f), label=f.key) for f in fields}
    return service, values


def submit_as_the_kiosk(counter: Counter, service: ServiceDefinition, values: dict[str, Any]) -> None:
    visit = Visit(serial=1, service=service)
    visit.values.update(values)
    visit.init_documents()
    before, after_id = rows(counter), last_outbox_id(counter)
    errors = visit.errors(staff=True)
    event("refused by validation" if errors else "submitted")
    if errors:
        # The controller stops here: the form shows the messages, nothing goes to the database.
        for key, message in errors.items():
            assert message.strip() and "{" not in message, (key, message)
        assert rows(counter) == before
        return
    applicant, form = visit.applicant(), visit.clean_form()
    try:
        case = counter.cases.submit(
            service.code, applicant, form, Actor(Role.APPLICANT), documents=dict(visit.documents)
        )
    except KnownError as exc:
        assert exc.message_th and exc.message_en
        assert rows(counter) == before, "a refused submit left rows behind"
        return
    event("stored")
    stored = counter.cases.get(case.number)
    assert stored.form_data == form
    assert stored.applicant_name == applicant.name_th
    assert stored.citizen_id == applicant.citizen_id and is_valid_citizen_id(applicant.citizen_id)
    for f in service.form:
        if f.key in form and f.type in (FieldType.TEXT, FieldType.TEXTAREA):
            assert form[f.key] == str(values[f.key]).strip(), "text is stored exactly as typed (trimmed)"
        if f.key in form and isinstance(form[f.key], str):
            assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in form[f.key] if c not in "\n\t")
    # What the server will be sent: nothing refused, the applicant travelling with the case.
    batch = SyncStore(counter.db).next_batch(1000, after=after_id)
    assert batch.refused_locally == 0
    created = [e for e in batch.events if e.kind.value == "created"]
    assert len(created) == 1 and created[0].applicant is not None, (
        "the server would get a case without its person"
    )
    assert created[0].applicant.name_th == applicant.name_th


@pytest.fixture(scope="module")
def catalog(counter: Counter) -> list[ServiceDefinition]:
    return list(counter.catalog)


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_hostile_answers_are_refused_clearly_or_stored_exactly(
    counter: Counter, catalog: list[ServiceDefinition], data: st.DataObject
) -> None:
    submit_as_the_kiosk(counter, *data.draw(visits(catalog)))


# --- the rules behind it, one by one ---------------------------------------------------------------


def field(kind: str, **extra: Any) -> FormField:
    return FormField(key="answer", type=FieldType(kind), label_th="คำตอบ", label_en="Answer", **extra)


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\u0085", "\u202e", "\u2066", "\u2028", "\ud800"])
@pytest.mark.parametrize("kind", ["text", "textarea", "email", "citizen_id", "phone", "number"])
def test_control_and_direction_characters_are_refused_with_a_message(kind: str, char: str) -> None:
    value, error = validate(field(kind), "ab" + char + "c@d.ee")
    assert error is not None and ("invisible" in error or "พิเศษ" in error), (kind, value, error)


@pytest.mark.parametrize("text", ["สมชาย 😀", "e\u0301te", "ก่๊", "Ж中عربى", "a\u200bb", "👨‍👩‍👧"])
def test_any_script_emoji_and_combining_marks_are_text(text: str) -> None:
    assert validate(field("text"), text) == (text, None)


def test_a_textarea_keeps_its_lines() -> None:
    assert validate(field("textarea"), "บ้านเลขที่ 1\nหมู่ 2\tซอย 3") == ("บ้านเลขที่ 1\nหมู่ 2\tซอย 3", None)
    assert validate(field("text"), "บ้าน\nเลขที่")[1] is not None


@pytest.mark.parametrize(
    ("kind", "typed", "stored"),
    [
        ("citizen_id", "๑๑๐๑๗๐๐๒๐๓๔๕๐", "1101700203450"),
        ("phone", "๐๘๑-๒๓๔-๕๖๗๘", "0812345678"),
        ("date", "๑๕/๐๔/๒๕๖๘", "2025-04-15"),
        ("number", "๑,๒๐๐", "1200"),
        ("money", "๑๒.๕๐", "12.50"),
    ],
)
def test_thai_digits_are_the_same_number(kind: str, typed: str, stored: str) -> None:
    assert validate(field(kind), typed) == (stored, None)


@pytest.mark.parametrize(
    "typed", ["1e999999", "1E+30", "Infinity", "NaN", "1_000", "0x10", "١٢", "9" * 16, "1.1234567"]
)
@pytest.mark.parametrize("kind", ["number", "decimal", "money"])
def test_numbers_are_plain_and_bounded(kind: str, typed: str) -> None:
    value, error = validate(field(kind), typed)
    assert error is not None, (kind, typed, value)


def test_the_largest_plain_numbers_still_work() -> None:
    assert validate(field("number"), "999,999,999,999,999") == ("999999999999999", None)
    assert validate(field("money"), "999999999999999.99") == ("999999999999999.99", None)


def test_text_without_a_limit_in_its_definition_still_has_one() -> None:
    assert validate(field("text"), "ก" * 1000)[1] is None
    assert "1000" in str(validate(field("text"), "ก" * 1001)[1])
    assert "4000" in str(validate(field("textarea"), "ก" * 4001)[1])


def test_a_name_field_is_held_to_what_the_server_takes() -> None:
    name = field("text", prefill="card:name_th.full")  # a definition that forgot max_length
    assert validate(name, "ก" * 200)[1] is None
    assert "200" in str(validate(name, "ก" * 201)[1])


def test_the_phone_goes_to_the_applicant_as_validated() -> None:
    visit = Visit(serial=1)
    visit.values = {"applicant_citizen_id": "1101700203450", "applicant_name_th": "นายสมชาย ใจดี"}
    service = ServiceDefinition.model_validate(
        {
            "code": "phone-test",
            "name_th": "ทดสอบ",
            "name_en": "Test",
            "category": "welfare",
            "responsible_unit_th": "สำนักปลัด",
            "source": "test",
            "legal_basis": ["-"],
            "time_limit": {"value": 1, "unit": "days"},
            "channels": [{"place_th": "ที่ทำการ"}],
            "steps": [{"type_th": "ตรวจ", "description_th": "ตรวจ"}],
            "form": [{"key": "phone", "type": "phone", "label_th": "โทร", "label_en": "Phone"}],
        }
    )
    visit.service = service
    visit.values["phone"] = "๐๘๑ ๒๓๔ ๕๖๗๘"
    assert not visit.errors(staff=False)
    assert visit.applicant().phone == "0812345678"
    assert [f.key for f in visit.form_fields(staff=False)][:2] == [f.key for f in IDENTITY_FIELDS][:2]


@example(typed="1e999999")
@given(typed=st.text(max_size=40))
@settings(max_examples=300, deadline=2000)
def test_number_validation_is_fast_and_never_raises(typed: str) -> None:
    for kind in ("number", "decimal", "money"):
        value, error = validate(field(kind, min_value=0, max_value=10**9), typed)
        assert error is None or error.strip()
