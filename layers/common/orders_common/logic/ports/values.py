"""Values crossing the ports.

Immutable records as ``NamedTuple``: a frozen dataclass costs about five times as much to define (its
methods are generated and compiled at import), and every function that writes loads these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from orders_common.models.order import Side, TimeInForce

# Types only (see accounts.py).
if TYPE_CHECKING:
    from datetime import datetime
    from decimal import Decimal

    from orders_common.domain.ledger import EntryType
    from orders_common.models.account import Position
    from orders_common.models.order import Order, OrderStatus, OrderType


class IdempotencyRecord(NamedTuple):
    """What an Idempotency-Key was used for: kept with the result it produced, in the same transaction."""

    scope: str
    key: str
    request_hash: str
    result_id: int  # what was created (an order id), or 0
    expires_at: int  # epoch seconds (DynamoDB's TTL removes the record some time after)
    response: str | None = None  # the answer to give again, when it cannot be read back


class FillFilters(NamedTuple):
    symbol: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class LedgerFilters(NamedTuple):
    type: EntryType | None = None
    asset: str | None = None  # "cash" or a symbol
    since: datetime | None = None
    until: datetime | None = None


class HeldPosition(NamedTuple):
    """A position as stored, with the version its next priced change is conditioned on."""

    position: Position
    version: int


class OrderSummary(NamedTuple):
    """What the schedule decides on, from the narrow pending index."""

    id: int
    account_id: int
    symbol: str
    side: str
    order_type: OrderType
    price: Decimal | None
    status: OrderStatus
    updated_at: datetime
    queued_at: datetime | None
    time_in_force: TimeInForce = TimeInForce.GTC
    expire_at: datetime | None = None
    trigger_price: Decimal | None = None
    trail_percent: Decimal | None = None
    trail_amount: Decimal | None = None
    trail_mark: Decimal | None = None
    triggered_at: datetime | None = None
    created_at: datetime | None = None  # from the index's sort key (<created_at>#<id>)


class OpenOrder(NamedTuple):
    """What cancelling an order needs to know of it, from the account's pending index."""

    id: int
    account_id: int
    user_id: int
    symbol: str
    side: Side
    status: OrderStatus
    version: int
    reserved_cash: Decimal
    reserved_quantity: Decimal

    @classmethod
    def of(cls, order: Order) -> OpenOrder:
        return cls(
            id=order.id,
            account_id=order.account_id,
            user_id=order.user_id,
            symbol=order.symbol,
            side=order.side,
            status=order.status,
            version=order.version,
            reserved_cash=order.reserved_cash,
            reserved_quantity=order.reserved_quantity,
        )


# DynamoDB takes at most 100 items in a transaction: cancelling an order is 3 (the order, its ledger
# entry and its event), plus the account and each symbol sold once per transaction.
TRANSACTION_ITEMS = 100
BULK_CLOSE_MAX_ORDERS = 30


def fits_one_close(orders: list[OpenOrder]) -> bool:
    """Whether cancelling ``orders`` (of one account) together fits one transaction."""
    sold = {order.symbol for order in orders if order.side is Side.SELL}
    return len(orders) <= BULK_CLOSE_MAX_ORDERS and 3 * len(orders) + 1 + len(sold) <= TRANSACTION_ITEMS


class BulkClose(NamedTuple):
    """What one transaction of many cancels did: every order closed, or the ones that changed
    meanwhile named (and then none closed: a transaction applies whole)."""

    closed: list[int]
    changed: list[int]


class ArmedSwitch(NamedTuple):
    """An account's dead man's switch: its pending orders are cancelled at ``deadline``."""

    account_id: int
    deadline: datetime
