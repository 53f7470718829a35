"""Money arithmetic in DynamoDB's 38 digits: exact where it must be, rounded in the right direction."""

from __future__ import annotations

from decimal import Context, Decimal

import pytest

from orders_common.domain.money import (
    AmountOutOfRange,
    fits_dynamodb,
    multiply,
    require_storable,
    round_down,
    round_up,
    to_places,
    with_basis_points,
)


def test_the_largest_order_the_api_accepts_is_computed_exactly() -> None:
    # 1e12 x 1e11 rounds to 8 places: 32 digits, beyond Python's default 28-digit context
    price, quantity = Decimal("999999999999.99999999"), Decimal("100000000000.12345678")
    notional = round_up(multiply(price, quantity))

    exact = Context(prec=80).multiply(price, quantity)  # 40 digits: 28-digit arithmetic could not round it
    assert exact == Decimal("100000000000123456778999.9999999987654322")
    assert notional == Decimal("100000000000123456779000.00000000")  # rounded up, as a debit
    assert fits_dynamodb(notional)


def test_debits_round_up_and_credits_round_down_to_the_smallest_unit() -> None:
    assert round_up(Decimal("0.000000001")) == Decimal("0.00000001")
    assert round_down(Decimal("0.000000019")) == Decimal("0.00000001")
    assert to_places(Decimal("0.000000015")) == Decimal("0.00000002")


def test_basis_points_raise_and_lower() -> None:
    assert with_basis_points(Decimal(68500), Decimal(5)) == Decimal("68534.2500")
    assert with_basis_points(Decimal(68500), Decimal(-5)) == Decimal("68465.7500")


def test_more_digits_than_dynamodb_holds_are_refused() -> None:
    assert fits_dynamodb(Decimal("1" * 38))
    assert not fits_dynamodb(Decimal("1" * 39))
    with pytest.raises(AmountOutOfRange, match="reservation"):
        require_storable("reservation", Decimal("1" * 39 + ".5"))
