"""The paper exchange: fills at the market price with slippage, without leaving the process."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from orders_common.domain.fees import FeeSchedule
from orders_common.domain.marketable import can_trade
from orders_common.domain.money import divide, multiply, round_down, round_down_to, round_up, with_basis_points
from orders_common.exchange.base import Decision, Fill, NotMarketable, Rejected
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order, Side


class PaperExchange:
    """Market orders fill at once; limit orders fill only when marketable (buy: market <= limit,
    sell: market >= limit), never at a price worse than the limit. Buys pay the slippage, sells give it."""

    name = "paper"
    is_external = False

    def __init__(
        self, *, slippage_bps: Decimal, fees: FeeSchedule, lot_places: Callable[[str], int] = lambda _: 8
    ) -> None:
        self._slippage_bps = slippage_bps
        self._fees = fees
        self._lot_places = lot_places

    def execute(self, order: Order, market_price: Decimal, client_order_id: str) -> Decision:
        """``order`` trades as it is now: a triggered stop or take-profit order as the market or limit
        order it became (the engine decides whether it triggered)."""
        limit = order.price if order.trades_at_limit else None
        if not can_trade(side=order.side.value, limit_price=limit, market_price=market_price):
            return NotMarketable()
        if order.side is Side.BUY:
            price = round_up(with_basis_points(market_price, self._slippage_bps))
            if limit is not None:
                price = min(price, limit)
        else:
            price = round_down(with_basis_points(market_price, -self._slippage_bps))
            if limit is not None:
                price = max(price, limit)
        quantity = order.quantity
        if quantity is None:  # a notional buy: what its cash buys at this price, in whole lots
            quantity = round_down_to(divide(order.quote_quantity or Decimal(0), price), self._lot_places(order.symbol))
            if quantity <= 0:
                return Rejected(f"quote_quantity {order.quote_quantity} buys less than one lot at {price}")
        return Fill(
            price=price,
            quantity=quantity,
            commission=self._fees.commission(multiply(price, quantity)),
            exchange=self.name,
            exchange_order_id=client_order_id,
            executed_at=utc_now(),
        )

    def find(self, client_order_id: str) -> Decision | None:
        return None  # nothing leaves the process, so nothing is ever ambiguous
