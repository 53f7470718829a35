"""Items and models: the stored form of orders, accounts and positions, and back."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Any

from orders_common.dal import keys
from orders_common.models.account import Account, AccountSummary, Position
from orders_common.models.order import OPEN_STATUSES, Order

ORDER_FIELDS = tuple(Order.model_fields)

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
    fields = order.model_dump(include=set(ORDER_FIELDS), exclude_none=True)  # not the computed fields
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
    return Order.model_validate({name: item[name] for name in ORDER_FIELDS if name in item})


def item_to_position(item: dict[str, Any]) -> Position:
    return Position(
        symbol=item["symbol"],
        available_quantity=item.get("available_quantity", Decimal(0)),
        reserved_quantity=item.get("reserved_quantity", Decimal(0)),
        cost_basis=item.get("cost_basis", Decimal(0)),
    )


ACCOUNT_FIELDS = tuple(AccountSummary.model_fields)

# Accounts opened before net deposits were kept have none at first, and a later transfer adds only
# itself: such a sum is not the ledger's, so it is read only from accounts that kept it from the start.
TRACKS_DEPOSITS = "net_deposits_kept"


def account_fields(item: dict[str, Any]) -> dict[str, Any]:
    fields = {name: item[name] for name in ACCOUNT_FIELDS if name in item}
    if not item.get(TRACKS_DEPOSITS):
        fields.pop("net_deposits", None)
    return fields


def item_to_account_summary(item: dict[str, Any]) -> AccountSummary:
    return AccountSummary.model_validate(account_fields(item))


def items_to_account(items: list[dict[str, Any]]) -> Account | None:
    """Build an account from its partition (the account item and its position items)."""
    account_item = next((item for item in items if item["sk"] == "ACCOUNT"), None)
    if account_item is None:
        return None
    positions = tuple(item_to_position(item) for item in items if item["sk"].startswith("POSITION#"))
    return Account.model_validate({**account_fields(account_item), "positions": positions})
