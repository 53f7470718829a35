"""The dead man's switch: a client that stops re-arming it (crashed, cut off) has every pending order
of the account cancelled when it runs out, by the schedule, within one schedule period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from orders_common.errors import AccountNotFound, OrdersError, StoreUnavailable
from orders_common.logic.ports.refusals import AccountRefused
from orders_common.models.account_requests import CancelAfterResult
from orders_common.models.numbers import utc_now
from orders_common.observability import count, logger

if TYPE_CHECKING:
    from orders_common.auth import Caller
    from orders_common.logic.cancel_all import CancelOpenOrders
    from orders_common.logic.ports.accounts import AccountChanges, Switches

# Re-arming races another re-arm of the same account: the later read wins after this many tries.
ARM_ATTEMPTS = 3


@dataclass(frozen=True)
class ArmCancelAfter:
    accounts: AccountChanges
    switches: Switches

    def __call__(self, account_id: int, seconds: int, caller: Caller) -> CancelAfterResult:
        for _ in range(ARM_ATTEMPTS):
            found = self.accounts.get_summary(account_id)
            if found is None:
                raise AccountNotFound(account_id)
            summary, _ = found
            caller.require_user(summary.user_id, f"account {account_id}")
            deadline = utc_now() + timedelta(seconds=seconds) if seconds else None
            try:
                self.switches.arm(account_id, deadline, previous=summary.cancel_after)
            except AccountRefused as refused:
                if refused.owner is None:
                    raise AccountNotFound(account_id) from None
                continue  # armed meanwhile by another call: read it again
            logger.info("Dead man's switch set", account_id=account_id, cancel_after=str(deadline))
            return CancelAfterResult(account_id=account_id, cancel_after=deadline)
        raise StoreUnavailable(f"The switch of account {account_id} kept changing; try again shortly.")


@dataclass(frozen=True)
class RunOutSwitches:
    """What the schedule does with every switch past its deadline: cancel, then clear it."""

    switches: Switches
    cancel: CancelOpenOrders

    def __call__(self, now: datetime | None = None) -> int:
        """Returns how many orders were cancelled. An account that fails is left armed: the next run
        tries it again (cancelling twice cancels nothing more)."""
        cancelled = 0
        for switch in self.switches.due(now or utc_now()):
            try:
                result = self.cancel(switch.account_id, reason="cancel-after")
            except OrdersError as error:
                logger.warning("Dead man's switch not run out yet", account_id=switch.account_id, error=str(error))
                continue
            cancelled += len(result.cancelled)
            self.switches.disarm(switch)
            count("SwitchesRunOut")
            logger.info("Dead man's switch ran out", account_id=switch.account_id, cancelled=len(result.cancelled))
        return cancelled
