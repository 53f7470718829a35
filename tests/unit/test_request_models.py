"""Validation of what clients send."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from orders_common.models.fields import PositiveAmount, SignedAmount, SlippageBps, TrailPercent
from orders_common.models.list_queries import ListQuery
from orders_common.models.order import OrderType, Side
from orders_common.models.paging import decode_token, encode_token
from orders_common.models.path import PathId
from orders_common.models.requests import CreateOrderRequest

VALID = {
    "account_id": 1,
    "symbol": "btc",
    "name": "Long BTC",
    "side": "buy",
    "order_type": "market",
    "quantity": Decimal("0.01"),
}


def errors_for(body: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        CreateOrderRequest.model_validate(body)
    return {".".join(str(p) for p in error["loc"]) for error in caught.value.errors()}


def test_a_valid_market_order() -> None:
    request = CreateOrderRequest.model_validate(VALID)

    assert (request.symbol, request.side, request.order_type) == ("BTC", Side.BUY, OrderType.MARKET)
    assert request.quantity == Decimal("0.01")
    assert request.price is None


def test_a_valid_limit_order_keeps_its_price_exactly() -> None:
    request = CreateOrderRequest.model_validate({**VALID, "order_type": "limit", "price": Decimal("68500.12345678")})

    assert request.price == Decimal("68500.12345678")


def test_integers_are_accepted_as_quantities() -> None:
    assert CreateOrderRequest.model_validate({**VALID, "quantity": 3}).quantity == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": "1"}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"quantity": Decimal("NaN")}, "quantity"),
        ({"quantity": Decimal("Infinity")}, "quantity"),
        ({"quantity": Decimal("1E+400")}, "quantity"),
        ({"quantity": Decimal("1E+13")}, "quantity"),
        ({"quantity": Decimal("0.123456789")}, "quantity"),
        ({"order_type": "limit"}, "price"),
        ({"price": Decimal("1")}, "price"),
        ({"account_id": "1"}, "account_id"),
        ({"account_id": 1.0}, "account_id"),
        ({"name": "é"}, "name"),
        ({"symbol": "₿"}, "symbol"),
        ({"extra": 1}, "extra"),
    ],
)
def test_invalid_fields_are_named(change: dict[str, Any], field: str) -> None:
    assert field in errors_for({**VALID, **change})


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (Decimal("1E+13"), "Input should be less than or equal to 1000000000000"),
        (Decimal("0"), "Input should be greater than 0"),
        (Decimal("0.123456789"), "Decimal input should have no more than 8 decimal places"),
    ],
)
def test_an_amount_out_of_bounds_names_its_bound_as_a_number(quantity: Decimal, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        CreateOrderRequest.model_validate({**VALID, "quantity": quantity})

    assert [(error["loc"], error["msg"]) for error in caught.value.errors()] == [(("quantity",), message)]


@pytest.mark.parametrize("amount", [PositiveAmount, SignedAmount, SlippageBps, TrailPercent])
def test_amount_bounds_are_checked_by_pydantic_core_after_the_json_number_check(amount: Any) -> None:
    # Bounds pydantic cannot hand to pydantic-core are checked by Python functions after it, one call each
    schema = TypeAdapter(amount).core_schema
    if schema["type"] == "function-after":  # a signed amount's own rule (not zero), after the bounds
        schema = schema["schema"]

    assert schema["type"] == "function-before"
    assert schema["schema"]["type"] == "decimal"
    assert {"decimal_places", "allow_inf_nan"} <= set(schema["schema"])
    assert set(schema["schema"]) & {"gt", "ge"} and set(schema["schema"]) & {"lt", "le"}


def test_path_id_bounds_are_checked_by_pydantic_core_after_the_digits_check() -> None:
    schema = TypeAdapter(PathId).core_schema

    assert (schema["type"], schema["schema"]["type"]) == ("function-before", "int")
    assert (schema["schema"]["gt"], schema["schema"]["le"]) == (0, 2**63 - 1)


def test_trailing_zeros_do_not_count_as_precision() -> None:
    assert CreateOrderRequest.model_validate({**VALID, "quantity": Decimal("0.0100000000")}).quantity == Decimal("0.01")


@pytest.mark.parametrize("text", ["1", "42", "9223372036854775807"])
def test_path_ids_accept_plain_digits(text: str) -> None:
    assert TypeAdapter(PathId).validate_python(text) == int(text)


@pytest.mark.parametrize(
    "text",
    ["0", "-1", "+1", "1.0", "1e3", " 1", "1\n", "0x1", "9223372036854775808", "\u0661", "\u00b2", "", "0" * 20 + "1"],
)
def test_path_ids_refuse_anything_else(text: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(PathId).validate_python(text)


def test_list_query_turns_a_token_back_into_a_position() -> None:
    cursor = "2026-11-24T10:00:00.000001Z#00000000000000000042"

    query = ListQuery.model_validate({"limit": "5", "next_token": encode_token(cursor)})

    assert query.page().limit == 5
    assert query.page().after == cursor
    assert decode_token(encode_token(cursor)) == cursor
