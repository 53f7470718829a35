"""Changing orders: every state change that moves money is one DynamoDB transaction whose conditions
make it apply exactly once (an order leaves a state only if it is still in it, cash is only taken if
it is there, a position is only sold if it is held). Refusals say what was found; the use case decides
what it means."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from orders_common.dal import keys
from orders_common.dal.idempotency import add_record, record_from_item
from orders_common.dal.mapping import order_to_item
from orders_common.dal.movements import Guard, record
from orders_common.dal.order_amends import OrderAmendments
from orders_common.dal.order_bulk import OrderBulkCloses
from orders_common.dal.order_changes import leave_state, raise_if_state_changed
from orders_common.dal.order_events import add_events
from orders_common.dal.order_fills import OrderFills
from orders_common.dal.order_moves import OrderMoves
from orders_common.dal.transaction import Transaction, TransactionRefused
from orders_common.domain import ledger
from orders_common.domain.money import ZERO
from orders_common.logic.ports.refusals import AccountRefused, ClientOrderIdTaken, IdempotencyKeyTaken, PositionRefused
from orders_common.models.numbers import format_utc, utc_now
from orders_common.models.order import Order, OrderStatus, Side

if TYPE_CHECKING:
    from orders_common.dal.client import DynamoTable
    from orders_common.logic.ports.values import IdempotencyRecord

_STATUS = {"#status": "status"}
# The account exists, is the caller's, and is not frozen (a frozen account takes no new orders).
_USABLE = "attribute_exists(pk) AND user_id = :owner AND (attribute_not_exists(frozen) OR frozen <> :frozen)"


class DynamoOrderWrites(OrderFills, OrderMoves, OrderAmendments, OrderBulkCloses):
    def __init__(self, table: DynamoTable, *, pending_shards: int) -> None:
        self.table = table
        self.pending_shards = pending_shards

    def insert(self, order: Order, *, idempotency: IdempotencyRecord | None = None) -> None:
        """The order, its reservation (with its ledger entry), its client order id and its
        Idempotency-Key record, together.

        The account must belong to ``order.user_id`` and not be frozen: conditions of the same
        transaction, so a caller whose identity is already known needs no read beforehand.
        """
        transaction = Transaction().put(
            "order", order_to_item(order, pending_shards=self.pending_shards), condition="attribute_not_exists(pk)"
        )
        usable = {":owner": order.user_id, ":frozen": True}
        if order.side is Side.BUY:
            movements = ledger.reservation(asset=ledger.CASH, amount=order.reserved_cash)
            account = Guard(f"{_USABLE} AND available_cash >= :required", {**usable, ":required": order.reserved_cash})
            position = None
        else:
            movements = ledger.reservation(asset=order.symbol, amount=order.reserved_quantity)
            account = Guard(_USABLE, usable)
            position = Guard(
                "attribute_exists(pk) AND available_quantity >= :required", {":required": order.reserved_quantity}
            )
        record(
            transaction,
            account_id=order.account_id,
            movements=movements,
            at=order.created_at,
            tag=ledger.new_tag(),
            order_id=order.id,
            account=account,
            position=position,
        )
        add_events(transaction, None, order)
        if order.client_order_id is not None:
            transaction.put(
                "client_order_id",
                {
                    **keys.client_order_key(order.account_id, order.client_order_id),
                    "entity": "client_order_id",
                    "order_id": order.id,
                },
                condition="attribute_not_exists(pk)",
            )
        if idempotency is not None:
            add_record(transaction, idempotency, now=int(order.created_at.timestamp()))
        try:
            self.table.transact(transaction)
        except TransactionRefused as refused:
            raise _insert_refusal(refused) from None

    def close(self, order: Order, status: OrderStatus, *, reason: str | None = None) -> Order:
        """Cancel or reject, and give back what the order reserved (with its ledger entry), in one
        transaction."""
        now = utc_now()
        at = format_utc(now)
        values: dict[str, Any] = {":closed": status.value, ":closed_at": at}
        expression = "SET #status = :closed, updated_at = :closed_at"
        update: dict[str, Any] = {
            "status": status,
            "version": order.version + 1,
            "updated_at": now,
            "reserved_cash": ZERO,
            "reserved_quantity": ZERO,
        }
        if status is OrderStatus.CANCELLED:
            expression += ", cancelled_at = :closed_at"
            update["cancelled_at"] = now
        if reason is not None:
            expression += ", rejection_reason = :reason"
            values[":reason"] = reason
            update["rejection_reason"] = reason
        closed = order.model_copy(update=update)
        transaction = leave_state(order, expression, values)
        add_events(transaction, order, closed)
        buy = order.side is Side.BUY
        held = order.reserved_cash if buy else order.reserved_quantity
        movements = ledger.release(asset=ledger.CASH if buy else order.symbol, amount=held)
        if movements:
            guard = Guard(f"{'reserved_cash' if buy else 'reserved_quantity'} >= :held", {":held": held})
            record(
                transaction,
                account_id=order.account_id,
                movements=movements,
                at=now,
                tag=ledger.new_tag(),
                order_id=order.id,
                reference=reason or status.value,
                account=guard if buy else None,
                position=None if buy else guard,
            )
        try:
            self.table.transact(transaction)
        except TransactionRefused as refused:
            raise_if_state_changed(refused, order)
            raise
        return closed.as_written()


def _insert_refusal(refused: TransactionRefused) -> Exception:
    if refused.refused("idempotency"):
        return IdempotencyKeyTaken(record_from_item(refused.found("idempotency")))
    if refused.refused("client_order_id"):
        existing = refused.found("client_order_id").get("order_id")
        return ClientOrderIdTaken(int(existing) if existing is not None else None)
    if refused.refused("account"):
        found = refused.found("account")
        owner = found.get("user_id")
        return AccountRefused(
            int(owner) if owner is not None else None, found.get("available_cash"), frozen=bool(found.get("frozen"))
        )
    if refused.refused("position"):
        held: Decimal | None = refused.found("position").get("available_quantity")
        return PositionRefused(held)
    return refused  # the order's own id was taken: a fault of ours, not the caller's
