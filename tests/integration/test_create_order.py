"""POST /api/orders/create through API Gateway routing, the handler and moto."""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

import pytest

from orders_common.auth import Caller
from orders_common.config import get_settings
from orders_common.models.requests import CreateOrderRequest
from orders_common.wiring import Services
from tests.support.api import ORDER_FIELDS, SEED_BODY, assert_error
from tests.support.stack import Deployed


def test_seed_example_creates_a_pending_order(stack: Deployed) -> None:
    response = stack.post(
        "/api/orders/create", body=json.dumps(SEED_BODY), headers={"Content-Type": "application/json"}
    )

    assert response.status == 201
    order = response.json()
    assert set(order) >= ORDER_FIELDS
    assert order["id"] > 0
    assert (order["account_id"], order["user_id"], order["symbol"], order["name"]) == (1, 1, "BTC", "Long BTC")
    assert (order["side"], order["order_type"], order["status"]) == ("buy", "market", "pending")
    assert order["quantity"] == Decimal("0.01")
    assert order["price"] is None and order["filled_price"] is None and order["executed_at"] is None
    assert order["created_at"].endswith("Z")
    assert b'"quantity":0.01,' in response.body  # a JSON number, written exactly


def test_created_order_is_stored_and_reserves_cash(stack: Deployed) -> None:
    before = stack.account(1)

    order = stack.create_order(quantity=Decimal("0.01"))

    stored = stack.services.orders.get_order(order["id"])
    assert stored is not None and stored.status.value == "pending"
    # market buy at 68500 with the 1% buffer, plus 10 bps commission
    notional = Decimal("68500") * Decimal("1.01") * Decimal("0.01")
    expected_reservation = notional + notional * Decimal("0.001")
    after = stack.account(1)
    assert after["reserved_cash"] == before["reserved_cash"] + expected_reservation
    assert after["available_cash"] == before["available_cash"] - expected_reservation
    assert after["cash"] == before["cash"]


def test_limit_buy_reserves_limit_price_times_quantity_plus_commission(stack: Deployed) -> None:
    order = stack.create_order(order_type="limit", price=Decimal("60000"), quantity=Decimal("0.5"))

    assert order["price"] == Decimal("60000")
    assert stack.account(1)["reserved_cash"] == Decimal("30000") + Decimal("30")


def test_sell_reserves_position_quantity(stack: Deployed) -> None:
    stack.create_order(side="sell", quantity=Decimal("0.4"))

    position = stack.position(1, "BTC")
    assert position is not None
    assert position["reserved_quantity"] == Decimal("0.4")
    assert position["available_quantity"] == Decimal("1.1")
    assert position["quantity"] == Decimal("1.5")


def test_exact_decimals_survive_the_round_trip(stack: Deployed) -> None:
    order = stack.create_order(symbol="ETH", order_type="limit", price=Decimal("3500.07"), quantity=Decimal("0.0001"))

    fetched = stack.get(f"/api/orders/order/{order['id']}")
    assert b'"price":3500.07' in fetched.body
    assert b'"quantity":0.0001' in fetched.body


@pytest.mark.parametrize(
    ("change", "field", "places"),
    [
        ({"quantity": Decimal("0.000001")}, "quantity", 5),
        ({"order_type": "limit", "price": Decimal("68500.12")}, "price", 1),
        ({"symbol": "SOL", "quantity": Decimal("1.001")}, "quantity", 2),
    ],
)
def test_more_precision_than_the_symbol_trades_in_is_400(
    stack: Deployed, change: dict[str, Any], field: str, places: int
) -> None:
    response = stack.post("/api/orders/create", json={**SEED_BODY, **change})

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert [(d["field"], d["type"]) for d in body["details"]] == [(field, "decimal_places")]
    assert f"at most {places} decimal place" in body["details"][0]["message"]
    assert stack.stored_items("ORDER#") == []


def test_symbol_is_stored_upper_case(stack: Deployed) -> None:
    assert stack.create_order(symbol="eth")["symbol"] == "ETH"


def test_unknown_account_is_404_and_stores_nothing(stack: Deployed) -> None:
    response = stack.post("/api/orders/create", json={**SEED_BODY, "account_id": 999})

    body = assert_error(response, 404, "ACCOUNT_NOT_FOUND")
    assert "999" in body["error"]
    assert stack.stored_items("ORDER#") == []


def test_unknown_symbol_is_422_and_stores_nothing(stack: Deployed) -> None:
    response = stack.post("/api/orders/create", json={**SEED_BODY, "symbol": "DOGE"})

    assert_error(response, 422, "UNKNOWN_SYMBOL")
    assert stack.stored_items("ORDER#") == []


def test_buy_beyond_available_cash_is_422_and_changes_nothing(stack: Deployed) -> None:
    before = stack.account(2)

    response = stack.post("/api/orders/create", json={**SEED_BODY, "account_id": 2, "quantity": 1})

    body = assert_error(response, 422, "INSUFFICIENT_FUNDS")
    assert body["details"]["available_cash"] == Decimal("50000")
    assert stack.stored_items("ORDER#") == []
    assert stack.account(2) == before


def test_sell_beyond_position_is_422_and_changes_nothing(stack: Deployed) -> None:
    before = stack.account(1)

    response = stack.post("/api/orders/create", json={**SEED_BODY, "side": "sell", "quantity": 2})

    assert_error(response, 422, "INSUFFICIENT_POSITION")
    assert stack.stored_items("ORDER#") == []
    assert stack.account(1) == before


def test_sell_without_any_position_is_422(stack: Deployed) -> None:
    response = stack.post("/api/orders/create", json={**SEED_BODY, "account_id": 2, "side": "sell"})

    assert_error(response, 422, "INSUFFICIENT_POSITION")
    assert stack.stored_items("ORDER#") == []


