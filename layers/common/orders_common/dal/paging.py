"""Read one page from one or several index partitions and merge them in index order."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from orders_common.concurrency import ContextThreadPool

if TYPE_CHECKING:
    from orders_common.dal.client import DynamoTable
    from orders_common.dal.transaction import Item

# A filtered query reads at most this many DynamoDB pages before answering with what it has (and a
# token to continue), so one request never walks an unbounded partition.
MAX_REQUESTS_PER_PARTITION = 5


class PartitionPage(NamedTuple):
    items: list[Item]
    stopped_at: str | None  # sort key where reading stopped, None when the partition was exhausted


def read_partition(table: DynamoTable, request: dict[str, Any], *, want: int, sort_attribute: str) -> PartitionPage:
    items: list[Item] = []
    start: Item | None = None
    for _ in range(MAX_REQUESTS_PER_PARTITION):
        page, last_key = table.query(**request, Limit=want, ExclusiveStartKey=start)
        items.extend(page)
        if last_key is None:
            return PartitionPage(items, None)
        start = last_key
        if len(items) >= want:
            break
    assert start is not None  # the loop ran at least once and did not return
    return PartitionPage(items, start[sort_attribute])


def oldest_first_page(found: PartitionPage, *, limit: int, sort_attribute: str) -> tuple[list[Item], str | None]:
    """The items of a forward read as one page, and where the next one starts."""
    items = found.items[:limit]
    cursor = items[-1][sort_attribute] if len(found.items) > limit else found.stopped_at
    return items, cursor


def newest_first_range(
    sort_attribute: str, *, after: str | None, since: str | None, until: str | None
) -> tuple[str, dict[str, Any]]:
    """The sort-key condition (`` AND ...``, to follow the partition's) and its values for a newest-first
    page below ``after`` within [``since``, ``until``): sort keys that start with their time."""
    upper = after
    if until is not None:
        upper = min(upper, until) if upper else until
    if since is not None and upper is not None:
        return f" AND {sort_attribute} BETWEEN :since AND :upper", {":since": since, ":upper": upper}
    if since is not None:
        return f" AND {sort_attribute} >= :since", {":since": since}
    if upper is not None:
        return f" AND {sort_attribute} < :upper", {":upper": upper}
    return "", {}


def newest_first_page(
    found: PartitionPage, *, after: str | None, limit: int, sort_attribute: str
) -> tuple[list[Item], str | None]:
    """The items of a newest-first read as one page, and where the next one starts. BETWEEN includes its
    upper bound: a page continued from an item must not repeat it."""
    items = [item for item in found.items if after is None or item[sort_attribute] < after]
    cursor = found.stopped_at
    if len(items) > limit:
        items = items[:limit]
        cursor = items[-1][sort_attribute]
    return items, cursor


def merge_partitions(
    pages: Sequence[PartitionPage], *, limit: int, descending: bool, sort_key: Callable[[Item], str]
) -> tuple[list[Item], str | None]:
    """Merge partition pages into one page of ``limit`` items and the cursor to continue from.

    A partition that stopped early has not been read past its stopping point, so the page may only
    hold items up to the nearest stopping point; anything beyond it could be missing items.
    """
    stops = [page.stopped_at for page in pages if page.stopped_at is not None]
    bound = (max(stops) if descending else min(stops)) if stops else None
    merged = sorted((item for page in pages for item in page.items), key=sort_key, reverse=descending)
    if bound is not None:
        merged = [item for item in merged if (sort_key(item) >= bound if descending else sort_key(item) <= bound)]
    if len(merged) > limit:
        kept = merged[:limit]
        return kept, sort_key(kept[-1])
    return merged, bound


T = TypeVar("T")
R = TypeVar("R")


def in_parallel(work: Callable[[T], R], inputs: Iterable[T]) -> list[R]:
    """``[work(x) for x in inputs]``, all at once when there is more than one (results in order)."""
    items = list(inputs)
    if len(items) <= 1:
        return [work(item) for item in items]
    with ContextThreadPool(max_workers=len(items)) as pool:
        return list(pool.map(work, items))
