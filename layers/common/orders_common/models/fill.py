"""A fill record: what one level of the book (or one report of a venue) gave an order."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from orders_common.models.base import Model
from orders_common.models.numbers import ExactDecimal, UtcDateTime
from orders_common.models.order import Side


class FillRecord(Model):
    model_config = ConfigDict(frozen=True)

    fill_id: str = Field(description="<order id>-<n>: stable, the n-th fill of the order.")
    order_id: int
    account_id: int
    symbol: str
    side: Side
    price: ExactDecimal
    quantity: ExactDecimal
    commission: ExactDecimal
    liquidity_level: int | None = Field(
        default=None, description="The book level taken (1 is the best); null when the venue does not say."
    )
    executed_at: UtcDateTime
