"""The pydantic models the framework peers validate with: the create body's rules (the project's, for
the fields the benchmark sends: ``tests/integration/test_peer_apps.py`` holds the two to the same
decisions) and the order they answer (the contract's whole order document, as the project and the bare
handler answer it)."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from market_rules import refusal
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    StringConstraints,
    computed_field,
    model_validator,
)

COMMISSION_RATE = Decimal(os.environ["COMMISSION_RATE"])  # the template's, as the project reads it


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


class OrderType(StrEnum):
    MARKET = "market"
    LIMIT = "limit"


MAX_ID = 2**63 - 1


def sent_as_number(value: Any) -> Any:
    """A number as JSON wrote it: never ``"12"`` nor ``true``, which pydantic's lax mode would take."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError("must be a JSON number")
    return value


Amount = Annotated[
    Decimal, Field(gt=0, le=10**12, decimal_places=8, allow_inf_nan=False), BeforeValidator(sent_as_number)
]


def json_number(value: Decimal) -> int | float:
    """An amount as the contract answers it, a JSON number (pydantic writes a Decimal as a JSON string)."""
    return int(value) if value == value.to_integral_value() else float(value)


Number = Annotated[Decimal, PlainSerializer(json_number, when_used="json")]


class CreateOrder(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    account_id: Annotated[int, Strict(), Field(gt=0, le=MAX_ID)]
    symbol: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,20}$", to_upper=True)]
    # Printable ASCII, not only spaces.
    name: Annotated[str, StringConstraints(pattern=r"^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$", max_length=100)]
    side: Side
    order_type: OrderType
    quantity: Amount
    price: Amount | None = None

    @model_validator(mode="after")
    def _desk_rules(self) -> CreateOrder:
        if (self.order_type is OrderType.LIMIT) != (self.price is not None):
            raise ValueError("price is required for limit orders and refused for market orders")
        reason = refusal(self.symbol, self.quantity, self.price)
        if reason is not None:
            raise ValueError(reason)
        return self


class Order(BaseModel):
    """The order document of the API's contract (every stored field, and the derived ones), as a
    framework's user would declare it: plain pydantic types, amounts answered as JSON numbers as the
    contract has them."""

    model_config = ConfigDict(extra="ignore")

    id: int
    account_id: int
    user_id: int
    symbol: str
    name: str
    side: Side
    order_type: OrderType
    time_in_force: str = "gtc"
    price: Number | None = None
    quantity: Number | None = None
    quote_quantity: Number | None = None
    trigger_price: Number | None = None
    trail_percent: Number | None = None
    trail_amount: Number | None = None
    trail_mark: Number | None = None
    stop_price: Number | None = None
    triggered_at: datetime | None = None
    expire_at: datetime | None = None
    version: int = 1
    max_slippage_bps: Number | None = None
    filled_quantity: Number = Decimal(0)
    status: str
    filled_price: Number | None = None
    market_price_at_fill: Number | None = None
    fills_count: int = 0
    last_fill_at: datetime | None = None
    commission: Number | None = None
    rejection_reason: str | None = None
    exchange: str | None = None
    exchange_order_id: str | None = None
    client_order_id: str | None = None
    reserved_cash: Number = Decimal(0)
    reserved_quantity: Number = Decimal(0)
    created_at: datetime
    updated_at: datetime
    executed_at: datetime | None = None
    cancelled_at: datetime | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def remaining_quantity(self) -> Number | None:
        return None if self.quantity is None else self.quantity - self.filled_quantity

    @computed_field  # type: ignore[prop-decorator]
    @property
    def average_fill_price(self) -> Number | None:
        return self.filled_price

    @computed_field  # type: ignore[prop-decorator]
    @property
    def order_no(self) -> str:
        return f"ORD-{self.id}"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def market(self) -> str:
        return "CRYPTO"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def actual_fill_price(self) -> Number | None:
        return self.filled_price

    @computed_field  # type: ignore[prop-decorator]
    @property
    def slippage(self) -> Number | None:
        if self.filled_price is None or not self.market_price_at_fill:
            return None
        worse = self.filled_price - self.market_price_at_fill
        return (worse if self.side is Side.BUY else -worse) / self.market_price_at_fill


def new_order(request: CreateOrder, user_id: int) -> Order:
    """A pending order of the user, the cash it reserves counted: a buy's cost at its limit price and
    the commission on it (the benchmark creates a limit buy; a market buy's estimate needs a price source the
    peers do not have, and a sell reserves the position, which they do not hold)."""
    now = datetime.now(UTC)
    buy = request.side is Side.BUY and request.price is not None
    reserved = request.price * request.quantity * (1 + COMMISSION_RATE) if buy else Decimal(0)
    return Order(id=time.time_ns() // 1000, user_id=user_id, status="pending", reserved_cash=reserved,
                 created_at=now, updated_at=now, **request.model_dump())  # fmt: skip


def order_item(order: Order) -> dict[str, Any]:
    """The stored attributes: numbers as Decimal, choices and times as text."""
    return {name: value.isoformat() if isinstance(value, datetime) else value.value if isinstance(value, StrEnum)
            else value for name, value in order.model_dump(exclude_computed_fields=True).items()}  # fmt: skip
