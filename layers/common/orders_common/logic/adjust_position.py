"""Adjust a position by hand (bring holdings in from elsewhere, or correct them): the position and its
ledger entry in one transaction, computed from the position as read and written on condition that it
has not moved since, so the answer is the position exactly as it is after. Never below zero."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from orders_common.domain import ledger
from orders_common.domain.money import ZERO, add
from orders_common.errors import AccountNotFound, InsufficientPosition, StoreUnavailable
from orders_common.logic import idempotency
from orders_common.logic.ports.refusals import AccountRefused, IdempotencyKeyTaken, PositionRefused
from orders_common.models.account import Position
from orders_common.models.ledger import LedgerEntry
from orders_common.models.numbers import utc_now
from orders_common.models.transfers import AdjustmentResult
from orders_common.observability import logger
from orders_common.timing import back_off

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.logic.ports.accounts import AccountChanges
    from orders_common.models.account_requests import AdjustmentRequest

ATTEMPTS = 20


@dataclass(frozen=True)
class AdjustPosition:
    changes: AccountChanges
    idempotency_ttl_seconds: int

    def __call__(
        self, account_id: int, request: AdjustmentRequest, caller: Caller, idempotency_key: str | None = None
    ) -> AdjustmentResult:
        caller.require_admin("Adjusting positions")
        cost_change = request.cost_basis or ZERO
        for attempt in range(1, ATTEMPTS + 1):
            if self.changes.get_summary(account_id) is None:
                raise AccountNotFound(account_id)
            held = self.changes.get_position(account_id, request.symbol)
            before = (
                held.position
                if held
                else Position(symbol=request.symbol, available_quantity=ZERO, reserved_quantity=ZERO, cost_basis=ZERO)
            )
            after = Position(
                symbol=request.symbol,
                available_quantity=add(before.available_quantity, request.quantity),
                reserved_quantity=before.reserved_quantity,
                cost_basis=add(before.cost_basis, cost_change),
            )
            self._check(account_id, before, after)
            movements = ledger.adjustment(request.symbol, request.quantity, cost_change)
            now, tag = utc_now(), ledger.new_tag()
            result = AdjustmentResult(
                entry=LedgerEntry.of(account_id, movements, at=now, tag=tag, reference=request.reason)[0],
                position=after,
            )
            record = None
            if idempotency_key is not None:
                record = idempotency.new_record(
                    caller=caller,
                    account_id=account_id,
                    key=idempotency_key,
                    operation="adjustment",
                    payload={"account_id": account_id, **request.model_dump(mode="json")},
                    at=now,
                    ttl_seconds=self.idempotency_ttl_seconds,
                    response=result.model_dump_json(),
                )
            try:
                self.changes.adjust(
                    account_id,
                    movements,
                    position_version=held.version if held else None,
                    at=now,
                    tag=tag,
                    reference=request.reason,
                    idempotency=record,
                )
            except IdempotencyKeyTaken as taken:
                return AdjustmentResult.model_validate_json(idempotency.replayed_response(taken.record, record))
            except AccountRefused:
                raise AccountNotFound(account_id) from None
            except PositionRefused:
                # The position moved since it was read (the floor was checked against that read).
                if not back_off(attempt, base=0.01, cap=0.25, then_needs=0.5):
                    break
                continue
            logger.info("Position adjusted", account_id=account_id, symbol=request.symbol, reason=request.reason)
            return result
        raise StoreUnavailable(f"The {request.symbol} position of account {account_id} kept changing; try again.")

    @staticmethod
    def _check(account_id: int, before: Position, after: Position) -> None:
        if after.available_quantity < 0 or after.cost_basis < 0:
            raise InsufficientPosition(
                f"This adjustment would leave account {account_id} with {after.available_quantity} {after.symbol} "
                f"available at a cost basis of {after.cost_basis}; neither may go below zero.",
                details={
                    "available_quantity": before.available_quantity,
                    "cost_basis": before.cost_basis,
                },
            )
