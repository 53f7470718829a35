"""What clients send: validated strictly, so bad input is refused before anything is read or written."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import (
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from orders_common.models.base import Model
from orders_common.models.fields import (
    AwareDateTime,
    ClientOrderId,
    EntityId,
    OrderName,
    PositiveAmount,
    SlippageBps,
    Symbol,
    TrailPercent,
    check_expiry,
)
from orders_common.models.order import OrderType, Side, TimeInForce


class CreateOrderRequest(Model):
    """Body of ``POST /api/orders/create``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    account_id: EntityId = Field(description="Account to place the order for.", examples=[1])
    symbol: Symbol
    name: OrderName
    side: Side = Field(description="buy or sell.")
    order_type: OrderType = Field(
        description="market, limit, stop_market, stop_limit, take_profit_market, take_profit_limit or trailing_stop."
    )
    time_in_force: TimeInForce = Field(
        default=TimeInForce.GTC,
        description="gtc (default), ioc (what the first attempt fills, the rest expires), fok (all at the first "
        "attempt or nothing), gtd (expires at expire_at).",
    )
    price: PositiveAmount | None = Field(
        default=None,
        validate_default=True,
        description="Limit price: required for limit, stop_limit and take_profit_limit orders, refused otherwise.",
    )
    trigger_price: PositiveAmount | None = Field(
        default=None,
        validate_default=True,
        description="Stop and take-profit orders: the market price that makes them trade. Required for them only.",
    )
    trail_percent: TrailPercent | None = Field(
        default=None, description="Trailing stops: the trail as a percentage of the mark (0 to 100)."
    )
    trail_amount: PositiveAmount | None = Field(
        default=None,
        validate_default=True,
        description="Trailing stops: the trail as a price distance. Exactly one of trail_percent and trail_amount.",
    )
    quote_quantity: PositiveAmount | None = Field(
        default=None,
        description="Market buys only, instead of quantity: the cash to spend (the quantity follows at the fill, "
        "rounded down to the symbol's lot size).",
    )
    quantity: PositiveAmount | None = Field(
        default=None,
        validate_default=True,
        description="Quantity in base asset units (or give quote_quantity).",
        examples=[0.01],
    )
    expire_at: AwareDateTime | None = Field(
        default=None, validate_default=True, description="gtd orders: when they expire (at most 90 days ahead)."
    )
    max_slippage_bps: SlippageBps | None = Field(
        default=None,
        description="Orders that trade at market: how far from the mid price a fill may go, in basis points "
        "(default: the desk's MaxSlippageBps). What the book offers beyond it is not taken.",
    )
    client_order_id: ClientOrderId | None = None
    execute: StrictBool = Field(
        default=False, description="Try the order at once and answer with it after that attempt (create + execute)."
    )

    @field_validator("price")
    @classmethod
    def _price_matches_order_type(cls, price: Decimal | None, info: ValidationInfo) -> Decimal | None:
        order_type = info.data.get("order_type")
        if order_type is None:
            return price
        if order_type.has_limit_price and price is None:
            raise PydanticCustomError("price_required", f"Field required for {order_type.value} orders")
        if not order_type.has_limit_price and price is not None:
            raise PydanticCustomError("price_not_allowed", f"Must be omitted (or null) for {order_type.value} orders")
        return price

    @field_validator("trigger_price")
    @classmethod
    def _trigger_matches_order_type(cls, trigger: Decimal | None, info: ValidationInfo) -> Decimal | None:
        order_type = info.data.get("order_type")
        if order_type is None:
            return trigger
        if order_type.has_trigger_price and trigger is None:
            raise PydanticCustomError("trigger_price_required", f"Field required for {order_type.value} orders")
        if not order_type.has_trigger_price and trigger is not None:
            raise PydanticCustomError(
                "trigger_price_not_allowed", "Only stop and take-profit orders have a trigger price"
            )
        return trigger

    @field_validator("trail_amount")
    @classmethod
    def _one_trail_for_trailing_stops(cls, amount: Decimal | None, info: ValidationInfo) -> Decimal | None:
        order_type = info.data.get("order_type")
        percent = info.data.get("trail_percent")
        if order_type is None:
            return amount
        if order_type is OrderType.TRAILING_STOP and (percent is None) == (amount is None):
            raise PydanticCustomError(
                "trail_required", "A trailing stop takes exactly one of trail_percent and trail_amount"
            )
        if order_type is not OrderType.TRAILING_STOP and (percent is not None or amount is not None):
            raise PydanticCustomError("trail_not_allowed", "Only trailing_stop orders have a trail")
        return amount

    @field_validator("quote_quantity")
    @classmethod
    def _quote_for_market_buys(cls, quote: Decimal | None, info: ValidationInfo) -> Decimal | None:
        if quote is not None and (
            info.data.get("side") is not Side.BUY or info.data.get("order_type") is not OrderType.MARKET
        ):
            raise PydanticCustomError("quote_quantity_not_allowed", "Only market buys can spend a quote_quantity")
        return quote

    @field_validator("max_slippage_bps")
    @classmethod
    def _slippage_for_market_orders(cls, bps: Decimal | None, info: ValidationInfo) -> Decimal | None:
        order_type = info.data.get("order_type")
        if bps is not None and isinstance(order_type, OrderType) and order_type.has_limit_price:
            raise PydanticCustomError("max_slippage_bps_not_allowed", "A limit price already bounds this order's fills")
        return bps

    @field_validator("quantity")
    @classmethod
    def _quantity_or_quote(cls, quantity: Decimal | None, info: ValidationInfo) -> Decimal | None:
        if "quote_quantity" not in info.data:
            return quantity  # quote_quantity itself was refused: that error says enough
        if (quantity is None) == (info.data["quote_quantity"] is None):
            if quantity is None:
                raise PydanticCustomError("missing", "Field required (or give quote_quantity instead)")
            raise PydanticCustomError("quantity_or_quote", "Give quantity or quote_quantity, not both")
        return quantity

    @field_validator("expire_at")
    @classmethod
    def _expiry(cls, expire_at: datetime | None, info: ValidationInfo) -> datetime | None:
        return check_expiry(expire_at, info.data.get("time_in_force"))


# Shown by the API documents (Swagger UI pre-fills the first): bodies the demo desk accepts, one per
# common kind of order. tests/unit/test_openapi.py validates them, tests/integration posts them.
CREATE_ORDER_EXAMPLES: dict[str, dict[str, object]] = {
    "buy_at_market": {
        "summary": "Market buy: 0.01 BTC at the market price",
        "value": {
            "account_id": 1,
            "symbol": "BTC",
            "name": "Long BTC",
            "side": "buy",
            "order_type": "market",
            "quantity": 0.01,
        },
    },
    "sell_at_limit": {
        "summary": "Limit sell: 1 ETH at 3600 or better (rests until the market reaches it)",
        "value": {
            "account_id": 1,
            "symbol": "ETH",
            "name": "Take profit ETH",
            "side": "sell",
            "order_type": "limit",
            "price": 3600,
            "quantity": 1,
        },
    },
}
