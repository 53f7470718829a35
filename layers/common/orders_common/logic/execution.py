"""The execution engine: try one pending order on the exchange and record what happened, exactly once."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from aws_lambda_powertools.metrics import MetricUnit

from orders_common.auth import Caller
from orders_common.dal.repository import FillNotAffordable, OrderRepository
from orders_common.errors import ExchangeUnavailable, OrderNotFound, OrderNotPending, UnknownSymbol
from orders_common.exchange.base import AmbiguousOutcome, Decision, Exchange, Fill, NotMarketable, client_order_id_for
from orders_common.exchange.prices import PriceSource
from orders_common.models.execution import ExecuteResult, ExecutionStatus
from orders_common.models.order import Order, OrderStatus
from orders_common.observability import logger, metrics

if TYPE_CHECKING:
    from orders_common.wiring import Services


class ExecutionEngine:
    def __init__(self, *, repository: OrderRepository, prices: PriceSource, exchange: Exchange) -> None:
        self.repository = repository
        self.prices = prices
        self.exchange = exchange

    def execute(self, order: Order) -> ExecuteResult:
        """Raises ``OrderNotPending`` if the order is (or becomes) final elsewhere, and
        ``ExchangeUnavailable`` if no price can be had (the order stays pending, nothing is charged)."""
        if not order.is_pending:
            raise OrderNotPending(order.id, order.status.value)
        try:
            market_price = self.prices.get_price(order.symbol)
        except UnknownSymbol as error:
            raise ExchangeUnavailable(f"No price for {order.symbol}: {error.message}") from error
        if self.exchange.is_external:
            return self._execute_externally(order, market_price)
        return self._record(order, self.exchange.execute(order, market_price, client_order_id_for(order)), market_price)

    def reconcile(self, order: Order) -> ExecuteResult:
        """Settle an ``executing`` order from what the exchange says became of its client order id."""
        if order.status is not OrderStatus.EXECUTING:
            raise OrderNotPending(order.id, order.status.value)
        decision = self.exchange.find(client_order_id_for(order))
        if decision is None or isinstance(decision, NotMarketable):
            # The exchange never took it (or did not fill it): it is an ordinary pending order again.
            released = self.repository.release_claim(order)
            return ExecuteResult(order_id=order.id, execution_status=ExecutionStatus.OPEN, order_status=released.status)
        return self._record(order, decision, None)

    def _execute_externally(self, order: Order, market_price: Decimal) -> ExecuteResult:
        claimed = self.repository.claim_for_execution(order)
        try:
            decision = self.exchange.execute(claimed, market_price, client_order_id_for(claimed))
        except ExchangeUnavailable:
            self.repository.release_claim(claimed)  # certainly not received: nothing to reconcile
            raise
        except AmbiguousOutcome as error:
            logger.warning("Exchange outcome unknown; order left executing", order_id=order.id, error=str(error))
            raise ExchangeUnavailable(
                f"The exchange did not confirm order {order.id}; it will be reconciled, not sent twice."
            ) from error
        return self._record(claimed, decision, market_price)

    def _record(self, order: Order, decision: Decision, market_price: Decimal | None) -> ExecuteResult:
        if isinstance(decision, NotMarketable):
            if order.status is OrderStatus.EXECUTING:
                order = self.repository.release_claim(order)
            return ExecuteResult(
                order_id=order.id,
                execution_status=ExecutionStatus.OPEN,
                order_status=OrderStatus.PENDING,
                market_price=market_price,
            )
        if isinstance(decision, Fill):
            return self._fill(order, decision, market_price)
        return self._reject(order, decision.reason, market_price)

    def _fill(self, order: Order, fill: Fill, market_price: Decimal | None) -> ExecuteResult:
        try:
            filled = self.repository.settle_fill(order, fill)
        except FillNotAffordable as short:
            return self._reject(order, f"insufficient funds at fill: needs {short.required}", market_price)
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

    def _reject(self, order: Order, reason: str, market_price: Decimal | None) -> ExecuteResult:
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


def execute_order(order_id: int, caller: Caller, services: Services) -> ExecuteResult:
    """Manual execute: synchronous, answers with the outcome."""
    order = services.repository.get_order(order_id)
    if order is None:
        raise OrderNotFound(order_id)
    caller.require_user(order.user_id, f"order {order_id}")
    return services.engine.execute(order)


def execute_queued(order_id: int, services: Services) -> str:
    """Execute one order delivered by the execution queue; returns what happened, for the log.

    Deliveries can repeat: an order that is no longer pending is acknowledged and skipped. Transient
    failures (prices, exchange, store) raise, so that only this message is retried by SQS.
    """
    engine = services.engine
    order = services.repository.get_order(order_id)
    if order is None:
        logger.warning("Queued order does not exist", order_id=order_id)
        return "missing"
    try:
        if order.status is OrderStatus.EXECUTING:
            return engine.reconcile(order).execution_status.value
        if not order.is_pending:
            return "already-final"
        return engine.execute(order).execution_status.value
    except OrderNotPending:
        return "already-final"
