"""The order: what a client asked for, what the exchange did with it, and what it holds reserved."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import ConfigDict, Field, computed_field

from orders_common.domain.fill_quality import slippage
from orders_common.models.base import Model
from orders_common.models.numbers import ExactDecimal, UtcDateTime


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"


class OrderType(StrEnum):
    MARKET = "market"
    LIMIT = "limit"
    STOP_MARKET = "stop_market"
    STOP_LIMIT = "stop_limit"
    TAKE_PROFIT_MARKET = "take_profit_market"
    TAKE_PROFIT_LIMIT = "take_profit_limit"
    TRAILING_STOP = "trailing_stop"

    @property
    def has_limit_price(self) -> bool:
        return self in (OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT_LIMIT)

    @property
    def has_trigger_price(self) -> bool:
        return self in (
            OrderType.STOP_MARKET,
            OrderType.STOP_LIMIT,
            OrderType.TAKE_PROFIT_MARKET,
            OrderType.TAKE_PROFIT_LIMIT,
        )

    @property
    def is_trigger(self) -> bool:
        """Waits for the market to reach a price before it trades."""
        return self.has_trigger_price or self is OrderType.TRAILING_STOP


class TimeInForce(StrEnum):
    GTC = "gtc"  # good till cancelled
    IOC = "ioc"  # immediate or cancel: what the first attempt fills, the rest expires
    FOK = "fok"  # fill or kill: all at the first attempt, or nothing
    GTD = "gtd"  # good till a date: expires at expire_at


class OrderStatus(StrEnum):
    PENDING = "pending"
    PARTIALLY_FILLED = "partially_filled"  # open: part filled, the rest waits for later attempts
    EXECUTING = "executing"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"


FINAL_STATUSES = frozenset({OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.EXPIRED})
# Open orders can still trade, be amended or cancelled, and sit in the pending indexes.
OPEN_STATUSES = frozenset({OrderStatus.PENDING, OrderStatus.PARTIALLY_FILLED})


PAPER_EXCHANGE = "paper"
MARKET = "CRYPTO"
ORDER_NO = "The order's number as the upstream client shows it, e.g. ORD-42."
MARKET_FIELD = "The market the order trades in: always CRYPTO here."


def order_number(order_id: int) -> str:
    return f"ORD-{order_id}"


class AboutAnOrder(Model):
    """An answer about one order (an execution attempt, a cancel), naming it as the upstream client does."""

    order_id: int

    @computed_field(description=ORDER_NO)  # type: ignore[prop-decorator]
    @property
    def order_no(self) -> str:
        return order_number(self.order_id)

    @computed_field(description=MARKET_FIELD)  # type: ignore[prop-decorator]
    @property
    def market(self) -> str:
        return MARKET


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
    time_in_force: TimeInForce = TimeInForce.GTC
    price: ExactDecimal | None = Field(default=None, description="Limit price; null for market orders.")
    quantity: ExactDecimal | None = Field(
        default=None, description="Base asset units; for a notional market buy, null until it fills."
    )
    quote_quantity: ExactDecimal | None = Field(default=None, description="Cash a notional market buy spends.")
    trigger_price: ExactDecimal | None = Field(default=None, description="Stop and take-profit orders: when to trade.")
    trail_percent: ExactDecimal | None = None
    trail_amount: ExactDecimal | None = None
    trail_mark: ExactDecimal | None = Field(
        default=None, description="Trailing stops: the best price since created (high for a sell, low for a buy)."
    )
    stop_price: ExactDecimal | None = Field(
        default=None, description="Trailing stops: where the order triggers, following trail_mark."
    )
    triggered_at: UtcDateTime | None = None
    expire_at: UtcDateTime | None = None
    version: int = Field(default=1, description="Grows with every change; If-Match makes a change conditional on it.")
    max_slippage_bps: ExactDecimal | None = Field(
        default=None, description="Market orders: how far from the mid price a fill may go, in basis points."
    )
    filled_quantity: ExactDecimal = Decimal(0)
    status: OrderStatus
    filled_price: ExactDecimal | None = Field(default=None, description="The average price of every fill so far.")
    market_price_at_fill: ExactDecimal | None = Field(
        default=None,
        description="The market price seen when the order filled (over several fills: weighted by quantity); "
        "what slippage is measured against.",
    )
    fills_count: int = 0
    last_fill_at: UtcDateTime | None = None
    commission: ExactDecimal | None = Field(default=None, description="Commission of every fill so far.")
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

    # Set by the attempt whose price triggered the order, until that attempt's change is written (its
    # timeline then says "triggered"): never stored, never returned. A field left out of every dump
    # rather than a private attribute: a model with one runs a Python hook after each validation, a
    # quarter of the time of reading an order.
    triggers_now: bool = Field(default=False, exclude=True)

    @computed_field(description="What is left to fill; null for a notional buy.")  # type: ignore[prop-decorator]
    @property
    def remaining_quantity(self) -> ExactDecimal | None:
        if self.quantity is None:
            return None
        return self.quantity - self.filled_quantity

    @computed_field(description="Equal to filled_price: the average price of every fill so far.")  # type: ignore[prop-decorator]
    @property
    def average_fill_price(self) -> ExactDecimal | None:
        return self.filled_price

    @computed_field(description=ORDER_NO)  # type: ignore[prop-decorator]
    @property
    def order_no(self) -> str:
        return order_number(self.id)

    @computed_field(description=MARKET_FIELD)  # type: ignore[prop-decorator]
    @property
    def market(self) -> str:
        return MARKET

    @computed_field(description="Equal to filled_price (the average fill price); null until a fill.")  # type: ignore[prop-decorator]
    @property
    def actual_fill_price(self) -> ExactDecimal | None:
        return self.filled_price

    @computed_field(  # type: ignore[prop-decorator]
        description="How much worse than market_price_at_fill the average fill was, as a fraction of it: "
        "positive when a buy paid more or a sale received less, negative when better; null until a fill."
    )
    @property
    def slippage(self) -> ExactDecimal | None:
        return slippage(
            buy=self.side is Side.BUY, fill_price=self.filled_price, reference_price=self.market_price_at_fill
        )

    @property
    def is_open(self) -> bool:
        """Pending or partially filled: it can still trade, change or be cancelled."""
        return self.status in OPEN_STATUSES

    @property
    def rests_on_venue(self) -> bool:
        """Open, and held by an external venue's book (the paper exchange keeps nothing outside the desk)."""
        return self.is_open and self.exchange_order_id is not None and self.exchange not in (None, PAPER_EXCHANGE)

    @property
    def waits_for_trigger(self) -> bool:
        return self.order_type.is_trigger and self.triggered_at is None

    @property
    def trades_at_limit(self) -> bool:
        """A limit order, or a stop or take-profit limit order (once triggered)."""
        return self.order_type.has_limit_price

    def triggering(self, at: datetime) -> Order:
        """The order as it trades from ``at``, when its trigger was reached (``triggers_now``: triggered
        by this attempt, and the change that records it not written yet)."""
        return self.model_copy(update={"triggered_at": at, "triggers_now": True})

    def as_written(self) -> Order:
        """The order once a change is written: a trigger it carried is recorded now."""
        if not self.triggers_now:
            return self
        return self.model_copy(update={"triggers_now": False})
