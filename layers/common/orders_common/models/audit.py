"""What an audit answers: each balance against the ledger and the open orders, and what did not match."""

from __future__ import annotations

from pydantic import Field

from orders_common.models.base import Model
from orders_common.models.numbers import ExactDecimal, UtcDateTime


class AuditCheck(Model):
    name: str = Field(description="What was compared, e.g. 'cash: ledger sum = cash' or 'BTC: reserved = open sells'.")
    expected: ExactDecimal = Field(description="What the ledger (or the open orders) says.")
    actual: ExactDecimal = Field(description="What the balance item holds.")
    matches: bool


class AuditReport(Model):
    account_id: int
    checked_at: UtcDateTime
    matches: bool
    entries: int = Field(description="Ledger entries summed.")
    checks: list[AuditCheck]
    mismatches: list[str] = Field(description="Names of the checks that did not match.")


class AuditRunResult(Model):
    """The scheduled audit of every account (a run that runs out of time goes on at the next)."""

    accounts_checked: int
    mismatches: int
    mismatched_accounts: list[int]
    complete: bool
    resumed: bool


class AuditStatus(Model):
    """The last scheduled audit, as admin health shows it."""

    last_run_at: UtcDateTime
    accounts_checked: int
    mismatches: int
    complete: bool
