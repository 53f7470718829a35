"""The execution engine: try one pending order on the exchange and record what happened, exactly once."""

from __future__ import annotations

from decimal import Decimal

from aws_lambda_powertools.metrics import MetricUnit

from orders_common.dal.repository import FillNotAffordable, OrderRepository
from orders_common.errors import ExchangeUnavailable, OrderNotFound, OrderNotPending, UnknownSymbol
from orders_common.exchange.base import Exchange, Fill, NotMarketable, Rejected, client_order_id_for
from orders_common.exchange.prices import PriceSource
from orders_common.models.order import Order, OrderStatus
from orders_common.models.responses import ExecuteResult, ExecutionStatus
from orders_common.observability import logger, metrics


class ExecutionEngine:
    def __init__(self, *, repository: OrderRepository, prices: PriceSource, exchange: Exchange) -> None:
        self.repository = repository
        self.prices = prices
        self.exchange = exchange

    def execute_by_id(self, order_id: int) -> ExecuteResult:
        order = self.repository.get_order(order_id)
        if order is None:
            raise OrderNotFound(order_id)
        return self.execute(order)

    def execute(self, order: Order) -> ExecuteResult:
        """Raises ``OrderNotPending`` if the order is (or becomes) final elsewhere, and
        ``ExchangeUnavailable`` if no price can be had (the order stays pending, nothing is charged)."""
        if not order.is_pending:
            raise OrderNotPending(order.id, order.status.value)
        try:
            market_price = self.prices.get_price(order.symbol)
        except UnknownSymbol as error:
            raise ExchangeUnavailable(f"No price for {order.symbol}: {error.message}") from error

        decision = self.exchange.execute(order, market_price, client_order_id_for(order))
        if isinstance(decision, NotMarketable):
            return ExecuteResult(
                order_id=order.id,
                execution_status=ExecutionStatus.OPEN,
                order_status=OrderStatus.PENDING,
                market_price=market_price,
            )
        if isinstance(decision, Rejected):
            return self._reject(order, decision.reason, market_price)
        return self._fill(order, decision, market_price)

    def _fill(self, order: Order, fill: Fill, market_price: Decimal) -> ExecuteResult:
        try:
            filled = self.repository.settle_fill(order, fill)
        except FillNotAffordable as short:
            return self._reject(
                order,
                f"insufficient funds at fill: needs {short.required} beyond the reservation",
                market_price,
            )
        logger.info("Order filled", order_id=order.id, price=str(fill.price), quantity=str(fill.quantity))
        metrics.add_metric(name="OrdersFilled", unit=MetricUnit.Count, value=1)
        return ExecuteResult(
            order_id=order.id,
            execution_status=ExecutionStatus.FILLED,
            order_status=filled.status,
            filled_price=filled.filled_price,
            filled_quantity=filled.filled_quantity,
            commission=filled.commission,
            executed_at=filled.executed_at,
            market_price=market_price,
        )

    def _reject(self, order: Order, reason: str, market_price: Decimal) -> ExecuteResult:
        rejected = self.repository.close_order(order, OrderStatus.REJECTED, reason=reason)
        logger.info("Order rejected", order_id=order.id, reason=reason)
        metrics.add_metric(name="OrdersRejected", unit=MetricUnit.Count, value=1)
        return ExecuteResult(
            order_id=order.id,
            execution_status=ExecutionStatus.REJECTED,
            order_status=rejected.status,
            rejection_reason=reason,
            market_price=market_price,
        )
