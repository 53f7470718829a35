"""Cancel every pending order of an account (or those of one symbol or side): in transactions of many
orders each, one account update per transaction, every release a ledger entry of its order.

An order that changes while it is being cancelled (an execution, an amend) makes its transaction
refuse whole; the others are tried again at once, the changed one again as it now is if it is still
pending. Repeating a cancel-all is safe: what is already cancelled is no longer listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from orders_common.errors import AccountNotFound, OrderNotPending, StoreUnavailable
from orders_common.logic.ports.values import OpenOrder, fits_one_close
from orders_common.models.order import OPEN_STATUSES, Order, Side
from orders_common.models.order_actions import CancelAllResult
from orders_common.observability import count, logger

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.logic.ports.accounts import AccountReads
    from orders_common.logic.ports.orders import BulkCloses, OpenOrderReads, OrderReads

# How many times one group of orders is tried while its orders keep changing under it.
GROUP_ATTEMPTS = 5


def groups(orders: list[OpenOrder]) -> Iterator[list[OpenOrder]]:
    """``orders`` in consecutive groups that each fit one transaction."""
    group: list[OpenOrder] = []
    for order in orders:
        if group and not fits_one_close([*group, order]):
            yield group
            group = []
        group.append(order)
    if group:
        yield group


@dataclass
class _Outcome:
    cancelled: list[int] = field(default_factory=list)
    finished_elsewhere: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class CancelOpenOrders:
    """The account's matching pending orders, cancelled; no caller check (the schedule uses it too)."""

    open_orders: OpenOrderReads
    closes: BulkCloses
    orders: OrderReads
    # With an external venue: each order is read whole and, if it rests there, cancelled there first (see
    # ``CancelOrder.withdraw``); an order that filled there meanwhile is not cancelled.
    withdraw: Callable[[Order], Order] | None = None

    def __call__(
        self, account_id: int, *, symbol: str | None = None, side: Side | None = None, reason: str
    ) -> CancelAllResult:
        matching = [
            order
            for order in self.open_orders.open_orders(account_id)
            if order.status in OPEN_STATUSES
            and (symbol is None or order.symbol == symbol)
            and (side is None or order.side is side)
        ]
        outcome = _Outcome()
        if self.withdraw is not None:
            matching = self._off_the_venue(matching, self.withdraw, outcome)
        for group in groups(matching):
            self._cancel_group(group, reason, outcome)
        logger.info(
            "Orders cancelled together",
            account_id=account_id,
            reason=reason,
            cancelled=len(outcome.cancelled),
            finished_elsewhere=len(outcome.finished_elsewhere),
        )
        count("OrdersCancelled", len(outcome.cancelled))
        return CancelAllResult(
            account_id=account_id, cancelled=outcome.cancelled, not_cancelled=outcome.finished_elsewhere
        )

    def _off_the_venue(
        self, matching: list[OpenOrder], withdraw: Callable[[Order], Order], outcome: _Outcome
    ) -> list[OpenOrder]:
        kept = []
        for summary in matching:
            order = self.orders.get_order(summary.id)
            if order is not None and order.rests_on_venue:
                try:
                    order = withdraw(order)
                except OrderNotPending:
                    order = None
            if order is None or not order.is_open:
                outcome.finished_elsewhere.append(summary.id)
                continue
            kept.append(OpenOrder.of(order))
        return kept

    def _cancel_group(self, group: list[OpenOrder], reason: str, outcome: _Outcome) -> None:
        for _ in range(GROUP_ATTEMPTS):
            if not group:
                return
            result = self.closes.close_many(group, reason=reason)
            if result.closed:
                outcome.cancelled += result.closed
                return
            changed = set(result.changed)
            refreshed = []
            for order in group:
                if order.id not in changed:
                    refreshed.append(order)
                    continue
                now = self.orders.get_order(order.id)
                if now is None or not now.is_open:
                    outcome.finished_elsewhere.append(order.id)
                    continue
                refreshed.append(OpenOrder.of(now))
            group = refreshed
        raise StoreUnavailable("Orders kept changing while they were cancelled; cancel-all is safe to repeat.")


@dataclass(frozen=True)
class CancelAll:
    accounts: AccountReads
    cancel: CancelOpenOrders

    def __call__(self, account_id: int, symbol: str | None, side: Side | None, caller: Caller) -> CancelAllResult:
        owner = self.accounts.get_owner(account_id)
        if owner is None:
            raise AccountNotFound(account_id)
        caller.require_user(owner, f"account {account_id}")
        return self.cancel(account_id, symbol=symbol, side=side, reason="cancel-all")
