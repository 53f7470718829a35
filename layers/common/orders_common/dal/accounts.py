"""Changing accounts and their positions: opened, funded, adjusted and frozen by transactions that
write their ledger entries with them (the reads are ``dal.account_reads``).

The account item is also listed in its owner's partition of the ``by_user`` index
(``USER#<id>#ACCOUNTS``), so a user's accounts are one Query.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from orders_common.dal import keys
from orders_common.dal.account_mapping import TRACKS_DEPOSITS, item_to_account_summary
from orders_common.dal.account_reads import DynamoAccountReads
from orders_common.dal.client import ConditionFailed
from orders_common.dal.idempotency import add_record, record_from_item
from orders_common.dal.movements import Guard, ledger_items, put_entries, record
from orders_common.dal.transaction import Transaction, TransactionRefused
from orders_common.logic.ports.refusals import AccountRefused, IdempotencyKeyTaken, PositionRefused
from orders_common.models.ledger import LedgerEntry
from orders_common.models.numbers import format_utc

if TYPE_CHECKING:
    from orders_common.domain.ledger import Movement
    from orders_common.logic.ports.values import IdempotencyRecord
    from orders_common.models.account import AccountSummary


class DynamoAccounts(DynamoAccountReads):
    """The reads, and every change of an account."""

    def open(
        self,
        account: AccountSummary,
        movements: list[Movement],
        *,
        tag: str,
        idempotency: IdempotencyRecord | None = None,
    ) -> list[LedgerEntry]:
        """A new account, funded by ``movements`` (an initial deposit) with their ledger entries: the
        account item is written with its balances after them (one transaction cannot put an item and
        update it too)."""
        transaction = Transaction().put("account", account_item(account), condition="attribute_not_exists(pk)")
        opened, reference = account.created_at, "account opened"
        put_entries(transaction, ledger_items(account.account_id, movements, at=opened, tag=tag, reference=reference))
        if idempotency is not None:
            add_record(transaction, idempotency, now=int(account.created_at.timestamp()))
        self._apply(transaction)
        return LedgerEntry.of(account.account_id, movements, at=opened, tag=tag, reference=reference)

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
        """A deposit or a withdrawal, priced from the account at ``version``: applied only if it is
        still at that version (so the balances after it are exactly known), never below zero."""
        condition = "version = :version AND available_cash >= :floor"
        values: dict[str, Any] = {":version": version, ":floor": -sum((m.available for m in movements), start=0)}
        if unless_frozen:
            condition += " AND (attribute_not_exists(frozen) OR frozen <> :frozen)"
            values[":frozen"] = True
        transaction = Transaction()
        record(
            transaction,
            account_id=account_id,
            movements=movements,
            at=at,
            tag=tag,
            reference=reference,
            account=Guard(f"attribute_exists(pk) AND {condition}", values),
        )
        if idempotency is not None:
            add_record(transaction, idempotency, now=int(at.timestamp()))
        self._apply(transaction)
        return LedgerEntry.of(account_id, movements, at=at, tag=tag, reference=reference)

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
        """A position changed by an operator, priced from the position at ``position_version`` (None:
        it did not exist, and the change must then add to it), never below zero in available quantity
        or cost basis."""
        moved = movements[0]
        if position_version is None:
            position = Guard("attribute_not_exists(pk)", {})
        else:
            position = Guard(
                "version = :version AND available_quantity >= :quantity_floor AND cost_basis >= :cost_floor",
                {":version": position_version, ":quantity_floor": -moved.available, ":cost_floor": -moved.cost_basis},
            )
        transaction = Transaction()
        record(
            transaction,
            account_id=account_id,
            movements=movements,
            at=at,
            tag=tag,
            reference=reference,
            account=Guard("attribute_exists(pk)", {}),
            position=position,
        )
        if idempotency is not None:
            add_record(transaction, idempotency, now=int(at.timestamp()))
        self._apply(transaction)
        return LedgerEntry.of(account_id, movements, at=at, tag=tag, reference=reference)

    def set_frozen(self, account_id: int, frozen: bool, at: datetime) -> AccountSummary | None:
        try:
            item = self.table.update(
                keys.account_key(account_id),
                "SET frozen = :frozen, updated_at = :at",
                values={":frozen": frozen, ":at": format_utc(at)},
                condition="attribute_exists(pk)",
                return_values="ALL_NEW",
            )
        except ConditionFailed:
            return None
        return item_to_account_summary(item)

    def _apply(self, transaction: Transaction) -> None:
        try:
            self.table.transact(transaction)
        except TransactionRefused as refused:
            if refused.refused("idempotency"):
                raise IdempotencyKeyTaken(record_from_item(refused.found("idempotency"))) from None
            if refused.refused("account"):
                found = refused.found("account")
                owner = found.get("user_id")
                raise AccountRefused(
                    int(owner) if owner is not None else None,
                    found.get("available_cash"),
                    frozen=bool(found.get("frozen")),
                    version=int(found["version"]) if "version" in found else None,
                ) from None
            if refused.refused("position"):
                found = refused.found("position")
                raise PositionRefused(
                    found.get("available_quantity"),
                    found.get("cost_basis"),
                    version=int(found["version"]) if "version" in found else None,
                ) from None
            raise


def account_item(account: AccountSummary) -> dict[str, Any]:
    return {
        **keys.account_key(account.account_id),
        "entity": "account",
        "account_id": account.account_id,
        "user_id": account.user_id,
        **({"name": account.name} if account.name is not None else {}),
        "available_cash": account.available_cash,
        "reserved_cash": account.reserved_cash,
        "frozen": account.frozen,
        "realized_pnl": account.realized_pnl,
        "fees_paid": account.fees_paid,
        "net_deposits": account.net_deposits if account.net_deposits is not None else 0,
        TRACKS_DEPOSITS: True,
        "version": 0,
        "created_at": format_utc(account.created_at),
        "updated_at": format_utc(account.updated_at),
        "by_user_pk": keys.user_accounts_partition(account.user_id),
        "by_user_sk": keys.order_sort_key(account.created_at, account.account_id),
    }
