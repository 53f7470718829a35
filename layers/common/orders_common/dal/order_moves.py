"""Changes of an order that move no money: claims for an external exchange, the schedule's marks,
a trailing stop's mark, the moment a trigger order triggers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from orders_common.dal import keys
from orders_common.dal.client import ConditionFailed, DynamoTable
from orders_common.dal.order_changes import STATUS, as_read, raise_if_state_changed, trigger_fields
from orders_common.dal.order_events import add_events
from orders_common.dal.transaction import Transaction, TransactionRefused
from orders_common.models.numbers import format_utc, utc_now
from orders_common.models.order import Order, OrderStatus, Side


class OrderMoves:
    table: DynamoTable
    pending_shards: int

    def claim(self, order: Order) -> Order:
        """Pending -> executing before an external exchange is called, so that no other execution or
        cancel can touch the order until its outcome is recorded (or reconciled)."""
        return self._move(order, OrderStatus.EXECUTING, keys.executing_partition)

    def release_claim(self, order: Order) -> Order:
        """Executing -> open again: pending, or partially filled if earlier attempts filled a part."""
        reopened = OrderStatus.PARTIALLY_FILLED if order.filled_quantity > 0 else OrderStatus.PENDING
        return self._move(order, reopened, keys.pending_partition)

    def rest_on_venue(self, order: Order, exchange: str, exchange_order_id: str) -> Order:
        """Executing -> open, with the venue's order id: the order rests on the venue's book, and what it fills
        there is recorded from the venue, never by sending it again."""
        reopened = OrderStatus.PARTIALLY_FILLED if order.filled_quantity > 0 else OrderStatus.PENDING
        shard = keys.pending_shard(order.id, self.pending_shards)
        return self._change_as_read(
            order,
            {"status": reopened, "exchange": exchange, "exchange_order_id": exchange_order_id},
            "#status = :target, pending_pk = :partition, exchange = :exchange, exchange_order_id = :venue_id",
            {
                ":target": reopened.value,
                ":partition": keys.pending_partition(shard),
                ":exchange": exchange,
                ":venue_id": exchange_order_id,
            },
        )

    def _move(self, order: Order, target: OrderStatus, partition: Any) -> Order:
        shard = keys.pending_shard(order.id, self.pending_shards)
        return self._change_as_read(
            order,
            {"status": target},
            "#status = :target, pending_pk = :partition",
            {":target": target.value, ":partition": partition(shard)},
        )

    def record_trigger(self, order: Order) -> Order:
        """The order triggered but could not trade yet (a limit the market has not reached): it stays
        pending, and from now on trades as the limit order it became."""
        return self._change_as_read(order, {}, None, {})

    def _change_as_read(
        self, order: Order, update: dict[str, Any], assignments: str | None, values: dict[str, Any]
    ) -> Order:
        """Set ``assignments`` (and the time, the next version, a trigger the order carries) on the
        order, only if it is still as read, with the change's events; returns the order after."""
        now = utc_now()
        after = order.model_copy(update={**update, "updated_at": now, "version": order.version + 1})
        triggered, trigger_values = trigger_fields(order)
        condition, read_values = as_read(order)
        extra = f", {assignments}" if assignments else ""
        transaction = Transaction().update(
            "order",
            keys.order_key(order.id),
            f"SET updated_at = :at, version = :next{extra}{triggered}",
            names=STATUS,
            values={":at": format_utc(now), **values, **trigger_values, **read_values},
            condition=condition,
        )
        add_events(transaction, order, after)
        try:
            self.table.transact(transaction)
        except TransactionRefused as refused:
            raise_if_state_changed(refused, order)
            raise
        return after.as_written()

    def follow_trail(self, order_id: int, side: Side, mark: Decimal, stop_price: Decimal) -> bool:
        """Keep a trailing stop's better mark and its stop price; False when the order is no longer
        pending or already has a mark as good (two executors seeing different prices keep the best).
        The version stays: the mark is the desk's bookkeeping, and a client's If-Match must not fail
        because the market moved."""
        better = "trail_mark < :mark" if side is Side.SELL else "trail_mark > :mark"
        try:
            self.table.update(
                keys.order_key(order_id),
                "SET trail_mark = :mark, stop_price = :stop",
                names=STATUS,
                values={":mark": mark, ":stop": stop_price, ":pending": OrderStatus.PENDING.value},
                condition=f"#status = :pending AND attribute_not_exists(triggered_at) AND {better}",
            )
        except ConditionFailed:
            return False
        return True

    def mark_queued(self, order_id: int, *, at: datetime, unless_since: datetime) -> bool:
        try:
            self.table.update(
                keys.order_key(order_id),
                "SET queued_at = :at",
                names=STATUS,
                values={
                    ":at": format_utc(at),
                    ":since": format_utc(unless_since),
                    ":pending": OrderStatus.PENDING.value,
                    ":partial": OrderStatus.PARTIALLY_FILLED.value,
                },
                condition="#status IN (:pending, :partial) AND (attribute_not_exists(queued_at) OR queued_at < :since)",
            )
        except ConditionFailed:
            return False
        return True
