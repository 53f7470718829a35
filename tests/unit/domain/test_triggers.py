"""When trigger orders trigger, and how a trailing stop follows the market."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders_common.domain.triggers import follow, trigger_reached
from orders_common.models.numbers import MAX_DECIMAL_PLACES


@pytest.mark.parametrize(
    ("kind", "side", "market", "reached"),
    [
        ("stop", "sell", "69999", True),  # falls through the stop
        ("stop", "sell", "70000", True),  # touching it is enough
        ("stop", "sell", "70001", False),
        ("stop", "buy", "70001", True),  # a breakout buy: rises through it
        ("stop", "buy", "69999", False),
        ("take_profit", "sell", "70001", True),  # rises to the target
        ("take_profit", "sell", "69999", False),
        ("take_profit", "buy", "69999", True),  # buys the dip
        ("take_profit", "buy", "70001", False),
    ],
)
def test_stops_and_take_profits_trigger_from_opposite_sides(kind: str, side: str, market: str, reached: bool) -> None:
    assert trigger_reached(kind=kind, side=side, trigger_price=Decimal(70000), market_price=Decimal(market)) is reached


def test_a_trailing_sell_keeps_the_high_and_triggers_on_the_retracement() -> None:
    first = follow(side="sell", mark=None, market_price=Decimal(70000), percent=Decimal(5), amount=None)
    assert (first.mark, first.stop_price, first.triggered) == (Decimal(70000), Decimal(66500), False)

    higher = follow(side="sell", mark=first.mark, market_price=Decimal(80000), percent=Decimal(5), amount=None)
    assert (higher.mark, higher.stop_price, higher.triggered) == (Decimal(80000), Decimal(76000), False)

    dip = follow(side="sell", mark=higher.mark, market_price=Decimal(77000), percent=Decimal(5), amount=None)
    assert (dip.mark, dip.stop_price, dip.triggered) == (Decimal(80000), Decimal(76000), False)

    fall = follow(side="sell", mark=dip.mark, market_price=Decimal(76000), percent=Decimal(5), amount=None)
    assert fall.triggered is True


def test_a_trailing_buy_keeps_the_low_and_triggers_on_the_rebound_by_an_amount() -> None:
    low = follow(side="buy", mark=Decimal(3000), market_price=Decimal(2800), percent=None, amount=Decimal(150))
    assert (low.mark, low.stop_price, low.triggered) == (Decimal(2800), Decimal(2950), False)

    bounce = follow(side="buy", mark=low.mark, market_price=Decimal("2949.99"), percent=None, amount=Decimal(150))
    assert (bounce.mark, bounce.triggered) == (Decimal(2800), False)
    assert follow(side="buy", mark=low.mark, market_price=Decimal(2950), percent=None, amount=Decimal(150)).triggered


def test_a_percentage_stop_is_rounded_to_the_price_precision() -> None:
    trail = follow(side="sell", mark=None, market_price=Decimal("0.123456"), percent=Decimal("3.3"), amount=None)

    # 0.123456 * 0.967 = 0.119381952, kept to the places a price may have
    assert MAX_DECIMAL_PLACES == 8
    assert trail.stop_price == Decimal("0.11938195")
