"""Query strings of the lists: a page, and for order lists the filters. Apart from the requests that
create and change orders, so that a function answering one of those never loads paging."""

from __future__ import annotations

import re
from datetime import datetime
from typing import ClassVar

from pydantic import ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from orders_common.models.base import Model
from orders_common.models.fields import AwareDateTime, Symbol
from orders_common.models.order import OrderStatus, OrderType, Side
from orders_common.models.paging import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    MAX_TOKEN_LENGTH,
    ORDER_CURSOR,
    ORDER_EVENT_CURSOR,
    ORDER_FILL_CURSOR,
    OrderFilters,
    PageRequest,
    decode_token,
)


class PageQuery(Model):
    """Query string of a list with no filters (a user's accounts)."""

    model_config = ConfigDict(frozen=True)
    cursor: ClassVar[re.Pattern[str]] = ORDER_CURSOR  # what a position in the list looks like

    limit: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Page size (1 to 1000).")
    next_token: str | None = Field(
        default=None,
        max_length=MAX_TOKEN_LENGTH,
        description="Token from the X-Next-Token header of the previous page.",
    )

    def page(self) -> PageRequest:
        return PageRequest(
            limit=self.limit, after=decode_token(self.next_token, self.cursor) if self.next_token else None
        )


class OrderFillsQuery(PageQuery):
    """Query string of ``GET /api/orders/order/{order_id}/fills``: a page of the order's fills."""

    cursor: ClassVar[re.Pattern[str]] = ORDER_FILL_CURSOR


class OrderEventsQuery(PageQuery):
    """Query string of ``GET /api/orders/order/{order_id}/events``: a page of the order's timeline."""

    cursor: ClassVar[re.Pattern[str]] = ORDER_EVENT_CURSOR


class ListQuery(PageQuery):
    """Query string of every order list: a page and the filters."""

    status: OrderStatus | None = Field(
        default=None, description="Only orders in this status, in any letter case (FILLED is filled)."
    )
    symbol: Symbol | None = Field(default=None, description="Only orders for this symbol.")
    side: Side | None = Field(default=None, description="Only buys or only sells.")
    order_type: OrderType | None = Field(default=None, description="Only orders of this type.")
    since: AwareDateTime | None = Field(default=None, description="Only orders created at or after this time.")
    until: AwareDateTime | None = Field(default=None, description="Only orders created before this time.")

    @field_validator("status", mode="before")
    @classmethod
    def _any_case(cls, status: object) -> object:
        # Upstream clients filter with ?status=FILLED; the statuses themselves stay lower-case.
        return status.lower() if isinstance(status, str) else status

    @field_validator("until")
    @classmethod
    def _after_since(cls, until: datetime | None, info: ValidationInfo) -> datetime | None:
        since = info.data.get("since")
        if until is not None and since is not None and until <= since:
            raise PydanticCustomError("until_before_since", "Must be after since")
        return until

    def filters(self) -> OrderFilters:
        return OrderFilters(
            status=self.status,
            symbol=self.symbol,
            side=self.side,
            order_type=self.order_type,
            since=self.since,
            until=self.until,
        )
