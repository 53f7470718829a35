"""What holdings are worth at current prices, and how an account did: the valuation rules, without I/O.

A position is marked at its symbol's current price (``market_value``, rounded half-even to the
smallest unit like every figure shown); its unrealized P&L is that value against its cost basis.
An account's equity is its cash (available and reserved) plus the value of its positions, and its
total return is equity against the net deposits (deposits less withdrawals). Realized P&L and fees
are not computed here: they are recorded with each fill (``settlement``, ``ledger``).

A held position without a price makes every figure that depends on it unknown (None): a partial sum
would look like a real equity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import NamedTuple

from orders_common.domain.money import ZERO, add, divide, multiply, subtract, to_places

HUNDRED = Decimal(100)


class Holding(NamedTuple):
    symbol: str
    quantity: Decimal
    cost_basis: Decimal


class PositionValue(NamedTuple):
    current_price: Decimal | None
    market_value: Decimal | None
    unrealized_pnl: Decimal | None
    unrealized_pnl_percent: Decimal | None


class AccountValue(NamedTuple):
    positions: tuple[PositionValue, ...]
    positions_value: Decimal | None
    equity: Decimal | None
    unrealized_pnl: Decimal | None
    total_return: Decimal | None
    total_return_percent: Decimal | None
    unpriced: tuple[str, ...]  # held symbols without a price


def percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole`` (None when ``whole`` is not positive)."""
    if whole <= 0:
        return None
    return to_places(divide(multiply(part, HUNDRED), whole))


def value_position(holding: Holding, price: Decimal | None) -> PositionValue:
    """An empty position is worth 0 with or without a price; a held one without a price is unknown."""
    if holding.quantity == 0:
        return PositionValue(price, ZERO, ZERO, None)
    if price is None:
        return PositionValue(None, None, None, None)
    market_value = to_places(multiply(holding.quantity, price))
    unrealized = subtract(market_value, holding.cost_basis)
    return PositionValue(price, market_value, unrealized, percent_of(unrealized, holding.cost_basis))


def total(values: Iterable[Decimal | None]) -> Decimal | None:
    """The sum, or None when any term is unknown."""
    found = ZERO
    for value in values:
        if value is None:
            return None
        found = add(found, value)
    return found


def returns(equity: Decimal | None, net_deposits: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    """Total return (equity less net deposits) and it as a percentage of the net deposits."""
    if equity is None or net_deposits is None:
        return None, None
    total_return = subtract(equity, net_deposits)
    return total_return, percent_of(total_return, net_deposits)


def value_account(
    *, cash: Decimal, holdings: Iterable[Holding], prices: Mapping[str, Decimal], net_deposits: Decimal | None
) -> AccountValue:
    """``prices`` by symbol (upper case); a held symbol missing from them is reported in ``unpriced``."""
    held = tuple(holdings)
    positions = tuple(value_position(holding, prices.get(holding.symbol.upper())) for holding in held)
    positions_value = total(position.market_value for position in positions)
    equity = None if positions_value is None else add(cash, positions_value)
    total_return, total_return_percent = returns(equity, net_deposits)
    return AccountValue(
        positions=positions,
        positions_value=positions_value,
        equity=equity,
        unrealized_pnl=total(position.unrealized_pnl for position in positions),
        total_return=total_return,
        total_return_percent=total_return_percent,
        unpriced=tuple(h.symbol for h, v in zip(held, positions, strict=True) if v.market_value is None),
    )
