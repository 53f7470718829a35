"""Reading orders: one order (GetItem, strongly consistent) and lists (Query on an index).

Lists come from global secondary indexes, which DynamoDB keeps up to date asynchronously: a list can
trail a write by a moment (an order just filled may still be listed as pending). No read scans.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from orders_common.dal import keys
from orders_common.dal.mapping import SUMMARY_FIELDS, item_to_order
from orders_common.dal.order_lookups import DynamoOrderLookups
from orders_common.models.numbers import format_utc
from orders_common.models.order import Order, OrderStatus, OrderType, TimeInForce

# Paging, its merge of shards and the pending summaries are imported where a list is read: most
# functions read one order (or none) and would pay for their classes at every cold start.
if TYPE_CHECKING:
    from orders_common.dal.client import DynamoTable
    from orders_common.dal.paging import PartitionPage
    from orders_common.logic.ports.answers import OrderAnswer
    from orders_common.logic.ports.values import OrderSummary
    from orders_common.models.paging import OrderFilters, Page, PageRequest

_INDEX_PREFIX = {keys.ACCOUNT_INDEX: "by_account", keys.USER_INDEX: "by_user", keys.PENDING_INDEX: "pending"}


class DynamoOrderReads(DynamoOrderLookups):
    def __init__(self, table: DynamoTable, *, pending_shards: int) -> None:
        self.table = table
        self.pending_shards = pending_shards

    def get_order(self, order_id: int) -> Order | None:
        item = self.table.get(keys.order_key(order_id), consistent=True)
        return item_to_order(item) if item else None

    def order_answer(self, order_id: int) -> OrderAnswer | None:
        from orders_common.dal.order_answers import order_answer  # here: only a GET of an order answers one

        item = self.table.get(keys.order_key(order_id), consistent=True)
        return order_answer(item) if item else None

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
        from orders_common.models.paging import Page

        prefix = _INDEX_PREFIX[index]
        sort_attribute = f"{prefix}_sk"
        items, cursor = self._read_merged(
            index,
            f"{prefix}_pk",
            sort_attribute,
            partitions,
            page,
            _filter_expression(filters),
            descending=descending,
            created=(filters.since, filters.until),
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
        created: tuple[datetime | None, datetime | None] = (None, None),
    ) -> tuple[list[dict[str, Any]], str | None]:
        from orders_common.dal.paging import PartitionPage, in_parallel, merge_partitions, read_partition

        clause, names, values = filtering
        sort_range = _SortRange(sort_attribute)
        since, until = created
        if since is not None:
            sort_range.above(format_utc(since), inclusive=True)
        if until is not None:
            sort_range.below(format_utc(until), inclusive=False)  # "<until>#..." sorts after "<until>"
        if page.after is not None:
            (sort_range.below if descending else sort_range.above)(page.after, inclusive=False)
        key_clause, values = sort_range.condition(dict(values))
        condition = f"{partition_attribute} = :partition" + (f" AND {key_clause}" if key_clause else "")
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
            found = read_partition(self.table, request, want=want, sort_attribute=sort_attribute)
            return PartitionPage([item for item in found.items if sort_range.admits(item)], found.stopped_at)

        # Shards are read at the same time: a page costs one request per shard but one round trip.
        pages = in_parallel(read, partitions)
        return merge_partitions(
            pages, limit=page.limit, descending=descending, sort_key=lambda item: item[sort_attribute]
        )


class DynamoPendingSummaries(DynamoOrderReads):
    """The schedule's and health's view of pending orders, from the narrow ``pending_summary`` index."""

    def pending_summaries(self, page: PageRequest) -> Page[OrderSummary]:
        from orders_common.models.paging import Page

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
        from orders_common.dal.paging import in_parallel

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
        from orders_common.dal.paging import in_parallel

        def count(partition: str) -> int:
            return self.table.count(
                IndexName=keys.PENDING_SUMMARY_INDEX,
                KeyConditionExpression="pending_pk = :partition",
                ExpressionAttributeValues={":partition": partition},
            )

        return sum(in_parallel(count, self._pending_partitions()))

    def oldest_pending_since(self) -> datetime | None:
        """The first entry of each shard (ascending by ``pending_sk``, ``<created_at>#<id>``), one item
        each: the oldest is the earliest of them."""
        from orders_common.dal.paging import in_parallel

        def first(partition: str) -> str | None:
            items, _ = self.table.query(
                IndexName=keys.PENDING_SUMMARY_INDEX,
                KeyConditionExpression="pending_pk = :partition",
                ExpressionAttributeValues={":partition": partition},
                ProjectionExpression="pending_sk",
                ScanIndexForward=True,
                Limit=1,
            )
            return str(items[0]["pending_sk"]) if items else None

        found = [key for key in in_parallel(first, self._pending_partitions()) if key is not None]
        return keys.created_at_of(min(found)) if found else None

    def ping(self) -> None:
        self.table.query(
            IndexName=keys.PENDING_SUMMARY_INDEX,
            KeyConditionExpression="pending_pk = :partition",
            ExpressionAttributeValues={":partition": keys.pending_partition(0)},
            Select="COUNT",
            Limit=1,
        )


class _SortRange:
    """A range of an index's sort key: the tighter of each bound given, as one key condition (a
    ``BETWEEN`` when both ends are set, which includes them: an end that must be excluded is then left
    out of what the query returned)."""

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute
        self.lower: tuple[str, bool] | None = None  # (value, inclusive)
        self.upper: tuple[str, bool] | None = None

    def above(self, value: str, *, inclusive: bool) -> None:
        if self.lower is None or value > self.lower[0] or (value == self.lower[0] and not inclusive):
            self.lower = (value, inclusive)

    def below(self, value: str, *, inclusive: bool) -> None:
        if self.upper is None or value < self.upper[0] or (value == self.upper[0] and not inclusive):
            self.upper = (value, inclusive)

    def condition(self, values: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        name = self.attribute
        if self.lower and self.upper:
            return f"{name} BETWEEN :lower AND :upper", {**values, ":lower": self.lower[0], ":upper": self.upper[0]}
        if self.lower:
            return f"{name} {'>=' if self.lower[1] else '>'} :lower", {**values, ":lower": self.lower[0]}
        if self.upper:
            return f"{name} {'<=' if self.upper[1] else '<'} :upper", {**values, ":upper": self.upper[0]}
        return None, values

    def admits(self, item: dict[str, Any]) -> bool:
        key = str(item[self.attribute])
        if self.lower and not self.lower[1] and key == self.lower[0]:
            return False
        return not (self.upper and not self.upper[1] and key == self.upper[0])


def _filter_expression(filters: OrderFilters) -> tuple[str | None, dict[str, str], dict[str, Any]]:
    clauses, names, values = [], {}, {}
    if filters.status is not None:
        clauses.append("#status = :status")
        names["#status"] = "status"
        values[":status"] = filters.status.value
    if filters.symbol is not None:
        clauses.append("symbol = :symbol")
        values[":symbol"] = filters.symbol
    if filters.side is not None:
        clauses.append("side = :side")
        values[":side"] = filters.side.value
    if filters.order_type is not None:
        clauses.append("order_type = :order_type")
        values[":order_type"] = filters.order_type.value
    return (" AND ".join(clauses) or None), names, values


def _summary(item: dict[str, Any]) -> OrderSummary:
    from orders_common.logic.ports.values import OrderSummary

    fields: dict[str, Any] = {name: item.get(name) for name in SUMMARY_FIELDS}

    def moment(name: str) -> datetime | None:
        return datetime.fromisoformat(str(fields[name])) if fields[name] else None

    return OrderSummary(
        id=int(fields["id"]),
        account_id=int(fields["account_id"]),
        symbol=str(fields["symbol"]),
        side=str(fields["side"]),
        order_type=OrderType(str(fields["order_type"])),
        price=fields["price"],
        status=OrderStatus(str(fields["status"])),
        updated_at=datetime.fromisoformat(str(fields["updated_at"])),
        queued_at=moment("queued_at"),
        time_in_force=TimeInForce(str(fields["time_in_force"] or "gtc")),
        expire_at=moment("expire_at"),
        trigger_price=fields["trigger_price"],
        trail_percent=fields["trail_percent"],
        trail_amount=fields["trail_amount"],
        trail_mark=fields["trail_mark"],
        triggered_at=moment("triggered_at"),
        created_at=keys.created_at_of(item["pending_sk"]) if item.get("pending_sk") else None,
    )
