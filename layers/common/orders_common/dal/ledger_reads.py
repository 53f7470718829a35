"""Reading an account's ledger: newest first, a page at a time, or every entry in order (the audit)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from orders_common.dal import keys
from orders_common.dal.client import DynamoTable
from orders_common.dal.paging import read_partition
from orders_common.logic.ports import LedgerFilters
from orders_common.models.ledger import LedgerEntry
from orders_common.models.numbers import format_utc
from orders_common.models.paging import Page, PageRequest

ENTRY_FIELDS = tuple(LedgerEntry.model_fields)


class DynamoLedger:
    def __init__(self, table: DynamoTable) -> None:
        self.table = table

    def list_entries(self, account_id: int, page: PageRequest, filters: LedgerFilters) -> Page[LedgerEntry]:
        # Entry ids start with their time, so a time range is a range of the sort key.
        condition = "pk = :partition"
        values: dict[str, Any] = {":partition": keys.ledger_partition(account_id)}
        upper = page.after
        if filters.until is not None:
            until = format_utc(filters.until)
            upper = min(upper, until) if upper else until
        if filters.since is not None and upper is not None:
            condition += " AND sk BETWEEN :since AND :upper"
            values.update({":since": format_utc(filters.since), ":upper": upper})
        elif filters.since is not None:
            condition += " AND sk >= :since"
            values[":since"] = format_utc(filters.since)
        elif upper is not None:
            condition += " AND sk < :upper"
            values[":upper"] = upper
        clauses, names = [], {}
        if filters.type is not None:
            clauses.append("#type = :type")
            names["#type"] = "type"
            values[":type"] = filters.type.value
        if filters.asset is not None:
            clauses.append("asset = :asset")
            values[":asset"] = filters.asset
        request: dict[str, Any] = {
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
            "ConsistentRead": True,
        }
        if clauses:
            request["FilterExpression"] = " AND ".join(clauses)
            request["ExpressionAttributeNames"] = names
        found = read_partition(self.table, request, want=page.limit, sort_attribute="sk")
        # BETWEEN includes its upper bound: a page continued from an entry must not repeat it.
        items = [item for item in found.items if page.after is None or item["sk"] < page.after]
        cursor = found.stopped_at
        if len(items) > page.limit:
            items = items[: page.limit]
            cursor = items[-1]["sk"]
        return Page([entry(item) for item in items], cursor)

    def entries(self, account_id: int, *, after: str | None = None) -> Iterator[LedgerEntry]:
        """Every entry of the account, oldest first, page by page (never the whole ledger in memory)."""
        start: dict[str, Any] | None = None
        condition = "pk = :partition" + (" AND sk > :after" if after else "")
        values: dict[str, Any] = {
            ":partition": keys.ledger_partition(account_id),
            **({":after": after} if after else {}),
        }
        while True:
            items, start = self.table.query(
                KeyConditionExpression=condition,
                ExpressionAttributeValues=values,
                ConsistentRead=True,
                ExclusiveStartKey=start,
            )
            yield from (entry(item) for item in items)
            if start is None:
                return


def entry(item: dict[str, Any]) -> LedgerEntry:
    return LedgerEntry.model_validate({name: item[name] for name in ENTRY_FIELDS if name in item})
