"""Merging pages from several index partitions."""

from __future__ import annotations

import pytest

from orders_common.dal.paging import PartitionPage, merge_partitions
from orders_common.models.paging import InvalidNextToken, decode_token, encode_token


def page(keys: list[str], stopped_at: str | None = None) -> PartitionPage:
    return PartitionPage([{"k": key} for key in keys], stopped_at)


def merged(pages: list[PartitionPage], limit: int, descending: bool = False) -> tuple[list[str], str | None]:
    items, cursor = merge_partitions(pages, limit=limit, descending=descending, sort_key=lambda item: item["k"])
    return [item["k"] for item in items], cursor


def test_exhausted_partitions_merge_in_order() -> None:
    assert merged([page(["a", "d"]), page(["b", "c"])], limit=10) == (["a", "b", "c", "d"], None)


def test_a_full_page_continues_after_its_last_item() -> None:
    assert merged([page(["a", "d"]), page(["b", "c"])], limit=3) == (["a", "b", "c"], "c")


def test_a_partition_that_stopped_early_bounds_the_page() -> None:
    # the second partition was only read up to "b": nothing after "b" may be answered yet
    assert merged([page(["a", "c", "e"]), page(["b"], stopped_at="b")], limit=10) == (["a", "b"], "b")


def test_descending_merge_bounds_from_above() -> None:
    assert merged([page(["e", "c"]), page(["d"], stopped_at="d")], limit=10, descending=True) == (["e", "d"], "d")


@pytest.mark.parametrize("token", ["", "!!!", encode_token("ACCOUNT#1"), "A" * 300])
def test_tokens_that_were_not_issued_are_refused(token: str) -> None:
    with pytest.raises(InvalidNextToken):
        decode_token(token)
