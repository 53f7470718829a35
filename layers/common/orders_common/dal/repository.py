"""The order store: every read and every state change of orders, accounts and positions.

Reads are GetItem or Query (never Scan). Every state change that touches money is one DynamoDB
transaction whose conditions make it apply exactly once: an order leaves ``pending`` only if it is
still ``pending``, cash is only taken if it is there, a position is only sold if it is held.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from orders_common.dal import items as keys
from orders_common.dal.dynamo import ConditionFailed, DynamoTable, Item, TransactionCancelled
from orders_common.dal.paging import PartitionPage, in_parallel, merge_partitions, read_partition
from orders_common.errors import (
    AccountNotFound,
    DuplicateClientOrderId,
    Forbidden,
    InsufficientFunds,
    InsufficientPosition,
    OrderNotPending,
)
from orders_common.models.account import Account
from orders_common.models.numbers import format_utc, round_down, round_up, utc_now
from orders_common.models.order import Order, OrderStatus, Side
from orders_common.models.paging import OrderFilters, Page, PageRequest

if TYPE_CHECKING:
    from orders_common.exchange.base import Fill

ZERO = Decimal(0)
POSITION_CONFLICT_RETRIES = 5


class FillNotAffordable(Exception):
    """The fill costs more than the account can pay (slippage beyond the reservation)."""

    def __init__(self, required: Decimal, available: Decimal | None) -> None:
        super().__init__("fill not affordable")
        self.required = required
        self.available = available


class OrderRepository(Protocol):
    """What the domain logic needs from storage; ``DynamoOrderRepository`` is the real one."""

    def get_order(self, order_id: int) -> Order | None: ...

    def list_account_orders(self, account_id: int, page: PageRequest, filters: OrderFilters) -> Page[Order]: ...

    def list_user_orders(self, user_id: int, page: PageRequest, filters: OrderFilters) -> Page[Order]: ...

    def list_pending_orders(self, page: PageRequest, filters: OrderFilters) -> Page[Order]: ...

    def iter_pending_orders(self, page_size: int = ...) -> Iterator[Order]: ...

    def count_pending_orders(self) -> int: ...

    def ping(self) -> None: ...

    def get_account(self, account_id: int) -> Account | None: ...

    def get_account_owner(self, account_id: int) -> int | None: ...

    def put_account(self, account: Account) -> None: ...

    def insert_order(self, order: Order) -> None: ...

    def settle_fill(self, order: Order, fill: Fill) -> Order: ...

    def close_order(self, order: Order, status: OrderStatus, *, reason: str | None = None) -> Order: ...

    def claim_for_execution(self, order: Order) -> Order: ...

    def release_claim(self, order: Order) -> Order: ...

    def list_executing_orders(self, *, claimed_before: datetime) -> list[Order]: ...

    def reserve_order_ids(self, count: int) -> range: ...

    def get_cursor(self, name: str) -> str | None: ...

    def put_cursor(self, name: str, position: str | None) -> None: ...


class DynamoOrderRepository:
    def __init__(self, table: DynamoTable, *, pending_shards: int) -> None:
        self.table = table
        self.pending_shards = pending_shards
        self._owners: dict[int, int] = {}
        self._owners_lock = threading.Lock()

    # Orders: reads

    def get_order(self, order_id: int) -> Order | None:
        item = self.table.get(keys.order_key(order_id), consistent=True)
        return keys.item_to_order(item) if item else None

    def list_account_orders(self, account_id: int, page: PageRequest, filters: OrderFilters) -> Page[Order]:
        return self._list(keys.ACCOUNT_INDEX, [keys.account_partition(account_id)], page, filters, descending=True)

    def list_user_orders(self, user_id: int, page: PageRequest, filters: OrderFilters) -> Page[Order]:
        return self._list(keys.USER_INDEX, [keys.user_partition(user_id)], page, filters, descending=True)

    def list_pending_orders(self, page: PageRequest, filters: OrderFilters) -> Page[Order]:
        partitions = [keys.pending_partition(shard) for shard in range(self.pending_shards)]
        return self._list(keys.PENDING_INDEX, partitions, page, filters, descending=False)

    def iter_pending_orders(self, page_size: int = 500) -> Iterator[Order]:
        """Every pending order, oldest first, read page by page through the sparse index."""
        cursor: str | None = None
        while True:
            page = self.list_pending_orders(PageRequest(limit=page_size, after=cursor), OrderFilters())
            yield from page.items
            if page.next_cursor is None:
                return
            cursor = page.next_cursor

    def count_pending_orders(self) -> int:
        def count(shard: int) -> int:
            return self.table.count(
                IndexName=keys.PENDING_INDEX,
                KeyConditionExpression="pending_pk = :partition",
                ExpressionAttributeValues={":partition": keys.pending_partition(shard)},
            )

        return sum(in_parallel(count, range(self.pending_shards)))

    def ping(self) -> None:
        """One cheap read that proves the table answers (``StoreUnavailable`` when it does not)."""
        self.table.get(keys.counter_key(keys.ORDER_ID_COUNTER), consistent=False, projection="pk")

    def _list(
        self, index: str, partitions: list[str], page: PageRequest, filters: OrderFilters, *, descending: bool
    ) -> Page[Order]:
        prefix = {keys.ACCOUNT_INDEX: "by_account", keys.USER_INDEX: "by_user", keys.PENDING_INDEX: "pending"}[index]
        sort_attribute = f"{prefix}_sk"
        condition = f"{prefix}_pk = :partition"
        values: dict[str, Any] = {}
        if page.after is not None:
            condition += f" AND {sort_attribute} {'<' if descending else '>'} :after"
            values[":after"] = page.after
        names: dict[str, str] = {}
        clauses = []
        if filters.status is not None:
            clauses.append("#status = :status")
            names["#status"] = "status"
            values[":status"] = filters.status.value
        if filters.symbol is not None:
            clauses.append("symbol = :symbol")
            values[":symbol"] = filters.symbol

        def read(partition: str) -> PartitionPage:
            request: dict[str, Any] = {
                "IndexName": index,
                "KeyConditionExpression": condition,
                "ExpressionAttributeValues": {**values, ":partition": partition},
                "ScanIndexForward": not descending,
            }
            if clauses:
                request["FilterExpression"] = " AND ".join(clauses)
            if names:
                request["ExpressionAttributeNames"] = names
            return read_partition(self.table, request, want=want, sort_attribute=sort_attribute)

        # Orders spread evenly over the shards (by id), so each shard is asked for its share of the
        # page, not the whole page: a shard that has more stops early, and the merge then ends the
        # page where that shard stopped (shorter, never with a gap).
        want = -(-page.limit // len(partitions)) + 1

        # Shards are read at the same time: a page costs one request per shard but one round trip.
        pages = in_parallel(read, partitions)
        found, cursor = merge_partitions(
            pages, limit=page.limit, descending=descending, sort_key=lambda item: item[sort_attribute]
        )
        return Page([keys.item_to_order(item) for item in found], cursor)

    # Accounts

    def get_account(self, account_id: int) -> Account | None:
        found, _ = self.table.query(
            KeyConditionExpression="pk = :partition",
            ExpressionAttributeValues={":partition": keys.account_partition(account_id)},
            ConsistentRead=True,
        )
        return keys.items_to_account(found)

    def get_account_owner(self, account_id: int) -> int | None:
        # An account never changes owner, so the answer is kept for the life of the container.
        owner = self._owners.get(account_id)
        if owner is not None:
            return owner
        item = self.table.get(keys.account_key(account_id), consistent=True, projection="user_id")
        if item is None:
            return None
        with self._owners_lock:
            self._owners[account_id] = int(item["user_id"])
        return int(item["user_id"])

    def put_account(self, account: Account) -> None:
        """Create or replace an account and its positions (used to open accounts and seed demo data)."""
        operations: list[dict[str, Any]] = [{"Put": {"Item": keys.account_to_item(account)}}]
        operations += [{"Put": {"Item": keys.position_to_item(account.account_id, p)}} for p in account.positions]
        self.table.transact(operations)

    # Orders: state changes

    def reserve_order_ids(self, count: int) -> range:
        """Atomically take ``count`` ids from the counter; ids are never handed out twice."""
        attributes = self.table.update(
            keys.counter_key(keys.ORDER_ID_COUNTER),
            "ADD #value :count",
            names={"#value": "value"},
            values={":count": count},
            return_values="UPDATED_NEW",
        )
        last = int(attributes["value"])
        return range(last - count + 1, last + 1)

    def get_cursor(self, name: str) -> str | None:
        """Where a long-running job stopped (the scheduled fan-out), if it did."""
        item = self.table.get(keys.cursor_key(name), consistent=True)
        return str(item["position"]) if item and "position" in item else None

    def put_cursor(self, name: str, position: str | None) -> None:
        if position is None:
            self.table.update(keys.cursor_key(name), "REMOVE #position", names={"#position": "position"})
        else:
            self.table.update(
                keys.cursor_key(name),
                "SET #position = :position",
                names={"#position": "position"},
                values={":position": position},
            )

    def insert_order(self, order: Order) -> None:
        """Store a new pending order and reserve what it needs, in one transaction.

        The account must exist and belong to ``order.user_id``: that is a condition of the same
        transaction, so a caller whose identity is already known needs no read beforehand.
        """
        now = format_utc(order.created_at)
        owned = "attribute_exists(pk) AND user_id = :owner"
        operations: list[dict[str, Any]] = [
            {
                "Put": {
                    "Item": keys.order_to_item(order, pending_shards=self.pending_shards),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        if order.side is Side.BUY:
            operations.append(
                {
                    "Update": {
                        "Key": keys.account_key(order.account_id),
                        "UpdateExpression": "SET available_cash = available_cash - :amount, "
                        "reserved_cash = reserved_cash + :amount, updated_at = :now",
                        "ConditionExpression": f"{owned} AND available_cash >= :amount",
                        "ExpressionAttributeValues": {
                            ":amount": order.reserved_cash,
                            ":now": now,
                            ":owner": order.user_id,
                        },
                    }
                }
            )
        else:
            operations += [
                {
                    "ConditionCheck": {
                        "Key": keys.account_key(order.account_id),
                        "ConditionExpression": owned,
                        "ExpressionAttributeValues": {":owner": order.user_id},
                    }
                },
                {
                    "Update": {
                        "Key": keys.position_key(order.account_id, order.symbol),
                        "UpdateExpression": "SET available_quantity = available_quantity - :quantity, "
                        "reserved_quantity = reserved_quantity + :quantity, updated_at = :now ADD version :one",
                        "ConditionExpression": "attribute_exists(pk) AND available_quantity >= :quantity",
                        "ExpressionAttributeValues": {":quantity": order.reserved_quantity, ":now": now, ":one": 1},
                    }
                },
            ]
        if order.client_order_id is not None:
            operations.append(
                {
                    "Put": {
                        "Item": {
                            **keys.client_order_key(order.account_id, order.client_order_id),
                            "entity": "client_order_id",
                            "order_id": order.id,
                        },
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
        try:
            self.table.transact(operations)
        except TransactionCancelled as cancelled:
            self._explain_refused_insert(order, cancelled)
            raise

    @staticmethod
    def _explain_refused_insert(order: Order, cancelled: TransactionCancelled) -> None:
        """Turn the failed conditions of an insert into the error the client should see."""
        account = cancelled.items[1] or {}
        if cancelled.failed(1):
            if not account:
                raise AccountNotFound(order.account_id) from None
            if int(account.get("user_id", -1)) != order.user_id:
                raise Forbidden(f"You may not access account {order.account_id}: it belongs to another user.") from None
        if order.client_order_id is not None and cancelled.failed(len(cancelled.reasons) - 1):
            existing = (cancelled.items[-1] or {}).get("order_id")
            raise DuplicateClientOrderId(
                order.client_order_id, int(existing) if existing is not None else None
            ) from None
        if order.side is Side.BUY and cancelled.failed(1):
            available = account.get("available_cash", ZERO)
            raise InsufficientFunds(
                f"Account {order.account_id} has {available} available; this order needs {order.reserved_cash}.",
                details={"available_cash": available, "required_cash": order.reserved_cash},
            ) from None
        if order.side is Side.SELL and cancelled.failed(2):
            held = (cancelled.items[2] or {}).get("available_quantity", ZERO)
            raise InsufficientPosition(
                f"Account {order.account_id} has {held} {order.symbol} available to sell; "
                f"this order sells {order.quantity}.",
                details={"available_quantity": held, "required_quantity": order.quantity},
            ) from None

    def settle_fill(self, order: Order, fill: Fill) -> Order:
        """Fill a pending order: order, cash and position change together or not at all.

        Raises ``OrderNotPending`` when another execution or a cancel got there first, and
        ``FillNotAffordable`` when the account cannot pay the fill (nothing is changed then).
        """
        executed_at = format_utc(fill.executed_at)
        order_update = self._order_transition(
            order,
            "SET #status = :filled, filled_price = :price, filled_quantity = :quantity, commission = :commission, "
            "executed_at = :at, updated_at = :at, exchange = :exchange, exchange_order_id = :exchange_order_id",
            {
                ":filled": OrderStatus.FILLED.value,
                ":price": fill.price,
                ":quantity": fill.quantity,
                ":commission": fill.commission,
                ":at": executed_at,
                ":exchange": fill.exchange,
                ":exchange_order_id": fill.exchange_order_id,
            },
        )
        notional = fill.price * fill.quantity
        for _ in range(POSITION_CONFLICT_RETRIES):
            if order.side is Side.BUY:
                operations = [order_update, *self._buy_settlement(order, fill, round_up(notional), executed_at)]
            else:
                operations = [order_update, *self._sell_settlement(order, fill, round_down(notional), executed_at)]
            try:
                self.table.transact(operations)
            except TransactionCancelled as cancelled:
                self._raise_if_not_pending(order, cancelled)
                if cancelled.failed(1):
                    held = cancelled.items[1] or {}
                    raise FillNotAffordable(notional, held.get("available_cash")) from None
                continue  # the position changed between our read and write: read it again
            return order.model_copy(
                update={
                    "status": OrderStatus.FILLED,
                    "filled_price": fill.price,
                    "filled_quantity": fill.quantity,
                    "commission": fill.commission,
                    "exchange": fill.exchange,
                    "exchange_order_id": fill.exchange_order_id,
                    "executed_at": fill.executed_at,
                    "updated_at": fill.executed_at,
                    "reserved_cash": ZERO,
                    "reserved_quantity": ZERO,
                }
            )
        raise RuntimeError(f"position of order {order.id} kept changing; gave up after {POSITION_CONFLICT_RETRIES}")

    def _buy_settlement(self, order: Order, fill: Fill, cost: Decimal, at: str) -> list[dict[str, Any]]:
        # The reservation is released and the real cost charged; a fill dearer than the reservation
        # takes the difference from available cash, and only if it is there.
        difference = order.reserved_cash - cost - fill.commission
        condition = "reserved_cash >= :reserved"
        values: dict[str, Any] = {":reserved": order.reserved_cash, ":difference": difference, ":at": at}
        if difference < 0:
            condition += " AND available_cash >= :shortfall"
            values[":shortfall"] = -difference
        return [
            {
                "Update": {
                    "Key": keys.account_key(order.account_id),
                    "UpdateExpression": "SET reserved_cash = reserved_cash - :reserved, "
                    "available_cash = available_cash + :difference, updated_at = :at",
                    "ConditionExpression": condition,
                    "ExpressionAttributeValues": values,
                }
            },
            {
                "Update": {
                    "Key": keys.position_key(order.account_id, order.symbol),
                    "UpdateExpression": "SET symbol = :symbol, account_id = :account, entity = :entity, "
                    "updated_at = :at ADD available_quantity :quantity, reserved_quantity :zero, "
                    "cost_basis :cost, version :one",
                    "ExpressionAttributeValues": {
                        ":symbol": order.symbol,
                        ":account": order.account_id,
                        ":entity": "position",
                        ":at": at,
                        ":quantity": fill.quantity,
                        ":zero": ZERO,
                        ":cost": cost,
                        ":one": 1,
                    },
                }
            },
        ]

    def _sell_settlement(self, order: Order, fill: Fill, proceeds: Decimal, at: str) -> list[dict[str, Any]]:
        # Average-cost accounting: the units sold take their share of the cost basis with them, which
        # needs the position as it is now; the version condition makes sure it still is at write time.
        position = self.table.get(keys.position_key(order.account_id, order.symbol), consistent=True) or {}
        held = position.get("available_quantity", ZERO) + position.get("reserved_quantity", ZERO)
        cost_basis = position.get("cost_basis", ZERO)
        relief = cost_basis if held <= fill.quantity else round_down(cost_basis * fill.quantity / held)
        credit = proceeds - fill.commission
        account_condition = "attribute_exists(pk)"
        values: dict[str, Any] = {":credit": credit, ":at": at}
        if credit < 0:
            account_condition += " AND available_cash >= :debit"
            values[":debit"] = -credit
        return [
            {
                "Update": {
                    "Key": keys.account_key(order.account_id),
                    "UpdateExpression": "SET available_cash = available_cash + :credit, updated_at = :at",
                    "ConditionExpression": account_condition,
                    "ExpressionAttributeValues": values,
                }
            },
            {
                "Update": {
                    "Key": keys.position_key(order.account_id, order.symbol),
                    "UpdateExpression": "SET reserved_quantity = reserved_quantity - :quantity, "
                    "cost_basis = cost_basis - :relief, updated_at = :at ADD version :one",
                    "ConditionExpression": "version = :version AND reserved_quantity >= :quantity",
                    "ExpressionAttributeValues": {
                        ":quantity": order.reserved_quantity,
                        ":relief": relief,
                        ":at": at,
                        ":one": 1,
                        ":version": position.get("version", ZERO),
                    },
                }
            },
        ]

    def claim_for_execution(self, order: Order) -> Order:
        """Mark a pending order ``executing`` before it is sent to an external exchange, so that no
        other execution or cancel can touch it until its outcome is recorded (or reconciled)."""
        now = utc_now()
        shard = keys.pending_shard(order.id, self.pending_shards)
        try:
            self.table.update(
                keys.order_key(order.id),
                "SET #status = :executing, updated_at = :at, pending_pk = :partition",
                names={"#status": "status"},
                values={
                    ":executing": OrderStatus.EXECUTING.value,
                    ":pending": OrderStatus.PENDING.value,
                    ":at": format_utc(now),
                    ":partition": keys.executing_partition(shard),
                },
                condition="#status = :pending",
            )
        except ConditionFailed as failed:
            raise OrderNotPending(order.id, str((failed.item or {}).get("status", "gone"))) from None
        return order.model_copy(update={"status": OrderStatus.EXECUTING, "updated_at": now})

    def release_claim(self, order: Order) -> Order:
        """Put an ``executing`` order back to ``pending``: the exchange certainly never received it."""
        now = utc_now()
        shard = keys.pending_shard(order.id, self.pending_shards)
        try:
            self.table.update(
                keys.order_key(order.id),
                "SET #status = :pending, updated_at = :at, pending_pk = :partition",
                names={"#status": "status"},
                values={
                    ":executing": OrderStatus.EXECUTING.value,
                    ":pending": OrderStatus.PENDING.value,
                    ":at": format_utc(now),
                    ":partition": keys.pending_partition(shard),
                },
                condition="#status = :executing",
            )
        except ConditionFailed as failed:
            raise OrderNotPending(order.id, str((failed.item or {}).get("status", "gone"))) from None
        return order.model_copy(update={"status": OrderStatus.PENDING, "updated_at": now})

    def list_executing_orders(self, *, claimed_before: datetime) -> list[Order]:
        """Orders claimed for an external exchange longer ago than ``claimed_before`` (to reconcile)."""
        found: list[Order] = []
        for shard in range(self.pending_shards):
            request: dict[str, Any] = {
                "IndexName": keys.PENDING_INDEX,
                "KeyConditionExpression": "pending_pk = :partition",
                "FilterExpression": "updated_at < :before",
                "ExpressionAttributeValues": {
                    ":partition": keys.executing_partition(shard),
                    ":before": format_utc(claimed_before),
                },
            }
            start: Item | None = None
            while True:
                items, start = self.table.query(**request, ExclusiveStartKey=start)
                found += [keys.item_to_order(item) for item in items]
                if start is None:
                    break
        return found

    def close_order(self, order: Order, status: OrderStatus, *, reason: str | None = None) -> Order:
        """Cancel or reject a pending order and give back what it reserved, in one transaction."""
        now = utc_now()
        at = format_utc(now)
        values: dict[str, Any] = {":closed": status.value, ":at": at}
        expression = "SET #status = :closed, updated_at = :at"
        update: dict[str, Any] = {"status": status, "updated_at": now, "reserved_cash": ZERO, "reserved_quantity": ZERO}
        if status is OrderStatus.CANCELLED:
            expression += ", cancelled_at = :at"
            update["cancelled_at"] = now
        if reason is not None:
            expression += ", rejection_reason = :reason"
            values[":reason"] = reason
            update["rejection_reason"] = reason
        operations = [self._order_transition(order, expression, values), *self._release(order, at)]
        try:
            self.table.transact(operations)
        except TransactionCancelled as cancelled:
            self._raise_if_not_pending(order, cancelled)
            raise
        return order.model_copy(update=update)

    def _release(self, order: Order, at: str) -> list[dict[str, Any]]:
        if order.side is Side.BUY:
            if order.reserved_cash == 0:
                return []
            return [
                {
                    "Update": {
                        "Key": keys.account_key(order.account_id),
                        "UpdateExpression": "SET available_cash = available_cash + :amount, "
                        "reserved_cash = reserved_cash - :amount, updated_at = :at",
                        "ConditionExpression": "reserved_cash >= :amount",
                        "ExpressionAttributeValues": {":amount": order.reserved_cash, ":at": at},
                    }
                }
            ]
        if order.reserved_quantity == 0:
            return []
        return [
            {
                "Update": {
                    "Key": keys.position_key(order.account_id, order.symbol),
                    "UpdateExpression": "SET available_quantity = available_quantity + :quantity, "
                    "reserved_quantity = reserved_quantity - :quantity, updated_at = :at ADD version :one",
                    "ConditionExpression": "reserved_quantity >= :quantity",
                    "ExpressionAttributeValues": {":quantity": order.reserved_quantity, ":at": at, ":one": 1},
                }
            }
        ]

    @staticmethod
    def _order_transition(order: Order, expression: str, values: dict[str, Any]) -> dict[str, Any]:
        """Move an order out of its current state, only if it is still in it. Its reservation is
        settled or released in the same transaction, and it leaves the pending index."""
        return {
            "Update": {
                "Key": keys.order_key(order.id),
                "UpdateExpression": f"{expression}, reserved_cash = :nothing, reserved_quantity = :nothing "
                "REMOVE pending_pk, pending_sk",
                "ConditionExpression": "#status = :expected",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {**values, ":expected": order.status.value, ":nothing": ZERO},
            }
        }

    @staticmethod
    def _raise_if_not_pending(order: Order, cancelled: TransactionCancelled) -> None:
        if cancelled.failed(0):
            current = cancelled.items[0] or {}
            raise OrderNotPending(order.id, str(current.get("status", "gone"))) from None
