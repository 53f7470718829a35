"""The order: what a client asked for, what the exchange did with it, and what it holds reserved."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import ConfigDict, Field

from orders_common.models.base import Model
from orders_common.models.numbers import ExactDecimal, UtcDateTime


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


class OrderType(StrEnum):
    MARKET = "market"
    LIMIT = "limit"


class OrderStatus(StrEnum):
    PENDING = "pending"
    EXECUTING = "executing"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


FINAL_STATUSES = frozenset({OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED})


class Order(Model):
    """An order as stored and as returned by the API (every field present, absent values null)."""

    model_config = ConfigDict(frozen=True)

    id: int = Field(gt=0)
    account_id: int
    user_id: int
    symbol: str
    name: str
    side: Side
    order_type: OrderType
    price: ExactDecimal | None = Field(default=None, description="Limit price; null for market orders.")
    quantity: ExactDecimal
    filled_quantity: ExactDecimal = Decimal(0)
    status: OrderStatus
    filled_price: ExactDecimal | None = None
    commission: ExactDecimal | None = None
    rejection_reason: str | None = None
    exchange: str | None = None
    exchange_order_id: str | None = None
    client_order_id: str | None = Field(default=None, description="The client's own id for the order, if it gave one.")
    reserved_cash: ExactDecimal = Field(
        default=Decimal(0), description="Cash held back for this buy while it is pending."
    )
    reserved_quantity: ExactDecimal = Field(
        default=Decimal(0), description="Position quantity held back for this sell while it is pending."
    )
    created_at: UtcDateTime
    updated_at: UtcDateTime
    executed_at: UtcDateTime | None = None
    cancelled_at: UtcDateTime | None = None

    @property
    def is_pending(self) -> bool:
        return self.status is OrderStatus.PENDING
