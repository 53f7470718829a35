"""The fields clients send, each validated on its own: amounts, symbols, names, ids, keys, times,
trails. (A path's ids: ``models.path``; the answers' numbers and times: ``models.numbers``.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, Strict, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from orders_common.models.numbers import MAX_AMOUNT, MAX_DECIMAL_PLACES, MAX_ID, to_json_number
from orders_common.models.order import TimeInForce


def _require_json_number(value: Any) -> Any:
    """Refuse what a lax parser would coerce: ``true``, ``"12"``, and non-finite values."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise PydanticCustomError("number_type", "Input should be a JSON number")
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal) and not value.is_finite():
        raise PydanticCustomError("finite_number", "Input should be a finite number")
    return value


# The constraints come before the ``BeforeValidator`` in each amount's metadata: pydantic-core then
# checks them itself, the check running after the validator all the same. Put after it, they could not
# reach the decimal schema, and pydantic would check each in Python (about 2 of every create's 9 µs of
# validation, and a limit in its message as ``Decimal('1000000000000')``).
PositiveAmount = Annotated[
    Decimal,
    Field(gt=0, le=MAX_AMOUNT, decimal_places=MAX_DECIMAL_PLACES, allow_inf_nan=False),
    BeforeValidator(_require_json_number),
    PlainSerializer(to_json_number, return_type=Decimal),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "maximum": int(MAX_AMOUNT)}),
]
"""A price or quantity supplied by a client: positive, at most 8 decimal places, at most 1e12."""


def _not_zero(value: Decimal) -> Decimal:
    if value == 0:
        raise PydanticCustomError("not_zero", "Input should not be zero")
    return value


SignedAmount = Annotated[
    Decimal,
    Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, decimal_places=MAX_DECIMAL_PLACES, allow_inf_nan=False),
    BeforeValidator(_require_json_number),
    AfterValidator(_not_zero),
    PlainSerializer(to_json_number, return_type=Decimal),
    WithJsonSchema({"type": "number", "minimum": -int(MAX_AMOUNT), "maximum": int(MAX_AMOUNT), "not": {"const": 0}}),
]
"""A change a client asks for (an adjustment): signed, not zero, at most 8 decimal places and 1e12."""

EntityId = Annotated[int, Strict(), Field(gt=0, le=MAX_ID)]
"""A positive 64-bit id given in a JSON body: an integer, never a string, float or boolean."""


SYMBOL_PATTERN = r"^[A-Za-z0-9]{1,20}$"

Symbol = Annotated[
    str,
    # Upper-cased by pydantic-core itself: a builtin such as ``str.upper`` given as a validator makes
    # pydantic read its signature through ``inspect``, which compiles tokenize's regex (6 ms of a cold start).
    StringConstraints(pattern=SYMBOL_PATTERN, to_upper=True),
    Field(description="Trading symbol such as BTC or ETH (letters and digits, stored upper case).", examples=["BTC"]),
]


def not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must contain a visible character")
    return value


OrderName = Annotated[
    str,
    StringConstraints(pattern=r"^[\x20-\x7e]{1,100}$"),
    AfterValidator(not_blank),
    Field(description="Human-readable order name: 1 to 100 printable ASCII characters.", examples=["Long BTC"]),
]


ClientOrderId = Annotated[
    str,
    StringConstraints(pattern=r"^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$"),
    Field(
        description="Your own id for the order: 1 to 64 printable ASCII characters, unique per account.",
        examples=["my-strategy-2026-11-24-0001"],
    ),
]


IdempotencyKey = Annotated[
    str,
    StringConstraints(pattern=r"^[\x21-\x7e]{1,255}$"),
    Field(
        description="Makes a retried create safe: the same key and body answer the original order. "
        "1 to 255 printable ASCII characters, e.g. a UUID.",
    ),
]


MAX_EXPIRY = timedelta(days=90)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError("timezone_required", "Must be ISO 8601 with a time zone, e.g. 2026-12-31T00:00:00Z")
    return value


AwareDateTime = Annotated[datetime, AfterValidator(_aware)]


def check_expiry(expire_at: datetime | None, time_in_force: TimeInForce | None) -> datetime | None:
    """``expire_at`` belongs to good-till-date orders only: in the future, at most 90 days ahead."""
    if time_in_force is TimeInForce.GTD and expire_at is None:
        raise PydanticCustomError("expire_at_required", "Field required for gtd orders")
    if expire_at is None:
        return None
    if time_in_force is not TimeInForce.GTD:
        raise PydanticCustomError("expire_at_not_allowed", "Only gtd orders expire at a time; set time_in_force gtd")
    now = datetime.now(UTC)
    if expire_at <= now:
        raise PydanticCustomError("expire_at_past", "Must be in the future")
    if expire_at > now + MAX_EXPIRY:
        raise PydanticCustomError("expire_at_too_far", "Must be at most 90 days ahead")
    return expire_at


SlippageBps = Annotated[
    Decimal,
    Field(ge=0, le=5000, decimal_places=2, allow_inf_nan=False),
    BeforeValidator(_require_json_number),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": 5000}),
]

TrailPercent = Annotated[
    Decimal,
    Field(gt=0, lt=100, decimal_places=4, allow_inf_nan=False),
    BeforeValidator(_require_json_number),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 100}),
]
