"""Changing orders in memory: inserts and every transition, amends and cancels of many, each with the
conditions of the DynamoDB ones (the order as read: its status and version)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from orders_common.domain import ledger
from orders_common.domain.ledger import CASH
from orders_common.domain.money import ZERO
from orders_common.domain.settlement import BuySettlement, SellSettlement
from orders_common.logic.fill_progress import FillPlan
from orders_common.logic.ports.refusals import (
    AccountRefused,
    ClientOrderIdTaken,
    FillUnaffordable,
    OrderStateChanged,
    OrderVersionChanged,
    PositionChanged,
    PositionRefused,
)
from orders_common.logic.ports.values import BulkClose, IdempotencyRecord, OpenOrder, fits_one_close
from orders_common.models.fill import FillRecord
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order, OrderStatus, Side
from tests.support.fakes.order_reads import OrderReadFakes


class OrderFakes(OrderReadFakes):
    # OrderInserts

    def insert(self, order: Order, *, idempotency: IdempotencyRecord | None = None) -> None:
        self.calls.append("insert")
        with self._lock:
            self._claim_key(idempotency, order.created_at)
            if order.client_order_id is not None and (order.account_id, order.client_order_id) in self.client_order_ids:
                raise ClientOrderIdTaken(self.client_order_ids[(order.account_id, order.client_order_id)])
            state = self.accounts.get(order.account_id)
            summary = state.summary if state else None
            short = order.side is Side.BUY and summary is not None and summary.available_cash < order.reserved_cash
            if summary is None or summary.user_id != order.user_id or summary.frozen or short:
                raise AccountRefused(
                    summary.user_id if summary else None,
                    summary.available_cash if summary else None,
                    frozen=bool(summary and summary.frozen),
                )
            if order.side is Side.BUY:
                movements = ledger.reservation(asset=CASH, amount=order.reserved_cash)
            else:
                held = self.positions.get((order.account_id, order.symbol))
                if held is None or held.available < order.reserved_quantity:
                    raise PositionRefused(held.available if held else None)
                movements = ledger.reservation(asset=order.symbol, amount=order.reserved_quantity)
            self._apply(order.account_id, movements, at=order.created_at, tag=ledger.new_tag(), order_id=order.id)
            self._keep(None, order)
            if order.client_order_id is not None:
                self.client_order_ids[(order.account_id, order.client_order_id)] = order.id
            self._keep_key(idempotency)

    # OrderTransitions

    def fill(
        self, plan: FillPlan, settlement: BuySettlement | SellSettlement, *, position_version: int | None
    ) -> Order:
        self.calls.append("fill")
        order, fill = plan.before, plan.fill
        with self._lock:
            self._require_state(order)
            summary = self.accounts[order.account_id].summary
            if isinstance(settlement, BuySettlement):
                if summary.reserved_cash < settlement.released or summary.available_cash < settlement.shortfall:
                    raise FillUnaffordable(summary.available_cash)
                movements = ledger.buy_fill(order.symbol, fill.quantity, settlement)
            else:
                held = self.positions.get((order.account_id, order.symbol))
                delivered = plan.sold + plan.released_unsold
                if held is None or held.version != position_version or held.reserved < delivered:
                    raise PositionChanged("position changed")
                if settlement.credit < 0 and summary.available_cash < -settlement.credit:
                    raise FillUnaffordable(summary.available_cash)
                movements = ledger.sell_fill(order.symbol, plan.sold, settlement)
                movements += ledger.release(asset=order.symbol, amount=plan.released_unsold)
            self._apply(order.account_id, movements, at=fill.executed_at, tag=ledger.new_tag(), order_id=order.id)
            kept = self.fills.setdefault(order.id, [])
            for number, part in enumerate(fill.records(), start=order.fills_count + 1):
                kept.append(
                    FillRecord(
                        fill_id=f"{order.id}-{number}",
                        order_id=order.id,
                        account_id=order.account_id,
                        symbol=order.symbol,
                        side=order.side,
                        price=part.price,
                        quantity=part.quantity,
                        commission=part.commission,
                        liquidity_level=part.level,
                        executed_at=fill.executed_at,
                    )
                )
            return self._keep(order, plan.after)

    def close(self, order: Order, status: OrderStatus, *, reason: str | None = None) -> Order:
        self.calls.append("close")
        with self._lock:
            self._require_state(order)
            now = utc_now()
            buy = order.side is Side.BUY
            movements = ledger.release(
                asset=CASH if buy else order.symbol, amount=order.reserved_cash if buy else order.reserved_quantity
            )
            self._apply(
                order.account_id,
                movements,
                at=now,
                tag=ledger.new_tag(),
                order_id=order.id,
                reference=reason or status.value,
            )
            update: dict[str, object] = {
                "version": order.version + 1,
                "status": status,
                "updated_at": now,
                "reserved_cash": ZERO,
                "reserved_quantity": ZERO,
            }
            if status is OrderStatus.CANCELLED:
                update["cancelled_at"] = now
            if reason is not None:
                update["rejection_reason"] = reason
            return self._keep(order, order.model_copy(update=update))

    def claim(self, order: Order) -> Order:
        return self._move(order, OrderStatus.EXECUTING)

    def release_claim(self, order: Order) -> Order:
        return self._move(order, OrderStatus.PARTIALLY_FILLED if order.filled_quantity > 0 else OrderStatus.PENDING)

    def rest_on_venue(self, order: Order, exchange: str, exchange_order_id: str) -> Order:
        reopened = OrderStatus.PARTIALLY_FILLED if order.filled_quantity > 0 else OrderStatus.PENDING
        return self._move(order, reopened, exchange=exchange, exchange_order_id=exchange_order_id)

    def _move(self, order: Order, target: OrderStatus, **fields: object) -> Order:
        with self._lock:
            self._require_state(order)
            update = {"status": target, "updated_at": utc_now(), "version": order.version + 1, **fields}
            return self._keep(order, order.model_copy(update=update))

    def record_trigger(self, order: Order) -> Order:
        with self._lock:
            self._require_state(order)
            triggered = order.model_copy(update={"updated_at": utc_now(), "version": order.version + 1})
            return self._keep(order, triggered)

    def follow_trail(self, order_id: int, side: Side, mark: Decimal, stop_price: Decimal) -> bool:
        with self._lock:
            current = self.orders.get(order_id)
            if current is None or current.status is not OrderStatus.PENDING or current.triggered_at is not None:
                return False
            if current.trail_mark is None or not (
                mark > current.trail_mark if side is Side.SELL else mark < current.trail_mark
            ):
                return False
            self.orders[order_id] = current.model_copy(update={"trail_mark": mark, "stop_price": stop_price})
            return True

    # OrderAmends / BulkCloses

    def amend(self, order: Order, amended: Order) -> Order:
        self.calls.append("amend")
        with self._lock:
            self._require_state(order)
            buy = order.side is Side.BUY
            change = (
                amended.reserved_cash - order.reserved_cash
                if buy
                else amended.reserved_quantity - order.reserved_quantity
            )
            asset = CASH if buy else order.symbol
            summary = self.accounts[order.account_id].summary
            if change > 0:
                if summary.frozen:
                    raise AccountRefused(summary.user_id, summary.available_cash, frozen=True)
                if buy and summary.available_cash < change:
                    raise AccountRefused(summary.user_id, summary.available_cash)
                held = self.positions.get((order.account_id, order.symbol))
                if not buy and (held is None or held.available < change):
                    raise PositionRefused(held.available if held else None)
                movements = ledger.reservation(asset=asset, amount=change)
            else:
                movements = ledger.release(asset=asset, amount=-change)
            self._apply(
                order.account_id,
                movements,
                at=amended.updated_at,
                tag=ledger.new_tag(),
                order_id=order.id,
                reference="amend",
            )
            self.queued_at.pop(order.id, None)
            return self._keep(order, amended)

    def close_many(self, orders: list[OpenOrder], *, reason: str) -> BulkClose:
        self.calls.append("close_many")
        if not fits_one_close(orders):
            raise ValueError("more orders than one transaction takes")
        with self._lock:
            changed = [
                order.id
                for order in orders
                if (current := self.orders.get(order.id)) is None
                or current.status is not order.status
                or current.version != order.version
            ]
            if changed:
                return BulkClose(closed=[], changed=changed)
            now = utc_now()
            for order in orders:
                current = self.orders[order.id]
                buy = current.side is Side.BUY
                movements = ledger.release(
                    asset=CASH if buy else current.symbol,
                    amount=current.reserved_cash if buy else current.reserved_quantity,
                )
                self._apply(
                    current.account_id, movements, at=now, tag=ledger.new_tag(), order_id=current.id, reference=reason
                )
                self._keep_bulk_cancel(
                    order,
                    current.model_copy(
                        update={
                            "status": OrderStatus.CANCELLED,
                            "version": current.version + 1,
                            "updated_at": now,
                            "cancelled_at": now,
                            "reserved_cash": ZERO,
                            "reserved_quantity": ZERO,
                        }
                    ),
                )
            return BulkClose(closed=[order.id for order in orders], changed=[])

    def mark_queued(self, order_id: int, *, at: datetime, unless_since: datetime) -> bool:
        with self._lock:
            current = self.orders.get(order_id)
            if current is None or not current.is_open:
                return False
            queued = self.queued_at.get(order_id)
            if queued is not None and queued >= unless_since:
                return False
            self.queued_at[order_id] = at
            return True

    def _require_state(self, order: Order) -> None:
        current = self.orders.get(order.id)
        still_open = current is not None and current.is_open and order.is_open
        if current is None or (current.status is not order.status and not still_open):
            raise OrderStateChanged(current.status.value if current else "gone")
        if current.version != order.version:
            raise OrderVersionChanged(current.version)
