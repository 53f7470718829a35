"""Money and positions moved inside a transaction: the balance items change by exactly the sum of the
movements, and each movement is a ledger entry put by the same transaction.

| item         | pk                   | sk                                        |
|--------------|----------------------|-------------------------------------------|
| ledger entry | ``LEDGER#<account>`` | ``<created_at>#<transaction tag>#<nn>``   |

An entry id sorts by time within the account; the tag (random, one per transaction) keeps entries of
two transactions at the same microsecond apart, and ``nn`` orders a transaction's own entries.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from orders_common.dal import keys
from orders_common.domain.ledger import CASH, Movement, performance, totals
from orders_common.models.ledger import LedgerEntry
from orders_common.models.numbers import format_utc

if TYPE_CHECKING:
    from orders_common.dal.transaction import Transaction


class Guard(NamedTuple):
    """A condition on a balance item, with the values it names (placeholders not used by updates)."""

    expression: str
    values: dict[str, Any]


def record(
    transaction: Transaction,
    *,
    account_id: int,
    movements: list[Movement],
    at: datetime,
    tag: str,
    order_id: int | None = None,
    reference: str | None = None,
    account: Guard | None = None,
    position: Guard | None = None,
    owner: int | None = None,
) -> list[LedgerEntry]:
    """Add the balance updates and the ledger entries of ``movements`` to ``transaction``; returns the
    entries. ``account``/``position`` guard those items (a guard on an item nothing moves is added as
    a condition check of it)."""
    move_balances(transaction, account_id, movements, at=at, account=account, position=position, owner=owner)
    entries = LedgerEntry.of(account_id, movements, at=at, tag=tag, order_id=order_id, reference=reference)
    put_entries(transaction, entries)
    return entries


def move_balances(
    transaction: Transaction,
    account_id: int,
    movements: list[Movement],
    *,
    at: datetime,
    account: Guard | None = None,
    position: Guard | None = None,
    owner: int | None = None,
) -> None:
    """The account and position items change by the totals of ``movements`` (of one account)."""
    stamp = format_utc(at)
    changed = totals(movements)
    cash = changed.pop(CASH, None)
    if cash is not None:
        # The account's running figures move with its cash: a sale's realized P&L, commissions, transfers.
        figures = performance(movements)
        running = "" if figures.is_zero else ", realized_pnl :realized, fees_paid :fees, net_deposits :deposited"
        transaction.update(
            "account",
            keys.account_key(account_id),
            f"SET updated_at = :at ADD available_cash :available, reserved_cash :reserved, version :one{running}",
            condition=account.expression if account else None,
            values={
                ":at": stamp,
                ":available": cash.available,
                ":reserved": cash.reserved,
                ":one": 1,
                **(
                    {}
                    if figures.is_zero
                    else {
                        ":realized": figures.realized_pnl,
                        ":fees": figures.fees_paid,
                        ":deposited": figures.net_deposits,
                    }
                ),
                **(account.values if account else {}),
            },
        )
    elif account is not None:
        transaction.check("account", keys.account_key(account_id), account.expression, values=account.values)
    for symbol, moved in changed.items():
        owner_clause = ", user_id = :owner" if owner is not None else ""
        transaction.update(
            "position" if len(changed) == 1 else f"position {symbol}",
            keys.position_key(account_id, symbol),
            f"SET updated_at = :at, symbol = :symbol, account_id = :account, entity = :entity{owner_clause} "
            "ADD available_quantity :available, reserved_quantity :reserved, cost_basis :cost, version :one",
            condition=position.expression if position else None,
            values={
                ":at": stamp,
                ":symbol": symbol,
                ":account": account_id,
                ":entity": "position",
                ":available": moved.available,
                ":reserved": moved.reserved,
                ":cost": moved.cost_basis,
                ":one": 1,
                **({":owner": owner} if owner is not None else {}),
                **(position.values if position else {}),
            },
        )


def put_entries(transaction: Transaction, entries: list[LedgerEntry]) -> None:
    for entry in entries:
        transaction.put(f"ledger {entry.entry_id}", entry_to_item(entry), condition="attribute_not_exists(pk)")


def entry_to_item(entry: LedgerEntry) -> dict[str, Any]:
    fields = entry.model_dump(mode="python", exclude_none=True)
    fields["type"] = entry.type.value
    fields["created_at"] = format_utc(entry.created_at)
    return {"pk": keys.ledger_partition(entry.account_id), "sk": entry.entry_id, "entity": "ledger", **fields}
