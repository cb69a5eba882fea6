"""Service definitions: one validated manifest per procedure of the official citizen manuals.

A definition carries what the manual says (legal basis, time limit, channels, criteria, steps,
documents, fees, complaint channels, sample forms) and what the kiosk adds to serve it: the form,
with where each value is prefilled from. Definitions live as TOML files in ``resources/services``;
see ``docs/service-definitions.md`` for the format.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kiosk.domain.fees import FeeRule, PercentFee, PerUnitFee

Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]


class Category(StrEnum):
    PERMIT = "permit"
    NOTIFICATION = "notification"
    TAX = "tax"
    REGISTRATION = "registration"
    WELFARE = "welfare"


class TimeUnit(StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    WORKING_DAYS = "working_days"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# No law gives more: a larger number is a typing error, and far larger ones overflow the date arithmetic
# of the SLA (a definition that loads must never fail at the counter).
MAX_TIME_VALUE = 10_000


class Duration(_Strict):
    value: Decimal = Field(gt=0, le=MAX_TIME_VALUE, description="Manuals give step times such as 1.5 นาที")
    unit: TimeUnit


class TimeLimit(_Strict):
    """The legal time limit. The SLA clock runs from documents verified complete to decision/pickup."""

    value: int = Field(gt=0, le=MAX_TIME_VALUE)
    unit: TimeUnit
    basis_th: str = Field(default="", description="The law that sets the limit")
    max_extensions: int = Field(default=0, ge=0, le=2)
    extension_value: int | None = Field(
        default=None, gt=0, le=MAX_TIME_VALUE, description="Length of one extension"
    )

    @model_validator(mode="after")
    def _extensions(self) -> TimeLimit:
        if self.max_extensions and self.extension_value is None:
            raise ValueError("max_extensions needs extension_value")
        return self


class Channel(_Strict):
    place_th: str = Field(min_length=1)
    hours_th: str = ""
    online: bool = False
    url: str = ""


class Step(_Strict):
    type_th: str = Field(min_length=1, description="e.g. การตรวจสอบเอกสาร, การพิจารณา, การลงนาม")
    description_th: str = Field(min_length=1)
    duration: Duration | None = None
    responsible_th: str = ""
    note_th: str = ""


class DocumentRequirement(_Strict):
    key: Key
    name_th: str = Field(min_length=1)
    name_en: str = ""
    issuer_th: str = ""
    originals: int = Field(default=0, ge=0)
    copies: int = Field(default=0, ge=0)
    unit_th: str = "ฉบับ"
    condition_th: str = Field(default="", description="When the document is needed; empty = always")
    note_th: str = ""
    satisfied_by_card: bool = Field(
        default=False, description="Reading the ID card at the kiosk replaces this document"
    )

    @property
    def conditional(self) -> bool:
        return bool(self.condition_th)


class ComplaintChannel(_Strict):
    channel_th: str = Field(min_length=1)
    note_th: str = ""


class FieldType(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    DECIMAL = "decimal"
    MONEY = "money"
    DATE = "date"
    CITIZEN_ID = "citizen_id"
    PHONE = "phone"
    EMAIL = "email"
    SELECT = "select"
    CHECKBOX = "checkbox"


class Choice(_Strict):
    value: str = Field(min_length=1)
    label_th: str = Field(min_length=1)
    label_en: str = Field(min_length=1)


CARD_FIELDS = frozenset(
    {
        "citizen_id",
        "name_th.full",
        "name_th.prefix",
        "name_th.first",
        "name_th.last",
        "name_en.full",
        "birth_date",
        "gender",
        "address.full",
        "address.house_no",
        "address.moo",
        "address.trok",
        "address.soi",
        "address.road",
        "address.subdistrict",
        "address.district",
        "address.province",
    }
)
OFFICE_FIELDS = frozenset({"name_th", "name_en", "address_th", "province_th", "phone"})


class FormField(_Strict):
    key: Key
    type: FieldType
    label_th: str = Field(min_length=1)
    label_en: str = Field(min_length=1)
    required: bool = True
    help_th: str = ""
    help_en: str = ""
    unit_th: str = ""
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, gt=0)
    pattern: str | None = Field(default=None, max_length=1000)
    # NaN would make every comparison with a typed number raise; infinity means no limit: leave it out.
    min_value: float | None = Field(default=None, allow_inf_nan=False)
    max_value: float | None = Field(default=None, allow_inf_nan=False)
    choices: tuple[Choice, ...] = ()
    prefill: str | None = Field(
        default=None, description="'card:<field>' or 'office:<field>', e.g. card:address.full"
    )
    staff_only: bool = Field(default=False, description="Filled in by counter staff, not the applicant")

    @field_validator("prefill")
    @classmethod
    def _prefill(cls, v: str | None) -> str | None:
        if v is None:
            return v
        source, _, name = v.partition(":")
        allowed = {"card": CARD_FIELDS, "office": OFFICE_FIELDS}.get(source)
        if allowed is None:
            raise ValueError(f"prefill source must be 'card' or 'office', not {source!r}")
        if name not in allowed:
            raise ValueError(f"unknown {source} field {name!r}; known: {', '.join(sorted(allowed))}")
        return v

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, v: str | None) -> str | None:
        if v is not None:
            import re

            try:
                re.compile(v)
            # A repeat count beyond the engine's limit raises OverflowError, deep groups RecursionError:
            # both are a broken pattern, not a reason to stop loading the catalog.
            except (re.error, OverflowError, RecursionError) as exc:
                raise ValueError(f"pattern is not a valid regular expression: {exc}") from exc
        return v

    @model_validator(mode="after")
    def _limits(self) -> FormField:
        # Limits nobody can satisfy would leave the applicant stuck on the form.
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValueError("min_value is larger than max_value")
        if self.min_length is not None and self.max_length is not None and self.min_length > self.max_length:
            raise ValueError("min_length is larger than max_length")
        return self

    @model_validator(mode="after")
    def _choices(self) -> FormField:
        if self.type is FieldType.SELECT and not self.choices:
            raise ValueError("a select field needs choices")
        if self.type is not FieldType.SELECT and self.choices:
            raise ValueError("only a select field takes choices")
        values = [c.value for c in self.choices]
        if len(values) != len(set(values)):
            raise ValueError("two choices share the same value")
        return self


class ServiceDefinition(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=48)
    version: int = Field(default=1, ge=1)
    name_th: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    short_name_th: str = Field(default="", max_length=40, description="For tickets and narrow screens")
    category: Category
    responsible_unit_th: str = Field(min_length=1)
    source: str = Field(min_length=1, description="Which manual this was taken from")
    legal_basis: tuple[str, ...] = Field(min_length=1)
    time_limit: TimeLimit
    channels: tuple[Channel, ...] = Field(min_length=1)
    criteria_th: tuple[str, ...] = ()
    steps: tuple[Step, ...] = Field(min_length=1)
    identity_documents: tuple[DocumentRequirement, ...] = ()
    other_documents: tuple[DocumentRequirement, ...] = ()
    fees: tuple[FeeRule, ...] = ()
    fee_note_th: str = ""
    complaint_channels: tuple[ComplaintChannel, ...] = ()
    sample_forms: tuple[str, ...] = ()
    form: tuple[FormField, ...] = ()
    needs_photo: bool = Field(default=False, description="Read the card photo (PDPA: only if required)")
    keywords: tuple[str, ...] = ()

    @property
    def documents(self) -> tuple[DocumentRequirement, ...]:
        return self.identity_documents + self.other_documents

    @property
    def display_name_th(self) -> str:
        return self.short_name_th or self.name_th

    def field(self, key: str) -> FormField | None:
        return next((f for f in self.form if f.key == key), None)

    @property
    def card_fields(self) -> frozenset[str]:
        """The card fields this service needs, so the reader reads and keeps no more (PDPA)."""
        return frozenset(
            f.prefill.partition(":")[2] for f in self.form if f.prefill and f.prefill.startswith("card:")
        )

    @model_validator(mode="after")
    def _references(self) -> ServiceDefinition:
        _unique("form field", [f.key for f in self.form])
        _unique("document", [d.key for d in self.documents])
        _unique("fee", [r.key for r in self.fees])
        for rule in self.fees:
            if isinstance(rule, PerUnitFee):
                self._need_field(rule.key, rule.quantity_field, {FieldType.NUMBER, FieldType.DECIMAL})
                if rule.tier_field is not None:
                    tier = self._need_field(rule.key, rule.tier_field, {FieldType.SELECT})
                    offered = {c.value for c in tier.choices}
                    unknown = [t.when for t in rule.tiers if t.when not in offered]
                    if unknown:
                        raise ValueError(
                            f"fee {rule.key!r}: tiers {unknown} are not choices of {rule.tier_field!r}"
                        )
            elif isinstance(rule, PercentFee):
                self._need_field(rule.key, rule.base_field, {FieldType.MONEY, FieldType.DECIMAL})
        return self

    def _need_field(self, fee: str, key: str, types: set[FieldType]) -> FormField:
        found = self.field(key)
        if found is None:
            raise ValueError(f"fee {fee!r} refers to form field {key!r}, which the form does not have")
        if found.type not in types:
            wanted = " or ".join(sorted(t.value for t in types))
            raise ValueError(f"fee {fee!r}: form field {key!r} must be {wanted}, not {found.type.value}")
        return found


def _unique(what: str, keys: list[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"two {what}s share the key {key!r}")
        seen.add(key)
