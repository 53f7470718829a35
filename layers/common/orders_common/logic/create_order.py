"""Place an order: check the account and the caller, price the reservation, then store the order and
reserve what it needs in one transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from aws_lambda_powertools.metrics import MetricUnit

from orders_common.auth import Caller
from orders_common.errors import AccountNotFound, Forbidden, InvalidRequest
from orders_common.models.errors import ValidationDetail
from orders_common.models.numbers import round_up, utc_now
from orders_common.models.order import Order, OrderStatus, OrderType, Side
from orders_common.models.requests import CreateOrderRequest
from orders_common.observability import logger, metrics

if TYPE_CHECKING:
    from orders_common.config import Settings
    from orders_common.wiring import Services

BASIS_POINT = Decimal("0.0001")


def create_order(request: CreateOrderRequest, caller: Caller, services: Services) -> Order:
    repository, fees = services.repository, services.fees
    check_precision(request, services.settings)
    owner = _owner(request.account_id, caller, services)
    # Also refuses symbols the market does not list, before anything is stored.
    market_price = services.prices.get_price(request.symbol)

    reserved_cash = Decimal(0)
    reserved_quantity = Decimal(0)
    if request.side is Side.BUY:
        if request.order_type is OrderType.LIMIT and request.price is not None:
            expected_price = request.price
        else:
            # A market buy fills at a price not yet known: hold back a margin above the current one.
            expected_price = market_price * (1 + services.settings.market_buy_buffer_bps * BASIS_POINT)
        notional = round_up(expected_price * request.quantity)
        reserved_cash = notional + fees.commission(notional)
    else:
        reserved_quantity = request.quantity

    now = utc_now()
    order = Order(
        id=services.ids.next_id(),
        account_id=request.account_id,
        user_id=owner,
        symbol=request.symbol,
        name=request.name,
        side=request.side,
        order_type=request.order_type,
        price=request.price,
        quantity=request.quantity,
        status=OrderStatus.PENDING,
        client_order_id=request.client_order_id,
        reserved_cash=reserved_cash,
        reserved_quantity=reserved_quantity,
        created_at=now,
        updated_at=now,
    )
    repository.insert_order(order)
    logger.info("Order created", order_id=order.id, account_id=order.account_id, side=order.side.value)
    metrics.add_metric(name="OrdersCreated", unit=MetricUnit.Count, value=1)
    return order


def check_precision(request: CreateOrderRequest, settings: Settings) -> None:
    """Refuse quantities and prices finer than the symbol trades in (its lot and tick size)."""
    problems = []
    limits = [("quantity", request.quantity, settings.quantity_decimals.get(request.symbol))]
    if request.price is not None:
        limits.append(("price", request.price, settings.price_decimals.get(request.symbol)))
    for field, value, places in limits:
        if places is not None and decimal_places(value) > places:
            problems.append(
                ValidationDetail(
                    location="body",
                    field=field,
                    message=f"{request.symbol} {field} may have at most {places} decimal place"
                    + ("" if places == 1 else "s"),
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


def _owner(account_id: int, caller: Caller, services: Services) -> int:
    """Whose account this is. An authenticated caller acts for themselves, and the create
    transaction checks the account is theirs: no read needed. Without authentication (local runs)
    the owner is read once per account per container."""
    if not caller.unrestricted:
        if caller.user_id is None:
            raise Forbidden(f"You may not access account {account_id}: the token names no user.")
        return caller.user_id
    owner = services.repository.get_account_owner(account_id)
    if owner is None:
        raise AccountNotFound(account_id)
    return owner
