"""Accounts, positions, the ledger, ids, cursors and the audit's status, in memory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from orders_common.domain.ledger import Movement
from orders_common.domain.money import ZERO, add
from orders_common.logic.ports.refusals import AccountRefused, PositionRefused
from orders_common.logic.ports.values import ArmedSwitch, HeldPosition, IdempotencyRecord, LedgerFilters
from orders_common.models.account import Account, AccountSummary, Position
from orders_common.models.audit import AuditStatus
from orders_common.models.ledger import LedgerEntry
from orders_common.models.numbers import format_utc
from orders_common.models.paging import Page, PageRequest
from tests.support.fakes.base import StoreBase, _AccountState


class AccountFakes(StoreBase):
    # AccountReads / AccountChanges / AccountLists

    def get_account(self, account_id: int) -> Account | None:
        self.calls.append("get_account")
        with self._lock:
            state = self.accounts.get(account_id)
            if state is None:
                return None
            positions = tuple(
                Position(
                    symbol=symbol,
                    available_quantity=held.available,
                    reserved_quantity=held.reserved,
                    cost_basis=held.cost_basis,
                )
                for (owner_account, symbol), held in sorted(self.positions.items())
                if owner_account == account_id
            )
            return Account.model_validate({**state.summary.model_dump(), "positions": positions})

    def get_summary(self, account_id: int) -> tuple[AccountSummary, int] | None:
        with self._lock:
            state = self.accounts.get(account_id)
            return (state.summary, state.version) if state else None

    def get_owner(self, account_id: int) -> int | None:
        self.calls.append("get_owner")
        state = self.accounts.get(account_id)
        return state.summary.user_id if state else None

    def get_position(self, account_id: int, symbol: str) -> HeldPosition | None:
        self.calls.append("get_position")
        with self._lock:
            held = self.positions.get((account_id, symbol))
            if held is None:
                return None
            position = Position(
                symbol=symbol,
                available_quantity=held.available,
                reserved_quantity=held.reserved,
                cost_basis=held.cost_basis,
            )
            return HeldPosition(position=position, version=held.version)

    def list_user_accounts(self, user_id: int, page: PageRequest) -> Page[AccountSummary]:
        mine = sorted(
            (state.summary for state in self.accounts.values() if state.summary.user_id == user_id),
            key=lambda summary: (summary.created_at, summary.account_id),
        )
        if page.after is not None:
            mine = [s for s in mine if f"{format_utc(s.created_at)}#{s.account_id:020d}" > page.after]
        if len(mine) > page.limit:
            last = mine[page.limit - 1]
            return Page(mine[: page.limit], f"{format_utc(last.created_at)}#{last.account_id:020d}")
        return Page(mine)

    def open(
        self, account: AccountSummary, movements: list[Movement], *, tag: str, idempotency: IdempotencyRecord | None
    ) -> list[LedgerEntry]:
        with self._lock:
            self._claim_key(idempotency, account.created_at)
            if account.account_id in self.accounts:
                raise RuntimeError(f"account {account.account_id} exists")
            entries = LedgerEntry.of(
                account.account_id, movements, at=account.created_at, tag=tag, reference="account opened"
            )
            self.accounts[account.account_id] = _AccountState(account, entries=list(entries))
            self._keep_key(idempotency)
            return entries

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
        with self._lock:
            self._claim_key(idempotency, at)
            state = self.accounts.get(account_id)
            change = sum((movement.available for movement in movements), start=ZERO)
            if (
                state is None
                or state.version != version
                or state.summary.available_cash + change < 0
                or (unless_frozen and state.summary.frozen)
            ):
                summary = state.summary if state else None
                raise AccountRefused(
                    summary.user_id if summary else None,
                    summary.available_cash if summary else None,
                    frozen=bool(summary and summary.frozen),
                    version=state.version if state else None,
                )
            entries = self._apply(account_id, movements, at=at, tag=tag, reference=reference)
            self._keep_key(idempotency)
            return entries

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
        with self._lock:
            self._claim_key(idempotency, at)
            if account_id not in self.accounts:
                raise AccountRefused(None, None)
            moved = movements[0]
            held = self.positions.get((account_id, moved.asset))
            if (held is None) != (position_version is None) or (
                held is not None
                and (
                    held.version != position_version
                    or add(held.available, moved.available) < 0
                    or add(held.cost_basis, moved.cost_basis) < 0
                )
            ):
                raise PositionRefused(
                    held.available if held else None,
                    held.cost_basis if held else None,
                    version=held.version if held else None,
                )
            entries = self._apply(account_id, movements, at=at, tag=tag, reference=reference)
            self._keep_key(idempotency)
            return entries

    def set_frozen(self, account_id: int, frozen: bool, at: datetime) -> AccountSummary | None:
        with self._lock:
            state = self.accounts.get(account_id)
            if state is None:
                return None
            state.summary = state.summary.model_copy(update={"frozen": frozen, "updated_at": at})
            return state.summary

    # LedgerReads

    def list_entries(self, account_id: int, page: PageRequest, filters: LedgerFilters) -> Page[LedgerEntry]:
        state = self.accounts.get(account_id)
        chosen = [
            entry
            for entry in sorted(state.entries if state else [], key=lambda e: e.entry_id, reverse=True)
            if (filters.type is None or entry.type is filters.type)
            and (filters.asset is None or entry.asset == filters.asset)
            and (filters.since is None or entry.entry_id >= format_utc(filters.since))
            and (filters.until is None or entry.entry_id < format_utc(filters.until))
            and (page.after is None or entry.entry_id < page.after)
        ]
        if len(chosen) > page.limit:
            return Page(chosen[: page.limit], chosen[page.limit - 1].entry_id)
        return Page(chosen)

    def entries(self, account_id: int, *, after: str | None = None) -> Iterator[LedgerEntry]:
        state = self.accounts.get(account_id)
        for entry in sorted(state.entries if state else [], key=lambda e: e.entry_id):
            if after is None or entry.entry_id > after:
                yield entry

    # IdSource / IdCounters / Cursors / AuditLog / ScheduleRuns

    def reserve_ids(self, name: str, count: int) -> range:
        with self._lock:
            last = self.counters.get(name, 0) + count
            self.counters[name] = last
            return range(last - count + 1, last + 1)

    def current(self, name: str) -> int:
        return self.counters.get(name, 0)

    def get_cursor(self, name: str) -> str | None:
        return self.cursors.get(name)

    def put_cursor(self, name: str, position: str | None) -> None:
        if position is None:
            self.cursors.pop(name, None)
        else:
            self.cursors[name] = position

    def save_status(self, status: AuditStatus) -> None:
        self.audit_status = status

    def last_status(self) -> AuditStatus | None:
        return self.audit_status

    def record_schedule_run(self, at: datetime) -> None:
        self.schedule_run = at

    def last_schedule_run(self) -> datetime | None:
        return self.schedule_run

    # Switches

    def arm(self, account_id: int, deadline: datetime | None, *, previous: datetime | None) -> None:
        with self._lock:
            state = self.accounts.get(account_id)
            if state is None or state.summary.cancel_after != previous:
                raise AccountRefused(state.summary.user_id if state else None, None)
            state.summary = state.summary.model_copy(update={"cancel_after": deadline})
            if deadline is None:
                self.switches.pop(account_id, None)
            else:
                self.switches[account_id] = deadline

    def due(self, now: datetime) -> list[ArmedSwitch]:
        with self._lock:
            return [ArmedSwitch(account, deadline) for account, deadline in self.switches.items() if deadline <= now]

    def disarm(self, switch: ArmedSwitch) -> bool:
        with self._lock:
            if self.switches.get(switch.account_id) != switch.deadline:
                return False
            del self.switches[switch.account_id]
            state = self.accounts[switch.account_id]
            state.summary = state.summary.model_copy(update={"cancel_after": None})
            return True
