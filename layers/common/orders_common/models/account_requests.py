"""What an operator sends to open, fund and adjust accounts, and what the ledger and fills lists take."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, field_validator

from orders_common.domain.ledger import EntryType
from orders_common.models.base import Model
from orders_common.models.fields import EntityId, PositiveAmount, SignedAmount, Symbol, not_blank
from orders_common.models.numbers import UtcDateTime
from orders_common.models.paging import (
    ACCOUNT_FILL_CURSOR,
    DEFAULT_PAGE_SIZE,
    LEDGER_CURSOR,
    MAX_PAGE_SIZE,
    MAX_TOKEN_LENGTH,
    PageRequest,
    decode_token,
)

MIN_CANCEL_AFTER, MAX_CANCEL_AFTER = 5, 86400

Text = Annotated[str, StringConstraints(pattern=r"^[\x20-\x7e]{1,200}$"), AfterValidator(not_blank)]
"""1 to 200 printable ASCII characters, not all blank."""


class OpenAccountRequest(Model):
    """Body of ``POST /api/accounts``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_id: EntityId = Field(description="The user who will own the account.", examples=[7])
    name: Annotated[str, StringConstraints(pattern=r"^[\x20-\x7e]{1,100}$"), AfterValidator(not_blank)] | None = Field(
        default=None, description="A name for the account (1 to 100 printable ASCII characters)."
    )
    initial_deposit: PositiveAmount | None = Field(default=None, description="Cash to deposit at once.")


class TransferRequest(Model):
    """Body of a deposit or a withdrawal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    amount: PositiveAmount = Field(description="Cash to move (positive, at most 8 decimal places).")
    reference: Text | None = Field(default=None, description="Your reference for it (a wire id, a ticket).")


class AdjustmentRequest(Model):
    """Body of ``POST /api/accounts/{account_id}/adjustments``: bring holdings in from elsewhere (or
    correct them). Both changes are signed; the position may not go below zero."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    symbol: Symbol
    quantity: SignedAmount = Field(description="Change of the quantity held (signed, not zero).")
    cost_basis: SignedAmount | None = Field(
        default=None, description="Change of the cost basis (signed); none: the quantity moves at no cost."
    )
    reason: Text = Field(description="Why (required): what the ledger says of this movement.")


class CancelAfterRequest(Model):
    """Body of ``POST /api/accounts/{account_id}/cancel-after``: the dead man's switch."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seconds: int = Field(
        description="Cancel every pending order of the account this many seconds from now unless armed again "
        "before (5 to 86400), or 0 to disarm.",
        examples=[60],
    )

    @field_validator("seconds", mode="before")
    @classmethod
    def _whole_seconds(cls, seconds: object) -> object:
        if isinstance(seconds, bool) or not isinstance(seconds, int):
            raise ValueError("must be a whole number of seconds")
        if seconds != 0 and not MIN_CANCEL_AFTER <= seconds <= MAX_CANCEL_AFTER:
            raise ValueError(f"must be 0 (disarm) or {MIN_CANCEL_AFTER} to {MAX_CANCEL_AFTER}")
        return seconds


class CancelAfterResult(Model):
    account_id: int
    cancel_after: UtcDateTime | None = Field(description="When the account's pending orders are cancelled; null: off.")


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must be ISO 8601 with a time zone, e.g. 2026-12-01T00:00:00Z")
    return value


class TimeRangeQuery(Model):
    """Query string of a list newest first within a range of times: a page and the range."""

    model_config = ConfigDict(frozen=True)
    cursor: ClassVar[re.Pattern[str]]  # what a position in the list looks like

    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Page size (1 to 1000).")
    next_token: str | None = Field(default=None, max_length=MAX_TOKEN_LENGTH, description="From X-Next-Token.")
    since: Annotated[datetime, AfterValidator(_utc)] | None = Field(default=None, description="At or after.")
    until: Annotated[datetime, AfterValidator(_utc)] | None = Field(default=None, description="Before.")

    @field_validator("until")
    @classmethod
    def _after_since(cls, until: datetime | None, info: object) -> datetime | None:
        since = getattr(info, "data", {}).get("since")
        if until is not None and since is not None and until <= since:
            raise ValueError("must be after since")
        return until

    def page(self) -> PageRequest:
        return PageRequest(
            limit=self.limit, after=decode_token(self.next_token, self.cursor) if self.next_token else None
        )


class LedgerQuery(TimeRangeQuery):
    """Query string of ``GET /api/accounts/{account_id}/ledger``."""

    cursor: ClassVar[re.Pattern[str]] = LEDGER_CURSOR

    type: EntryType | None = Field(default=None, description="Only entries of this type.")
    symbol: Symbol | None = Field(default=None, description="Only entries of this position (CASH: cash entries).")


class FillsQuery(TimeRangeQuery):
    """Query string of ``GET /api/accounts/{account_id}/fills``."""

    cursor: ClassVar[re.Pattern[str]] = ACCOUNT_FILL_CURSOR

    symbol: Symbol | None = Field(default=None, description="Only fills of this symbol.")
