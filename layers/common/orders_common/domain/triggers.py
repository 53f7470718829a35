"""When a stop, take-profit or trailing-stop order triggers, and what it becomes.

- A stop buy triggers when the market rises to its trigger, a stop sell when it falls to it: they limit
  a loss (or chase a breakout). Take-profit orders are the other way round: a take-profit sell when
  the market rises to the trigger, a take-profit buy when it falls to it.
- A trailing stop follows the market: a sell's mark is the highest price seen since it was placed, and
  it triggers when the market falls ``trail`` below it; a buy's mark is the lowest, and it triggers when
  the market rises ``trail`` above it. The trail is a percentage of the mark or an amount.

Triggered, a ``*_market`` order trades as a market order and a ``*_limit`` order as a limit order.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from orders_common.domain.money import add, divide, multiply, subtract, to_places

HUNDRED = Decimal(100)


def trigger_reached(*, kind: str, side: str, trigger_price: Decimal, market_price: Decimal) -> bool:
    """``kind`` is ``stop`` or ``take_profit``."""
    rising_through = market_price >= trigger_price
    falling_through = market_price <= trigger_price
    if kind == "stop":
        return rising_through if side == "buy" else falling_through
    return falling_through if side == "buy" else rising_through


class Trail(NamedTuple):
    mark: Decimal
    stop_price: Decimal
    triggered: bool


def follow(
    *, side: str, mark: Decimal | None, market_price: Decimal, percent: Decimal | None, amount: Decimal | None
) -> Trail:
    """The trailing stop's mark and stop price after seeing ``market_price``, and whether it triggers."""
    if side == "sell":
        best = market_price if mark is None else max(mark, market_price)
        distance = multiply(best, divide(percent, HUNDRED)) if percent is not None else (amount or Decimal(0))
        stop = to_places(subtract(best, distance))
        return Trail(best, stop, market_price <= stop)
    best = market_price if mark is None else min(mark, market_price)
    distance = multiply(best, divide(percent, HUNDRED)) if percent is not None else (amount or Decimal(0))
    stop = to_places(add(best, distance))
    return Trail(best, stop, market_price >= stop)
