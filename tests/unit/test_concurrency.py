"""The layer's thread pool: work handed to it sees the context variables of the code that handed it over."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar, copy_context
from typing import TypeVar

from orders_common.concurrency import ContextThreadPool

T = TypeVar("T")
who: ContextVar[str | None] = ContextVar("who", default=None)


def in_context_of(name: str, work: Callable[[], T]) -> T:
    """``work()`` in a context of its own where ``who`` is ``name`` (the test's context is left alone)."""

    def run() -> T:
        who.set(name)
        return work()

    return copy_context().run(run)


def test_submitted_and_mapped_work_sees_the_submitters_context() -> None:
    with ContextThreadPool(max_workers=2) as pool:
        submitted = in_context_of("caller", lambda: pool.submit(who.get).result())
        mapped = in_context_of("caller", lambda: list(pool.map(lambda _: who.get(), range(4))))

    assert submitted == "caller"
    assert mapped == ["caller"] * 4


def test_each_task_has_its_own_copy() -> None:
    def rename() -> str | None:
        who.set("worker")
        return who.get()

    with ContextThreadPool(max_workers=1) as pool:
        results = in_context_of(
            "caller", lambda: (pool.submit(rename).result(), who.get(), pool.submit(who.get).result())
        )

    assert results == ("worker", "caller", "caller")


def test_a_plain_pool_loses_the_context() -> None:
    # Why the layer's pools are ContextThreadPools: a plain pool's workers start with an empty context.
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert in_context_of("caller", lambda: pool.submit(who.get).result()) is None
