"""Place an order: check the request against the symbol's precision, price the reservation, then store
the order, its reservation, its client order id and its Idempotency-Key record in one transaction.

A retry with the same Idempotency-Key finds the key's record (written with the order, so a committed
order always has one) and answers the original order; another body with that key is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from orders_common.auth import Caller
from orders_common.domain.fees import FeeSchedule
from orders_common.domain.money import ZERO, AmountOutOfRange
from orders_common.domain.settlement import buy_reservation
from orders_common.errors import (
    AccountFrozen,
    AccountNotFound,
    AmountTooLarge,
    DuplicateClientOrderId,
    Forbidden,
    InsufficientFunds,
    InsufficientPosition,
    InvalidRequest,
)
from orders_common.exchange.base import PriceSource
from orders_common.logic import idempotency
from orders_common.logic.ids import IdAllocator
from orders_common.logic.ports import (
    AccountReads,
    AccountRefused,
    ClientOrderIdTaken,
    IdempotencyKeyTaken,
    IdempotencyRecord,
    OrderInserts,
    OrderReads,
    PositionRefused,
)
from orders_common.models.errors import ValidationDetail
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order, OrderStatus, OrderType, Side
from orders_common.models.requests import CreateOrderRequest
from orders_common.observability import count, logger


@dataclass(frozen=True)
class CreateRules:
    quantity_decimals: dict[str, int]
    price_decimals: dict[str, int]
    market_buy_buffer_bps: Decimal
    idempotency_ttl_seconds: int


@dataclass(frozen=True)
class Created:
    order: Order
    replayed: bool = False  # the answer of an earlier request with the same Idempotency-Key


@dataclass(frozen=True)
class CreateOrder:
    inserts: OrderInserts
    orders: OrderReads
    accounts: AccountReads
    ids: IdAllocator
    prices: PriceSource
    fees: FeeSchedule
    rules: CreateRules

    def __call__(self, request: CreateOrderRequest, caller: Caller, idempotency_key: str | None = None) -> Created:
        check_precision(request, self.rules)
        owner = self._owner(request.account_id, caller)
        # Also refuses symbols the market does not list, before anything is stored.
        market_price = self.prices.get_price(request.symbol)
        order = self._new_order(request, owner, market_price)
        record = self._record(request, caller, idempotency_key, order)
        try:
            self.inserts.insert(order, idempotency=record)
        except IdempotencyKeyTaken as taken:
            return Created(self._replay(taken.record, record), replayed=True)
        except ClientOrderIdTaken as taken:
            raise DuplicateClientOrderId(request.client_order_id or "", taken.order_id) from None
        except AccountRefused as refused:
            self._check_account(request.account_id, refused.owner, owner)
            if refused.frozen:
                raise AccountFrozen(request.account_id, "a new order") from None
            available = refused.available_cash if refused.available_cash is not None else ZERO
            raise InsufficientFunds(
                f"Account {order.account_id} has {available} available; this order needs {order.reserved_cash}.",
                details={"available_cash": available, "required_cash": order.reserved_cash},
            ) from None
        except PositionRefused as refused:
            held = refused.available_quantity if refused.available_quantity is not None else ZERO
            raise InsufficientPosition(
                f"Account {order.account_id} has {held} {order.symbol} available to sell; "
                f"this order sells {order.quantity}.",
                details={"available_quantity": held, "required_quantity": order.quantity},
            ) from None
        logger.info("Order created", order_id=order.id, account_id=order.account_id, side=order.side.value)
        count("OrdersCreated")
        return Created(order)

    def _new_order(self, request: CreateOrderRequest, owner: int, market_price: Decimal) -> Order:
        reserved_cash = reserved_quantity = ZERO
        if request.side is Side.BUY:
            try:
                reserved_cash = buy_reservation(
                    quantity=request.quantity,
                    limit_price=request.price if request.order_type is OrderType.LIMIT else None,
                    market_price=market_price,
                    buffer_bps=self.rules.market_buy_buffer_bps,
                    commission=self.fees.commission,
                )
            except AmountOutOfRange as error:
                raise AmountTooLarge(f"This order's {error.what} is too large to be held exactly.") from None
        else:
            reserved_quantity = request.quantity
        now = utc_now()
        return Order(
            id=self.ids.next_id(),
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

    def _record(
        self, request: CreateOrderRequest, caller: Caller, key: str | None, order: Order
    ) -> IdempotencyRecord | None:
        if key is None:
            return None
        return idempotency.new_record(
            caller=caller,
            account_id=request.account_id,
            key=key,
            operation="create_order",
            payload=request.model_dump(mode="json"),
            at=order.created_at,
            ttl_seconds=self.rules.idempotency_ttl_seconds,
            result_id=order.id,
        )

    def _replay(self, existing: IdempotencyRecord, attempted: IdempotencyRecord | None) -> Order:
        assert attempted is not None  # only a create with a key can find its record taken
        idempotency.require_same_request(existing, attempted)
        order = self.orders.get_order(existing.result_id)
        if order is None:  # the record and its order are written together: this cannot happen
            raise RuntimeError(f"Idempotency-Key record names order {existing.result_id}, which does not exist")
        logger.info("Create replayed for its Idempotency-Key", order_id=order.id)
        return order

    def _owner(self, account_id: int, caller: Caller) -> int:
        """Whose account this is. An authenticated caller acts for themselves, and the create
        transaction checks the account is theirs: no read needed. Without authentication (local runs)
        the owner is read once per account per container."""
        if not caller.unrestricted:
            if caller.user_id is None:
                raise Forbidden(f"You may not access account {account_id}: the token names no user.")
            return caller.user_id
        owner = self.accounts.get_owner(account_id)
        if owner is None:
            raise AccountNotFound(account_id)
        return owner

    @staticmethod
    def _check_account(account_id: int, found_owner: int | None, owner: int) -> None:
        if found_owner is None:
            raise AccountNotFound(account_id)
        if found_owner != owner:
            raise Forbidden(f"You may not access account {account_id}: it belongs to another user.")


def check_precision(request: CreateOrderRequest, rules: CreateRules) -> None:
    """Refuse quantities and prices finer than the symbol trades in (its lot and tick size)."""
    problems = []
    limits = [("quantity", request.quantity, rules.quantity_decimals.get(request.symbol))]
    if request.price is not None:
        limits.append(("price", request.price, rules.price_decimals.get(request.symbol)))
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
