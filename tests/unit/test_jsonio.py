"""Exact JSON in and out."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from orders_common.errors import PayloadTooLarge
from orders_common.exact_json import dumps
from orders_common.http.jsonio import MAX_BODY_BYTES, loads_request
from orders_common.models.numbers import to_json_number


def test_numbers_are_read_as_exact_decimals() -> None:
    assert loads_request('{"q": 0.1, "n": 7}') == {"q": Decimal("0.1"), "n": 7}


def test_decimals_are_written_as_exact_json_numbers() -> None:
    text = dumps({"a": to_json_number(Decimal("0.00000001")), "b": to_json_number(Decimal("68500.00000000"))})

    assert text == '{"a":0.00000001,"b":68500}'


def test_large_precise_amounts_keep_every_digit() -> None:
    amount = Decimal("99999999999.12345678")

    assert json.loads(dumps({"cash": to_json_number(amount)}), parse_float=Decimal)["cash"] == amount


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", '{"a": NaN}', '{"a": 1, "a": 2}', "1" * 5000, ""])
def test_what_is_not_plain_json_is_a_decode_error(text: str) -> None:
    with pytest.raises(json.JSONDecodeError):
        loads_request(text)


def test_deeply_nested_input_is_a_decode_error_not_a_crash() -> None:
    with pytest.raises(json.JSONDecodeError):
        loads_request("[" * 8000 + "]" * 8000)


def test_bodies_over_the_limit_are_refused_before_parsing() -> None:
    with pytest.raises(PayloadTooLarge):
        loads_request('{"name": "' + "x" * MAX_BODY_BYTES + '"}')


def test_zero_is_written_as_zero() -> None:
    assert dumps([to_json_number(Decimal("0E-8")), to_json_number(Decimal("-0"))]) == "[0,0]"
