"""Thread pools whose work sees the context variables of the code that handed it over.

A pool's worker thread starts with an empty ``contextvars`` context, so what an invocation keeps in
context variables (who is running, for whoever observes its calls) would be lost inside the pool.
Each piece of work runs in a copy of its submitter's context instead, as if it ran inline.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class ContextThreadPool(ThreadPoolExecutor):
    """A ``ThreadPoolExecutor`` (``map`` included, which submits) that carries the caller's context."""

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        # A copy per task: one context cannot be entered by two threads at once.
        context = contextvars.copy_context()
        return super().submit(lambda: context.run(fn, *args, **kwargs))
