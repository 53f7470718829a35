"""POST /api/orders/execute/{id} and /api/orders/cancel/{id}: outcomes, money moved, state conflicts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders_common.errors import ExchangeUnavailable
from orders_common.exchange.prices import StaticPriceSource
from tests.support.api import BAD_IDS, assert_error
from tests.support.stack import Deployed


class UnreachablePrices:
    name = "unreachable"

    def get_price(self, symbol: str) -> Decimal:
        raise ExchangeUnavailable("price source timed out")


def test_seed_example_executes_a_market_buy(stack: Deployed) -> None:
    order = stack.create_order(quantity=Decimal("0.01"))

    response = stack.post(f"/api/orders/execute/{order['id']}")

    assert response.status == 200
    body = response.json()
    assert {"status": "ok", "order_id": order["id"], "execution_status": "filled"}.items() <= body.items()
    assert body["filled_price"] == Decimal("68506.85")  # the best ask of the static book: 68500 plus 1 bp
    assert body["commission"] == Decimal("0.6850685")  # 10 bps of 685.0685


def test_fill_moves_cash_and_position_by_exactly_the_fill(stack: Deployed) -> None:
    order = stack.create_order(quantity=Decimal("0.01"))

    stack.post(f"/api/orders/execute/{order['id']}")

    stored = stack.get(f"/api/orders/order/{order['id']}").json()
    assert stored["status"] == "filled"
    assert stored["filled_price"] == Decimal("68506.85")
    assert stored["filled_quantity"] == Decimal("0.01")
    assert stored["exchange"] == "paper"
    assert stored["exchange_order_id"] == f"hyperoru-{order['id']}"
    assert stored["executed_at"] is not None
    account = stack.account(1)
    assert account["cash"] == Decimal("100000") - Decimal("685.0685") - Decimal("0.6850685")
    assert account["reserved_cash"] == 0
    position = stack.position(1, "BTC")
    assert position is not None
    assert position["quantity"] == Decimal("1.51")
    assert position["cost_basis"] == Decimal("90000") + Decimal("685.0685")


def test_sell_fill_credits_proceeds_and_relieves_average_cost(stack: Deployed) -> None:
    order = stack.create_order(side="sell", quantity=Decimal("0.5"))

    response = stack.post(f"/api/orders/execute/{order['id']}")

    assert response.json()["filled_price"] == Decimal("68493.15")  # the best bid: 68500 less 1 bp
    proceeds = Decimal("68493.15") * Decimal("0.5")
    account = stack.account(1)
    assert account["cash"] == Decimal("100000") + proceeds - proceeds * Decimal("0.001")
    position = stack.position(1, "BTC")
    assert position is not None
    assert position["quantity"] == Decimal("1.0")
    assert position["reserved_quantity"] == 0
    assert position["average_cost"] == Decimal("60000")


def test_limit_order_not_marketable_stays_pending_and_answers_open(stack: Deployed) -> None:
    order = stack.create_order(order_type="limit", price=Decimal("60000"))
    before = stack.account(1)

    response = stack.post(f"/api/orders/execute/{order['id']}")

    assert response.status == 200
    assert response.json()["execution_status"] == "open"
    assert response.json()["order_status"] == "pending"
    assert stack.get(f"/api/orders/order/{order['id']}").json()["status"] == "pending"
    assert stack.account(1) == before


def test_marketable_limit_buy_never_pays_more_than_its_limit(stack: Deployed) -> None:
    order = stack.create_order(order_type="limit", price=Decimal("68510"))

    body = stack.post(f"/api/orders/execute/{order['id']}").json()

    assert body["execution_status"] == "filled"
    assert body["filled_price"] == Decimal("68506.85")  # the book's best ask, under the limit


def test_fill_the_account_cannot_pay_is_rejected_and_releases_the_reservation(stack: Deployed) -> None:
    order = stack.create_order(account_id=2, quantity=Decimal("0.7"))
    stack.services.prices = StaticPriceSource({"BTC": Decimal("75000")})  # the market ran away

    body = stack.post(f"/api/orders/execute/{order['id']}").json()

    assert body["execution_status"] == "rejected"
    assert "insufficient funds" in body["rejection_reason"]
    stored = stack.get(f"/api/orders/order/{order['id']}").json()
    assert stored["status"] == "rejected"
    assert stored["rejection_reason"] == body["rejection_reason"]
    account = stack.account(2)
    assert (account["available_cash"], account["reserved_cash"]) == (Decimal("50000"), 0)
    assert stack.position(2, "BTC") is None


def test_exchange_outage_is_503_and_leaves_the_order_pending(stack: Deployed) -> None:
    order = stack.create_order()
    before = stack.account(1)
    stack.services.prices = UnreachablePrices()

    response = stack.post(f"/api/orders/execute/{order['id']}")

    assert_error(response, 503, "EXCHANGE_UNAVAILABLE")
    assert response.header("Retry-After") is not None
    assert stack.get(f"/api/orders/order/{order['id']}").json()["status"] == "pending"
    assert stack.account(1) == before


def test_execute_of_an_unknown_order_is_404(stack: Deployed) -> None:
    assert_error(stack.post("/api/orders/execute/4242"), 404, "ORDER_NOT_FOUND")


def test_execute_twice_is_409_and_charges_once(stack: Deployed) -> None:
    order = stack.create_order()
    stack.post(f"/api/orders/execute/{order['id']}")
    after_first = stack.account(1)

    body = assert_error(stack.post(f"/api/orders/execute/{order['id']}"), 409, "ORDER_NOT_PENDING")

    assert "filled" in body["error"]
    assert stack.account(1) == after_first


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_execute_rejects_a_bad_id(stack: Deployed, bad_id: str) -> None:
    assert_error(stack.post(f"/api/orders/execute/{bad_id}"), 400, "VALIDATION_ERROR")


def test_seed_example_cancels_and_releases_the_reservation(stack: Deployed) -> None:
    before = stack.account(1)
    order = stack.create_order()

    response = stack.post(f"/api/orders/cancel/{order['id']}")

    assert response.status == 200
    assert {"status": "ok", "order_id": order["id"]}.items() <= response.json().items()
    stored = stack.get(f"/api/orders/order/{order['id']}").json()
    assert stored["status"] == "cancelled"
    assert stored["cancelled_at"] is not None
    after = stack.account(1)
    assert (after["available_cash"], after["reserved_cash"]) == (before["available_cash"], before["reserved_cash"])


def test_cancelling_a_sell_releases_the_position(stack: Deployed) -> None:
    order = stack.create_order(side="sell", quantity=Decimal("1"))

    stack.post(f"/api/orders/cancel/{order['id']}")

    position = stack.position(1, "BTC")
    assert position is not None
    assert (position["available_quantity"], position["reserved_quantity"]) == (Decimal("1.5"), 0)


def test_cancelled_order_leaves_the_pending_list(stack: Deployed) -> None:
    order = stack.create_order()

    stack.post(f"/api/orders/cancel/{order['id']}")

    assert stack.get("/api/orders/pending").json() == []


def test_cancel_twice_is_409(stack: Deployed) -> None:
    order = stack.create_order()
    stack.post(f"/api/orders/cancel/{order['id']}")
    after_first = stack.account(1)

    assert_error(stack.post(f"/api/orders/cancel/{order['id']}"), 409, "ORDER_NOT_PENDING")
    assert stack.account(1) == after_first


def test_cancel_of_a_filled_order_is_409(stack: Deployed) -> None:
    order = stack.create_order()
    stack.post(f"/api/orders/execute/{order['id']}")

    assert_error(stack.post(f"/api/orders/cancel/{order['id']}"), 409, "ORDER_NOT_PENDING")
    assert stack.get(f"/api/orders/order/{order['id']}").json()["status"] == "filled"


def test_execute_of_a_cancelled_order_is_409(stack: Deployed) -> None:
    order = stack.create_order()
    stack.post(f"/api/orders/cancel/{order['id']}")

    assert_error(stack.post(f"/api/orders/execute/{order['id']}"), 409, "ORDER_NOT_PENDING")


def test_cancel_of_an_unknown_order_is_404(stack: Deployed) -> None:
    assert_error(stack.post("/api/orders/cancel/4242"), 404, "ORDER_NOT_FOUND")


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_cancel_rejects_a_bad_id(stack: Deployed, bad_id: str) -> None:
    assert_error(stack.post(f"/api/orders/cancel/{bad_id}"), 400, "VALIDATION_ERROR")
