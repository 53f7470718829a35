"""The invocation's deadline, and waits that respect it.

Lambda stops a function at its timeout whatever it is doing; API Gateway answers 504 after 30 s. So
every wait for a dependency (an SDK attempt, a retry's back-off, a price request) first asks whether
it can still finish with room left to answer; when it cannot, the caller answers 503 with
Retry-After instead of being cut off. The entry point (``runtime``) sets the deadline of each
invocation; code running outside an invocation (tests, scripts) has none.
"""

from __future__ import annotations

import random
import time
from contextvars import ContextVar
from typing import Any

from orders_common.errors import StoreUnavailable

# Kept back from the deadline for writing the answer (and the metrics) after the last wait.
ANSWER_MARGIN_SECONDS = 1.0

_deadline: ContextVar[float | None] = ContextVar("invocation_deadline", default=None)


class _Deadline:
    # A class rather than a generator-based context manager: every invocation enters one.
    __slots__ = ("_seconds", "_token")

    def __init__(self, seconds: float | None) -> None:
        self._seconds = seconds

    def __enter__(self) -> None:
        current = _deadline.get()
        wanted = None if self._seconds is None else time.monotonic() + self._seconds
        if current is not None and (wanted is None or current < wanted):
            wanted = current
        self._token = _deadline.set(wanted)

    def __exit__(self, *_: object) -> None:
        _deadline.reset(self._token)


def deadline_in(seconds: float | None) -> _Deadline:
    """Within the block, waits must end ``seconds`` from now (None: no new limit). A deadline set
    inside another never extends it."""
    return _Deadline(seconds)


def seconds_left() -> float | None:
    """Seconds before the answer must be written, or None outside an invocation."""
    deadline = _deadline.get()
    if deadline is None:
        return None
    return deadline - ANSWER_MARGIN_SECONDS - time.monotonic()


def has_time_for(seconds: float) -> bool:
    left = seconds_left()
    return left is None or left >= seconds


def back_off(attempt: int, *, base: float, cap: float, then_needs: float = 0.0) -> bool:
    """Sleep before retry number ``attempt`` (1, 2, ...): exponential with full jitter, so that
    clients that collided spread out. Returns False, without sleeping, when the sleep and what comes
    after it (``then_needs`` seconds) would not fit before the deadline."""
    pause = random.uniform(0, min(cap, base * 2 ** (attempt - 1)))  # noqa: S311 - jitter, not secrecy
    if not has_time_for(pause + then_needs):
        return False
    time.sleep(pause)
    return True


class DeadlineReached(StoreUnavailable):
    """Too little time is left in the invocation to wait for a dependency."""


def guard_attempts(client: Any, attempt_seconds: float) -> Any:
    """Make every attempt of an AWS SDK client, retries included, start only when it can end
    (``attempt_seconds``: its connect plus read timeout) with time left to answer. botocore's own
    retries know nothing of the invocation's deadline; its ``before-send`` event runs before each
    attempt, and an exception raised there ends the call at once."""
    service = client.meta.service_model.service_id.hyphenize()

    def refuse_past_deadline(**_: Any) -> None:
        if not has_time_for(attempt_seconds):
            raise DeadlineReached(f"{service} did not answer in time; try again shortly.")

    client.meta.events.register(f"before-send.{service}", refuse_past_deadline)
    return client
