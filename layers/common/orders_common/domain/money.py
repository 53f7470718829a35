"""Exact money arithmetic in the precision DynamoDB stores.

DynamoDB numbers carry up to 38 significant digits; Python's default decimal context carries 28, so
an order of 1e12 x 1e11 (both inside the input limits) could not even be rounded. Every amount the
service computes is computed in ``MONEY`` (38 digits, with every loss of precision trapped rather than
rounded silently) and checked to fit before it is written.
"""

from __future__ import annotations

from decimal import (
    ROUND_CEILING,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)

DYNAMODB_DIGITS = 38
MAX_DECIMAL_PLACES = 8
BASIS_POINT = Decimal("0.0001")
ZERO = Decimal(0)
_STEP = Decimal(1).scaleb(-MAX_DECIMAL_PLACES)

# Inexact is not trapped: a division (average cost) is rounded on purpose, then quantized.
MONEY = Context(prec=DYNAMODB_DIGITS, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])


class AmountOutOfRange(ValueError):
    """A computed amount has more significant digits than DynamoDB can store."""

    def __init__(self, what: str, value: Decimal) -> None:
        super().__init__(f"{what} ({value}) has more than {DYNAMODB_DIGITS} significant digits")
        self.what = what
        self.value = value


def multiply(a: Decimal, b: Decimal) -> Decimal:
    return MONEY.multiply(a, b)


def add(a: Decimal, b: Decimal) -> Decimal:
    return MONEY.add(a, b)


def subtract(a: Decimal, b: Decimal) -> Decimal:
    return MONEY.subtract(a, b)


def divide(a: Decimal, b: Decimal) -> Decimal:
    return MONEY.divide(a, b)


def round_up(amount: Decimal) -> Decimal:
    """A debit (what a client pays), rounded up to the smallest unit: never in the client's favour by accident."""
    return amount.quantize(_STEP, rounding=ROUND_CEILING, context=MONEY)


def round_down(amount: Decimal) -> Decimal:
    """A credit (what a client receives), rounded down to the smallest unit."""
    return amount.quantize(_STEP, rounding=ROUND_FLOOR, context=MONEY)


def round_down_to(amount: Decimal, places: int) -> Decimal:
    """Down to ``places`` decimal places (a quantity to the symbol's lot size)."""
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_FLOOR, context=MONEY)


def to_places(amount: Decimal) -> Decimal:
    """Rounded half-even to the smallest unit (figures shown, not amounts moved)."""
    return amount.quantize(_STEP, context=MONEY)


def with_basis_points(amount: Decimal, bps: Decimal) -> Decimal:
    """``amount`` increased by ``bps`` basis points (negative to decrease)."""
    return multiply(amount, add(Decimal(1), multiply(bps, BASIS_POINT)))


def fits_dynamodb(value: Decimal) -> bool:
    """At most 38 significant digits (trailing zeros of an integer part are not significant)."""
    significant = "".join(map(str, value.as_tuple().digits)).strip("0")
    return len(significant) <= DYNAMODB_DIGITS


def require_storable(what: str, value: Decimal) -> Decimal:
    if not fits_dynamodb(value):
        raise AmountOutOfRange(what, value)
    return value


__all__ = [
    "BASIS_POINT",
    "MONEY",
    "ZERO",
    "AmountOutOfRange",
    "add",
    "divide",
    "fits_dynamodb",
    "multiply",
    "require_storable",
    "round_down",
    "round_down_to",
    "round_up",
    "subtract",
    "to_places",
    "with_basis_points",
]
