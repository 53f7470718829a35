"""Where each kind of item lives in the single table: keys, index names and index sort keys.

| item            | pk                              | sk                 | indexed as                            |
|-----------------|---------------------------------|--------------------|---------------------------------------|
| order           | ``ORDER#<id>``                  | ``ORDER``          | by_account, by_user, by_client;       |
|                 |                                 |                    | pending, summary, pending_by_account  |
| account         | ``ACCOUNT#<id>``                | ``ACCOUNT``        |                                       |
| position        | ``ACCOUNT#<id>``                | ``POSITION#<SYM>`` |                                       |
| client order id | ``CLIENT_ORDER#<account>#<id>`` | ``CLIENT_ORDER``   |                                       |
| armed switch    | ``SWITCH#<account mod shards>`` | ``<deadline>#<account>`` |                                 |
| idempotency key | ``IDEMPOTENCY#<hash>``          | ``IDEMPOTENCY``    |                                       |
| ledger entry    | ``LEDGER#<account>``            | ``<entry id>``     |                                       |
| fill record     | ``ORDER#<order>``               | ``FILL#<n>``       | (``fills_pk``/``fills_sk`` of its account) |
| order event     | ``ORDER#<order>``               | ``EVENT#<version>#<n>`` |                                  |
| counter         | ``COUNTER#<name>``              | ``COUNTER``        |                                       |
| cursor          | ``CURSOR#<name>``               | ``CURSOR``         |                                       |
| job status      | ``STATUS#<name>``               | ``STATUS``         | (the audit's result, the schedule's   |
|                 |                                 |                    | heartbeat)                            |

Index sort keys are ``<created_at>#<zero-padded id>``: time order, unique, and comparable as strings.
The ``pending`` index is sparse (an order leaves it when its pending attributes are removed) and its
partition key is sharded (``PENDING#<id mod shards>``) so that a busy desk has no single hot key.
``pending_summary`` has the same keys but projects only what the schedule decides on and health counts
(type, side, price, timestamps): reading it costs a fraction of the full orders.
``pending_by_account`` holds an account's pending orders (what cancel-all and the dead man's switch
cancel) and ``by_client`` an order under its client order id (one read finds it), both sparse.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from orders_common.models.numbers import format_utc

ACCOUNT_INDEX = "by_account"
USER_INDEX = "by_user"
PENDING_INDEX = "pending"
PENDING_SUMMARY_INDEX = "pending_summary"
ACCOUNT_PENDING_INDEX = "pending_by_account"
CLIENT_INDEX = "by_client"


def fill_key(order_id: int, number: int) -> dict[str, str]:
    """A fill record, in its order's partition (an order's fills are one Query)."""
    return {"pk": f"ORDER#{order_id}", "sk": f"FILL#{number:06d}"}


ORDER_EVENT_PREFIX = "EVENT#"


def order_event_key(order_id: int, version: int, number: int) -> dict[str, str]:
    """An event of an order, in its partition: the timeline is one Query, oldest first."""
    return {"pk": f"ORDER#{order_id}", "sk": f"{ORDER_EVENT_PREFIX}{version:010d}#{number:02d}"}


def fills_partition(account_id: int) -> str:
    return f"FILLS#{account_id}"


def fill_sort_key(executed_at: datetime, order_id: int, number: int) -> str:
    return f"{format_utc(executed_at)}#{order_id:020d}#{number:06d}"


def order_key(order_id: int) -> dict[str, str]:
    return {"pk": f"ORDER#{order_id}", "sk": "ORDER"}


def account_key(account_id: int) -> dict[str, str]:
    return {"pk": f"ACCOUNT#{account_id}", "sk": "ACCOUNT"}


def account_partition(account_id: int) -> str:
    return f"ACCOUNT#{account_id}"


def user_partition(user_id: int) -> str:
    return f"USER#{user_id}"


def ledger_partition(account_id: int) -> str:
    return f"LEDGER#{account_id}"


def user_accounts_partition(user_id: int) -> str:
    """Where a user's accounts are listed (the by_user index, beside the user's orders)."""
    return f"USER#{user_id}#ACCOUNTS"


def client_partition(account_id: int, client_order_id: str) -> str:
    """The by_client index: an order under the client order id its account gave it."""
    return f"CLIENT#{account_id}#{client_order_id}"


def switch_partition(shard: int) -> str:
    return f"SWITCH#{shard}"


def switch_sort_key(deadline: datetime, account_id: int) -> str:
    """Armed dead man's switches sort by deadline: the due ones are one range read."""
    return f"{format_utc(deadline)}#{account_id:020d}"


def position_key(account_id: int, symbol: str) -> dict[str, str]:
    return {"pk": f"ACCOUNT#{account_id}", "sk": f"POSITION#{symbol}"}


def counter_key(name: str) -> dict[str, str]:
    return {"pk": f"COUNTER#{name}", "sk": "COUNTER"}


def client_order_key(account_id: int, client_order_id: str) -> dict[str, str]:
    """Claims a client order id within an account (its own partition: account reads never see it)."""
    return {"pk": f"CLIENT_ORDER#{account_id}#{client_order_id}", "sk": "CLIENT_ORDER"}


def idempotency_key(scope: str, key: str) -> dict[str, str]:
    """A key's record, under a hash of caller and key: keys spread over partitions, none is hot."""
    digest = hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()[:40]
    return {"pk": f"IDEMPOTENCY#{digest}", "sk": "IDEMPOTENCY"}


def status_key(name: str) -> dict[str, str]:
    """What a scheduled job last did (the audit; the process-all schedule's last run), for health."""
    return {"pk": f"STATUS#{name}", "sk": "STATUS"}


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


def created_at_of(sort_key: str) -> datetime:
    """The creation time an index sort key (``order_sort_key``) starts with: an index that projects
    only its keys and a few fields still tells how old each order is."""
    return datetime.fromisoformat(sort_key.split("#", 1)[0])
