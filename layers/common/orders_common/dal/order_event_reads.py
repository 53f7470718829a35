"""Reading an order's timeline (its partition, consistent, oldest first) and the stored form of an
event back into the model."""

from __future__ import annotations

import json
from typing import Any

from orders_common.dal import keys
from orders_common.dal.client import DynamoTable
from orders_common.models.order import Order
from orders_common.models.order_event import Actor, OrderEvent


class DynamoOrderEventReads:
    def __init__(self, table: DynamoTable) -> None:
        self.table = table

    def order_events(self, order_id: int) -> list[OrderEvent]:
        found: list[OrderEvent] = []
        start: dict[str, Any] | None = None
        while True:
            items, start = self.table.query(
                KeyConditionExpression="pk = :order AND begins_with(sk, :event)",
                ExpressionAttributeValues={":order": keys.order_key(order_id)["pk"], ":event": keys.ORDER_EVENT_PREFIX},
                ConsistentRead=True,
                ExclusiveStartKey=start,
            )
            found += [event_from_item(item) for item in items]
            if start is None:
                return found


def event_from_item(item: dict[str, Any]) -> OrderEvent:
    return OrderEvent(
        event_id=item["event_id"],
        kind=item["kind"],
        order_id=int(item["order_id"]),
        account_id=int(item["account_id"]),
        user_id=int(item["user_id"]),
        order_version=int(item["order_version"]),
        at=item["at"],
        actor=Actor(
            kind=item["actor_kind"],
            user_id=int(item["actor_user_id"]) if item.get("actor_user_id") is not None else None,
        ),
        request_id=item.get("request_id"),
        changes=json.loads(item.get("changes") or "{}"),
    )


def order_after(item: dict[str, Any]) -> Order | None:
    """The order right after the event, when its writer kept it (see ``order_events``)."""
    shown = item.get("order")
    return Order.model_validate_json(shown) if shown else None
