"""What happened to an order: one event per step of its life, as the timeline lists it and as it is
published to integrators (with the order as it was right after)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field

from orders_common.models.actor import Actor, ActorKind
from orders_common.models.base import Model
from orders_common.models.numbers import UtcDateTime

# Actor and ActorKind live in models.actor (a read function builds no order event model); handlers
# still import them from here.
__all__ = ["Actor", "ActorKind", "FieldChange", "OrderEvent", "OrderEventKind"]


class OrderEventKind(StrEnum):
    CREATED = "created"
    AMENDED = "amended"
    TRIGGERED = "triggered"
    CLAIMED = "claimed"  # sent to an external venue: nothing else may change it until the outcome is known
    RELEASED = "released"  # the venue certainly did not take it: open again
    ACCEPTED = "accepted"  # the venue took it onto its book: open here, its fills come from the venue
    RECONCILED = "reconciled"  # the outcome of an earlier claim was learned from the venue (what follows)
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"


class FieldChange(Model):
    model_config = ConfigDict(frozen=True, validate_by_name=True, validate_by_alias=True, serialize_by_alias=True)

    before: Any = Field(default=None, alias="from", description="The value before (null when it had none).")
    after: Any = Field(default=None, alias="to", description="The value after (null when it has none).")


class OrderEvent(Model):
    """One step of an order's life, written in the same transaction as the change it records."""

    model_config = ConfigDict(frozen=True)

    event_id: str = Field(description="Stable and unique: '<order id>-<order version>-<n>'; deduplicate on it.")
    kind: OrderEventKind
    order_id: int
    account_id: int
    user_id: int
    order_version: int = Field(description="The order's version right after this event.")
    at: UtcDateTime
    actor: Actor
    request_id: str | None = Field(
        default=None, description="The API request, schedule event or Lambda invocation that caused it."
    )
    changes: dict[str, FieldChange] = Field(
        default_factory=dict, description="Each order field the event changed, from and to (by alias)."
    )
