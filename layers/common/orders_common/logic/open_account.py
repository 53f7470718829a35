"""Open an account for a user, funded at once if asked: the account and its deposit's ledger entry in
one transaction. Account ids come from their own counter, one at a time: they run 1, 2, 3 ... so the
scheduled audit can walk every account without a scan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from orders_common.domain import ledger
from orders_common.domain.money import ZERO
from orders_common.logic import idempotency
from orders_common.logic.ports.refusals import IdempotencyKeyTaken
from orders_common.models.account import Account, AccountSummary
from orders_common.models.numbers import utc_now
from orders_common.observability import count, logger

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.logic.ids import IdAllocator
    from orders_common.logic.ports.accounts import AccountChanges, AccountReads
    from orders_common.models.account_requests import OpenAccountRequest


@dataclass(frozen=True)
class OpenAccount:
    changes: AccountChanges
    accounts: AccountReads
    ids: IdAllocator
    idempotency_ttl_seconds: int

    def __call__(self, request: OpenAccountRequest, caller: Caller, idempotency_key: str | None = None) -> Account:
        caller.require_admin("Opening accounts")
        now = utc_now()
        account = AccountSummary(
            account_id=self.ids.next_id(),
            user_id=request.user_id,
            name=request.name,
            available_cash=request.initial_deposit or ZERO,
            reserved_cash=ZERO,
            net_deposits=request.initial_deposit or ZERO,
            created_at=now,
            updated_at=now,
        )
        record = None
        if idempotency_key is not None:
            record = idempotency.new_record(
                caller=caller,
                account_id=0,
                key=idempotency_key,
                operation="open_account",
                payload=request.model_dump(mode="json"),
                at=now,
                ttl_seconds=self.idempotency_ttl_seconds,
                result_id=account.account_id,
            )
        movements = ledger.deposit(request.initial_deposit) if request.initial_deposit else []
        try:
            self.changes.open(account, movements, tag=ledger.new_tag(), idempotency=record)
        except IdempotencyKeyTaken as taken:
            assert record is not None
            idempotency.require_same_request(taken.record, record)
            opened = self.accounts.get_account(taken.record.result_id)
            if opened is None:  # the record and its account are written together: this cannot happen
                raise RuntimeError(f"Idempotency-Key record names account {taken.record.result_id}, missing") from None
            return opened
        logger.info("Account opened", account_id=account.account_id, user_id=account.user_id)
        count("AccountsOpened")
        return Account.model_validate({**account.model_dump(), "positions": ()})
