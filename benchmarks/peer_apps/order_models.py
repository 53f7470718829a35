"""The pydantic models the framework peers validate with: the create body's rules (as the project's,
for the fields the benchmark sends) and the order they answer."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


class OrderType(StrEnum):
    MARKET = "market"
    LIMIT = "limit"


class CreateOrder(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    account_id: int = Field(gt=0, le=2**53)
    symbol: str = Field(pattern=r"^[A-Z0-9]{1,20}$")
    name: str = Field(min_length=1, max_length=100)
    side: Side
    order_type: OrderType
    quantity: Decimal = Field(gt=0, max_digits=38)
    price: Decimal | None = Field(default=None, gt=0, max_digits=38)

    @model_validator(mode="after")
    def _price_matches_order_type(self) -> CreateOrder:
        if (self.order_type is OrderType.LIMIT) != (self.price is not None):
            raise ValueError("price is required for limit orders and refused for market orders")
        return self


class Order(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int
    account_id: int
    symbol: str
    name: str
    side: Side
    order_type: OrderType
    quantity: Decimal
    price: Decimal | None = None
    status: str
    version: int
    created_at: datetime


def new_order(request: CreateOrder) -> Order:
    now = datetime.now(UTC)
    return Order(id=time.time_ns() // 1000, status="pending", version=1, created_at=now, **request.model_dump())


def order_item(order: Order) -> dict[str, Any]:
    return {**order.model_dump(), "side": order.side.value, "order_type": order.order_type.value,
            "created_at": order.created_at.isoformat()}  # fmt: skip
