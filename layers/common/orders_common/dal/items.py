"""How orders, accounts, positions and counters are laid out in the single table.

| item      | pk                 | sk                 | indexed as                                          |
|-----------|--------------------|--------------------|-----------------------------------------------------|
| order     | ``ORDER#<id>``     | ``ORDER``          | by_account, by_user; pending (only while pending)  |
| account   | ``ACCOUNT#<id>``   | ``ACCOUNT``        |                                                     |
| position  | ``ACCOUNT#<id>``   | ``POSITION#<SYM>`` |                                                     |
| counter   | ``COUNTER#<name>`` | ``COUNTER``        |                                                     |

Index sort keys are ``<created_at>#<zero-padded id>``: time order, unique, and comparable as strings.
The ``pending`` index is sparse (an order leaves it when its pending attributes are removed) and its
partition key is sharded (``PENDING#<id mod shards>``) so that a busy desk has no single hot key.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from typing import Any

from orders_common.models.account import Account, Position
from orders_common.models.numbers import format_utc
from orders_common.models.order import Order, OrderStatus

ACCOUNT_INDEX = "by_account"
USER_INDEX = "by_user"
PENDING_INDEX = "pending"

ORDER_FIELDS = tuple(Order.model_fields)
INDEX_ATTRIBUTES = ("pending_pk", "pending_sk")

SORT_KEY_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z#\d{20}$")


def order_key(order_id: int) -> dict[str, str]:
    return {"pk": f"ORDER#{order_id}", "sk": "ORDER"}


def account_key(account_id: int) -> dict[str, str]:
    return {"pk": f"ACCOUNT#{account_id}", "sk": "ACCOUNT"}


def account_partition(account_id: int) -> str:
    return f"ACCOUNT#{account_id}"


def user_partition(user_id: int) -> str:
    return f"USER#{user_id}"


def position_key(account_id: int, symbol: str) -> dict[str, str]:
    return {"pk": f"ACCOUNT#{account_id}", "sk": f"POSITION#{symbol}"}


ORDER_ID_COUNTER = "ORDER_ID"


def counter_key(name: str) -> dict[str, str]:
    return {"pk": f"COUNTER#{name}", "sk": "COUNTER"}


def client_order_key(account_id: int, client_order_id: str) -> dict[str, str]:
    """Claims a client order id within an account (its own partition: account reads never see it)."""
    return {"pk": f"CLIENT_ORDER#{account_id}#{client_order_id}", "sk": "CLIENT_ORDER"}


def cursor_key(name: str) -> dict[str, str]:
    return {"pk": f"CURSOR#{name}", "sk": "CURSOR"}


def pending_partition(shard: int) -> str:
    return f"PENDING#{shard}"


def executing_partition(shard: int) -> str:
    """Orders handed to an external exchange whose outcome is not recorded yet (same sparse index)."""
    return f"EXECUTING#{shard}"


def pending_shard(order_id: int, shards: int) -> int:
    return order_id % shards


def order_sort_key(created_at: datetime, order_id: int) -> str:
    return f"{format_utc(created_at)}#{order_id:020d}"


def order_to_item(order: Order, *, pending_shards: int) -> dict[str, Any]:
    """The stored form of an order: its fields (absent values left out) plus its index keys."""
    fields = order.model_dump(exclude_none=True)
    sort_key = order_sort_key(order.created_at, order.id)
    item: dict[str, Any] = {
        **order_key(order.id),
        **{name: value.value if isinstance(value, Enum) else value for name, value in fields.items()},
        "entity": "order",
        "by_account_pk": account_partition(order.account_id),
        "by_account_sk": sort_key,
        "by_user_pk": user_partition(order.user_id),
        "by_user_sk": sort_key,
    }
    if order.status is OrderStatus.PENDING:
        item["pending_pk"] = pending_partition(pending_shard(order.id, pending_shards))
        item["pending_sk"] = sort_key
    return item


def item_to_order(item: dict[str, Any]) -> Order:
    return Order.model_validate({name: item[name] for name in ORDER_FIELDS if name in item})


def account_to_item(account: Account) -> dict[str, Any]:
    return {
        **account_key(account.account_id),
        "entity": "account",
        "account_id": account.account_id,
        "user_id": account.user_id,
        "available_cash": account.available_cash,
        "reserved_cash": account.reserved_cash,
        "created_at": format_utc(account.created_at),
        "updated_at": format_utc(account.updated_at),
    }


def position_to_item(account_id: int, position: Position) -> dict[str, Any]:
    return {
        **position_key(account_id, position.symbol),
        "entity": "position",
        "account_id": account_id,
        "symbol": position.symbol,
        "available_quantity": position.available_quantity,
        "reserved_quantity": position.reserved_quantity,
        "cost_basis": position.cost_basis,
        "version": 0,
    }


def items_to_account(items: list[dict[str, Any]]) -> Account | None:
    """Build an account from its partition (the account item and its position items)."""
    account_item = next((item for item in items if item["sk"] == "ACCOUNT"), None)
    if account_item is None:
        return None
    positions = tuple(
        Position(
            symbol=item["symbol"],
            available_quantity=item["available_quantity"],
            reserved_quantity=item["reserved_quantity"],
            cost_basis=item["cost_basis"],
        )
        for item in items
        if item["sk"].startswith("POSITION#")
    )
    return Account(
        account_id=account_item["account_id"],
        user_id=account_item["user_id"],
        available_cash=account_item["available_cash"],
        reserved_cash=account_item["reserved_cash"],
        positions=positions,
        created_at=account_item["created_at"],
        updated_at=account_item["updated_at"],
    )
