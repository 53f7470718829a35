"""Every document is written as simplejson writes it (exact numbers, ASCII, compact), whichever of
orjson and simplejson writes it."""

from __future__ import annotations

import dataclasses
import enum
import sys
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NamedTuple

import pytest
import simplejson
from hypothesis import given, settings
from hypothesis import strategies as st

from orders_common import exact_json
from orders_common.exact_json import dumps
from orders_common.models.numbers import to_json_number


class Side(enum.StrEnum):
    BUY = "buy"


class Pair(NamedTuple):
    first: Any
    second: Any


def simplejson_text(value: Any) -> str:
    text: str = simplejson.dumps(value, use_decimal=True, separators=(",", ":"))
    return text


# Floats are left out: orjson writes them its own way (1e16, not 1e+16), and no response or stored
# document holds one (numbers are Decimal from the request to the answer).
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.text(),
    st.text(alphabet=st.characters(max_codepoint=127)),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(places=8, min_value=-(10**12), max_value=10**12).map(to_json_number),
    st.decimals(allow_nan=True, allow_infinity=True).map(exact_json.JsonNumber),  # finite or not, any exponent
    st.just(Side.BUY),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.builds(Pair, inner, inner),
        st.dictionaries(st.text(alphabet=st.characters(max_codepoint=127), max_size=8), inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=8), st.integers(), st.booleans(), st.none()), inner, max_size=3),
    ),
    max_leaves=12,
)


def written(write: Any, value: Any) -> tuple[str, str]:
    try:
        return "text", write(value)
    except Exception as error:  # which error is what is compared
        return "error", type(error).__name__


@settings(max_examples=600, deadline=None)
@given(documents)
def test_a_document_is_written_as_simplejson_writes_it(value: Any) -> None:
    assert written(dumps, value) == written(simplejson_text, value)


def test_decimals_are_written_as_exact_json_numbers() -> None:
    document = {"a": to_json_number(Decimal("0.00000001")), "b": to_json_number(Decimal("68500.00000000")),
                "c": Decimal("1E+2"), "side": Side.BUY, "n": None, "ok": True}  # fmt: skip

    assert dumps(document) == '{"a":0.00000001,"b":68500,"c":1E+2,"side":"buy","n":null,"ok":true}'
    assert dumps(document) == simplejson_text(document)


@pytest.mark.parametrize(
    "value",
    [
        {"name": "Zoë", "note": "\u2028"},  # non-ASCII: escaped, as simplejson does
        {"id": 2**64},  # past orjson's integers
        {1: "a", None: "b"},  # keys that are not strings
        Pair(1, Decimal("2.5")),  # a named tuple: an object
        {"tag": Side.BUY, "tuple": (1, "a")},  # a str enum's value, a tuple as an array
    ],
)
def test_what_orjson_cannot_write_as_simplejson_does_simplejson_writes(value: Any) -> None:
    assert dumps(value) == simplejson_text(value)


def test_nesting_past_orjsons_limit_is_written_whole() -> None:
    value: Any = 1
    for _ in range(300):
        value = [value]

    assert dumps(value) == "[" * 300 + "1" + "]" * 300


@dataclasses.dataclass
class Point:
    x: int


@pytest.mark.parametrize("value", [{"at": datetime(2026, 12, 5, tzinfo=UTC)}, {"point": Point(1)}, {"x": object()}])
def test_what_simplejson_refuses_is_refused(value: Any) -> None:
    # orjson would write a datetime or a dataclass; simplejson refuses them, and so does this
    with pytest.raises(TypeError):
        dumps(value)


def test_a_circular_document_is_refused() -> None:
    loop: list[Any] = []
    loop.append(loop)

    with pytest.raises(ValueError, match="Circular reference"):
        dumps({"a": loop})


def test_an_order_like_document_is_written_by_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    # The common case never reaches simplejson (it is not even imported by a function's requests:
    # tests/unit/test_coldstart.py)
    def refuse(value: Any) -> str:
        raise AssertionError("written by simplejson")

    monkeypatch.setattr(exact_json, "_simplejson_dumps", refuse)
    document = {"id": 7, "symbol": "BTC", "side": Side.BUY, "price": to_json_number(Decimal("68500.50")),
                "fills": [{"quantity": to_json_number(Decimal("0.001"))}], "cancelled_at": None}  # fmt: skip

    assert dumps(document) == (
        '{"id":7,"symbol":"BTC","side":"buy","price":68500.5,"fills":[{"quantity":0.001}],"cancelled_at":null}'
    )
    assert "orjson" in sys.modules
