"""One applicant's visit, held in memory only until it ends, and the rules of its form.

Nothing here touches widgets: the controller decides with these functions and the views show the
outcome. `Visit.wipe()` drops every reference to the applicant's data when the visit ends.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kiosk.config import Office
from kiosk.devices.card.parser import CardRecord, PartialDate
from kiosk.domain.fees import FeeError, FeeQuote, quote
from kiosk.domain.services import FieldType, FormField, ServiceDefinition
from kiosk.domain.thai import BE_OFFSET, is_valid_citizen_id
from kiosk.storage.cases import ApplicantInfo, CaseView, StaffAction
from kiosk.ui.i18n import pick, tr

# Priority groups served first at the counter (Thai government service standard).
PRIORITIES: tuple[tuple[str, str, str], ...] = (
    ("", "ทั่วไป", "Regular"),
    ("elderly", "ผู้สูงอายุ", "Elderly"),
    ("disabled", "ผู้พิการ", "Person with a disability"),
    ("pregnant", "หญิงตั้งครรภ์", "Pregnant woman"),
    ("monk", "พระภิกษุสามเณร", "Monk or novice"),
)

Value = str | bool

# The applicant's identity, asked for only when there is no card and the service form lacks it.
IDENTITY_FIELDS: tuple[FormField, ...] = (
    FormField(
        key="applicant_citizen_id",
        type=FieldType.CITIZEN_ID,
        label_th="เลขประจำตัวประชาชนของผู้ยื่นคำขอ",
        label_en="Applicant's citizen ID number",
        prefill="card:citizen_id",
    ),
    FormField(
        key="applicant_name_th",
        type=FieldType.TEXT,
        label_th="ชื่อ-นามสกุลของผู้ยื่นคำขอ",
        label_en="Applicant's full name",
        max_length=200,
        prefill="card:name_th.full",
    ),
    FormField(
        key="applicant_address",
        type=FieldType.TEXTAREA,
        label_th="ที่อยู่ของผู้ยื่นคำขอ",
        label_en="Applicant's address",
        max_length=400,
        required=False,
        prefill="card:address.full",
    ),
)


def thai_name(record: CardRecord) -> str:
    """Thai forms write the title against the first name: นายสมชาย ใจดี."""
    n = record.name_th
    first = n.prefix + n.first
    return " ".join(p for p in (first, n.middle, n.last) if p)


def format_partial_date(date: PartialDate | None) -> str:
    """`dd/mm/yyyy` in the Buddhist Era, `00` for what the card leaves unknown."""
    if date is None:
        return ""
    return f"{date.day or 0:02d}/{date.month or 0:02d}/{date.year + BE_OFFSET}"


def card_value(record: CardRecord, name: str) -> str:
    if name == "citizen_id":
        return record.citizen_id
    if name == "name_th.full":
        return thai_name(record)
    if name == "name_en.full":
        return record.name_en.full
    if name.startswith("name_th."):
        return str(getattr(record.name_th, name.partition(".")[2]))
    if name == "birth_date":
        return format_partial_date(record.birth_date)
    if name == "gender":
        return {"male": "ชาย", "female": "หญิง"}.get(record.gender or "", "")
    if name == "address.full":
        return record.address.full
    if name.startswith("address."):
        return str(getattr(record.address, name.partition(".")[2]))
    return ""


def prefill_value(f: FormField, record: CardRecord | None, office: Office) -> str:
    if not f.prefill:
        return ""
    source, _, name = f.prefill.partition(":")
    if source == "card":
        return card_value(record, name) if record is not None else ""
    return str(getattr(office, name, ""))


# --- validation -------------------------------------------------------------------------------

_PHONE = re.compile(r"^0\d{8,9}$", re.ASCII)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", re.ASCII)
# Plain notation only: `Decimal` also takes `1e999999`, whose integer takes a minute to build and
# then cannot be printed, `Infinity`, `1_000` and digits of any script.
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$", re.ASCII)
MAX_INTEGER_DIGITS = 15  # a trillion baht and more: far above any fee base, well inside Decimal's 28
MAX_FRACTION_DIGITS = 6
# Thai keyboards type Thai digits: the same number, stored in the digits the documents and the server use.
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_DIGIT_TYPES = {
    FieldType.CITIZEN_ID,
    FieldType.PHONE,
    FieldType.DATE,
    FieldType.NUMBER,
    FieldType.DECIMAL,
    FieldType.MONEY,
}
# Without a limit in the definition a field still ends somewhere: a pasted book is not an answer.
DEFAULT_MAX_LENGTH = {FieldType.TEXTAREA: 4000}
DEFAULT_MAX_LINE = 1000
# The person's name and address travel to the central server, which takes no more than this
# (kiosk.wire.WireApplicant); a form field they are taken from is held to it too.
IDENTITY_MAX_LENGTH = {"card:name_th.full": 200, "card:name_en.full": 200, "card:address.full": 1000}
# Direction overrides and isolates reorder what is printed and shown (a name read backwards on the
# receipt); no Thai or English answer needs them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _unprintable(text: str, *, multiline: bool) -> bool:
    """Control characters (NUL above all: the server's database cannot hold it), lone surrogates, line
    separators in a one-line answer and direction overrides. Emoji, combining marks and any script are
    text and stay exactly as typed."""
    for c in text:
        if multiline and c in "\n\t":
            continue
        if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") or c in _BIDI_CONTROLS:
            return True
    return False


def _number(text: str) -> Decimal | None:
    plain = text.replace(",", "")
    if not _NUMBER.match(plain):
        return None
    number = Decimal(plain)
    return number if number.is_finite() else None


def _too_long(number: Decimal) -> bool:
    digits, exponent = number.as_tuple().digits, number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite: `_number` returns no NaN or infinity
    fraction = max(-exponent, 0)
    return len(digits) - fraction > MAX_INTEGER_DIGITS or fraction > MAX_FRACTION_DIGITS


def parse_date(text: str) -> str | None:
    """`dd/mm/yyyy` (Buddhist Era, or Common Era before 2400) to ISO; `00` day/month stay unknown."""
    m = _DATE.match(text.strip())
    if not m:
        return None
    day, month, year = (int(g) for g in m.groups())
    if year > 2400:
        year -= BE_OFFSET
    if not 1800 <= year <= 2200:
        return None
    if month == 0:
        return f"{year:04d}" if day == 0 else None
    if not 1 <= month <= 12:
        return None
    if day == 0:
        return f"{year:04d}-{month:02d}"
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def iso_to_display(iso: str) -> str:
    parts = iso.split("-")
    if not parts or not parts[0].isdigit():
        return iso
    year = int(parts[0]) + BE_OFFSET
    month = int(parts[1]) if len(parts) > 1 else 0
    day = int(parts[2]) if len(parts) > 2 else 0
    return f"{day:02d}/{month:02d}/{year}"


def validate(f: FormField, raw: Value) -> tuple[Any, str | None]:
    """The stored value of a field and, when it is not acceptable, a message the applicant reads."""
    if f.type is FieldType.CHECKBOX:
        checked = bool(raw)
        if f.required and not checked:
            return checked, tr("Please tick this box to continue.")
        return checked, None
    text = str(raw).strip()
    if f.type in _DIGIT_TYPES:
        text = text.translate(_THAI_DIGITS)
    if not text:
        if not f.required:
            return "", None
        if f.type is FieldType.SELECT:
            return "", tr("Please choose one of the options.")
        return "", tr("Please fill in this field.")
    if _unprintable(text, multiline=f.type is FieldType.TEXTAREA):
        return text, tr("Please remove the special or invisible characters from this field.")
    limit = f.max_length or DEFAULT_MAX_LENGTH.get(f.type, DEFAULT_MAX_LINE)
    if f.prefill in IDENTITY_MAX_LENGTH:
        limit = min(limit, IDENTITY_MAX_LENGTH[f.prefill])
    if len(text) > limit:
        return text, tr("Please shorten this to at most {count} characters.").format(count=limit)
    if f.type is FieldType.SELECT:
        if text not in {c.value for c in f.choices}:
            return text, tr("Please choose one of the options.")
        return text, None
    if f.type is FieldType.CITIZEN_ID:
        digits = re.sub(r"[\s-]", "", text)
        if not (len(digits) == 13 and digits.isascii() and digits.isdigit()):
            return text, tr("A citizen ID has 13 digits.")
        if not is_valid_citizen_id(digits):
            return text, tr("This citizen ID is not valid: please check each digit.")
        return digits, None
    if f.type is FieldType.PHONE:
        digits = re.sub(r"[\s-]", "", text)
        if not _PHONE.match(digits):
            return text, tr("Please enter a phone number of 9 or 10 digits starting with 0.")
        return digits, None
    if f.type is FieldType.EMAIL:
        return (
            (text, None)
            if _EMAIL.match(text)
            else (text, tr("Please enter an e-mail address like name@example.com."))
        )
    if f.type is FieldType.DATE:
        iso = parse_date(text)
        if iso is None:
            return text, tr("Please enter the date as day/month/year, e.g. 15/04/2568.")
        return iso, None
    if f.type in (FieldType.NUMBER, FieldType.DECIMAL, FieldType.MONEY):
        number = _number(text)
        if number is None or (f.type is FieldType.NUMBER and number != number.to_integral_value()):
            message = (
                tr("Please enter a whole number.")
                if f.type is FieldType.NUMBER
                else tr("Please enter a number.")
            )
            return text, message
        if _too_long(number):
            return text, tr("This number has too many digits.")
        if number < 0:
            return text, tr("The number cannot be negative.")
        if f.type is FieldType.MONEY and -number.as_tuple().exponent > 2:  # type: ignore[operator]
            return text, tr("Amounts have at most two decimal places (satang).")
        if f.min_value is not None and number < Decimal(str(f.min_value)):
            return text, tr("The smallest value allowed is {min}.").format(min=_plain(f.min_value))
        if f.max_value is not None and number > Decimal(str(f.max_value)):
            return text, tr("The largest value allowed is {max}.").format(max=_plain(f.max_value))
        return (str(int(number)) if f.type is FieldType.NUMBER else str(number)), None
    if f.min_length is not None and len(text) < f.min_length:
        return text, tr("Please enter at least {count} characters.").format(count=f.min_length)
    if f.pattern is not None and not re.fullmatch(f.pattern, text):
        return text, tr("This does not look right: please check it.") + (
            f" ({pick(f.help_th, f.help_en)})" if f.help_th else ""
        )
    return text, None


def _plain(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


# --- the visit ---------------------------------------------------------------------------------


@dataclass
class Visit:
    """What the kiosk holds about the person at the screen. Wiped when the visit ends."""

    serial: int
    with_card: bool = False
    reader: str = ""
    record: CardRecord | None = None
    photo: bytes | None = None
    notice_accepted: bool = False
    service: ServiceDefinition | None = None
    values: dict[str, Value] = field(default_factory=dict)
    documents: dict[str, str] = field(default_factory=dict)
    priority: str = ""
    # Take-over, give-back and reasoned corrections, written as events of their own at submit.
    staff_actions: list[StaffAction] = field(default_factory=list)
    # A corrected field's value when staff unlocked it: a correction that changed nothing is no event.
    edit_baseline: dict[str, Value] = field(default_factory=dict)
    missing_items: list[str] = field(default_factory=list)
    case: CaseView | None = None

    def wipe(self) -> None:
        self.record = None
        self.photo = None
        self.service = None
        self.values.clear()
        self.documents.clear()
        self.staff_actions.clear()
        self.edit_baseline.clear()
        self.missing_items.clear()
        self.case = None
        self.reader = ""

    # -- form --------------------------------------------------------------------------------

    def form_fields(self, *, staff: bool) -> list[FormField]:
        """The fields on screen: identity fields first when there is no card, staff-only ones for staff."""
        if self.service is None:
            return []
        fields = [f for f in self.service.form if staff or not f.staff_only]
        if self.record is None:
            present = {f.prefill for f in self.service.form if f.prefill}
            fields = [f for f in IDENTITY_FIELDS if f.prefill not in present] + fields
        return fields

    def field(self, key: str) -> FormField | None:
        if self.service is not None and (found := self.service.field(key)) is not None:
            return found
        return next((f for f in IDENTITY_FIELDS if f.key == key), None)

    def locked(self, f: FormField) -> bool:
        """Read from the card: the applicant cannot change it; staff can, with a reason."""
        return bool(self.record is not None and f.prefill and f.prefill.startswith("card:"))

    def prefill(self, office: Office) -> None:
        if self.service is None:
            return
        for f in self.form_fields(staff=True):
            value = prefill_value(f, self.record, office)
            if value and not self.values.get(f.key):
                self.values[f.key] = value

    def errors(self, *, staff: bool) -> dict[str, str]:
        found: dict[str, str] = {}
        for f in self.form_fields(staff=staff):
            _, error = validate(f, self.values.get(f.key, False if f.type is FieldType.CHECKBOX else ""))
            if error:
                found[f.key] = error
        return found

    def clean_form(self) -> dict[str, Any]:
        """The service form's values as stored with the case (identity fields excluded)."""
        assert self.service is not None
        out: dict[str, Any] = {}
        for f in self.service.form:
            raw = self.values.get(f.key, False if f.type is FieldType.CHECKBOX else "")
            value, error = validate(f, raw)
            if error is None and value not in ("", None):
                out[f.key] = value
            elif f.type is FieldType.CHECKBOX:
                out[f.key] = bool(value)
        return out

    def submitted_actions(self) -> list[StaffAction]:
        """What staff did, for `CaseStore.submit`: corrections only for fields that did change.

        The events name the field and give the reason; the values stay in the case and the applicant.
        """
        out = []
        for action in self.staff_actions:
            key = action.data.get("field")
            if key is not None and self.values.get(key, "") == self.edit_baseline.get(key, ""):
                continue
            out.append(action)
        return out

    def fee_quote(self) -> tuple[FeeQuote | None, str | None]:
        if self.service is None or not self.service.fees:
            return None, None
        form: dict[str, object] = {}
        for f in self.service.form:
            value, error = validate(f, self.values.get(f.key, ""))
            form[f.key] = value if error is None else ""
        try:
            return quote(self.service.fees, form), None
        # ArithmeticError: a product beyond Decimal's precision (a rate times a huge quantity).
        except (FeeError, ArithmeticError):
            return None, tr("The fee cannot be worked out from what is entered yet.")

    def _identity(self, prefill: str) -> str:
        for f in self.form_fields(staff=True):
            if f.prefill == prefill:
                value, error = validate(f, self.values.get(f.key, ""))
                return str(value) if error is None else ""
        return ""

    def applicant(self) -> ApplicantInfo:
        # The phone as validation stores it (ASCII digits, no spaces or dashes), never as typed.
        phone = next(
            (
                str(value)
                for f in self.form_fields(staff=True)
                if f.type is FieldType.PHONE
                for value, error in [validate(f, self.values.get(f.key, ""))]
                if value and error is None
            ),
            "",
        )
        if self.record is not None:
            r = self.record
            return ApplicantInfo(
                citizen_id=r.citizen_id,
                name_th=self._identity("card:name_th.full") or thai_name(r),
                name_en=r.name_en.full,
                birth_date=r.birth_date.iso() if r.birth_date else "",
                address=self._identity("card:address.full") or r.address.full,
                phone=phone,
            )
        return ApplicantInfo(
            citizen_id=self._identity("card:citizen_id"),
            name_th=self._identity("card:name_th.full"),
            address=self._identity("card:address.full"),
            phone=phone,
        )

    # -- documents ---------------------------------------------------------------------------

    def init_documents(self) -> None:
        assert self.service is not None
        self.documents = {
            d.key: ("received" if d.satisfied_by_card and self.record is not None else "pending")
            for d in self.service.documents
        }

    def missing_documents(self) -> list[str]:
        assert self.service is not None
        return [d.name_th for d in self.service.documents if self.documents.get(d.key) == "missing"]


def choice_label(f: FormField, value: str) -> str:
    choice = next((c for c in f.choices if c.value == value), None)
    return pick(choice.label_th, choice.label_en) if choice else value


def display_value(f: FormField, value: Value) -> str:
    if f.type is FieldType.CHECKBOX:
        return tr("Yes") if value else tr("No")
    if f.type is FieldType.SELECT:
        return choice_label(f, str(value))
    return str(value)


def values_for_display(values: Mapping[str, Value], fields: list[FormField]) -> list[tuple[str, str]]:
    return [(pick(f.label_th, f.label_en), display_value(f, values.get(f.key, ""))) for f in fields]
