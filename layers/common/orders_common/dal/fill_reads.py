"""Reading fill records: an order's (its own partition, consistent, oldest first) and an account's (the
sparse ``fills_by_account`` index, newest first, a time range as a key range). Both a page at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from orders_common.dal import keys
from orders_common.dal.paging import newest_first_page, newest_first_range, oldest_first_page, read_partition
from orders_common.models.fill import FillRecord
from orders_common.models.numbers import format_utc
from orders_common.models.paging import Page, PageRequest

if TYPE_CHECKING:
    from orders_common.dal.client import DynamoTable
    from orders_common.logic.ports.values import FillFilters

FILLS_INDEX = "fills_by_account"
FILL_FIELDS = tuple(FillRecord.model_fields)
LAST_FILL = 999_999  # fill numbers have six digits (keys.fill_key)


class DynamoFillReads:
    def __init__(self, table: DynamoTable) -> None:
        self.table = table

    def order_fills(self, order_id: int, page: PageRequest) -> Page[FillRecord]:
        # Fill n is FILL#<n, six digits> in the order's partition, beside the order itself: a page asks for
        # the fill numbers from the one after the last it gave.
        first = 1 if page.after is None else int(page.after.removeprefix("FILL#")) + 1
        if first > LAST_FILL:
            return Page([])
        request: dict[str, Any] = {
            "KeyConditionExpression": "pk = :order AND sk BETWEEN :first AND :last",
            "ExpressionAttributeValues": {
                ":order": keys.order_key(order_id)["pk"],
                ":first": keys.fill_key(order_id, first)["sk"],
                ":last": keys.fill_key(order_id, LAST_FILL)["sk"],
            },
            "ConsistentRead": True,
        }
        found = read_partition(self.table, request, want=page.limit, sort_attribute="sk")
        items, cursor = oldest_first_page(found, limit=page.limit, sort_attribute="sk")
        return Page([_record(item) for item in items], cursor)

    def account_fills(self, account_id: int, page: PageRequest, filters: FillFilters) -> Page[FillRecord]:
        since = format_utc(filters.since) if filters.since is not None else None
        until = format_utc(filters.until) if filters.until is not None else None
        key_range, values = newest_first_range("fills_sk", after=page.after, since=since, until=until)
        values[":account"] = keys.fills_partition(account_id)
        request: dict[str, Any] = {
            "IndexName": FILLS_INDEX,
            "KeyConditionExpression": "fills_pk = :account" + key_range,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
        }
        if filters.symbol is not None:
            request["FilterExpression"] = "symbol = :symbol"
            values[":symbol"] = filters.symbol
        found = read_partition(self.table, request, want=page.limit, sort_attribute="fills_sk")
        items, cursor = newest_first_page(found, after=page.after, limit=page.limit, sort_attribute="fills_sk")
        return Page([_record(item) for item in items], cursor)


def _record(item: dict[str, Any]) -> FillRecord:
    return FillRecord.model_validate({name: item[name] for name in FILL_FIELDS if name in item})
