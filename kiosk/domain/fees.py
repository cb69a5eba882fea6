"""Fee rules as the citizen manuals state them, and the computation of a case's fees.

A service lists zero or more rules; each rule yields at most one fee line. The kinds cover what the
manuals say:

- ``fixed``: a set amount (ข.3: ค่าธรรมเนียมใบอนุญาต 200 บาท).
- ``per_unit``: a rate times a quantity from the form, with the rate chosen from tiers by another form
  field (ข.3: 0.50 / 2.00 / 4.00 บาท/ตร.ม. by building height or load).
- ``percent``: a percentage of an amount declared on the form (the hotel-guest fee).
- ``staff_amount``: "as the local ordinance sets": counter staff enter the amount, never above the cap
  when the manual gives one.
- ``assessed``: a tax the officer assesses; the amount is unknown at the counter and comes later.

Amounts are `Decimal` baht; lines are rounded half-up to the satang.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kiosk.domain.money import to_baht


class FeeError(ValueError):
    """A fee cannot be computed from what was entered (bad quantity, amount above the cap)."""


def _exact(value: Decimal, places: int, what: str) -> Decimal:
    if value < 0:
        raise ValueError(f"{what} must not be negative")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise ValueError(f"{what} has more than {places} decimal places")
    return value


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Stable id of the fee line")
    label_th: str = Field(min_length=1)
    label_en: str = Field(min_length=1)
    note_th: str = ""


class FixedFee(_Rule):
    kind: Literal["fixed"]
    amount: Decimal

    @field_validator("amount")
    @classmethod
    def _amount(cls, v: Decimal) -> Decimal:
        return _exact(v, 2, "amount")


class RateTier(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    when: str = Field(min_length=1, description="Value of the tier field that selects this rate")
    rate: Decimal

    @field_validator("rate")
    @classmethod
    def _rate(cls, v: Decimal) -> Decimal:
        return _exact(v, 4, "rate")


class PerUnitFee(_Rule):
    kind: Literal["per_unit"]
    quantity_field: str = Field(description="Form field holding the quantity (area, litres, ...)")
    unit_th: str = Field(min_length=1, description="Unit of the quantity, e.g. ตร.ม.")
    rate: Decimal | None = Field(default=None, description="One rate for every case")
    tier_field: str | None = Field(default=None, description="Form select field that picks a tier")
    tiers: tuple[RateTier, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    @field_validator("rate")
    @classmethod
    def _rate(cls, v: Decimal | None) -> Decimal | None:
        return None if v is None else _exact(v, 4, "rate")

    @model_validator(mode="after")
    def _one_way_to_rate(self) -> PerUnitFee:
        if (self.rate is None) == (self.tier_field is None):
            raise ValueError("give either rate or tier_field with tiers, not both or neither")
        if self.tier_field is not None and not self.tiers:
            raise ValueError("tier_field needs at least one tier")
        whens = [t.when for t in self.tiers]
        if len(whens) != len(set(whens)):
            raise ValueError("two tiers share the same 'when' value")
        return self


class PercentFee(_Rule):
    kind: Literal["percent"]
    base_field: str = Field(description="Form field holding the declared amount in baht")
    percent: Decimal = Field(gt=0, le=100)
    cap: Decimal | None = None


class StaffAmountFee(_Rule):
    kind: Literal["staff_amount"]
    cap: Decimal | None = Field(default=None, description="Highest amount the law allows, if stated")
    basis_th: str = Field(default="ตามข้อบัญญัติท้องถิ่น", description="Where the amount comes from")

    @field_validator("cap")
    @classmethod
    def _cap(cls, v: Decimal | None) -> Decimal | None:
        return None if v is None else _exact(v, 2, "cap")


class AssessedFee(_Rule):
    kind: Literal["assessed"]
    basis_th: str = Field(min_length=1, description="The law or rate table the officer applies")


FeeRule = Annotated[
    FixedFee | PerUnitFee | PercentFee | StaffAmountFee | AssessedFee, Field(discriminator="kind")
]


@dataclass(frozen=True)
class FeeLine:
    key: str
    label_th: str
    label_en: str
    amount: Decimal


@dataclass(frozen=True)
class FeeQuote:
    """What is known of a case's fees now. `pending` lists rules still waiting for staff or an officer."""

    lines: tuple[FeeLine, ...]
    pending: tuple[str, ...]

    @property
    def total(self) -> Decimal:
        return to_baht(sum((line.amount for line in self.lines), Decimal(0)))

    @property
    def complete(self) -> bool:
        return not self.pending


def _decimal(values: Mapping[str, object], key: str) -> Decimal | None:
    raw = values.get(key)
    if raw is None or raw == "":
        return None
    try:
        number = Decimal(str(raw))
    except InvalidOperation as exc:
        raise FeeError(f"'{key}' is not a number: {raw!r}") from exc
    if not number.is_finite() or number < 0:
        raise FeeError(f"'{key}' must be a number of zero or more: {raw!r}")
    return number


def _per_unit(rule: PerUnitFee, form: Mapping[str, object]) -> Decimal | None:
    quantity = _decimal(form, rule.quantity_field)
    if quantity is None:
        return None
    rate = rule.rate
    if rule.tier_field is not None:
        chosen = form.get(rule.tier_field)
        rate = next((t.rate for t in rule.tiers if t.when == chosen), None)
        if rate is None:
            return None
    assert rate is not None
    amount = quantity * rate
    if rule.minimum is not None:
        amount = max(amount, rule.minimum)
    if rule.maximum is not None:
        amount = min(amount, rule.maximum)
    return amount


def _percent(rule: PercentFee, form: Mapping[str, object]) -> Decimal | None:
    base = _decimal(form, rule.base_field)
    if base is None:
        return None
    amount = base * rule.percent / 100
    return min(amount, rule.cap) if rule.cap is not None else amount


def _entered(rule: StaffAmountFee | AssessedFee, entered: Mapping[str, Decimal]) -> Decimal | None:
    amount = entered.get(rule.key)
    if amount is None:
        return None
    if amount < 0:
        raise FeeError(f"{rule.label_en}: the amount must not be negative")
    if isinstance(rule, StaffAmountFee) and rule.cap is not None and amount > rule.cap:
        raise FeeError(f"{rule.label_en}: {amount} is above the legal cap of {rule.cap}")
    return amount


def quote(
    rules: tuple[FeeRule, ...] | list[FeeRule],
    form: Mapping[str, object],
    entered: Mapping[str, Decimal] | None = None,
) -> FeeQuote:
    """Compute the fee lines from the form values and the amounts staff or officers entered.

    Rules that cannot be computed yet (a quantity not filled in, an amount not assessed) are listed
    in `pending`; they never count as zero.
    """
    entered = entered or {}
    lines: list[FeeLine] = []
    pending: list[str] = []
    for rule in rules:
        amount: Decimal | None
        if isinstance(rule, FixedFee):
            amount = rule.amount
        elif isinstance(rule, PerUnitFee):
            amount = _per_unit(rule, form)
        elif isinstance(rule, PercentFee):
            amount = _percent(rule, form)
        else:
            amount = _entered(rule, entered)
        if amount is None:
            pending.append(rule.key)
        else:
            lines.append(FeeLine(rule.key, rule.label_th, rule.label_en, to_baht(amount)))
    return FeeQuote(tuple(lines), tuple(pending))
