"""Items to and from DynamoDB's typed attribute values, exactly as boto3's ``TypeSerializer`` and
``TypeDeserializer`` convert them (numbers as ``Decimal`` in DynamoDB's number context).

Every item the store reads or writes passes through here, attribute by attribute: an order is about
30 of them, a create's transaction about 60. boto3's converters find each value's type through a
chain of checks and a method looked up by name; the types the store writes (text, whole and exact
numbers, booleans, null, maps and lists of them) take one dictionary lookup here instead, about a
third of the time. Anything else (sets, binary, a number DynamoDB cannot hold, a float) goes to
boto3's converters, so that every value converts, or is refused, as boto3 does it: the tests compare
the two on generated values. boto3 is loaded only then: importing it costs a cold start about 12 ms
(``aws_clients``), and the store's own items never need it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

from orders_common.exact_json import JsonNumber

# DynamoDB's numbers: 38 significant digits, exponents -128 to 126 (boto3's ``DYNAMODB_CONTEXT``; a
# test holds the two equal). A number it cannot hold exactly is refused, never rounded.
DYNAMODB_CONTEXT = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])
_number = DYNAMODB_CONTEXT.create_decimal
# boto3's TypeSerializer and TypeDeserializer, made at the first value only they convert.
_boto3_converters: list[Any] = []
# The number types ``serialize`` types in its loop: exactly these (a bool is an int, not one of them).
_PLAIN_NUMBERS = frozenset({int, Decimal, JsonNumber})
# What DynamoDB cannot store; boto3 refuses them (as TypeError) when it meets one.
_NOT_STORABLE = frozenset({"Infinity", "-Infinity", "NaN", "-NaN", "sNaN", "-sNaN"})


def serialize(values: Mapping[str, Any]) -> dict[str, Any]:
    """A key, an item or expression values, typed.

    Text and numbers, nearly every value the store writes, are typed here in the loop itself: a call
    per value (two, with its converter) was most of the time an item took to type."""
    typed: dict[str, Any] = {}
    for name, value in values.items():
        kind = type(value)
        if kind is str:
            typed[name] = {"S": value}
        elif kind in _PLAIN_NUMBERS and (number := str(_number(value))) not in _NOT_STORABLE:
            typed[name] = {"N": number}
        else:
            typed[name] = to_attribute(value)
    return typed


def deserialize(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item (or a key) as plain Python values (text and numbers read in the loop, as ``serialize``
    writes them)."""
    plain: dict[str, Any] = {}
    for name, value in item.items():
        if len(value) == 1:
            if "S" in value:
                plain[name] = value["S"]
                continue
            if "N" in value:
                plain[name] = _number(value["N"])
                continue
        plain[name] = from_attribute(value)
    return plain


def to_attribute(value: Any) -> dict[str, Any]:
    encode = _ENCODERS.get(type(value))
    if encode is not None:
        return encode(value)
    if isinstance(value, Decimal):
        # The models' exact JSON numbers are Decimal subclasses: boto3 types them as numbers too.
        _ENCODERS[type(value)] = _number_of
        return _number_of(value)
    typed: dict[str, Any] = _boto3()[0].serialize(value)
    return typed


def from_attribute(value: Mapping[str, Any]) -> Any:
    if len(value) == 1:
        for kind, content in value.items():
            decode = _DECODERS.get(kind)
            if decode is not None:
                return decode(content)
    return _boto3()[1].deserialize(value)


def _boto3() -> list[Any]:
    """boto3's converters (typed loosely: their stubs name botocore's attribute shapes, the store passes
    plain dicts)."""
    if not _boto3_converters:
        from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

        _boto3_converters.extend((TypeSerializer(), TypeDeserializer()))
    return _boto3_converters


def _text(value: str) -> dict[str, Any]:
    return {"S": value}


def _number_of(value: int | Decimal) -> dict[str, Any]:
    number = str(_number(value))
    return {"N": number} if number not in _NOT_STORABLE else _boto3()[0].serialize(value)


def _boolean(value: bool) -> dict[str, Any]:
    return {"BOOL": value}


def _null_of(_: None) -> dict[str, Any]:
    return {"NULL": True}


def _map_of(value: dict[str, Any]) -> dict[str, Any]:
    return {"M": {name: to_attribute(item) for name, item in value.items()}}


def _list_of(value: list[Any]) -> dict[str, Any]:
    return {"L": [to_attribute(item) for item in value]}


# By exact type (a Decimal subclass is learned at its first value): any other subclass, a str enum say,
# goes to boto3, which knows what it is.
_ENCODERS: dict[type, Callable[[Any], dict[str, Any]]] = {
    str: _text,
    int: _number_of,
    Decimal: _number_of,
    bool: _boolean,
    type(None): _null_of,
    dict: _map_of,
    list: _list_of,
}


def _unchanged(content: Any) -> Any:
    return content


def _null(_: Any) -> None:
    return None


def _map(content: Mapping[str, Any]) -> dict[str, Any]:
    return {name: from_attribute(item) for name, item in content.items()}


def _list(content: list[Any]) -> list[Any]:
    return [from_attribute(item) for item in content]


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "S": _unchanged,
    "N": _number,
    "BOOL": _unchanged,
    "NULL": _null,
    "M": _map,
    "L": _list,
}
