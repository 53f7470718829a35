"""Number, id and time types shared by the models.

Money and quantities are ``Decimal`` end to end: JSON numbers are parsed into ``Decimal`` (see
``orders_common.http.jsonio``), validated here without ever passing through a binary float, stored in
DynamoDB as exact numbers and written back out as exact JSON numbers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, Strict, WithJsonSchema
from pydantic_core import PydanticCustomError

MAX_DECIMAL_PLACES = 8
MAX_AMOUNT = Decimal("1000000000000")  # 1e12: far above any real order, far below DynamoDB's 38 digits
MAX_ID = 2**63 - 1


class JsonNumber(Decimal):
    """A Decimal that prints as plain positional notation (``0.00000001``, never ``1E-8``)."""

    __slots__ = ()

    def __str__(self) -> str:
        return format(self, "f")


def to_json_number(value: Decimal) -> Decimal:
    """Drop insignificant trailing zeros so ``68500.00000000`` is written as ``68500``."""
    normalized = value.normalize()
    if normalized == 0:
        return JsonNumber(0)
    return JsonNumber(normalized)


def _require_json_number(value: Any) -> Any:
    """Refuse what a lax parser would coerce: ``true``, ``"12"``, and non-finite values."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise PydanticCustomError("number_type", "Input should be a JSON number")
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal) and not value.is_finite():
        raise PydanticCustomError("finite_number", "Input should be a finite number")
    return value


_number_schema = WithJsonSchema({"type": "number"})

ExactDecimal = Annotated[
    Decimal,
    PlainSerializer(to_json_number, return_type=Decimal),
    _number_schema,
]
"""A stored or computed amount, written out as an exact JSON number."""

PositiveAmount = Annotated[
    Decimal,
    BeforeValidator(_require_json_number),
    Field(gt=0, le=MAX_AMOUNT, decimal_places=MAX_DECIMAL_PLACES, allow_inf_nan=False),
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
    BeforeValidator(_require_json_number),
    Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, decimal_places=MAX_DECIMAL_PLACES, allow_inf_nan=False),
    AfterValidator(_not_zero),
    PlainSerializer(to_json_number, return_type=Decimal),
    WithJsonSchema({"type": "number", "minimum": -int(MAX_AMOUNT), "maximum": int(MAX_AMOUNT), "not": {"const": 0}}),
]
"""A change a client asks for (an adjustment): signed, not zero, at most 8 decimal places and 1e12."""

EntityId = Annotated[int, Strict(), Field(gt=0, le=MAX_ID)]
"""A positive 64-bit id given in a JSON body: an integer, never a string, float or boolean."""


def format_utc(moment: datetime) -> str:
    """``2026-12-05T08:00:00.000000Z``: always microseconds, always UTC (``isoformat`` ends a UTC
    moment with ``+00:00``; it is several times faster than ``strftime``, and runs for every stored
    and answered time)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"


UtcDateTime = Annotated[datetime, PlainSerializer(format_utc, return_type=str)]
"""A UTC moment written as ISO 8601 with microseconds and ``Z``."""


def utc_now() -> datetime:
    return datetime.now(UTC)
