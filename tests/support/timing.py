"""Time plans for calling process-all directly."""

from __future__ import annotations

from orders_common.logic.process_all import TimePlan


def plan(seconds: float) -> TimePlan:
    """Start executions for ``seconds``; leave a minute for those in flight and for the hand-over."""
    return TimePlan(start_seconds=seconds, execute_seconds=seconds + 60, call_seconds=seconds + 60)
