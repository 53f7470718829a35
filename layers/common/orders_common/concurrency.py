"""Thread pools whose work runs in the context of whoever submitted it.

``contextvars`` (the invocation's deadline, the logger's per-request keys, the function a local run
attributes AWS calls to) do not follow work into a plain ``ThreadPoolExecutor``: each worker thread
starts from an empty context. Every pool of the service is this one.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class ContextThreadPool(ThreadPoolExecutor):
    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        context = contextvars.copy_context()
        return super().submit(context.run, fn, *args, **kwargs)
