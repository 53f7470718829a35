"""Reading an order's timeline (its partition, consistent, oldest first, paged) and the stored form of an
event back into the model."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from orders_common.dal import keys
from orders_common.dal.paging import oldest_first_page, read_partition
from orders_common.logic.order_timeline import as_shown
from orders_common.models.actor import Actor
from orders_common.models.order import Order
from orders_common.models.order_event import OrderEvent
from orders_common.models.paging import Page, PageRequest

if TYPE_CHECKING:
    from orders_common.dal.client import DynamoTable

# Versions have ten digits and a change has at most 99 events (keys.order_event_key).
LAST_EVENT = (9_999_999_999, 99)


class DynamoOrderEventReads:
    def __init__(self, table: DynamoTable) -> None:
        self.table = table

    def order_events(self, order_id: int, page: PageRequest) -> Page[OrderEvent]:
        # The events are EVENT#<version>#<n> beside the order and its fills: a page asks for the keys
        # from the one after the last it gave.
        first = (1, 1) if page.after is None else _next(page.after)
        if first > LAST_EVENT:
            return Page([])
        request: dict[str, Any] = {
            "KeyConditionExpression": "pk = :order AND sk BETWEEN :first AND :last",
            "ExpressionAttributeValues": {
                ":order": keys.order_key(order_id)["pk"],
                ":first": keys.order_event_key(order_id, *first)["sk"],
                ":last": keys.order_event_key(order_id, *LAST_EVENT)["sk"],
            },
            "ConsistentRead": True,
        }
        found = read_partition(self.table, request, want=page.limit, sort_attribute="sk")
        items, cursor = oldest_first_page(found, limit=page.limit, sort_attribute="sk")
        return Page([event_from_item(item) for item in items], cursor)


def _next(cursor: str) -> tuple[int, int]:
    version, number = (int(part) for part in cursor.removeprefix(keys.ORDER_EVENT_PREFIX).split("#"))
    return (version, number + 1) if number < LAST_EVENT[1] else (version + 1, 1)


def event_from_item(item: dict[str, Any]) -> OrderEvent:
    after = order_after(item)
    if after is None:
        changes = json.loads(item.get("changes") or "{}", parse_float=Decimal)
    else:  # the event kept what each field was; the order says what it became
        shown = as_shown(after)
        before: dict[str, Any] = json.loads(item.get("before") or "{}", parse_float=Decimal)
        changes = {name: {"from": was, "to": shown.get(name)} for name, was in before.items()}
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
        changes=changes,
    )


def order_after(item: dict[str, Any]) -> Order | None:
    """The order right after the event, when its writer kept it (see ``order_events``)."""
    shown = item.get("order")
    return Order.model_validate_json(shown) if shown else None
