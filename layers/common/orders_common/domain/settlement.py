"""What a reservation holds back and what a fill moves: the money rules of the desk, without I/O.

Buys reserve cash when they are created (limit: price x quantity; market: the current price plus a
margin) plus the commission on it; sells reserve the quantity they sell. A fill releases the
reservation and charges the real amounts; what a client pays is rounded up, what it receives down.
Positions use average-cost accounting: a sale takes its share of the cost basis with it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

from orders_common.domain.money import (
    ZERO,
    add,
    divide,
    multiply,
    require_storable,
    round_down,
    round_up,
    subtract,
    to_places,
    with_basis_points,
)

Commission = Callable[[Decimal], Decimal]


def buy_reservation(
    *,
    quantity: Decimal | None,
    limit_price: Decimal | None,
    market_price: Decimal,
    buffer_bps: Decimal,
    commission: Commission,
    quote_quantity: Decimal | None = None,
) -> Decimal:
    """Cash a buy holds back until it fills: enough for the fill and its commission.

    A buy without a limit fills at a price not yet known (``market_price`` is the best guess: the
    current price, or where a stop will trigger), so a margin above it is held too. A notional buy
    spends at most its ``quote_quantity``.
    """
    if quote_quantity is not None:
        return require_storable("reservation", add(quote_quantity, commission(quote_quantity)))
    if quantity is None:
        raise ValueError("a buy gives a quantity or a quote quantity")
    expected_price = limit_price if limit_price is not None else with_basis_points(market_price, buffer_bps)
    notional = round_up(multiply(expected_price, quantity))
    return require_storable("reservation", add(notional, commission(notional)))


class BuySettlement(NamedTuple):
    released: Decimal  # the whole reservation, given back
    cost: Decimal  # price x quantity, rounded up
    commission: Decimal

    @property
    def available_change(self) -> Decimal:
        """What available cash gains (negative: loses) once the reservation is back and the fill paid."""
        return subtract(self.released, add(self.cost, self.commission))

    @property
    def shortfall(self) -> Decimal:
        """What the fill costs beyond the reservation (the market moved past the margin); 0 if none."""
        return max(ZERO, -self.available_change)


def settle_buy(
    *, reserved: Decimal, price: Decimal, quantity: Decimal, commission: Decimal, cost: Decimal | None = None
) -> BuySettlement:
    """``reserved`` is what the fill gives back of the reservation (all of it when the order is done);
    ``cost`` the fill's notional when it was filled in parts (each part rounded up), else price x quantity."""
    if cost is None:
        cost = round_up(multiply(price, quantity))
    return BuySettlement(released=reserved, cost=require_storable("fill cost", cost), commission=commission)


def notional_paid(parts: list[tuple[Decimal, Decimal]]) -> Decimal:
    """What a buy filled in parts (price, quantity) pays: each part rounded up."""
    total = ZERO
    for price, quantity in parts:
        total = add(total, round_up(multiply(price, quantity)))
    return total


def notional_received(parts: list[tuple[Decimal, Decimal]]) -> Decimal:
    """What a sale filled in parts receives: each part rounded down."""
    total = ZERO
    for price, quantity in parts:
        total = add(total, round_down(multiply(price, quantity)))
    return total


def kept_reservation(*, reserved: Decimal, remaining_before: Decimal, filled: Decimal) -> Decimal:
    """What a buy's cash reservation keeps after a part of it filled: the share of what is left to fill,
    rounded up (the last fill releases whatever remains)."""
    if filled >= remaining_before:
        return ZERO
    return round_up(divide(multiply(reserved, subtract(remaining_before, filled)), remaining_before))


class SellSettlement(NamedTuple):
    proceeds: Decimal  # price x quantity, rounded down
    commission: Decimal
    cost_relief: Decimal  # the share of the cost basis that leaves with the units sold

    @property
    def credit(self) -> Decimal:
        """What available cash gains (negative when the commission exceeds the proceeds)."""
        return subtract(self.proceeds, self.commission)

    @property
    def realized_pnl(self) -> Decimal:
        """Proceeds against the average cost of what was sold (before commission)."""
        return subtract(self.proceeds, self.cost_relief)


def settle_sell(
    *,
    held_quantity: Decimal,
    cost_basis: Decimal,
    price: Decimal,
    quantity: Decimal,
    commission: Decimal,
    proceeds: Decimal | None = None,
) -> SellSettlement:
    """``proceeds``: the fill's notional when it was filled in parts (each rounded down)."""
    if proceeds is None:
        proceeds = round_down(multiply(price, quantity))
    proceeds = require_storable("fill proceeds", proceeds)
    return SellSettlement(
        proceeds=proceeds,
        commission=commission,
        cost_relief=cost_relief(held_quantity=held_quantity, cost_basis=cost_basis, quantity=quantity),
    )


def cost_relief(*, held_quantity: Decimal, cost_basis: Decimal, quantity: Decimal) -> Decimal:
    """The cost basis that leaves a position with ``quantity`` units sold: all of it when the whole
    position goes, else its share, rounded down so the basis left never goes negative."""
    if held_quantity <= quantity:
        return cost_basis
    return round_down(divide(multiply(cost_basis, quantity), held_quantity))


def average_cost(cost_basis: Decimal, quantity: Decimal) -> Decimal | None:
    """Cost per unit held, to 8 places (for display: the cost basis itself stays exact)."""
    if quantity == 0:
        return None
    return to_places(divide(cost_basis, quantity))
