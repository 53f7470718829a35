"""What the upstream client reads of orders: order_no, market, slippage and actual_fill_price on every
order body, and status filters in any letter case."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.support.stack import Deployed

UPSTREAM = ("order_no", "market", "slippage", "actual_fill_price")


def upstream(order: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(order[field] for field in UPSTREAM)


def test_an_open_order_has_its_number_and_market_and_no_fill_figures(stack: Deployed) -> None:
    created = stack.create_order(order_type="limit", price=Decimal(60000), client_order_id="up-1")
    number = f"ORD-{created['id']}"
    expected = (number, "CRYPTO", None, None)

    assert upstream(created) == expected
    assert upstream(stack.get(f"/api/orders/order/{created['id']}").json()) == expected
    assert upstream(stack.get("/api/orders/client/1/up-1").json()) == expected
    for path in ("/api/orders/user/1", "/api/orders/account/1", "/api/orders/pending"):
        assert [upstream(o) for o in stack.get(path).json() if o["id"] == created["id"]] == [expected], path
    amended = stack.request("PATCH", f"/api/orders/order/{created['id']}", json={"price": 61000})
    assert amended.status == 200, amended.body
    assert upstream(amended.json()) == expected
    cancelled = stack.post(f"/api/orders/cancel/{created['id']}").json()
    assert (cancelled["order_no"], cancelled["market"]) == (number, "CRYPTO")


def test_a_filled_buy_pays_above_the_market_price_and_its_slippage_is_positive(stack: Deployed) -> None:
    created = stack.create_order(symbol="ETH", quantity=Decimal(2))

    executed = stack.post(f"/api/orders/execute/{created['id']}").json()
    order = stack.get(f"/api/orders/order/{created['id']}").json()

    assert order["market_price_at_fill"] == executed["market_price"] == 3500
    assert order["actual_fill_price"] == order["filled_price"] == order["average_fill_price"]
    assert order["actual_fill_price"] > 3500  # the paper book's asks are above the mid
    assert order["slippage"] == ((order["filled_price"] - 3500) / 3500).quantize(Decimal("0.00000001"))
    assert order["slippage"] > 0
    assert (executed["order_no"], executed["market"]) == (order["order_no"], "CRYPTO")
    assert (executed["actual_fill_price"], executed["slippage"]) == (order["actual_fill_price"], order["slippage"])
    listed = [o for o in stack.get("/api/orders/account/1").json() if o["id"] == created["id"]]
    assert [upstream(o) for o in listed] == [upstream(order)]


def test_a_filled_sell_receives_below_the_market_price_and_its_slippage_is_positive_too(stack: Deployed) -> None:
    created = stack.create_order(symbol="ETH", side="sell", quantity=Decimal(2))
    stack.post(f"/api/orders/execute/{created['id']}")

    order = stack.get(f"/api/orders/order/{created['id']}").json()

    assert order["actual_fill_price"] < 3500
    assert order["slippage"] == ((3500 - order["filled_price"]) / 3500).quantize(Decimal("0.00000001"))
    assert order["slippage"] > 0


def test_published_events_carry_the_order_with_its_upstream_fields(stack: Deployed) -> None:
    created = stack.create_order(symbol="ETH", quantity=Decimal(1))
    stack.post(f"/api/orders/execute/{created['id']}")
    final = stack.get(f"/api/orders/order/{created['id']}").json()

    events = stack.publish_events()

    orders = [event["detail"]["order"] for event in events if event["detail"]["order_id"] == created["id"]]
    assert [o["order_no"] for o in orders] == [f"ORD-{created['id']}"] * len(orders) and orders
    assert upstream(orders[-1]) == upstream(final)


@pytest.mark.parametrize("status", ["FILLED", "Filled", "filled"])
@pytest.mark.parametrize("path", ["/api/orders/user/1", "/api/orders/account/1"])
def test_a_status_filter_in_any_letter_case(stack: Deployed, status: str, path: str) -> None:
    done = stack.create_order()
    stack.post(f"/api/orders/execute/{done['id']}")
    stack.create_order(order_type="limit", price=Decimal(60000))

    response = stack.get(path, query={"status": status})

    assert response.status == 200, response.body
    assert [(o["id"], o["status"]) for o in response.json()] == [(done["id"], "filled")]


def test_the_pending_list_filters_in_any_letter_case_too(stack: Deployed) -> None:
    resting = stack.create_order(order_type="limit", price=Decimal(60000))
    other = stack.create_order(order_type="limit", price=Decimal(60000))
    stack.post(f"/api/orders/cancel/{other['id']}")

    listed = stack.get("/api/orders/pending", query={"status": "PENDING"})

    assert [(o["id"], o["status"]) for o in listed.json()] == [(resting["id"], "pending")]


def test_an_unknown_status_in_any_case_is_still_400(stack: Deployed) -> None:
    response = stack.get("/api/orders/user/1", query={"status": "DONE"})

    assert response.status == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
