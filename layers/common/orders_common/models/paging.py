"""Pages of list results and the opaque ``next_token`` that continues them."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from typing import Generic, NamedTuple, TypeVar

from orders_common.errors import InvalidRequest
from orders_common.models.order import OrderStatus, OrderType, Side

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_TOKEN_LENGTH = 200

# Positions in a list: an index sort key (``<created_at>#<id>``), a ledger entry id
# (``<created_at>#<transaction tag>#<nn>``), an account's fill (``<executed_at>#<order id>#<n>``) or an
# order's fill (``FILL#<n>``) or an order's event (``EVENT#<version>#<n>``).
ORDER_CURSOR = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z#\d{20}$")
LEDGER_CURSOR = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z#[0-9a-f]{12}#\d{2}$")
ACCOUNT_FILL_CURSOR = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z#\d{20}#\d{6}$")
ORDER_FILL_CURSOR = re.compile(r"^FILL#\d{6}$")
ORDER_EVENT_CURSOR = re.compile(r"^EVENT#\d{10}#\d{2}$")


class InvalidNextToken(InvalidRequest):
    code = "INVALID_NEXT_TOKEN"

    def __init__(self) -> None:
        super().__init__("next_token is not a token this API issued; start again without it.")


class OrderFilters(NamedTuple):
    status: OrderStatus | None = None
    symbol: str | None = None
    side: Side | None = None
    order_type: OrderType | None = None
    since: datetime | None = None  # created at or after
    until: datetime | None = None  # created before


class PageRequest(NamedTuple):
    limit: int = DEFAULT_PAGE_SIZE
    after: str | None = None  # continue strictly after this position (an index sort key)


class Page(NamedTuple, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_token(cursor: str) -> str:
    return base64.urlsafe_b64encode(cursor.encode()).decode().rstrip("=")


def decode_token(token: str, pattern: re.Pattern[str] = ORDER_CURSOR) -> str:
    """Turn a client's token back into a position, refusing anything this API did not issue.

    The position only says where to resume inside the partition the request already names, so a
    tampered token can never reach another account's orders.
    """
    if len(token) > MAX_TOKEN_LENGTH:
        raise InvalidNextToken()
    try:
        cursor = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidNextToken() from None
    if not pattern.match(cursor):
        raise InvalidNextToken()
    return cursor
