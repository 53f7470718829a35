"""What clients send: validated strictly, so bad input is refused before anything is read or written."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from orders_common.models.base import Model
from orders_common.models.numbers import MAX_ID, EntityId, PositiveAmount
from orders_common.models.order import OrderStatus, OrderType, Side
from orders_common.models.paging import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    MAX_TOKEN_LENGTH,
    OrderFilters,
    PageRequest,
    decode_token,
)

SYMBOL_PATTERN = r"^[A-Za-z0-9]{1,20}$"

Symbol = Annotated[
    str,
    StringConstraints(pattern=SYMBOL_PATTERN),
    AfterValidator(str.upper),
    Field(description="Trading symbol such as BTC or ETH (letters and digits, stored upper case).", examples=["BTC"]),
]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must contain a visible character")
    return value


OrderName = Annotated[
    str,
    StringConstraints(pattern=r"^[\x20-\x7e]{1,100}$"),
    AfterValidator(_not_blank),
    Field(description="Human-readable order name: 1 to 100 printable ASCII characters.", examples=["Long BTC"]),
]


ClientOrderId = Annotated[
    str,
    StringConstraints(pattern=r"^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$"),
    Field(
        description="Your own id for the order: 1 to 64 printable ASCII characters, unique per account.",
        examples=["my-strategy-2026-11-24-0001"],
    ),
]


IdempotencyKey = Annotated[
    str,
    StringConstraints(pattern=r"^[\x21-\x7e]{1,255}$"),
    Field(
        description="Makes a retried create safe: the same key and body answer the original order. "
        "1 to 255 printable ASCII characters, e.g. a UUID.",
    ),
]


class CreateOrderRequest(Model):
    """Body of ``POST /api/orders/create``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    account_id: EntityId = Field(description="Account to place the order for.", examples=[1])
    symbol: Symbol
    name: OrderName
    side: Side = Field(description="buy or sell.")
    order_type: OrderType = Field(description="market or limit.")
    price: PositiveAmount | None = Field(
        default=None,
        validate_default=True,
        description="Limit price: required for limit orders, refused for market orders.",
    )
    quantity: PositiveAmount = Field(description="Quantity in base asset units.", examples=[0.01])
    client_order_id: ClientOrderId | None = None

    @field_validator("price")
    @classmethod
    def _price_matches_order_type(cls, price: Decimal | None, info: ValidationInfo) -> Decimal | None:
        order_type = info.data.get("order_type")
        if order_type is OrderType.LIMIT and price is None:
            raise PydanticCustomError("price_required", "Field required for limit orders")
        if order_type is OrderType.MARKET and price is not None:
            raise PydanticCustomError("price_not_allowed", "Must be omitted (or null) for market orders")
        return price


def _digits_only(value: object) -> object:
    """Path ids arrive as text; only plain decimal digits are an id (no sign, spaces, dots or exponents)."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{1,20}", value):
        raise PydanticCustomError("id_format", "Must be a positive integer")
    return value


PathId = Annotated[int, BeforeValidator(_digits_only), Field(gt=0, le=MAX_ID)]


class ListQuery(Model):
    """Query string of every list endpoint."""

    model_config = ConfigDict(frozen=True)

    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Page size (1 to 1000).")
    next_token: str | None = Field(
        default=None,
        max_length=MAX_TOKEN_LENGTH,
        description="Token from the X-Next-Token header of the previous page.",
    )
    status: OrderStatus | None = Field(default=None, description="Only orders in this status.")
    symbol: Symbol | None = Field(default=None, description="Only orders for this symbol.")

    def page(self) -> PageRequest:
        return PageRequest(limit=self.limit, after=decode_token(self.next_token) if self.next_token else None)

    def filters(self) -> OrderFilters:
        return OrderFilters(status=self.status, symbol=self.symbol)


class PageQuery(Model):
    """Query string of a list with no filters (a user's accounts)."""

    model_config = ConfigDict(frozen=True)

    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Page size (1 to 1000).")
    next_token: str | None = Field(
        default=None,
        max_length=MAX_TOKEN_LENGTH,
        description="Token from the X-Next-Token header of the previous page.",
    )

    def page(self) -> PageRequest:
        return PageRequest(limit=self.limit, after=decode_token(self.next_token) if self.next_token else None)
