"""Ports of accounts, the ledger, counters, cursors, the status of scheduled jobs and the queues."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

# Types only: a function imports the ports of every use case it wires, so they load none of the models.
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from datetime import datetime

    from orders_common.domain.ledger import Movement
    from orders_common.logic.ports.values import ArmedSwitch, HeldPosition, IdempotencyRecord, LedgerFilters
    from orders_common.models.account import Account, AccountSummary
    from orders_common.models.audit import AuditStatus
    from orders_common.models.ledger import LedgerEntry
    from orders_common.models.paging import Page, PageRequest


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


class ScheduleRuns(Protocol):
    """The process-all schedule's heartbeat: when it last ran to the end."""

    def record_schedule_run(self, at: datetime) -> None: ...

    def last_schedule_run(self) -> datetime | None: ...


class Cursors(Protocol):
    def get_cursor(self, name: str) -> str | None: ...

    def put_cursor(self, name: str, position: str | None) -> None: ...


class ExecutionQueue(Protocol):
    def send(self, order_ids: Iterable[int]) -> int:
        """Enqueue; returns how many the queue accepted. Raises ``StoreUnavailable`` when it is down."""


class QueueDepth(Protocol):
    def approximate_messages(self) -> int:
        """Messages waiting (SQS's approximate count). Raises ``StoreUnavailable`` when unreadable."""


class Switches(Protocol):
    """Dead man's switches: an armed account's pending orders are cancelled at its deadline."""

    def arm(self, account_id: int, deadline: datetime | None, *, previous: datetime | None) -> None:
        """Set (or, with None, clear) the account's deadline, only if it is still ``previous``. Raises
        ``AccountRefused`` (missing, or its deadline moved meanwhile: ``version`` then says so)."""

    def due(self, now: datetime) -> list[ArmedSwitch]: ...

    def disarm(self, switch: ArmedSwitch) -> bool:
        """Clear a switch that ran out; False when it was armed again (or cleared) meanwhile."""
