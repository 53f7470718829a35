"""The store's attribute-value conversion converts every value as boto3's TypeSerializer and
TypeDeserializer do, and refuses what they refuse, with the same error."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import DYNAMODB_CONTEXT as BOTO3_CONTEXT
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from hypothesis import given, settings
from hypothesis import strategies as st

from orders_common.dal.attributes import DYNAMODB_CONTEXT, deserialize, from_attribute, serialize, to_attribute
from orders_common.exact_json import JsonNumber


class Colour(enum.StrEnum):
    RED = "red"


class Exact(Decimal):
    """A Decimal subclass, as the models' JSON numbers are."""


numbers = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(places=8, min_value=-(10**12), max_value=10**12).map(Exact),
    st.decimals(allow_nan=True, allow_infinity=True).map(JsonNumber),  # the models' own, typed in serialize's loop
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=12),
    numbers,
    st.floats(allow_nan=False),
    st.binary(max_size=8),
    st.builds(Binary, st.binary(max_size=8)),
    st.just(Colour.RED),
    st.frozensets(st.text(max_size=4), min_size=1, max_size=3),
    st.sets(st.integers(min_value=-1000, max_value=1000), min_size=1, max_size=3),
    st.sets(st.binary(max_size=4), min_size=1, max_size=3),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=6), inner, max_size=3),
    ),
    max_leaves=8,
)


def converted(convert: Any, value: Any) -> tuple[str, Any]:
    """What a conversion answers, or the kind of error it raises."""
    try:
        return "value", convert(value)
    except Exception as error:  # the kind of error is what is compared
        return "error", type(error).__name__


def same(found: Any, expected: Any) -> bool:
    """Equal, and of the same types throughout (a NaN equals a NaN of the same sign)."""
    if type(found) is not type(expected):
        return False
    if isinstance(found, Decimal) and found.is_nan():
        return expected.is_nan() and found.is_signed() == expected.is_signed()
    if isinstance(found, dict):
        return found.keys() == expected.keys() and all(same(found[key], expected[key]) for key in found)
    if isinstance(found, (list, tuple)):
        return len(found) == len(expected) and all(map(same, found, expected))
    return bool(found == expected)


@settings(max_examples=400, deadline=None)
@given(values)
def test_a_value_is_typed_as_boto3_types_it(value: Any) -> None:
    assert same(converted(to_attribute, value), converted(TypeSerializer().serialize, value))


@settings(max_examples=400, deadline=None)
@given(values)
def test_a_stored_value_reads_back_as_boto3_reads_it(value: Any) -> None:
    # Given what DynamoDB holds for a value boto3 can write
    outcome, attribute = converted(TypeSerializer().serialize, value)
    if outcome == "error":
        return

    # When it is read, Then it is read as boto3 reads it
    assert same(converted(from_attribute, attribute), converted(TypeDeserializer().deserialize, attribute))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=6), values, max_size=6))
def test_an_item_is_typed_as_boto3_types_each_of_its_values(item: dict[str, Any]) -> None:
    # serialize types text and numbers itself, and hands every other value to to_attribute
    boto3_typed = converted(lambda values: {name: TypeSerializer().serialize(v) for name, v in values.items()}, item)

    assert same(converted(serialize, item), boto3_typed)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=6), values, max_size=6))
def test_a_stored_item_reads_back_as_boto3_reads_each_of_its_values(item: dict[str, Any]) -> None:
    # Given what DynamoDB holds for an item boto3 can write
    outcome, typed = converted(lambda values: {name: TypeSerializer().serialize(v) for name, v in values.items()}, item)
    if outcome == "error":
        return

    # When it is read, Then each value is read as boto3 reads it
    boto3_read = converted(
        lambda attributes: {name: TypeDeserializer().deserialize(v) for name, v in attributes.items()}, typed
    )
    assert same(converted(deserialize, typed), boto3_read)


@pytest.mark.parametrize(
    "attribute",
    [{}, {"X": "1"}, {"N": "1e400"}, {"N": "not a number"}, {"S": "a", "N": "1"}, {"NULL": True, "S": "x"}],
    ids=["empty", "unknown type", "out of range", "not a number", "two types", "null and text"],
)
def test_a_malformed_attribute_is_refused_or_read_as_boto3_does(attribute: dict[str, Any]) -> None:
    assert same(converted(from_attribute, attribute), converted(TypeDeserializer().deserialize, attribute))
    in_an_item = converted(deserialize, {"a": attribute})
    assert same(in_an_item, converted(lambda typed: {"a": TypeDeserializer().deserialize(typed)}, attribute))


@pytest.mark.parametrize(
    "value",
    [1.5, Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), Decimal(10) ** 200, Decimal("0." + "1" * 40),
     object()],
    ids=["float", "nan", "infinity", "minus infinity", "too large", "too precise", "unknown"],
)  # fmt: skip
def test_what_dynamodb_cannot_hold_is_refused_as_boto3_refuses_it(value: Any) -> None:
    assert same(converted(to_attribute, value), converted(TypeSerializer().serialize, value))


def test_an_order_like_item_round_trips_exactly() -> None:
    item = {"pk": "ORDER#1", "id": 1, "price": Decimal("68500.5"), "quantity": Decimal("0.00000001"),
            "frozen": False, "client_order_id": None, "changes": {"status": {"from": "pending", "to": "filled"}},
            "fills": [Decimal(1), "x"]}  # fmt: skip

    typed = serialize(item)

    assert typed == {name: TypeSerializer().serialize(value) for name, value in item.items()}
    assert deserialize(typed) == item
    assert type(deserialize(typed)["id"]) is Decimal  # numbers come back exact, as boto3 gives them


def test_numbers_are_held_to_the_context_boto3_holds_them_to() -> None:
    # The store's own copy of boto3's DynamoDB number context (boto3 is not loaded to convert the store's
    # values): the same precision, exponent range, rounding and errors
    def described(context: Any) -> tuple[Any, ...]:
        traps = sorted(signal.__name__ for signal, on in context.traps.items() if on)
        return context.prec, context.Emin, context.Emax, context.rounding, context.clamp, traps

    assert described(DYNAMODB_CONTEXT) == described(BOTO3_CONTEXT)
