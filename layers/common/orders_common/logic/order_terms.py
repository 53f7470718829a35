"""What an order's terms imply, for a new order and an amended one alike: whether its numbers are as
fine as the symbol trades, what it must hold in reserve, and what a refused reservation tells the
client."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from orders_common.domain.money import ZERO, AmountOutOfRange
from orders_common.domain.settlement import buy_reservation
from orders_common.errors import (
    AccountFrozen,
    AmountTooLarge,
    InsufficientFunds,
    InsufficientPosition,
    InvalidRequest,
    OrderTooLarge,
    VenueRefused,
)
from orders_common.models.order import Order, OrderType, Side

if TYPE_CHECKING:
    from orders_common.domain.fees import FeeSchedule
    from orders_common.logic.ports.refusals import AccountRefused, PositionRefused

QUANTITY_FIELDS = frozenset({"quantity"})
PRICE_FIELDS = frozenset({"price", "trigger_price", "trail_amount"})
PRECISION_FIELDS = QUANTITY_FIELDS | PRICE_FIELDS  # what ``check_precision`` checks


class OrderRules(NamedTuple):
    quantity_decimals: dict[str, int]
    price_decimals: dict[str, int]
    market_buy_buffer_bps: Decimal


def check_precision(symbol: str, values: Mapping[str, Decimal | None], rules: OrderRules) -> None:
    """Refuse quantities and prices finer than the symbol trades in (its lot and tick size)."""
    problems = []
    for field, value in values.items():
        if value is None or field not in PRECISION_FIELDS:
            continue
        places = (rules.quantity_decimals if field in QUANTITY_FIELDS else rules.price_decimals).get(symbol)
        if places is not None and decimal_places(value) > places:
            from orders_common.models.errors import ValidationDetail  # here: built only for a refusal

            problems.append(
                ValidationDetail(
                    location="body",
                    field=field,
                    message=f"{symbol} {field} may have at most {places} decimal place" + ("" if places == 1 else "s"),
                    type="decimal_places",
                )
            )
    if problems:
        fields = ", ".join(problem.field or "" for problem in problems)
        raise InvalidRequest(
            f"Invalid request: check {fields}.", details=[problem.model_dump() for problem in problems]
        )


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def needs_market_price(order: Order) -> bool:
    """A buy with no price of its own (no limit, trigger or stop) reserves from today's market."""
    return (
        order.side is Side.BUY
        and order.quote_quantity is None
        and not order.trades_at_limit
        and order.trigger_price is None
        and order.stop_price is None
    )


def reservation(order: Order, market_price: Decimal | None, rules: OrderRules, fees: FeeSchedule) -> Order:
    """``order`` holding what it must (``reserved_amounts``), for what is left of it to fill."""
    cash, quantity = reserved_amounts(
        order.side,
        order.order_type,
        remaining=order.remaining_quantity,  # a partially filled order holds only for what is left
        quote_quantity=order.quote_quantity,
        price=order.price,
        trigger_price=order.trigger_price,
        stop_price=order.stop_price,
        market_price=market_price,
        rules=rules,
        fees=fees,
    )
    return order.model_copy(update={"reserved_cash": cash, "reserved_quantity": quantity})


def reserved_amounts(
    side: Side,
    order_type: OrderType,
    *,
    remaining: Decimal | None,
    quote_quantity: Decimal | None,
    price: Decimal | None,
    trigger_price: Decimal | None,
    stop_price: Decimal | None,
    market_price: Decimal | None,
    rules: OrderRules,
    fees: FeeSchedule,
) -> tuple[Decimal, Decimal]:
    """The cash and the quantity an order of these terms holds back: a buy enough cash for its fill
    and commission at the price it expects (its limit, where it triggers, or the market with a
    margin), a sell the quantity it sells. A new order is built holding them (no copy of it made)."""
    if side is Side.SELL:
        return ZERO, remaining or ZERO
    expected = trigger_price or stop_price or market_price
    at_limit = order_type.has_limit_price
    if expected is None and not at_limit and quote_quantity is None:
        raise ValueError("a market buy is reserved from a market price")
    try:
        cash = buy_reservation(
            quantity=remaining,
            quote_quantity=quote_quantity,
            limit_price=price if at_limit else None,
            market_price=expected or ZERO,
            buffer_bps=rules.market_buy_buffer_bps,
            commission=fees.commission,
        )
    except AmountOutOfRange as error:
        raise AmountTooLarge(f"This order's {error.what} is too large to be held exactly.") from None
    return cash, ZERO


def priced_at_market(order: Order) -> bool:
    """Whether the order names no price of its own (no quote quantity, limit, trigger or stop): its
    notional is today's price."""
    return order.quote_quantity is None and not (
        order.trades_at_limit or order.trigger_price is not None or order.stop_price is not None
    )


def notional(order: Order, market_price: Decimal) -> Decimal:
    """What the order trades in cash at the price it names: a notional buy its quote quantity, else
    its quantity at its limit, where it triggers, or (at market) today's price."""
    if order.quote_quantity is not None:
        return order.quote_quantity
    price = order.price if order.trades_at_limit and order.price is not None else None
    price = price or order.trigger_price or order.stop_price or market_price
    return (order.quantity or ZERO) * price


VenueRefusal = Callable[[Order, Decimal], str | None]


def check_venue(order: Order, market_price: Decimal, venue_refusal: VenueRefusal | None) -> None:
    """Refuse what an external venue would (its lot, tick, minimum value), before anything is stored."""
    refusal = venue_refusal(order, market_price) if venue_refusal is not None else None
    if refusal is not None:
        raise VenueRefused(f"The venue would refuse this order: {refusal}.", details={"reason": refusal})


def check_notional(order: Order, market_price: Decimal, maximum: Decimal) -> None:
    """Refuse an order over the stack's MaxOrderNotional before anything is stored or sent."""
    value = notional(order, market_price)
    if value > maximum:
        raise OrderTooLarge(
            f"This order's notional {value} is over the maximum of {maximum} per order.",
            details={"notional": value, "max_order_notional": maximum},
        )


def funds_refusal(order: Order, refused: AccountRefused, required: Decimal, what: str) -> Exception:
    """What the client is told when the account would not reserve ``required`` more cash."""
    if refused.frozen:
        return AccountFrozen(order.account_id, what)
    available = refused.available_cash if refused.available_cash is not None else ZERO
    return InsufficientFunds(
        f"Account {order.account_id} has {available} available; this order needs {required}.",
        details={"available_cash": available, "required_cash": required},
    )


def position_refusal(order: Order, refused: PositionRefused, required: Decimal) -> Exception:
    held = refused.available_quantity if refused.available_quantity is not None else ZERO
    return InsufficientPosition(
        f"Account {order.account_id} has {held} {order.symbol} available to sell; this order needs {required}.",
        details={"available_quantity": held, "required_quantity": required},
    )
