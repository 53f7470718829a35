"""The execution engine: try one pending order on the exchange and record what happened, exactly once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from orders_common.domain.money import multiply
from orders_common.errors import ExchangeUnavailable, OrderNotPending, StoreUnavailable, UnknownSymbol
from orders_common.exchange.base import (
    AmbiguousOutcome,
    Decision,
    Exchange,
    Fill,
    NotMarketable,
    PriceSource,
    client_order_id_for,
)
from orders_common.logic.fill_progress import FillPlan, buy_settlement, plan_fill, sell_settlement
from orders_common.logic.ports import (
    AccountReads,
    FillUnaffordable,
    OrderReads,
    OrderStateChanged,
    OrderTransitions,
    OrderVersionChanged,
    PositionChanged,
)
from orders_common.logic.triggering import check_trigger
from orders_common.models.execution import ExecuteResult, ExecutionStatus
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order, OrderStatus, Side, TimeInForce
from orders_common.observability import count, logger
from orders_common.origin import reconciling
from orders_common.timing import back_off

# A sale is priced from the position as read; when another change to the position lands in between,
# it is read and priced again after a jittered pause, for as long as the invocation has time.
POSITION_ATTEMPTS = 50
POSITION_BACKOFF_BASE_SECONDS = 0.01
POSITION_BACKOFF_CAP_SECONDS = 0.25


class PositionBusy(StoreUnavailable):
    """The position kept changing under a sale; nothing was applied and the order is still pending."""


# An order amended between its read and its execution is read again and executed as it now is.
AMENDED_ATTEMPTS = 3


@dataclass(frozen=True)
class ExecutionEngine:
    transitions: OrderTransitions
    accounts: AccountReads
    orders: OrderReads
    prices: PriceSource
    exchange: Exchange

    def execute(self, order: Order) -> ExecuteResult:
        """Raises ``OrderNotPending`` if the order is (or becomes) final elsewhere, and
        ``ExchangeUnavailable`` if no price can be had (the order stays pending, nothing is charged)."""
        for _ in range(AMENDED_ATTEMPTS):
            try:
                return self._execute(order)
            except OrderVersionChanged:
                fresh = self.orders.get_order(order.id)
                if fresh is None:
                    raise OrderNotPending(order.id, "gone") from None
                order = fresh
        raise StoreUnavailable(f"Order {order.id} kept changing while it was executed; try again shortly.")

    def _execute(self, order: Order) -> ExecuteResult:
        if not order.is_open:
            raise OrderNotPending(order.id, order.status.value)
        now = utc_now()
        if order.expire_at is not None and now >= order.expire_at:
            return self._expire(order, None, "gtd: expire_at has passed")
        try:
            market_price = self.prices.get_price(order.symbol)
        except UnknownSymbol as error:
            raise ExchangeUnavailable(f"No price for {order.symbol}: {error.message}") from error
        check = check_trigger(order, market_price, now)
        if not check.ready:
            if check.trail_moved and check.order.trail_mark is not None and check.order.stop_price is not None:
                self.transitions.follow_trail(order.id, order.side, check.order.trail_mark, check.order.stop_price)
            return ExecuteResult(
                order_id=order.id,
                execution_status=ExecutionStatus.NOT_TRIGGERED,
                order_status=order.status,
                market_price=market_price,
            )
        trading = check.order
        if self.exchange.is_external:
            return self._execute_externally(trading, market_price)
        decision = self.exchange.execute(trading, market_price, client_order_id_for(trading))
        return self._record(trading, decision, market_price, newly_triggered=check.newly_triggered)

    def reconcile(self, order: Order) -> ExecuteResult:
        """Settle an ``executing`` order from what the exchange says became of its client order id."""
        if order.status is not OrderStatus.EXECUTING:
            raise OrderNotPending(order.id, order.status.value)
        decision = self.exchange.find(client_order_id_for(order))
        with reconciling():
            if decision is None or isinstance(decision, NotMarketable):
                # The exchange never took it (or did not fill it): it is an ordinary pending order again.
                released = self._transition(order, lambda: self.transitions.release_claim(order))
                return ExecuteResult(
                    order_id=order.id, execution_status=ExecutionStatus.OPEN, order_status=released.status
                )
            return self._record(order, decision, None)

    def _execute_externally(self, order: Order, market_price: Decimal) -> ExecuteResult:
        claimed = self._transition(order, lambda: self.transitions.claim(order))
        try:
            decision = self.exchange.execute(claimed, market_price, client_order_id_for(claimed))
        except ExchangeUnavailable:
            self.transitions.release_claim(claimed)  # certainly not received: nothing to reconcile
            raise
        except AmbiguousOutcome as error:
            logger.warning("Exchange outcome unknown; order left executing", order_id=order.id, error=str(error))
            raise ExchangeUnavailable(
                f"The exchange did not confirm order {order.id}; it will be reconciled, not sent twice."
            ) from error
        return self._record(claimed, decision, market_price)

    def _record(
        self, order: Order, decision: Decision, market_price: Decimal | None, *, newly_triggered: bool = False
    ) -> ExecuteResult:
        if isinstance(decision, NotMarketable):
            if order.time_in_force in (TimeInForce.IOC, TimeInForce.FOK):
                return self._expire(order, market_price, f"{order.time_in_force.value}: not marketable when tried")
            if order.status is OrderStatus.EXECUTING:
                order = self._transition(order, lambda: self.transitions.release_claim(order))
            elif newly_triggered:  # it trades as a limit order from now on
                self._transition(order, lambda: self.transitions.record_trigger(order))
            return ExecuteResult(
                order_id=order.id,
                execution_status=ExecutionStatus.OPEN,
                order_status=order.status,
                market_price=market_price,
            )
        if isinstance(decision, Fill):
            return self._fill(order, decision, market_price)
        return self._reject(order, decision.reason, market_price)

    def _fill(self, order: Order, fill: Fill, market_price: Decimal | None) -> ExecuteResult:
        plan = plan_fill(order, fill)
        try:
            filled = self._transition(order, lambda: self._settle(plan))
        except FillUnaffordable:
            return self._reject(
                order, f"insufficient funds at fill: needs {multiply(fill.price, fill.quantity)}", market_price
            )
        logger.info(
            "Order filled" if plan.completes else "Order partially filled",
            order_id=order.id,
            price=str(fill.price),
            quantity=str(fill.quantity),
            parts=len(fill.records()),
        )
        count("OrdersFilled" if plan.completes else "OrdersPartiallyFilled")
        return ExecuteResult(
            order_id=order.id,
            execution_status=ExecutionStatus.FILLED if plan.completes else ExecutionStatus.PARTIALLY_FILLED,
            order_status=filled.status,
            filled_price=filled.filled_price,
            filled_quantity=filled.filled_quantity,
            commission=filled.commission,
            executed_at=filled.executed_at or filled.last_fill_at,
            market_price=market_price,
        )

    def _settle(self, plan: FillPlan) -> Order:
        order = plan.before
        if order.side is Side.BUY:
            return self.transitions.fill(plan, buy_settlement(plan), position_version=None)
        attempt = 1
        while True:
            held = self.accounts.get_position(order.account_id, order.symbol)
            sale = sell_settlement(plan, held.position if held else None)
            try:
                return self.transitions.fill(plan, sale, position_version=held.version if held else None)
            except PositionChanged:
                if attempt >= POSITION_ATTEMPTS or not back_off(
                    attempt, base=POSITION_BACKOFF_BASE_SECONDS, cap=POSITION_BACKOFF_CAP_SECONDS, then_needs=0.5
                ):
                    logger.warning("Position kept changing under a sale", order_id=order.id, attempts=attempt)
                    raise PositionBusy(
                        f"The position of order {order.id} is busy; the order is still pending, try again shortly."
                    ) from None
                attempt += 1

    def _expire(self, order: Order, market_price: Decimal | None, why: str) -> ExecuteResult:
        expired = self._transition(order, lambda: self.transitions.close(order, OrderStatus.EXPIRED))
        logger.info("Order expired", order_id=order.id, why=why)
        count("OrdersExpired")
        return ExecuteResult(
            order_id=order.id,
            execution_status=ExecutionStatus.EXPIRED,
            order_status=expired.status,
            market_price=market_price,
        )

    def _reject(self, order: Order, reason: str, market_price: Decimal | None) -> ExecuteResult:
        rejected = self._transition(order, lambda: self.transitions.close(order, OrderStatus.REJECTED, reason=reason))
        logger.info("Order rejected", order_id=order.id, reason=reason)
        count("OrdersRejected")
        return ExecuteResult(
            order_id=order.id,
            execution_status=ExecutionStatus.REJECTED,
            order_status=rejected.status,
            rejection_reason=reason,
            market_price=market_price,
        )

    @staticmethod
    def _transition(order: Order, change: Callable[[], Order]) -> Order:
        try:
            return change()
        except OrderStateChanged as changed:
            raise OrderNotPending(order.id, changed.status) from None
