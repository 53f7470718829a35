"""What process-all answers, called over HTTP or by the schedule."""

from __future__ import annotations

from pydantic import Field

from orders_common.models.base import Model


class ProcessAllResult(Model):
    processed: int = Field(description="Orders tried in this call.")
    succeeded: int = Field(description="Orders filled.")
    failed: int = Field(description="Orders rejected or that could not be executed.")
    skipped: int = Field(
        default=0, description="Orders left pending: limits not marketable, triggers not reached, finished elsewhere."
    )
    expired: int = Field(default=0, description="ioc/fok orders not filled at their attempt, gtd orders past expiry.")
    queued: int = Field(default=0, description="Orders handed to the execution queue for later.")
    deferred: int = Field(
        default=0, description="Pending orders this call neither executed nor queued; the schedule reaches them."
    )


class FanOutResult(Model):
    queued: int = Field(description="Orders sent to the execution queue.")
    complete: bool = Field(description="False when time ran out; the next run goes on from where this one stopped.")
    resumed: bool = Field(description="True when this run went on from where the previous one stopped.")
    cancelled_by_switches: int = Field(default=0, description="Orders cancelled by dead man's switches that ran out.")
