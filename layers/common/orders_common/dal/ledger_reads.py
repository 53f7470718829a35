"""Reading an account's ledger: newest first, a page at a time, or every entry in order (the audit)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from orders_common.dal import keys
from orders_common.dal.paging import newest_first_page, newest_first_range, read_partition
from orders_common.models.ledger import LedgerEntry
from orders_common.models.numbers import format_utc
from orders_common.models.paging import Page, PageRequest

if TYPE_CHECKING:
    from orders_common.dal.client import DynamoTable
    from orders_common.logic.ports.values import LedgerFilters

ENTRY_FIELDS = tuple(LedgerEntry.model_fields)


class DynamoLedger:
    def __init__(self, table: DynamoTable) -> None:
        self.table = table

    def list_entries(self, account_id: int, page: PageRequest, filters: LedgerFilters) -> Page[LedgerEntry]:
        # Entry ids start with their time, so a time range is a range of the sort key.
        since = format_utc(filters.since) if filters.since is not None else None
        until = format_utc(filters.until) if filters.until is not None else None
        key_range, values = newest_first_range("sk", after=page.after, since=since, until=until)
        condition = "pk = :partition" + key_range
        values[":partition"] = keys.ledger_partition(account_id)
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
        items, cursor = newest_first_page(found, after=page.after, limit=page.limit, sort_attribute="sk")
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
