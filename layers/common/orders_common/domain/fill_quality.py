"""How a fill compares with the market at execution: slippage, and the reference price over an order's
fills. Pure rules, apart from ``valuation`` so that the order model (which shows slippage) does not
load the account valuation with it."""

from __future__ import annotations

from decimal import Decimal

from orders_common.domain.money import add, divide, multiply, subtract, to_places


def slippage(*, buy: bool, fill_price: Decimal | None, reference_price: Decimal | None) -> Decimal | None:
    """How much worse than the market price seen at execution the fill was, as a fraction of that price:
    positive when a buy paid more or a sale received less, negative when the fill was better. None
    until there is both a fill and a market price."""
    if fill_price is None or reference_price is None or reference_price <= 0:
        return None
    difference = subtract(fill_price, reference_price) if buy else subtract(reference_price, fill_price)
    return to_places(divide(difference, reference_price))


def reference_after(
    *, previous: Decimal | None, filled_before: Decimal, market_price: Decimal | None, filled_now: Decimal
) -> Decimal | None:
    """The market price seen at execution over every fill of an order, weighted by quantity as the
    average fill price is (a fill without a market price leaves it as it was)."""
    if market_price is None:
        return previous
    if previous is None or filled_before <= 0:
        return market_price
    weighted = add(multiply(previous, filled_before), multiply(market_price, filled_now))
    return to_places(divide(weighted, add(filled_before, filled_now)))
