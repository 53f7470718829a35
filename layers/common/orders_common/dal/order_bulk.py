"""Cancelling many orders of one account in one transaction: each order leaves pending only if it is
still as read, every release is a ledger entry of its order, and the account and each position change
once by the total."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orders_common.dal import keys
from orders_common.dal.movements import ledger_items, move_balances, put_entries
from orders_common.dal.order_changes import STATUS
from orders_common.dal.order_events import add_bulk_cancel_event
from orders_common.dal.transaction import Transaction, TransactionRefused
from orders_common.domain import ledger
from orders_common.domain.money import ZERO
from orders_common.logic.ports.values import BulkClose, OpenOrder, fits_one_close
from orders_common.models.numbers import format_utc, utc_now
from orders_common.models.order import OrderStatus, Side

if TYPE_CHECKING:
    from orders_common.dal.client import DynamoTable
    from orders_common.domain.ledger import Movement


class OrderBulkCloses:
    table: DynamoTable

    def close_many(self, orders: list[OpenOrder], *, reason: str) -> BulkClose:
        if not orders:
            return BulkClose(closed=[], changed=[])
        if not fits_one_close(orders) or len({order.account_id for order in orders}) != 1:
            raise ValueError("close_many takes the orders of one account, as many as fit one transaction")
        account_id = orders[0].account_id
        now = utc_now()
        at = format_utc(now)
        transaction = Transaction()
        movements: list[Movement] = []
        entries: list[dict[str, Any]] = []
        for order in orders:
            condition = "#status = :status AND version = :version"
            if order.version == 1:
                condition = "#status = :status AND (version = :version OR attribute_not_exists(version))"
            transaction.update(
                f"order {order.id}",
                keys.order_key(order.id),
                "SET #status = :cancelled, updated_at = :at, cancelled_at = :at, version = :next, "
                "reserved_cash = :nothing, reserved_quantity = :nothing REMOVE pending_pk, pending_sk, pending_account",
                condition=condition,
                names=STATUS,
                values={
                    ":cancelled": OrderStatus.CANCELLED.value,
                    ":status": order.status.value,  # pending or partially filled, as read
                    ":at": at,
                    ":version": order.version,
                    ":next": order.version + 1,
                    ":nothing": ZERO,
                },
            )
            add_bulk_cancel_event(transaction, order, now)
            if order.side is Side.BUY:
                released = ledger.release(asset=ledger.CASH, amount=order.reserved_cash)
            else:
                released = ledger.release(asset=order.symbol, amount=order.reserved_quantity)
            movements += released
            entries += ledger_items(
                account_id, released, at=now, tag=ledger.new_tag(), order_id=order.id, reference=reason
            )
        # Each order's condition pins its reservation (it changes only with its version), so the totals
        # released here are exactly what the account and positions hold for these orders.
        move_balances(transaction, account_id, movements, at=now)
        put_entries(transaction, entries)
        try:
            self.table.transact(transaction)
        except TransactionRefused as refused:
            changed = [order.id for order in orders if refused.refused(f"order {order.id}")]
            if not changed:
                raise
            return BulkClose(closed=[], changed=changed)
        return BulkClose(closed=[order.id for order in orders], changed=[])
