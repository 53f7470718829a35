"""Ids for new orders (and later other records): positive integers from an atomic counter, never
handed out twice.

Each container takes a block of ids at a time, so most creates need no counter write. Ids from a
block a container did not use before it stopped are skipped, never reused: ids are unique and
increasing per container, not gap-free, and list order comes from creation time, not from ids.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orders_common.logic.ports.accounts import IdSource

ORDER_IDS = "ORDER_ID"
ACCOUNT_IDS = "ACCOUNT_ID"


class IdAllocator:
    def __init__(self, source: IdSource, counter: str, block_size: int = 1) -> None:
        self._source = source
        self._counter = counter
        self._block_size = block_size
        self._lock = threading.Lock()
        self._block: range = range(0)
        self._position = 0

    def next_id(self) -> int:
        with self._lock:
            if self._position >= len(self._block):
                self._block = self._source.reserve_ids(self._counter, self._block_size)
                self._position = 0
            allocated = self._block[self._position]
            self._position += 1
            return allocated
