"""Reading orders: one order (GetItem, strongly consistent) and lists (Query on an index).

Lists come from global secondary indexes, which DynamoDB keeps up to date asynchronously: a list can
trail a write by a moment (an order just filled may still be listed as pending). No read scans.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from orders_common.dal import keys
from orders_common.dal.client import DynamoTable
from orders_common.dal.mapping import SUMMARY_FIELDS, item_to_order
from orders_common.dal.paging import PartitionPage, in_parallel, merge_partitions, read_partition
from orders_common.logic.ports import OrderSummary
from orders_common.models.numbers import format_utc
from orders_common.models.order import Order, OrderStatus
from orders_common.models.paging import OrderFilters, Page, PageRequest

_INDEX_PREFIX = {keys.ACCOUNT_INDEX: "by_account", keys.USER_INDEX: "by_user", keys.PENDING_INDEX: "pending"}


class DynamoOrderReads:
    def __init__(self, table: DynamoTable, *, pending_shards: int) -> None:
        self.table = table
        self.pending_shards = pending_shards

    def get_order(self, order_id: int) -> Order | None:
        item = self.table.get(keys.order_key(order_id), consistent=True)
        return item_to_order(item) if item else None

    def list_account_orders(self, account_id: int, page: PageRequest, filters: OrderFilters) -> Page[Order]:
        return self._list(keys.ACCOUNT_INDEX, [keys.account_partition(account_id)], page, filters, descending=True)

    def list_user_orders(self, user_id: int, page: PageRequest, filters: OrderFilters) -> Page[Order]:
        return self._list(keys.USER_INDEX, [keys.user_partition(user_id)], page, filters, descending=True)

    def list_pending_orders(self, page: PageRequest, filters: OrderFilters) -> Page[Order]:
        return self._list(keys.PENDING_INDEX, self._pending_partitions(), page, filters, descending=False)

    def _pending_partitions(self) -> list[str]:
        return [keys.pending_partition(shard) for shard in range(self.pending_shards)]

    def _list(
        self, index: str, partitions: list[str], page: PageRequest, filters: OrderFilters, *, descending: bool
    ) -> Page[Order]:
        prefix = _INDEX_PREFIX[index]
        sort_attribute = f"{prefix}_sk"
        items, cursor = self._read_merged(
            index, f"{prefix}_pk", sort_attribute, partitions, page, _filter_expression(filters), descending=descending
        )
        return Page([item_to_order(item) for item in items], cursor)

    def _read_merged(
        self,
        index: str,
        partition_attribute: str,
        sort_attribute: str,
        partitions: list[str],
        page: PageRequest,
        filtering: tuple[str | None, dict[str, str], dict[str, Any]],
        *,
        descending: bool,
        projection: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        clause, names, values = filtering
        condition = f"{partition_attribute} = :partition"
        values = dict(values)
        if page.after is not None:
            condition += f" AND {sort_attribute} {'<' if descending else '>'} :after"
            values[":after"] = page.after
        # Orders spread evenly over the shards (by id), so each shard is asked for its share of the
        # page, not the whole page: a shard that has more stops early, and the merge then ends the
        # page where that shard stopped (shorter, never with a gap).
        want = -(-page.limit // len(partitions)) + 1

        def read(partition: str) -> PartitionPage:
            request: dict[str, Any] = {
                "IndexName": index,
                "KeyConditionExpression": condition,
                "ExpressionAttributeValues": {**values, ":partition": partition},
                "ScanIndexForward": not descending,
            }
            if clause:
                request["FilterExpression"] = clause
            if names:
                request["ExpressionAttributeNames"] = names
            if projection:
                request["ProjectionExpression"] = projection
            return read_partition(self.table, request, want=want, sort_attribute=sort_attribute)

        # Shards are read at the same time: a page costs one request per shard but one round trip.
        pages = in_parallel(read, partitions)
        return merge_partitions(
            pages, limit=page.limit, descending=descending, sort_key=lambda item: item[sort_attribute]
        )


class DynamoPendingSummaries(DynamoOrderReads):
    """The schedule's and health's view of pending orders, from the narrow ``pending_summary`` index."""

    def pending_summaries(self, page: PageRequest) -> Page[OrderSummary]:
        items, cursor = self._read_merged(
            keys.PENDING_SUMMARY_INDEX,
            "pending_pk",
            "pending_sk",
            self._pending_partitions(),
            page,
            (None, {}, {}),
            descending=False,
        )
        return Page([_summary(item) for item in items], cursor)

    def executing_before(self, claimed_before: datetime) -> list[OrderSummary]:
        """Orders claimed for an external exchange longer ago than ``claimed_before`` (to reconcile)."""

        def read(shard: int) -> list[OrderSummary]:
            found: list[OrderSummary] = []
            start: dict[str, Any] | None = None
            while True:
                items, start = self.table.query(
                    IndexName=keys.PENDING_SUMMARY_INDEX,
                    KeyConditionExpression="pending_pk = :partition",
                    FilterExpression="updated_at < :before",
                    ExpressionAttributeValues={
                        ":partition": keys.executing_partition(shard),
                        ":before": format_utc(claimed_before),
                    },
                    ExclusiveStartKey=start,
                )
                found += [_summary(item) for item in items]
                if start is None:
                    return found

        return [summary for shard in in_parallel(read, range(self.pending_shards)) for summary in shard]

    def count_pending(self) -> int:
        def count(partition: str) -> int:
            return self.table.count(
                IndexName=keys.PENDING_SUMMARY_INDEX,
                KeyConditionExpression="pending_pk = :partition",
                ExpressionAttributeValues={":partition": partition},
            )

        return sum(in_parallel(count, self._pending_partitions()))

    def ping(self) -> None:
        self.table.query(
            IndexName=keys.PENDING_SUMMARY_INDEX,
            KeyConditionExpression="pending_pk = :partition",
            ExpressionAttributeValues={":partition": keys.pending_partition(0)},
            Select="COUNT",
            Limit=1,
        )


def _filter_expression(filters: OrderFilters) -> tuple[str | None, dict[str, str], dict[str, Any]]:
    clauses, names, values = [], {}, {}
    if filters.status is not None:
        clauses.append("#status = :status")
        names["#status"] = "status"
        values[":status"] = filters.status.value
    if filters.symbol is not None:
        clauses.append("symbol = :symbol")
        values[":symbol"] = filters.symbol
    return (" AND ".join(clauses) or None), names, values


def _summary(item: dict[str, Any]) -> OrderSummary:
    fields: dict[str, Any] = {name: item.get(name) for name in SUMMARY_FIELDS}
    return OrderSummary(
        id=int(fields["id"]),
        account_id=int(fields["account_id"]),
        symbol=str(fields["symbol"]),
        side=str(fields["side"]),
        order_type=str(fields["order_type"]),
        price=fields["price"],
        status=OrderStatus(str(fields["status"])),
        updated_at=datetime.fromisoformat(str(fields["updated_at"])),
        queued_at=datetime.fromisoformat(str(fields["queued_at"])) if fields["queued_at"] else None,
    )
