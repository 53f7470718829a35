"""Items and models: the stored form of orders, and back (accounts and positions: ``account_mapping``)."""

from __future__ import annotations

from enum import Enum
from operator import methodcaller
from typing import Any

import orjson

from orders_common.dal import keys
from orders_common.models.base import dumped
from orders_common.models.order import OPEN_STATUSES, Order

ORDER_FIELDS = tuple(name for name, field in Order.model_fields.items() if not field.exclude)  # what is stored
_DERIVED = frozenset(Order.model_computed_fields)  # in an order's dump, not stored
_DEFAULTS = {name: field.default for name, field in Order.model_fields.items() if not field.is_required()}
_REQUIRED = object()  # the default of a field that has none
# An amount's text in a snapshot, positional (what pydantic writes of a JsonNumber, without the call of
# its ``__str__`` that ``default=str`` made for each one). Amounts are the only values orjson leaves to it.
_AS_TEXT = methodcaller("__format__", "f")

# What the pending_summary index projects (template.yaml lists the same names): enough to decide
# whether an order can act now without reading it whole. Attributes later order types use are
# listed already, since an index's projection cannot change once created.
SUMMARY_FIELDS = (
    "id", "account_id", "symbol", "side", "order_type", "price", "status", "updated_at", "queued_at",
    "time_in_force", "expire_at", "trigger_price", "trail_percent", "trail_amount", "trail_mark", "triggered_at",
)  # fmt: skip


# What the pending_by_account index projects: what cancelling an order needs (template.yaml agrees).
OPEN_ORDER_FIELDS = (
    "id", "account_id", "user_id", "symbol", "side", "status", "version", "reserved_cash", "reserved_quantity",
)  # fmt: skip


def order_to_item(order: Order, *, pending_shards: int) -> dict[str, Any]:
    """The stored form of an order: its fields (absent values left out) plus its index keys."""
    # The stored fields (ORDER_FIELDS) that have a value, from the dump a create also answers with.
    fields = {name: value for name, value in dumped(order).items() if value is not None and name not in _DERIVED}
    sort_key = keys.order_sort_key(order.created_at, order.id)
    item: dict[str, Any] = {
        **keys.order_key(order.id),
        **{name: value.value if isinstance(value, Enum) else value for name, value in fields.items()},
        "entity": "order",
        "by_account_pk": keys.account_partition(order.account_id),
        "by_account_sk": sort_key,
        "by_user_pk": keys.user_partition(order.user_id),
        "by_user_sk": sort_key,
    }
    if order.status in OPEN_STATUSES:
        item["pending_pk"] = keys.pending_partition(keys.pending_shard(order.id, pending_shards))
        item["pending_sk"] = sort_key
        item["pending_account"] = keys.account_partition(order.account_id)
    if order.client_order_id is not None:
        item["by_client_pk"] = keys.client_partition(order.account_id, order.client_order_id)
    return item


def item_to_order(item: dict[str, Any]) -> Order:
    # The item's keys and index attributes are no order fields: the model ignores them (in its core,
    # where picking the fields out first cost a quarter of reading an order).
    return Order.model_validate(item)


def order_snapshot(order: Order) -> str:
    """The order as its events keep it: JSON of its stored fields that hold a value other than their
    default (amounts as text), under 1 KB. The text pydantic's ``model_dump_json(exclude_none=True,
    exclude_defaults=True)`` writes (``tests/unit/test_order_item.py`` holds the two equal on generated
    orders), made from the dump a create also stores and answers (``dumped``)."""
    kept = {
        name: value
        for name, value in dumped(order).items()
        if value is not None and name not in _DERIVED and _DEFAULTS.get(name, _REQUIRED) != value
    }
    return orjson.dumps(kept, default=_AS_TEXT).decode()
