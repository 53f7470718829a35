"""What the use cases need from the world, as small protocols, and the refusals a store reports.

A use case names only the ports it uses; ``wiring`` hands it the DynamoDB, SQS and exchange adapters,
and the unit tests hand it the in-memory fakes of ``tests/support/fakes.py``. A refusal says what the
store found (no HTTP, no DynamoDB vocabulary); the use case decides what that means for the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from orders_common.domain.ledger import EntryType, Movement
from orders_common.domain.settlement import BuySettlement, SellSettlement
from orders_common.exchange.base import Fill
from orders_common.models.account import Account, AccountSummary, Position
from orders_common.models.audit import AuditStatus
from orders_common.models.ledger import LedgerEntry
from orders_common.models.order import Order, OrderStatus
from orders_common.models.paging import OrderFilters, Page, PageRequest

# Refusals: a conditional write found the world other than the use case expected; nothing changed.


class Refusal(Exception):
    pass


class OrderStateChanged(Refusal):
    """The order is no longer in the state the change started from (another execution, a cancel)."""

    def __init__(self, status: str) -> None:
        super().__init__(f"order is {status}")
        self.status = status


class AccountRefused(Refusal):
    """The account is missing (``owner`` None), belongs to another user, is frozen, or lacks the cash."""

    def __init__(
        self, owner: int | None, available_cash: Decimal | None, *, frozen: bool = False, version: int | None = None
    ) -> None:
        super().__init__("account refused the change")
        self.owner = owner
        self.available_cash = available_cash
        self.frozen = frozen
        self.version = version


class PositionRefused(Refusal):
    """The position is missing (``available_quantity`` None) or lacks the quantity (or cost basis)."""

    def __init__(
        self, available_quantity: Decimal | None, cost_basis: Decimal | None = None, *, version: int | None = None
    ) -> None:
        super().__init__("position refused the change")
        self.available_quantity = available_quantity
        self.cost_basis = cost_basis
        self.version = version


class ClientOrderIdTaken(Refusal):
    def __init__(self, order_id: int | None) -> None:
        super().__init__("client order id taken")
        self.order_id = order_id


class IdempotencyKeyTaken(Refusal):
    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__("idempotency key taken")
        self.record = record


class FillUnaffordable(Refusal):
    """A buy's fill costs more than its reservation and the available cash together."""

    def __init__(self, available_cash: Decimal | None) -> None:
        super().__init__("fill not affordable")
        self.available_cash = available_cash


class PositionChanged(Refusal):
    """The position moved between the read a sale was priced from and its write."""


# Values crossing the ports


@dataclass(frozen=True)
class IdempotencyRecord:
    """What an Idempotency-Key was used for: kept with the result it produced, in the same transaction."""

    scope: str
    key: str
    request_hash: str
    result_id: int  # what was created (an order id), or 0
    expires_at: int  # epoch seconds (DynamoDB's TTL removes the record some time after)
    response: str | None = None  # the answer to give again, when it cannot be read back


@dataclass(frozen=True)
class LedgerFilters:
    type: EntryType | None = None
    asset: str | None = None  # "cash" or a symbol
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class HeldPosition:
    """A position as stored, with the version its next priced change is conditioned on."""

    position: Position
    version: int


@dataclass(frozen=True)
class OrderSummary:
    """What the schedule decides on, from the narrow pending index."""

    id: int
    account_id: int
    symbol: str
    side: str
    order_type: str
    price: Decimal | None
    status: OrderStatus
    updated_at: datetime
    queued_at: datetime | None


# Ports


class OrderReads(Protocol):
    def get_order(self, order_id: int) -> Order | None: ...

    def list_account_orders(self, account_id: int, page: PageRequest, filters: OrderFilters) -> Page[Order]: ...

    def list_user_orders(self, user_id: int, page: PageRequest, filters: OrderFilters) -> Page[Order]: ...

    def list_pending_orders(self, page: PageRequest, filters: OrderFilters) -> Page[Order]: ...


class PendingSummaries(Protocol):
    def pending_summaries(self, page: PageRequest) -> Page[OrderSummary]: ...

    def executing_before(self, claimed_before: datetime) -> list[OrderSummary]: ...

    def count_pending(self) -> int: ...

    def ping(self) -> None:
        """One cheap read that proves the store answers (``StoreUnavailable`` when it does not)."""


