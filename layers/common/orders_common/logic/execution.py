"""The execution engine: try one pending order on the exchange and record what happened, exactly once."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from orders_common.domain.money import multiply
from orders_common.errors import ExchangeUnavailable, OrderNotPending, StoreUnavailable, UnknownSymbol
from orders_common.exchange.base import (
    Accepted,
    AmbiguousOutcome,
    CancelledByVenue,
    Decision,
    Exchange,
    Fill,
    NotMarketable,
    PriceSource,
    client_order_id_for,
)
from orders_common.logic.fill_progress import FillPlan, buy_settlement, fill_notional, plan_fill, sell_settlement
from orders_common.logic.ports.refusals import FillUnaffordable, OrderStateChanged, OrderVersionChanged, PositionChanged
from orders_common.logic.triggering import check_trigger
from orders_common.models.execution import ExecuteResult, ExecutionStatus
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order, OrderStatus, Side, TimeInForce
from orders_common.observability import count, logger, measure
from orders_common.origin import reconciling
from orders_common.timing import back_off

if TYPE_CHECKING:
    from orders_common.logic.ports.accounts import AccountReads
    from orders_common.logic.ports.orders import OrderReads, OrderTransitions

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
        if self.exchange.is_external and self.exchange.rests(order):
            return self._follow_venue(order, expired=order.expire_at is not None and now >= order.expire_at)
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
        decision = self.exchange.find(order, client_order_id_for(order))
        with reconciling():
            if decision is None:
                # The exchange never took it: it is an ordinary pending order again.
                released = self._transition(order, lambda: self.transitions.release_claim(order))
                return ExecuteResult(
                    order_id=order.id, execution_status=ExecutionStatus.OPEN, order_status=released.status
                )
            return self._record(order, decision, None)

    def withdraw(self, order: Order) -> Order:
        """``order`` taken off the venue it rests on, with what it filled there recorded: the order as it now is,
        to be cancelled (or expired) here. An order not on a venue is returned as it is. Raises
        ``OrderNotPending`` when it filled in full (or ended) meanwhile."""
        if not (self.exchange.is_external and self.exchange.rests(order)):
            return order
        self.exchange.withdraw(order)  # False: no longer resting (filled, or ended there): its fills say which
        for _ in range(AMENDED_ATTEMPTS):
            decision = self.exchange.find(order, client_order_id_for(order))
            if not isinstance(decision, Fill):
                return order
            with suppress(OrderVersionChanged):  # another executor recorded it first: read it again
                self._fill(order, decision, None)
            fresh = self.orders.get_order(order.id)
            if fresh is None or not fresh.is_open:
                raise OrderNotPending(order.id, fresh.status.value if fresh else "gone")
            order = fresh
        raise StoreUnavailable(f"Order {order.id} kept changing while it was taken off the venue; try again shortly.")

    def _follow_venue(self, order: Order, *, expired: bool) -> ExecuteResult:
        """An order resting on the venue is never sent again: what it filled there is recorded, and past its
        expiry it is taken off the venue first."""
        if expired:
            return self._expire(self.withdraw(order), None, "gtd: expire_at has passed")
        decision = self.exchange.find(order, client_order_id_for(order))
        if decision is None:
            logger.error("The venue does not know an order resting on it", order_id=order.id)
            raise ExchangeUnavailable(f"The venue does not know order {order.id}; it is left as it is.")
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
        if isinstance(decision, Accepted):
            return self._accepted(order, decision, market_price)
        if isinstance(decision, CancelledByVenue):
            return self._close_as(order, OrderStatus.CANCELLED, decision.reason, market_price)
        return self._reject(order, decision.reason, market_price)

    def _accepted(self, order: Order, accepted: Accepted, market_price: Decimal | None) -> ExecuteResult:
        """On the venue's book: open here, its fills to come from the venue. Taken but not listed yet (an IOC):
        left executing, for the reconciler."""
        if order.status is OrderStatus.EXECUTING and accepted.rests:
            order = self._transition(
                order, lambda: self.transitions.rest_on_venue(order, self.exchange.name, accepted.exchange_order_id)
            )
        logger.info("Order on the venue", order_id=order.id, exchange=self.exchange.name,
                    venue_order_id=accepted.exchange_order_id, rests=accepted.rests)  # fmt: skip
        return ExecuteResult(
            order_id=order.id,
            execution_status=ExecutionStatus.OPEN if accepted.rests else ExecutionStatus.ACCEPTED,
            order_status=order.status,
            market_price=market_price,
        )

    def _fill(self, order: Order, fill: Fill, market_price: Decimal | None) -> ExecuteResult:
        plan = plan_fill(order, fill, market_price)
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
        measure("FillNotional", float(fill_notional(fill)))  # in cash units, summed per minute on the dashboard
        return ExecuteResult(
            order_id=order.id,
            execution_status=ExecutionStatus.FILLED if plan.completes else ExecutionStatus.PARTIALLY_FILLED,
            order_status=filled.status,
            filled_price=filled.filled_price,
            filled_quantity=filled.filled_quantity,
            commission=filled.commission,
            executed_at=filled.executed_at or filled.last_fill_at,
            market_price=market_price,
            slippage=filled.slippage,
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
        return self._close_as(order, OrderStatus.REJECTED, reason, market_price)

    def _close_as(self, order: Order, status: OrderStatus, reason: str, market_price: Decimal | None) -> ExecuteResult:
        closed = self._transition(order, lambda: self.transitions.close(order, status, reason=reason))
        rejected = status is OrderStatus.REJECTED
        logger.info("Order rejected" if rejected else "Order cancelled by the venue", order_id=order.id, reason=reason)
        count("OrdersRejected" if rejected else "OrdersCancelled")
        return ExecuteResult(
            order_id=order.id,
            execution_status=ExecutionStatus.REJECTED if rejected else ExecutionStatus.CANCELLED,
            order_status=closed.status,
            rejection_reason=reason,
            market_price=market_price,
        )

    @staticmethod
    def _transition(order: Order, change: Callable[[], Order]) -> Order:
        try:
            return change()
        except OrderStateChanged as changed:
            raise OrderNotPending(order.id, changed.status) from None
