"""Money is `Decimal` baht, exact to the satang; storage and barcodes use whole satang."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

SATANG = Decimal("0.01")


def to_baht(value: Decimal | int | str) -> Decimal:
    """Round half-up to the satang, the rule of Thai receipts and bank slips."""
    return Decimal(value).quantize(SATANG, rounding=ROUND_HALF_UP)


def to_satang(value: Decimal) -> int:
    return int(to_baht(value) * 100)


def from_satang(satang: int) -> Decimal:
    return (Decimal(satang) / 100).quantize(SATANG)


def format_baht(value: Decimal) -> str:
    """`1234.5` -> `1,234.50`, the way amounts are printed on Thai forms."""
    return f"{to_baht(value):,.2f}"
