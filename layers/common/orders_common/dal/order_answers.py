"""An order as the API answers it, read straight from its stored item.

Read through its model, an order's every stored value is validated into a Python type and dumped back
out: each time parsed, then formatted into the very text it was stored as; each amount checked, then
normalized. The item was written from a validated order (``mapping.order_to_item``), so a read answers
it as it is stored instead: integers as integers, amounts normalized, times and text as they are, the
derived fields computed by the order's own rules. That is the document ``Order.model_dump()`` makes of
the item (``tests/unit/test_order_answers.py`` holds the two to the same JSON on generated orders); the
model's way cost a warm GET 20 µs more, 388 against 368 µs on the host (BENCHMARKS, section 13).

An item in any other form than the one written (an attribute missing or of another type, a time in
another notation, an unknown status) is read through the model, which reads it or refuses it as before.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

from orders_common.dal.mapping import ORDER_FIELDS, item_to_order
from orders_common.domain.fill_quality import slippage
from orders_common.logic.ports.answers import OrderAnswer
from orders_common.models.base import dump_of
from orders_common.models.numbers import to_json_number
from orders_common.models.order import MARKET, Order, Side, order_number

_REQUIRED = object()  # the default of a field that has none
_STORED_TIME_LENGTH = len("2026-12-05T08:00:00.000000Z")  # ``numbers.format_utc``, the only form written


def _base_type(annotation: Any) -> Any:
    """``Decimal`` of ``Annotated[Decimal, ...] | None``, ``int`` of ``int``."""
    if get_origin(annotation) in (Union, types.UnionType):
        (annotation,) = (arg for arg in get_args(annotation) if arg is not type(None))
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


_FIELDS = Order.model_fields
# Each stored field's type without ``| None`` and ``Annotated`` (one pass: this runs at a GET's first request).
_TYPES = {name: _base_type(_FIELDS[name].annotation) for name in ORDER_FIELDS}
_DEFAULTS = tuple((name, _REQUIRED if _FIELDS[name].is_required() else _FIELDS[name].default) for name in _TYPES)
_INTEGERS = tuple(name for name, base in _TYPES.items() if base is int)
_AMOUNTS = tuple(name for name, base in _TYPES.items() if base is Decimal)
_TIMES = tuple(name for name, base in _TYPES.items() if base is datetime)
_TEXTS = tuple(name for name, base in _TYPES.items() if base is str)
_CHOICES = tuple(
    (name, frozenset(member.value for member in base))
    for name, base in _TYPES.items()
    if isinstance(base, type) and issubclass(base, Enum)
)
if len(_INTEGERS + _AMOUNTS + _TIMES + _TEXTS + _CHOICES) != len(ORDER_FIELDS):
    raise TypeError("an order field of a type order_answers does not read")  # add its reading here


def _remaining_quantity(order: Mapping[str, Any]) -> Decimal | None:
    quantity = order["quantity"]
    return None if quantity is None else quantity - order["filled_quantity"]


def _slippage(order: Mapping[str, Any]) -> Decimal | None:
    return slippage(
        buy=order["side"] == Side.BUY, fill_price=order["filled_price"], reference_price=order["market_price_at_fill"]
    )


# The order's computed fields (``Order``'s properties), in the order its dump writes them.
_RULES: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "remaining_quantity": _remaining_quantity,
    "average_fill_price": lambda order: order["filled_price"],
    "order_no": lambda order: order_number(order["id"]),
    "market": lambda _: MARKET,
    "actual_fill_price": lambda order: order["filled_price"],
    "slippage": _slippage,
}
_COMPUTED = tuple((name, _RULES[name]) for name in Order.model_computed_fields)  # KeyError: a new one


def order_answer(item: dict[str, Any]) -> OrderAnswer:
    """The order an item holds, as a GET answers it. Raises pydantic's ``ValidationError`` for an item
    that is not an order, as reading it through the model does."""
    document = _stored_fields(item)
    if document is None or not _in_written_form(document):
        order = item_to_order(item)
        return OrderAnswer(order.user_id, order.version, dump_of(order))
    _write_as_the_model(document)
    return OrderAnswer(document["user_id"], document["version"], document)


def _stored_fields(item: Mapping[str, Any]) -> dict[str, Any] | None:
    """The order's fields, integers as ``int``; None when one is missing or an integer is not one."""
    document: dict[str, Any] = {}
    for name, default in _DEFAULTS:
        value = item.get(name, default)
        if value is _REQUIRED:
            return None
        document[name] = value
    for name in _INTEGERS:
        value = document[name]
        if not isinstance(value, (int, Decimal)) or (isinstance(value, Decimal) and not value.is_finite()):
            return None
        if value != (number := int(value)):
            return None
        document[name] = number
    return document


def _in_written_form(document: Mapping[str, Any]) -> bool:
    """Whether every value is of the type and form ``mapping.order_to_item`` writes."""
    for name in _AMOUNTS:
        value = document[name]
        if value is not None and not (isinstance(value, Decimal) and value.is_finite()):
            return False
    for name in _TIMES:
        value = document[name]
        if value is not None and not (type(value) is str and len(value) == _STORED_TIME_LENGTH and value[-1] == "Z"):
            return False
    for name in _TEXTS:
        value = document[name]
        if value is not None and type(value) is not str:
            return False
    return all(document[name] in members for name, members in _CHOICES)


def _write_as_the_model(document: dict[str, Any]) -> None:
    """The derived fields added, from the amounts as stored (as the model derives them from its
    fields); then every amount written as the model writes it."""
    derived = [(name, rule(document)) for name, rule in _COMPUTED]
    for name in _AMOUNTS:
        value = document[name]
        if value is not None:
            document[name] = to_json_number(value)
    for name, value in derived:
        document[name] = to_json_number(value) if isinstance(value, Decimal) else value
