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


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('{"a": 1, "b": 2, "a": 3}', "a"),
        ('{"a": 1, "nested": {"x": 1, "y": 2, "y": 2}}', "y"),
        ('{"a": 1, "b": 2, "c": 3, "b": 4, "a": 5}', "b"),
    ],
)
def test_a_key_given_twice_is_refused_by_name(body: str, key: str) -> None:
    with pytest.raises(json.JSONDecodeError, match=f"duplicate key '{key}'"):
        loads_request(body)


def test_objects_keep_their_keys_in_order() -> None:
    assert list(loads_request('{"z": 1, "a": {"m": 2, "b": 3}}')) == ["z", "a"]
    assert list(loads_request('{"z": 1, "a": {"m": 2, "b": 3}}')["a"]) == ["m", "b"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-le", "utf-32"])
def test_a_body_given_as_bytes_is_read_in_the_encoding_its_first_bytes_show(encoding: str) -> None:
    text = '{"name": "caf\u00e9 \U0001f600", "q": 0.5}'

    assert loads_request(text.encode(encoding)) == {"name": "caf\u00e9 \U0001f600", "q": Decimal("0.5")}


def test_bytes_that_are_no_text_are_a_decode_error() -> None:
    with pytest.raises(json.JSONDecodeError):
        loads_request(b'{"name": "\xff\xfe\xfd"}')
