"""Deposits and withdrawals: cash in or out of an account, with its ledger entry, in one transaction.

The answer gives the balances right after the transfer, exactly: the transfer is computed from the
account as read and written on condition that it is still that version; if another change landed in
between, it is read and computed again. An Idempotency-Key is required: a retried transfer answers
what the first did (kept in the key's record, written in the same transaction) and moves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from orders_common.domain import ledger
from orders_common.domain.money import add
from orders_common.errors import AccountFrozen, AccountNotFound, InsufficientFunds, StoreUnavailable
from orders_common.logic import idempotency
from orders_common.logic.ports.refusals import AccountRefused, IdempotencyKeyTaken
from orders_common.models.ledger import LedgerEntry
from orders_common.models.numbers import utc_now
from orders_common.models.transfers import CashBalances, TransferResult
from orders_common.observability import count, logger
from orders_common.timing import back_off

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.logic.ports.accounts import AccountChanges
    from orders_common.models.account_requests import TransferRequest

ATTEMPTS = 20

Direction = Literal["deposit", "withdrawal"]


@dataclass(frozen=True)
class Transfer:
    changes: AccountChanges
    idempotency_ttl_seconds: int

    def __call__(
        self, direction: Direction, account_id: int, request: TransferRequest, caller: Caller, idempotency_key: str
    ) -> TransferResult:
        caller.require_admin("Deposits and withdrawals")
        payload = {"account_id": account_id, **request.model_dump(mode="json")}
        for attempt in range(1, ATTEMPTS + 1):
            found = self.changes.get_summary(account_id)
            if found is None:
                raise AccountNotFound(account_id)
            account, version = found
            if direction == "withdrawal":
                self._check_withdrawal(account_id, request.amount, account.available_cash, account.frozen)
            movements = ledger.deposit(request.amount) if direction == "deposit" else ledger.withdrawal(request.amount)
            now, tag = utc_now(), ledger.new_tag()
            entries = LedgerEntry.of(account_id, movements, at=now, tag=tag, reference=request.reference)
            result = TransferResult(
                entry=entries[0],
                balances=CashBalances(
                    available_cash=add(account.available_cash, movements[0].available),
                    reserved_cash=account.reserved_cash,
                ),
            )
            record = idempotency.new_record(
                caller=caller,
                account_id=account_id,
                key=idempotency_key,
                operation=direction,
                payload=payload,
                at=now,
                ttl_seconds=self.idempotency_ttl_seconds,
                response=result.model_dump_json(),
            )
            try:
                self.changes.move_cash(
                    account_id,
                    movements,
                    version=version,
                    at=now,
                    tag=tag,
                    reference=request.reference,
                    idempotency=record,
                    unless_frozen=direction == "withdrawal",
                )
            except IdempotencyKeyTaken as taken:
                return TransferResult.model_validate_json(idempotency.replayed_response(taken.record, record))
            except AccountRefused as refused:
                if refused.owner is None:
                    raise AccountNotFound(account_id) from None
                if refused.version == version:  # nothing moved: the refusal is the transfer's own
                    self._check_withdrawal(account_id, request.amount, refused.available_cash, refused.frozen)
                if not back_off(attempt, base=0.01, cap=0.25, then_needs=0.5):
                    break
                continue
            logger.info("Cash moved", account_id=account_id, direction=direction, amount=str(request.amount))
            count("Deposits" if direction == "deposit" else "Withdrawals")
            return result
        raise StoreUnavailable(f"Account {account_id} kept changing; nothing was moved, try again shortly.")

    @staticmethod
    def _check_withdrawal(account_id: int, amount: Decimal, available: Decimal | None, frozen: bool) -> None:
        if frozen:
            raise AccountFrozen(account_id, "a withdrawal")
        if available is None or available < amount:
            raise InsufficientFunds(
                f"Account {account_id} has {available} available; this withdrawal takes {amount}.",
                details={"available_cash": available, "required_cash": amount},
            )
