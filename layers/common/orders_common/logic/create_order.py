"""Place an order: check the request against the symbol's precision, price the reservation, then store
the order, its reservation, its client order id and its Idempotency-Key record in one transaction.

A retry with the same Idempotency-Key finds the key's record (written with the order, so a committed
order always has one) and answers the original order; another body with that key is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from orders_common.domain.triggers import follow
from orders_common.errors import (
    AccountNotFound,
    DuplicateClientOrderId,
    ExchangeUnavailable,
    Forbidden,
    OrderNotPending,
    StoreUnavailable,
)
from orders_common.logic import idempotency
from orders_common.logic.order_terms import (
    OrderRules,
    VenueRefusal,
    check_notional,
    check_precision,
    check_venue,
    funds_refusal,
    position_refusal,
    reserved_amounts,
)
from orders_common.logic.ports.refusals import AccountRefused, ClientOrderIdTaken, IdempotencyKeyTaken, PositionRefused
from orders_common.models.numbers import utc_now
from orders_common.models.order import Order, OrderStatus, OrderType
from orders_common.observability import count, logger

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.domain.fees import FeeSchedule
    from orders_common.exchange.base import PriceSource
    from orders_common.logic.execution import ExecutionEngine
    from orders_common.logic.ids import IdAllocator
    from orders_common.logic.ports.accounts import AccountReads
    from orders_common.logic.ports.orders import OrderInserts, OrderReads
    from orders_common.logic.ports.values import IdempotencyRecord
    from orders_common.models.requests import CreateOrderRequest


# The request's amounts ``check_precision`` checks, in the request's field order (its problems are listed
# in it), read from the request without dumping it whole.
PRECISE_FIELDS = ("price", "trigger_price", "trail_amount", "quantity")


class CreateRules(NamedTuple):
    terms: OrderRules  # what a new order's numbers must be as an amended one's
    idempotency_ttl_seconds: int
    max_slippage_bps: Decimal  # for orders that trade at market and do not set their own
    max_order_notional: Decimal  # MaxOrderNotional: no order over it is stored (there is no "no limit")


class Created(NamedTuple):
    order: Order
    replayed: bool = False  # the answer of an earlier request with the same Idempotency-Key


class CreateOrder:
    # A plain class, not a dataclass: a create function loads it at its first request, and a frozen
    # dataclass compiles its methods then (a cold start's cost, for nothing a use case needs).
    __slots__ = (
        "accounts",
        "engine",
        "fees",
        "ids",
        "inserts",
        "orders",
        "prices",
        "rules",
        "venue_name",
        "venue_refusal",
    )

    def __init__(
        self,
        inserts: OrderInserts,
        orders: OrderReads,
        accounts: AccountReads,
        ids: IdAllocator,
        prices: PriceSource,
        fees: FeeSchedule,
        rules: CreateRules,
        engine: Callable[[], ExecutionEngine] | None = None,
        *,
        venue_refusal: VenueRefusal | None = None,
        venue_name: str | None = None,
    ) -> None:
        self.inserts = inserts
        self.orders = orders
        self.accounts = accounts
        self.ids = ids
        self.prices = prices
        self.fees = fees
        self.rules = rules
        self.engine = engine  # built only for ``execute: true``
        # With an external venue: why it would refuse the order as written (lot, tick, minimum value), if it would.
        self.venue_refusal = venue_refusal
        self.venue_name = venue_name  # shown on every order of a stack on a venue, from its creation on

    def __call__(self, request: CreateOrderRequest, caller: Caller, idempotency_key: str | None = None) -> Created:
        check_precision(request.symbol, {name: getattr(request, name) for name in PRECISE_FIELDS}, self.rules.terms)
        owner = self._owner(request.account_id, caller)
        # Also refuses symbols the market does not list, before anything is stored.
        market_price = self.prices.get_price(request.symbol)
        order = self._new_order(request, owner, market_price)
        check_notional(order, market_price, self.rules.max_order_notional)
        check_venue(order, market_price, self.venue_refusal)
        record = self._record(request, caller, idempotency_key, order)
        try:
            self.inserts.insert(order, idempotency=record)
        except IdempotencyKeyTaken as taken:
            return Created(self._replay(taken.record, record), replayed=True)
        except ClientOrderIdTaken as taken:
            raise DuplicateClientOrderId(request.client_order_id or "", taken.order_id) from None
        except AccountRefused as refused:
            self._check_account(request.account_id, refused.owner, owner)
            raise funds_refusal(order, refused, order.reserved_cash, "a new order") from None
        except PositionRefused as refused:
            raise position_refusal(order, refused, order.reserved_quantity) from None
        logger.info("Order created", order_id=order.id, account_id=order.account_id, side=order.side.value)
        count("OrdersCreated")
        if request.execute:
            return Created(self._try_at_once(order))
        return Created(order)

    def _try_at_once(self, order: Order) -> Order:
        """The order after its first execution attempt. It is stored already: an attempt that cannot
        be made now (no price, a busy store) leaves it pending for the schedule, not an error."""
        if self.engine is None:
            raise RuntimeError("create with execute needs the execution engine")
        try:
            self.engine().execute(order)
        except (ExchangeUnavailable, StoreUnavailable) as error:
            logger.warning(
                "Order left pending: its first attempt could not be made", order_id=order.id, error=str(error)
            )
        except OrderNotPending:
            pass  # something else finished it first: it is read as it now is
        return self.orders.get_order(order.id) or order

    def _new_order(self, request: CreateOrderRequest, owner: int, market_price: Decimal) -> Order:
        trail = None
        if request.order_type is OrderType.TRAILING_STOP:
            trail = follow(
                side=request.side.value,
                mark=None,
                market_price=market_price,
                percent=request.trail_percent,
                amount=request.trail_amount,
            )
        stop_price = trail.stop_price if trail else None
        reserved_cash, reserved_quantity = reserved_amounts(
            request.side,
            request.order_type,
            remaining=request.quantity,  # nothing filled yet
            quote_quantity=request.quote_quantity,
            price=request.price,
            trigger_price=request.trigger_price,
            stop_price=stop_price,
            market_price=market_price,
            rules=self.rules.terms,
            fees=self.fees,
        )
        now = utc_now()
        return Order(
            id=self.ids.next_id(),
            account_id=request.account_id,
            user_id=owner,
            symbol=request.symbol,
            name=request.name,
            side=request.side,
            order_type=request.order_type,
            time_in_force=request.time_in_force,
            price=request.price,
            quantity=request.quantity,
            quote_quantity=request.quote_quantity,
            trigger_price=request.trigger_price,
            trail_percent=request.trail_percent,
            trail_amount=request.trail_amount,
            trail_mark=trail.mark if trail else None,
            stop_price=stop_price,
            expire_at=request.expire_at,
            max_slippage_bps=None
            if request.order_type.has_limit_price
            else (request.max_slippage_bps if request.max_slippage_bps is not None else self.rules.max_slippage_bps),
            status=OrderStatus.PENDING,
            client_order_id=request.client_order_id,
            exchange=self.venue_name,
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