class OrderInserts(Protocol):
    def insert(self, order: Order, *, idempotency: IdempotencyRecord | None = None) -> None:
        """Store a new pending order and its reservation in one transaction. Raises ``AccountRefused``,
        ``PositionRefused``, ``ClientOrderIdTaken`` or ``IdempotencyKeyTaken``."""


class OrderTransitions(Protocol):
    def fill(
        self, order: Order, fill: Fill, settlement: BuySettlement | SellSettlement, *, position_version: int | None
    ) -> Order:
        """Raises ``OrderStateChanged``, ``FillUnaffordable`` (buys) or ``PositionChanged`` (sells)."""

    def close(self, order: Order, status: OrderStatus, *, reason: str | None = None) -> Order:
        """Cancel or reject, releasing the reservation. Raises ``OrderStateChanged``."""

    def claim(self, order: Order) -> Order:
        """Pending -> executing, before an external exchange is called. Raises ``OrderStateChanged``."""

    def release_claim(self, order: Order) -> Order:
        """Executing -> pending: the exchange certainly never took it. Raises ``OrderStateChanged``."""

    def mark_queued(self, order_id: int, *, at: datetime, unless_since: datetime) -> bool:
        """Note that the order was handed to the queue, unless it already was after ``unless_since``
        (or is no longer pending): False then, and it should not be sent again."""


class AccountReads(Protocol):
    def get_account(self, account_id: int) -> Account | None: ...

    def get_owner(self, account_id: int) -> int | None: ...

    def get_position(self, account_id: int, symbol: str) -> HeldPosition | None: ...


class AccountChanges(Protocol):
    """Opening, funding, adjusting and freezing accounts; each change with its ledger entries."""

    def get_summary(self, account_id: int) -> tuple[AccountSummary, int] | None:
        """The account item and its version (what a priced change is conditioned on)."""

    def get_position(self, account_id: int, symbol: str) -> HeldPosition | None: ...

    def open(
        self, account: AccountSummary, movements: list[Movement], *, tag: str, idempotency: IdempotencyRecord | None
    ) -> list[LedgerEntry]:
        """Raises ``IdempotencyKeyTaken``."""

    def move_cash(
        self,
        account_id: int,
        movements: list[Movement],
        *,
        version: int,
        at: datetime,
        tag: str,
        reference: str | None,
        idempotency: IdempotencyRecord | None,
        unless_frozen: bool,
    ) -> list[LedgerEntry]:
        """Raises ``AccountRefused`` (missing, moved since ``version``, frozen, short of cash) or
        ``IdempotencyKeyTaken``."""

    def adjust(
        self,
        account_id: int,
        movements: list[Movement],
        *,
        position_version: int | None,
        at: datetime,
        tag: str,
        reference: str,
        idempotency: IdempotencyRecord | None,
    ) -> list[LedgerEntry]:
        """Raises ``AccountRefused`` (missing), ``PositionRefused`` (moved, or would go negative) or
        ``IdempotencyKeyTaken``."""

    def set_frozen(self, account_id: int, frozen: bool, at: datetime) -> AccountSummary | None: ...


class AccountLists(Protocol):
    def list_user_accounts(self, user_id: int, page: PageRequest) -> Page[AccountSummary]: ...


class LedgerReads(Protocol):
    def list_entries(self, account_id: int, page: PageRequest, filters: LedgerFilters) -> Page[LedgerEntry]: ...

    def entries(self, account_id: int, *, after: str | None = None) -> Iterator[LedgerEntry]:
        """Every entry, oldest first, page by page."""


class IdSource(Protocol):
    def reserve_ids(self, name: str, count: int) -> range:
        """Take ``count`` ids from the named counter, atomically: never handed out twice."""


class IdCounters(Protocol):
    def current(self, name: str) -> int:
        """The last id the named counter handed out (0 when none)."""


class AuditLog(Protocol):
    def save_status(self, status: AuditStatus) -> None: ...

    def last_status(self) -> AuditStatus | None: ...


class Cursors(Protocol):
    def get_cursor(self, name: str) -> str | None: ...

    def put_cursor(self, name: str, position: str | None) -> None: ...


class ExecutionQueue(Protocol):
    def send(self, order_ids: Iterable[int]) -> int:
        """Enqueue; returns how many the queue accepted. Raises ``StoreUnavailable`` when it is down."""
