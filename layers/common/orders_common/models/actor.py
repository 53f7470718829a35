"""Who acted: every request and job runs as one, and each order event names it. Apart from the order
events so that a function which writes none (every read) does not build their models."""

from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict

from orders_common.models.base import Model


class ActorKind(StrEnum):
    USER = "user"  # the account's owner (user_id null when authentication is off)
    ADMIN = "admin"  # a caller with the admin scope or group
    SCHEDULE = "schedule"  # the EventBridge schedule (process-all, the dead man's switch sweep)
    QUEUE = "queue"  # the executor, from an SQS message
    SYSTEM = "system"  # none of those: a script or test working on the store directly


class Actor(Model):
    model_config = ConfigDict(frozen=True)

    kind: ActorKind
    user_id: int | None = None
