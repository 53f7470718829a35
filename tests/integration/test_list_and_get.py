"""The read endpoints: pending, user orders, account orders and order details."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest

from tests.support.api import BAD_IDS, ORDER_FIELDS, assert_error
from tests.support.stack import Deployed


def ids(response: object) -> list[int]:
    return [order["id"] for order in response.json()]  # type: ignore[attr-defined]


def test_pending_lists_only_pending_orders_oldest_first(stack: Deployed) -> None:
    first = stack.create_order()
    second = stack.create_order(account_id=2)
    filled = stack.create_order()
    stack.post(f"/api/orders/execute/{filled['id']}")
    cancelled = stack.create_order()
    stack.post(f"/api/orders/cancel/{cancelled['id']}")
    third = stack.create_order(side="sell", quantity=Decimal("0.1"))

    response = stack.get("/api/orders/pending")

    assert response.status == 200
    assert ids(response) == [first["id"], second["id"], third["id"]]
    assert all(order["status"] == "pending" for order in response.json())
    assert response.header("X-Next-Token") is None


def test_pending_is_an_empty_array_when_nothing_waits(stack: Deployed) -> None:
    response = stack.get("/api/orders/pending")

    assert response.status == 200
    assert response.json() == []


def test_pending_pages_follow_the_next_token_without_gaps_or_repeats(stack: Deployed) -> None:
    created = [stack.create_order(quantity=Decimal("0.001"))["id"] for _ in range(7)]

    seen: list[int] = []
    token = None
    pages = 0
    while True:
        query = {"limit": 3, **({"next_token": token} if token else {})}
        response = stack.get("/api/orders/pending", query=query)
        assert response.status == 200
        assert len(response.json()) <= 3
        seen += ids(response)
        pages += 1
        token = response.header("X-Next-Token")
        if token is None:
            break

    assert seen == created
    assert pages == 3


def test_pending_filters_by_symbol(stack: Deployed) -> None:
    stack.create_order(symbol="BTC")
    eth = stack.create_order(symbol="ETH")

    response = stack.get("/api/orders/pending", query={"symbol": "eth"})

    assert ids(response) == [eth["id"]]


@pytest.mark.parametrize("limit", ["0", "1001", "-5", "abc", "1.5"])
def test_list_rejects_a_bad_limit(stack: Deployed, limit: str) -> None:
    response = stack.get("/api/orders/pending", query={"limit": limit})

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"][0]["field"] == "limit"
    assert body["details"][0]["location"] == "query"


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        base64.urlsafe_b64encode(b'{"pk": "ACCOUNT#2"}').decode(),
        base64.urlsafe_b64encode(b"2026-01-01T00:00:00.000000Z#1").decode(),
        "%%%",
        "A" * 500,
    ],
)
def test_list_rejects_a_tampered_token_without_leaking(stack: Deployed, token: str) -> None:
    stack.create_order()

    response = stack.get("/api/orders/account/1", query={"next_token": token})

    assert response.status == 400
    assert response.json()["code"] in {"INVALID_NEXT_TOKEN", "VALIDATION_ERROR"}
    assert "Traceback" not in response.body.decode()


def test_a_token_cannot_reach_another_accounts_orders(stack: Deployed) -> None:
    stack.create_order(account_id=1)
    stack.create_order(account_id=1)
    other = stack.create_order(account_id=3, symbol="SOL", quantity=Decimal(1))
    token = stack.get("/api/orders/account/1", query={"limit": 1}).header("X-Next-Token")

    response = stack.get("/api/orders/account/1", query={"limit": 10, "next_token": token})

    assert other["id"] not in ids(response)
    assert all(order["account_id"] == 1 for order in response.json())


def test_user_orders_span_the_users_accounts_newest_first(stack: Deployed) -> None:
    first = stack.create_order(account_id=1)
    second = stack.create_order(account_id=2)
    stack.create_order(account_id=3, symbol="SOL", quantity=Decimal(1))  # user 2
    third = stack.create_order(account_id=1, side="sell", quantity=Decimal("0.1"))

    response = stack.get("/api/orders/user/1")

    assert response.status == 200
    assert ids(response) == [third["id"], second["id"], first["id"]]
    assert set(response.json()[0]) >= ORDER_FIELDS


def test_user_orders_is_an_empty_array_for_a_user_without_orders(stack: Deployed) -> None:
    response = stack.get("/api/orders/user/424242")

    assert response.status == 200
    assert response.json() == []


def test_user_orders_filter_by_status(stack: Deployed) -> None:
    stack.create_order()
    filled = stack.create_order()
    stack.post(f"/api/orders/execute/{filled['id']}")

    response = stack.get("/api/orders/user/1", query={"status": "filled"})

    assert ids(response) == [filled["id"]]


def test_list_rejects_an_unknown_status(stack: Deployed) -> None:
    response = stack.get("/api/orders/user/1", query={"status": "executed"})

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"][0]["field"] == "status"


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_user_orders_rejects_a_bad_user_id(stack: Deployed, bad_id: str) -> None:
    response = stack.get(f"/api/orders/user/{bad_id}")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"][0]["location"] == "path"


def test_account_orders_newest_first_with_filters(stack: Deployed) -> None:
    btc = stack.create_order(symbol="BTC")
    eth = stack.create_order(symbol="ETH")
    stack.create_order(account_id=2)

    everything = stack.get("/api/orders/account/1")
    only_btc = stack.get("/api/orders/account/1", query={"symbol": "BTC"})

    assert ids(everything) == [eth["id"], btc["id"]]
    assert ids(only_btc) == [btc["id"]]


def test_account_orders_of_an_account_without_orders_is_an_empty_array(stack: Deployed) -> None:
    response = stack.get("/api/orders/account/2")

    assert response.status == 200
    assert response.json() == []


def test_account_orders_of_an_unknown_account_is_404(stack: Deployed) -> None:
    assert_error(stack.get("/api/orders/account/999"), 404, "ACCOUNT_NOT_FOUND")


def test_filtered_pages_continue_where_the_previous_stopped(stack: Deployed) -> None:
    created = [stack.create_order(symbol="ETH" if n % 3 else "BTC")["id"] for n in range(10)]
    btc = [order_id for n, order_id in enumerate(created) if n % 3 == 0]

    seen: list[int] = []
    token = None
    while True:
        response = stack.get(
            "/api/orders/account/1", query={"symbol": "BTC", "limit": 2, **({"next_token": token} if token else {})}
        )
        seen += ids(response)
        token = response.header("X-Next-Token")
        if token is None:
            break

    assert seen == list(reversed(btc))


def test_order_details_has_every_field(stack: Deployed) -> None:
    order = stack.create_order(name="Long BTC")

    response = stack.get(f"/api/orders/order/{order['id']}")

    assert response.status == 200
    body = response.json()
    assert set(body) >= ORDER_FIELDS
    assert body["name"] == "Long BTC"
    assert body == order


def test_order_details_of_an_unknown_order_is_404(stack: Deployed) -> None:
    body = assert_error(stack.get("/api/orders/order/777"), 404, "ORDER_NOT_FOUND")
    assert "777" in body["error"]


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_order_details_rejects_a_bad_id(stack: Deployed, bad_id: str) -> None:
    assert_error(stack.get(f"/api/orders/order/{bad_id}"), 400, "VALIDATION_ERROR")


def test_unknown_route_is_404_from_the_gateway(stack: Deployed) -> None:
    response = stack.get("/api/orders/nothing-here")

    assert response.status == 404
