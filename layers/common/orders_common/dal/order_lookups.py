"""Finding orders by what a client knows of them: an account's pending orders, an order by the client
order id its account gave it."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from orders_common.dal import keys
from orders_common.dal.mapping import item_to_order
from orders_common.models.order import Order, OrderStatus, Side

if TYPE_CHECKING:
    from orders_common.dal.client import DynamoTable
    from orders_common.logic.ports.values import OpenOrder


class DynamoOrderLookups:
    table: DynamoTable

    def open_orders(self, account_id: int) -> list[OpenOrder]:
        """Oldest first, every page of the account's pending index."""
        found: list[OpenOrder] = []
        start: dict[str, Any] | None = None
        while True:
            items, start = self.table.query(
                IndexName=keys.ACCOUNT_PENDING_INDEX,
                KeyConditionExpression="pending_account = :account",
                ExpressionAttributeValues={":account": keys.account_partition(account_id)},
                ExclusiveStartKey=start,
            )
            found += [_open_order(item) for item in items]
            if start is None:
                return found

    def find_by_client(self, account_id: int, client_order_id: str) -> Order | None:
        """One read of the by_client index; an order created a moment ago may not be there yet, so a miss
        is confirmed by the consistent path (the client order id's own item, then the order)."""
        items, _ = self.table.query(
            IndexName=keys.CLIENT_INDEX,
            KeyConditionExpression="by_client_pk = :client",
            ExpressionAttributeValues={":client": keys.client_partition(account_id, client_order_id)},
        )
        if items:
            return item_to_order(items[0])
        order_id = self.order_id_for_client(account_id, client_order_id)
        if order_id is None:
            return None
        item = self.table.get(keys.order_key(order_id), consistent=True)
        return item_to_order(item) if item else None

    def order_id_for_client(self, account_id: int, client_order_id: str) -> int | None:
        item = self.table.get(keys.client_order_key(account_id, client_order_id), consistent=True)
        return int(item["order_id"]) if item else None


def _open_order(item: dict[str, Any]) -> OpenOrder:
    # Imported here: reading one order (most functions) needs none of the ports' value classes.
    from orders_common.logic.ports.values import OpenOrder

    return OpenOrder(
        id=int(item["id"]),
        account_id=int(item["account_id"]),
        user_id=int(item["user_id"]),
        symbol=str(item["symbol"]),
        side=Side(str(item["side"])),
        status=OrderStatus(str(item["status"])),
        version=int(item.get("version", 1)),
        reserved_cash=Decimal(item.get("reserved_cash", 0)),
        reserved_quantity=Decimal(item.get("reserved_quantity", 0)),
    )