INVALID_BODIES = {
    "missing quantity": ({k: v for k, v in SEED_BODY.items() if k != "quantity"}, "quantity"),
    "missing account": ({k: v for k, v in SEED_BODY.items() if k != "account_id"}, "account_id"),
    "quantity as string": ({**SEED_BODY, "quantity": "0.01"}, "quantity"),
    "quantity as boolean": ({**SEED_BODY, "quantity": True}, "quantity"),
    "zero quantity": ({**SEED_BODY, "quantity": 0}, "quantity"),
    "negative quantity": ({**SEED_BODY, "quantity": -1}, "quantity"),
    "quantity too precise": ({**SEED_BODY, "quantity": Decimal("0.000000001")}, "quantity"),
    "quantity 1e400": ({**SEED_BODY, "quantity": Decimal("1E+400")}, "quantity"),
    "account as string": ({**SEED_BODY, "account_id": "1"}, "account_id"),
    "account as float": ({**SEED_BODY, "account_id": Decimal("1.0")}, "account_id"),
    "account as boolean": ({**SEED_BODY, "account_id": True}, "account_id"),
    "account zero": ({**SEED_BODY, "account_id": 0}, "account_id"),
    "account past 64 bits": ({**SEED_BODY, "account_id": 2**64}, "account_id"),
    "unknown side": ({**SEED_BODY, "side": "short"}, "side"),
    "side upper case": ({**SEED_BODY, "side": "BUY"}, "side"),
    "unknown order type": ({**SEED_BODY, "order_type": "stop"}, "order_type"),
    "limit without price": ({**SEED_BODY, "order_type": "limit"}, "price"),
    "market with price": ({**SEED_BODY, "price": 68000}, "price"),
    "negative price": ({**SEED_BODY, "order_type": "limit", "price": -5}, "price"),
    "unknown field": ({**SEED_BODY, "leverage": 10}, "leverage"),
    "empty name": ({**SEED_BODY, "name": ""}, "name"),
    "blank name": ({**SEED_BODY, "name": "   "}, "name"),
    "name too long": ({**SEED_BODY, "name": "x" * 101}, "name"),
    "name with control characters": ({**SEED_BODY, "name": "a\nb"}, "name"),
    "symbol with punctuation": ({**SEED_BODY, "symbol": "BTC/USD"}, "symbol"),
    "symbol too long": ({**SEED_BODY, "symbol": "B" * 21}, "symbol"),
}


@pytest.mark.parametrize(("body", "field"), INVALID_BODIES.values(), ids=INVALID_BODIES.keys())
def test_invalid_body_is_400_naming_the_field_and_stores_nothing(
    stack: Deployed, body: dict[str, Any], field: str
) -> None:
    before = stack.account(1)

    response = stack.post("/api/orders/create", json=body)

    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in {detail["field"] for detail in error["details"]}
    assert all({"location", "field", "message", "type"} <= set(detail) for detail in error["details"])
    assert stack.stored_items("ORDER#") == []
    assert stack.account(1) == before


MALFORMED = {
    "not json": "{account_id: 1}",
    "truncated": '{"account_id": 1',
    "NaN": '{"account_id": 1, "symbol": "BTC", "name": "n", "side": "buy", "order_type": "market", "quantity": NaN}',
    "Infinity": '{"account_id": 1, "symbol": "BTC", "name": "n", "side": "buy", "order_type": "market", '
    '"quantity": Infinity}',
    "duplicate keys": '{"account_id": 1, "account_id": 2, "symbol": "BTC", "name": "n", "side": "buy", '
    '"order_type": "market", "quantity": 1}',
    "empty": "",
    "whitespace": "   ",
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_json_is_400_invalid_json(stack: Deployed, body: str) -> None:
    response = stack.post("/api/orders/create", body=body, headers={"Content-Type": "application/json"})

    assert_error(response, 400, "INVALID_JSON")
    assert stack.stored_items("ORDER#") == []


@pytest.mark.parametrize("body", ["[1, 2]", '"order"', "42", "null"])
def test_body_that_is_not_an_object_is_400(stack: Deployed, body: str) -> None:
    response = stack.post("/api/orders/create", body=body, headers={"Content-Type": "application/json"})

    assert response.status == 400
    assert response.json()["code"] in {"VALIDATION_ERROR", "INVALID_JSON"}
    assert stack.stored_items("ORDER#") == []


def test_form_encoded_body_is_415(stack: Deployed) -> None:
    response = stack.post(
        "/api/orders/create",
        body="account_id=1&symbol=BTC&name=x&side=buy&order_type=market&quantity=1",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert stack.stored_items("ORDER#") == []


def test_body_over_the_size_limit_is_413(stack: Deployed) -> None:
    response = stack.post("/api/orders/create", json={**SEED_BODY, "name": "x" * 20_000})

    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
    assert stack.stored_items("ORDER#") == []


def test_concurrent_creates_from_many_containers_get_distinct_ids(stack: Deployed) -> None:
    # Each thread plays a separate Lambda container: its own client, its own id allocator.
    request = CreateOrderRequest.model_validate({**SEED_BODY, "quantity": Decimal("0.001")})
    containers = [Services(get_settings()) for _ in range(20)]
    ids: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(containers))

    def place(container: Services) -> None:
        start.wait()
        try:
            ids.append(container.create_order(request, Caller.anyone()).order.id)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=place, args=(container,)) for container in containers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(ids)) == 20
    assert {int(item["id"]["N"]) for item in stack.stored_orders()} == set(ids)
