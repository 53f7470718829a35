"""GET /api/accounts/{account_id}: what a fill, a reservation or a cancel did to cash and positions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support.api import BAD_IDS, assert_error
from tests.support.stack import Deployed


def position(account: dict, symbol: str) -> dict:  # type: ignore[type-arg]
    return next(p for p in account["positions"] if p["symbol"] == symbol)


def test_a_seeded_account(stack: Deployed) -> None:
    response = stack.get("/api/accounts/1")

    assert response.status == 200
    account = response.json()
    assert (account["account_id"], account["user_id"]) == (1, 1)
    assert (account["cash"], account["available_cash"], account["reserved_cash"]) == (100000, 100000, 0)
    btc = position(account, "BTC")
    assert (btc["quantity"], btc["available_quantity"], btc["reserved_quantity"]) == (Decimal("1.5"), Decimal("1.5"), 0)
    assert btc["average_cost"] == 60000


def test_reservations_show_while_orders_are_pending(stack: Deployed) -> None:
    buy = stack.create_order(order_type="limit", price=Decimal("60000"), quantity=Decimal("0.1"))
    stack.create_order(side="sell", symbol="ETH", quantity=Decimal("4"))

    account = stack.get("/api/accounts/1").json()

    assert account["reserved_cash"] == Decimal("6006")  # 6000 + 10 bps commission
    assert account["available_cash"] == Decimal("93994")
    assert account["cash"] == 100000
    eth = position(account, "ETH")
    assert (eth["available_quantity"], eth["reserved_quantity"], eth["quantity"]) == (6, 4, 10)
    stack.post(f"/api/orders/cancel/{buy['id']}")
    assert stack.get("/api/accounts/1").json()["reserved_cash"] == 0


def test_a_fill_moves_cash_and_position_by_exactly_the_fill(stack: Deployed) -> None:
    order = stack.create_order(account_id=2, symbol="ETH", quantity=Decimal("2"))

    fill = stack.post(f"/api/orders/execute/{order['id']}").json()

    account = stack.get("/api/accounts/2").json()
    cost = fill["filled_price"] * Decimal("2")
    assert account["cash"] == Decimal("50000") - cost - fill["commission"]
    assert account["reserved_cash"] == 0
    eth = position(account, "ETH")
    assert eth["quantity"] == 2
    assert eth["average_cost"] == fill["filled_price"]
    assert eth["cost_basis"] == cost


def test_an_unknown_account_is_404(stack: Deployed) -> None:
    assert_error(stack.get("/api/accounts/999"), 404, "ACCOUNT_NOT_FOUND")


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_a_bad_account_id_is_400(stack: Deployed, bad_id: str) -> None:
    assert_error(stack.get(f"/api/accounts/{bad_id}"), 400, "VALIDATION_ERROR")
