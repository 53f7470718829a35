"""Order books and what an order takes from one: the depth rules of the paper exchange, without I/O.

A buy takes the asks from the lowest up, a sell the bids from the highest down, level by level, each
level at its own price, until the order's quantity is filled, the next level is beyond what the order
accepts (its limit, or for a market order the mid price moved by its maximum slippage), or the book
ends. What is left is for a later attempt (good till cancelled), or expires (immediate or cancel).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from orders_common.domain.money import (
    ZERO,
    add,
    divide,
    multiply,
    round_down,
    round_down_to,
    round_up,
    subtract,
    with_basis_points,
)


class Level(NamedTuple):
    price: Decimal
    size: Decimal  # units of the base asset offered at ``price``


class OrderBook(NamedTuple):
    symbol: str
    bids: tuple[Level, ...]  # best (highest) first
    asks: tuple[Level, ...]  # best (lowest) first
    quoted_at: datetime  # when the venue gave it (quotes older than a limit are not traded on)

    def side_taken_by(self, side: str) -> tuple[Level, ...]:
        """The levels an order of ``side`` trades against: a buy lifts asks, a sell hits bids."""
        return self.asks if side == "buy" else self.bids


class LevelFill(NamedTuple):
    """One part of a fill: what the order took from one level of the book."""

    level: int  # 1 is the best level
    price: Decimal
    quantity: Decimal


def worst_acceptable_price(
    *, side: str, limit_price: Decimal | None, mid_price: Decimal, max_slippage_bps: Decimal
) -> Decimal:
    """The last price an order accepts: its limit, or for a market order the mid moved against it by
    ``max_slippage_bps`` (up for a buy, down for a sell)."""
    if limit_price is not None:
        return limit_price
    if side == "buy":
        return round_up(with_basis_points(mid_price, max_slippage_bps))
    return round_down(with_basis_points(mid_price, -max_slippage_bps))


def walk(
    levels: Sequence[Level], *, side: str, quantity: Decimal, worst_price: Decimal, lot_places: int = 8
) -> list[LevelFill]:
    """What an order of ``quantity`` takes from ``levels`` (best first) without passing ``worst_price``.
    Quantities are whole lots (``lot_places`` decimals), rounded down."""
    taken: list[LevelFill] = []
    left = quantity
    for number, level in enumerate(levels, start=1):
        if left <= ZERO:
            break
        beyond = level.price > worst_price if side == "buy" else level.price < worst_price
        if beyond:
            break
        part = round_down_to(min(left, level.size), lot_places)
        if part <= ZERO:
            continue
        taken.append(LevelFill(number, level.price, part))
        left = subtract(left, part)
    return taken


def walk_for_cash(
    levels: Sequence[Level], *, budget: Decimal, worst_price: Decimal, lot_places: int = 8
) -> list[LevelFill]:
    """What a notional buy of ``budget`` (cash, commission aside) takes from the asks: at each level
    as many whole lots as the cash left pays for."""
    taken: list[LevelFill] = []
    left = budget
    for number, level in enumerate(levels, start=1):
        if left <= ZERO or level.price > worst_price:
            break
        part = round_down_to(min(divide(left, level.price), level.size), lot_places)
        if part <= ZERO:
            break
        taken.append(LevelFill(number, level.price, part))
        left = subtract(left, round_up(multiply(level.price, part)))
    return taken


def total_quantity(parts: Sequence[LevelFill]) -> Decimal:
    total = ZERO
    for part in parts:
        total = add(total, part.quantity)
    return total


def average_price(parts: Sequence[LevelFill]) -> Decimal:
    """The quantity-weighted price of ``parts``, to 8 places (the amounts charged are per part)."""
    notional = ZERO
    for part in parts:
        notional = add(notional, multiply(part.price, part.quantity))
    return round_up(divide(notional, total_quantity(parts)))


def synthetic_book(
    symbol: str, mid: Decimal, *, levels: int, level_size: Decimal, step_bps: Decimal, quoted_at: datetime
) -> OrderBook:
    """A deterministic book around ``mid`` (local runs and tests): ``levels`` per side, each of
    ``level_size`` units, the first ``step_bps`` from the mid and each next one ``step_bps`` further."""
    asks = tuple(Level(round_up(with_basis_points(mid, step_bps * n)), level_size) for n in range(1, levels + 1))
    bids = tuple(Level(round_down(with_basis_points(mid, -step_bps * n)), level_size) for n in range(1, levels + 1))
    return OrderBook(symbol=symbol, bids=bids, asks=asks, quoted_at=quoted_at)
