from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from kiosk.domain.fees import FeeError, FeeRule, quote

rules = TypeAdapter(list[FeeRule])


def _rules(*data: dict[str, object]) -> list[FeeRule]:
    return rules.validate_python(list(data))


def test_no_rules_no_fee() -> None:
    q = quote([], {})
    assert q.total == 0 and q.complete and q.lines == ()


def test_fixed_fee() -> None:
    q = quote(
        _rules(
            {"kind": "fixed", "key": "permit", "label_th": "ค่าใบอนุญาต", "label_en": "Permit", "amount": "200"}
        ),
        {},
    )
    assert q.total == Decimal("200.00") and q.complete


TIERS = {
    "kind": "per_unit",
    "key": "inspection",
    "label_th": "ค่าตรวจแบบ",
    "label_en": "Plan inspection",
    "quantity_field": "area",
    "unit_th": "ตร.ม.",
    "tier_field": "height",
    "tiers": [
        {"when": "low", "rate": "0.50"},
        {"when": "mid", "rate": "2.00"},
        {"when": "high", "rate": "4.00"},
    ],
}


@pytest.mark.parametrize(("tier", "expected"), [("low", "60.25"), ("mid", "241.00"), ("high", "482.00")])
def test_per_unit_rate_chosen_by_tier(tier: str, expected: str) -> None:
    q = quote(_rules(TIERS), {"area": "120.5", "height": tier})
    assert q.total == Decimal(expected)


def test_per_unit_waits_for_quantity_and_tier() -> None:
    assert quote(_rules(TIERS), {"height": "low"}).pending == ("inspection",)
    assert quote(_rules(TIERS), {"area": "10"}).pending == ("inspection",)


def test_per_unit_refuses_a_negative_or_bad_quantity() -> None:
    with pytest.raises(FeeError):
        quote(_rules(TIERS), {"area": "-3", "height": "low"})
    with pytest.raises(FeeError):
        quote(_rules(TIERS), {"area": "ten", "height": "low"})


def test_percent_with_cap_and_satang_rounding() -> None:
    rule = {
        "kind": "percent",
        "key": "hotel",
        "label_th": "ค่าธรรมเนียม",
        "label_en": "Fee",
        "base_field": "rooms",
        "percent": "3",
        "cap": "1000",
    }
    assert quote(_rules(rule), {"rooms": "1234.56"}).total == Decimal("37.04")
    assert quote(_rules(rule), {"rooms": "100000"}).total == Decimal("1000.00")


def test_staff_amount_within_cap() -> None:
    rule = _rules(
        {"kind": "staff_amount", "key": "lic", "label_th": "ค่าธรรมเนียม", "label_en": "Licence", "cap": "2000"}
    )
    assert quote(rule, {}).pending == ("lic",)
    assert quote(rule, {}, {"lic": Decimal("1500")}).total == Decimal("1500.00")
    with pytest.raises(FeeError, match="cap"):
        quote(rule, {}, {"lic": Decimal("2000.01")})


def test_assessed_tax_is_pending_until_assessed() -> None:
    rule = _rules(
        {"kind": "assessed", "key": "tax", "label_th": "ภาษี", "label_en": "Tax", "basis_th": "พ.ร.บ."}
    )
    q = quote(rule, {})
    assert not q.complete and q.total == 0
    assert quote(rule, {}, {"tax": Decimal("364.22")}).total == Decimal("364.22")


def test_rule_shapes_are_checked() -> None:
    with pytest.raises(ValidationError, match="decimal places"):
        _rules({"kind": "fixed", "key": "a", "label_th": "ก", "label_en": "A", "amount": "1.001"})
    with pytest.raises(ValidationError, match="either rate or tier_field"):
        _rules({**TIERS, "rate": "1"})
    with pytest.raises(ValidationError):
        _rules({"kind": "bribe", "key": "a", "label_th": "ก", "label_en": "A"})
