"""Changing pending orders: amend one, cancel many, and the If-Match header that makes a change
conditional on the version a client saw."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator, model_validator
from pydantic_core import PydanticCustomError

from orders_common.models.base import Model, empty_list
from orders_common.models.fields import (
    AwareDateTime,
    EntityId,
    OrderName,
    PositiveAmount,
    Symbol,
    TrailPercent,
    check_expiry,
)
from orders_common.models.order import Side, TimeInForce
from orders_common.models.path import version_tag

__all__ = ["AMENDABLE", "AmendOrderRequest", "CancelAllRequest", "CancelAllResult", "IfMatch", "version_tag"]

# What an amend may change; each applies only to the orders that have it (checked against the order).
AMENDABLE = ("name", "price", "quantity", "trigger_price", "trail_percent", "trail_amount", "expire_at")


class AmendOrderRequest(Model):
    """Body of ``PATCH /api/orders/order/{order_id}``: the fields to change, the others stay."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: OrderName | None = None
    price: PositiveAmount | None = Field(default=None, description="Limit orders (and stop/take-profit limits).")
    quantity: PositiveAmount | None = Field(default=None, description="Orders placed with a quantity.")
    trigger_price: PositiveAmount | None = Field(default=None, description="Stop and take-profit orders, untriggered.")
    trail_percent: TrailPercent | None = Field(default=None, description="Trailing stops, untriggered.")
    trail_amount: PositiveAmount | None = Field(default=None, description="Trailing stops, untriggered.")
    expire_at: AwareDateTime | None = Field(default=None, description="gtd orders (at most 90 days ahead).")

    @field_validator("expire_at")
    @classmethod
    def _expiry(cls, expire_at: datetime | None) -> datetime | None:
        return check_expiry(expire_at, TimeInForce.GTD) if expire_at is not None else None

    @model_validator(mode="after")
    def _something_and_one_trail(self) -> AmendOrderRequest:
        if not self.changes():
            raise PydanticCustomError("nothing_to_amend", f"Give at least one of {', '.join(AMENDABLE)}")
        if self.trail_percent is not None and self.trail_amount is not None:
            raise PydanticCustomError("trail_required", "A trailing stop takes one of trail_percent and trail_amount")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields given, by name."""
        return {name: value for name in AMENDABLE if (value := getattr(self, name)) is not None}


_VERSION_TAG = re.compile(r'(?:W/)?(?:"([0-9]{1,12})"|([0-9]{1,12}))')


def _version_tag(value: object) -> object:
    """``If-Match`` carries a version as an entity tag: ``3``, ``"3"`` or ``W/"3"`` all mean version 3."""
    if value is None:
        return None
    text = str(value).strip()
    match = _VERSION_TAG.fullmatch(text)
    if match is None:
        raise PydanticCustomError("version_format", 'If-Match must be an order version such as 3 or "3"')
    return int(match.group(1) or match.group(2))


_IF_MATCH = "Apply only if the order is still at this version, its ETag (answers 412 VERSION_MISMATCH)."
IfMatch = Annotated[
    int,
    BeforeValidator(_version_tag),
    Field(ge=1, description=_IF_MATCH),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r'^(W/)?("[0-9]{1,12}"|[0-9]{1,12})$',
            "examples": ['"3"'],
            "description": _IF_MATCH,
        }
    ),
]


class CancelAllRequest(Model):
    """Body of ``POST /api/orders/cancel-all``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    account_id: EntityId = Field(description="The account whose pending orders are cancelled.", examples=[1])
    symbol: Symbol | None = Field(default=None, description="Only orders of this symbol.")
    side: Side | None = Field(default=None, description="Only buys or only sells.")


class CancelAllResult(Model):
    account_id: int
    cancelled: list[int] = Field(description="Ids of the orders cancelled by this call, oldest first.")
    not_cancelled: list[int] = Field(
        default_factory=empty_list,
        description="Matching orders that filled, expired or were cancelled elsewhere meanwhile.",
    )
