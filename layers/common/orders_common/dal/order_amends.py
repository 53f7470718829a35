"""Amending a pending order: the order is replaced as it was read (status and version), and its
reservation moves by the difference, with its ledger entry, in the same transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orders_common.dal.mapping import order_to_item
from orders_common.dal.movements import Guard, record
from orders_common.dal.order_changes import STATUS, as_read, raise_if_state_changed
from orders_common.dal.order_events import add_events
from orders_common.dal.transaction import Transaction, TransactionRefused
from orders_common.domain import ledger
from orders_common.domain.money import subtract
from orders_common.logic.ports.refusals import AccountRefused, PositionRefused
from orders_common.models.order import Order, Side

if TYPE_CHECKING:
    from orders_common.dal.client import DynamoTable
    from orders_common.domain.ledger import Movement

# A larger reservation is a new commitment: like a new order, only on an account that is not frozen.
_USABLE = "attribute_exists(pk) AND (attribute_not_exists(frozen) OR frozen <> :frozen)"


class OrderAmendments:
    table: DynamoTable
    pending_shards: int

    def amend(self, order: Order, amended: Order) -> Order:
        condition, read_values = as_read(order)
        read_values.pop(":next")
        # The whole item is written again: every field the amend changed, the index keys as they were
        # (a pending order stays in its partitions), the schedule's queued mark dropped (look again).
        transaction = Transaction().put(
            "order",
            order_to_item(amended, pending_shards=self.pending_shards),
            condition=condition,
            names=STATUS,
            values=read_values,
        )
        add_events(transaction, order, amended)
        buy = amended.side is Side.BUY
        asset = ledger.CASH if buy else amended.symbol
        if buy:
            change = subtract(amended.reserved_cash, order.reserved_cash)
        else:
            change = subtract(amended.reserved_quantity, order.reserved_quantity)
        movements: list[Movement] = []
        account = position = None
        if change > 0:
            movements = ledger.reservation(asset=asset, amount=change)
            usable = Guard(_USABLE, {":frozen": True})
            if buy:
                account = Guard(f"{_USABLE} AND available_cash >= :more", {":frozen": True, ":more": change})
            else:
                account = usable
                position = Guard("attribute_exists(pk) AND available_quantity >= :more", {":more": change})
        elif change < 0:
            movements = ledger.release(asset=asset, amount=-change)
        if movements:
            record(
                transaction,
                account_id=order.account_id,
                movements=movements,
                at=amended.updated_at,
                tag=ledger.new_tag(),
                order_id=order.id,
                reference="amend",
                account=account,
                position=position,
            )
        try:
            self.table.transact(transaction)
        except TransactionRefused as refused:
            raise_if_state_changed(refused, order)
            if refused.refused("position"):
                raise PositionRefused(refused.found("position").get("available_quantity")) from None
            found = refused.found("account")
            raise AccountRefused(order.user_id, found.get("available_cash"), frozen=bool(found.get("frozen"))) from None
        return amended.as_written()
