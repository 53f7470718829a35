"""The paper exchange: fills against the order book of the book source, level by level, without
leaving the process."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from orders_common.domain.book import average_price, total_quantity, walk, walk_for_cash, worst_acceptable_price
from orders_common.domain.money import ZERO, add, multiply, round_down, round_up
from orders_common.errors import ExchangeUnavailable
from orders_common.exchange.base import BookSource, Decision, Fill, FillPart, NotMarketable, Rejected
from orders_common.models.numbers import utc_now
from orders_common.models.order import PAPER_EXCHANGE, Order, Side, TimeInForce

if TYPE_CHECKING:
    from orders_common.domain.fees import FeeSchedule


class PaperExchange:
    """An order takes what the book offers up to its limit (a market order: up to its maximum
    slippage from the mid), each level at its own price and with its own commission. What the book
    cannot give now is left for the engine to keep open or expire; a fill-or-kill order takes all or
    nothing. A market order is not traded on a quote older than ``max_quote_age``."""

    name = PAPER_EXCHANGE
    is_external = False

    def __init__(
        self,
        *,
        books: BookSource,
        fees: FeeSchedule,
        max_slippage_bps: Decimal,
        max_quote_age: timedelta,
        lot_places: Callable[[str], int] = lambda _: 8,
    ) -> None:
        self._books = books
        self._fees = fees
        self._max_slippage_bps = max_slippage_bps
        self._max_quote_age = max_quote_age
        self._lot_places = lot_places

    def execute(self, order: Order, market_price: Decimal, client_order_id: str) -> Decision:
        """``order`` trades as it is now: a triggered stop or take-profit order as the market or limit
        order it became (the engine decides whether it triggered), for what it has left to fill."""
        book = self._books.get_book(order.symbol)
        limit = order.price if order.trades_at_limit else None
        if limit is None and utc_now() - book.quoted_at > self._max_quote_age:
            raise ExchangeUnavailable(
                f"The {order.symbol} quote is older than {self._max_quote_age.total_seconds():g} s; "
                "a market order is not filled on it."
            )
        worst = worst_acceptable_price(
            side=order.side.value,
            limit_price=limit,
            mid_price=market_price,
            max_slippage_bps=order.max_slippage_bps if order.max_slippage_bps is not None else self._max_slippage_bps,
        )
        levels = book.side_taken_by(order.side.value)
        lots = self._lot_places(order.symbol)
        if order.quantity is None:  # a notional buy: what its cash buys
            taken = walk_for_cash(levels, budget=order.quote_quantity or ZERO, worst_price=worst, lot_places=lots)
            if not taken and levels and levels[0].price <= worst:
                return Rejected(f"quote_quantity {order.quote_quantity} buys less than one lot at {levels[0].price}")
        else:
            remaining = order.quantity - order.filled_quantity
            taken = walk(levels, side=order.side.value, quantity=remaining, worst_price=worst, lot_places=lots)
            if order.time_in_force is TimeInForce.FOK and total_quantity(taken) < remaining:
                return NotMarketable()
        if not taken:
            return NotMarketable()
        rounding = round_up if order.side is Side.BUY else round_down
        parts = tuple(
            FillPart(
                level=part.level,
                price=part.price,
                quantity=part.quantity,
                commission=self._fees.commission(rounding(multiply(part.price, part.quantity))),
            )
            for part in taken
        )
        commission = ZERO
        for part in parts:
            commission = add(commission, part.commission)
        return Fill(
            price=average_price(taken),
            quantity=total_quantity(taken),
            commission=commission,
            exchange=self.name,
            exchange_order_id=client_order_id,
            executed_at=utc_now(),
            parts=parts,
        )

    def find(self, order: Order, client_order_id: str) -> Decision | None:
        return None  # nothing leaves the process, so nothing is ever ambiguous

    def rests(self, order: Order) -> bool:
        return False  # what the book cannot fill now stays open here, not on a venue

    def withdraw(self, order: Order) -> bool:
        return False
