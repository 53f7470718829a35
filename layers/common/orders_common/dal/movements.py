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
from orders_common.domain.ledger import CASH, Movement, entry_id, performance, totals
from orders_common.models.numbers import format_utc, to_json_number

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
) -> None:
    """Add the balance updates and the ledger entries of ``movements`` to ``transaction`` (the entries
    as models: ``LedgerEntry.of`` with the same arguments). ``account``/``position`` guard those items (a
    guard on an item nothing moves is added as a condition check of it)."""
    move_balances(transaction, account_id, movements, at=at, account=account, position=position, owner=owner)
    entries = ledger_items(account_id, movements, at=at, tag=tag, order_id=order_id, reference=reference)
    put_entries(transaction, entries)


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


def put_entries(transaction: Transaction, items: list[dict[str, Any]]) -> None:
    for item in items:
        transaction.put(f"ledger {item['entry_id']}", item, condition="attribute_not_exists(pk)")


def ledger_items(
    account_id: int,
    movements: list[Movement],
    *,
    at: datetime,
    tag: str,
    order_id: int | None = None,
    reference: str | None = None,
) -> list[dict[str, Any]]:
    """The stored form of the entries ``LedgerEntry.of`` makes of ``movements`` (the same ids and
    values, amounts written as the model writes them), built without the models: a create's one entry
    cost about as much again as a model and its dump (``tests/unit/test_ledger_items.py`` holds the
    two equal)."""
    stamp = format_utc(at)
    partition = keys.ledger_partition(account_id)
    items = []
    for number, movement in enumerate(movements):
        entry = entry_id(stamp, tag, number)
        item: dict[str, Any] = {
            "pk": partition,
            "sk": entry,
            "entity": "ledger",
            "entry_id": entry,
            "account_id": account_id,
            "type": movement.type.value,
            "asset": movement.asset,
            "amount": to_json_number(movement.amount),
            "available_change": to_json_number(movement.available),
            "reserved_change": to_json_number(movement.reserved),
        }
        if movement.asset != CASH:
            item["cost_basis_change"] = to_json_number(movement.cost_basis)
        if movement.realized_pnl is not None:
            item["realized_pnl"] = to_json_number(movement.realized_pnl)
        if order_id is not None:
            item["order_id"] = order_id
        if reference is not None:
            item["reference"] = reference
        item["created_at"] = stamp
        items.append(item)
    return items
