"""Batches of an iterable."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def batched(values: Iterable[T], size: int) -> Iterator[tuple[T, ...]]:
    """``itertools.batched`` (Python 3.12+) for the 3.11 this code also runs on."""
    iterator = iter(values)
    while batch := tuple(islice(iterator, size)):
        yield batch
