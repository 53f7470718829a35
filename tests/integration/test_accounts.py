"""Accounts through the API: open, fund, withdraw, adjust, freeze, list, and the ledger that explains
every balance (each endpoint's success and error paths; what is stored, and what is not)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.support.api import BAD_IDS, SEED_BODY, assert_error
from tests.support.stack import Deployed


def open_account(stack: Deployed, **fields: Any) -> dict[str, Any]:
    response = stack.post("/api/accounts", json={"user_id": 7, **fields})
    assert response.status == 201, response.body
    opened: dict[str, Any] = response.json()
    return opened


def transfer(
    stack: Deployed, direction: str, account_id: int, amount: Any, key: str | None = "k", **fields: Any
) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return stack.post(f"/api/accounts/{account_id}/{direction}s", json={"amount": amount, **fields}, headers=headers)


def ledger(stack: Deployed, account_id: int, **query: Any) -> list[dict[str, Any]]:
    response = stack.get(f"/api/accounts/{account_id}/ledger", query=query)
    assert response.status == 200, response.body
    entries: list[dict[str, Any]] = response.json()
    return entries


def cash_in_ledger(stack: Deployed, account_id: int) -> Decimal:
    return sum((e["amount"] for e in ledger(stack, account_id, limit=1000) if e["asset"] == "cash"), Decimal(0))


def test_an_account_is_opened_with_its_deposit_in_the_ledger(stack: Deployed) -> None:
    opened = open_account(stack, name="Arena bot", initial_deposit=1000)

    assert opened["account_id"] == 4  # after the three demo accounts: ids run 1, 2, 3 ...
    assert (opened["user_id"], opened["name"], opened["cash"], opened["frozen"]) == (7, "Arena bot", 1000, False)
    assert opened["positions"] == []
    entries = ledger(stack, 4)
    assert [(e["type"], e["asset"], e["amount"]) for e in entries] == [("deposit", "cash", 1000)]
    assert stack.get("/api/accounts/4").json()["available_cash"] == 1000


def test_an_account_opened_without_a_deposit_has_no_entry(stack: Deployed) -> None:
    opened = open_account(stack)

    assert (opened["cash"], opened["name"]) == (0, None)
    assert ledger(stack, opened["account_id"]) == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"user_id": 0},
        {"user_id": "7"},
        {"user_id": 7, "initial_deposit": 0},
        {"user_id": 7, "initial_deposit": -5},
        {"user_id": 7, "initial_deposit": 1.123456789},
        {"user_id": 7, "initial_deposit": 1e13},
        {"user_id": 7, "name": ""},
        {"user_id": 7, "extra": 1},
    ],
)
def test_a_bad_opening_is_400_and_opens_nothing(stack: Deployed, body: dict[str, Any]) -> None:
    assert_error(stack.post("/api/accounts", json=body), 400, "VALIDATION_ERROR")
    assert stack.get("/api/users/7/accounts").json() == []


def test_a_users_accounts_are_one_page_and_an_unknown_users_list_is_empty(stack: Deployed) -> None:
    first, second = open_account(stack), open_account(stack, name="second")

    listed = stack.get("/api/users/7/accounts").json()
    page = stack.get("/api/users/7/accounts", query={"limit": 1})

    assert [a["account_id"] for a in listed] == [first["account_id"], second["account_id"]]
    assert [a["account_id"] for a in page.json()] == [first["account_id"]]
    token = page.header("X-Next-Token")
    assert token is not None
    rest = stack.get("/api/users/7/accounts", query={"limit": 1, "next_token": token}).json()
    assert [a["account_id"] for a in rest] == [second["account_id"]]
    assert stack.get("/api/users/424242/accounts").json() == []
    assert [a["account_id"] for a in stack.get("/api/users/1/accounts").json()] == [1, 2]


def test_a_deposit_answers_its_entry_and_the_balances_right_after(stack: Deployed) -> None:
    response = transfer(stack, "deposit", 1, 1000, reference="wire 42")

    assert response.status == 201
    body = response.json()
    assert (body["entry"]["type"], body["entry"]["amount"], body["entry"]["reference"]) == ("deposit", 1000, "wire 42")
    assert body["balances"] == {"available_cash": 101000, "reserved_cash": 0, "cash": 101000}
    assert stack.account(1)["cash"] == Decimal(101000)
    assert cash_in_ledger(stack, 1) == Decimal(101000)


def test_a_retried_transfer_answers_the_same_and_moves_nothing_again(stack: Deployed) -> None:
    first = transfer(stack, "deposit", 1, 500, key="wire-1").json()
    again = transfer(stack, "deposit", 1, 500, key="wire-1")

    assert again.status == 201
    assert again.json() == first
    assert stack.account(1)["cash"] == Decimal(100500)
    assert_error(transfer(stack, "deposit", 1, 501, key="wire-1"), 409, "IDEMPOTENCY_KEY_REUSED")
    assert_error(transfer(stack, "withdrawal", 1, 500, key="wire-1"), 409, "IDEMPOTENCY_KEY_REUSED")


def test_a_transfer_needs_an_idempotency_key(stack: Deployed) -> None:
    body = assert_error(transfer(stack, "deposit", 1, 5, key=None), 400, "VALIDATION_ERROR")

    assert body["details"][0]["location"] == "header"
    assert stack.account(1)["cash"] == Decimal(100000)


def test_a_withdrawal_takes_only_available_cash(stack: Deployed) -> None:
    stack.create_order(order_type="limit", price=Decimal("60000"), quantity=Decimal("1"))  # 60 060 held back

    refused = transfer(stack, "withdrawal", 1, 40000, key="w1")
    taken = transfer(stack, "withdrawal", 1, 39940, key="w2")

    body = assert_error(refused, 422, "INSUFFICIENT_FUNDS")
    assert body["details"]["available_cash"] == Decimal(39940)
    assert taken.status == 201
    assert taken.json()["balances"] == {"available_cash": 0, "reserved_cash": 60060, "cash": 60060}
    assert cash_in_ledger(stack, 1) == Decimal(60060)


@pytest.mark.parametrize("amount", [0, -1, "5", 1.000000001, 1e13, None, True])
def test_a_bad_amount_is_400_and_moves_nothing(stack: Deployed, amount: Any) -> None:
    assert_error(transfer(stack, "deposit", 1, amount), 400, "VALIDATION_ERROR")
    assert stack.account(1)["cash"] == Decimal(100000)


def test_an_unknown_accounts_transfers_are_404(stack: Deployed) -> None:
    assert_error(transfer(stack, "deposit", 999, 5), 404, "ACCOUNT_NOT_FOUND")
    assert_error(transfer(stack, "withdrawal", 999, 5), 404, "ACCOUNT_NOT_FOUND")
    assert stack.stored_items("LEDGER#999") == []


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_bad_account_ids_are_400(stack: Deployed, bad_id: str) -> None:
    assert_error(stack.post(f"/api/accounts/{bad_id}/deposits", json={"amount": 1}), 400, "VALIDATION_ERROR")


def test_an_adjustment_brings_holdings_in_and_can_take_them_out(stack: Deployed) -> None:
    brought = stack.post(
        "/api/accounts/2/adjustments",
        json={"symbol": "btc", "quantity": 0.5, "cost_basis": 30000, "reason": "from cold"},
    )
    taken = stack.post("/api/accounts/2/adjustments", json={"symbol": "BTC", "quantity": -0.2, "reason": "lost key"})

    assert brought.status == taken.status == 201
    assert brought.json()["position"]["quantity"] == Decimal("0.5")
    assert taken.json()["position"] == {
        "symbol": "BTC", "available_quantity": Decimal("0.3"), "reserved_quantity": 0, "cost_basis": 30000,
        "quantity": Decimal("0.3"), "average_cost": 100000,
    }  # fmt: skip
    entries = ledger(stack, 2, symbol="BTC")
    assert [(e["type"], e["amount"], e["cost_basis_change"], e["reference"]) for e in entries] == [
        ("adjustment", Decimal("-0.2"), 0, "lost key"),
        ("adjustment", Decimal("0.5"), 30000, "from cold"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"symbol": "BTC", "quantity": -2, "reason": "more than held"},
        {"symbol": "BTC", "quantity": 0.1, "cost_basis": -100000, "reason": "basis below zero"},
        {"symbol": "DOGE", "quantity": -1, "reason": "nothing held"},
    ],
)
def test_an_adjustment_that_would_go_below_zero_is_422_and_changes_nothing(
    stack: Deployed, body: dict[str, Any]
) -> None:
    before = stack.account(1)

    assert_error(stack.post("/api/accounts/1/adjustments", json=body), 422, "INSUFFICIENT_POSITION")
    assert stack.account(1) == before


@pytest.mark.parametrize(
    "body",
    [
        {"symbol": "BTC", "quantity": 1},  # no reason
        {"symbol": "BTC", "quantity": 0, "reason": "zero"},
        {"symbol": "B-TC", "quantity": 1, "reason": "x"},
        {"symbol": "BTC", "quantity": 1, "cost_basis": 0, "reason": "x"},
    ],
)
def test_a_bad_adjustment_is_400(stack: Deployed, body: dict[str, Any]) -> None:
    assert_error(stack.post("/api/accounts/1/adjustments", json=body), 400, "VALIDATION_ERROR")


def test_a_frozen_account_takes_no_orders_or_withdrawals_but_cancels_and_deposits(stack: Deployed) -> None:
    pending = stack.create_order(order_type="limit", price=Decimal("60000"), quantity=Decimal("0.1"))

    frozen = stack.post("/api/accounts/1/freeze")

    assert (frozen.status, frozen.json()["frozen"]) == (200, True)
    assert_error(stack.post("/api/orders/create", json=SEED_BODY), 422, "ACCOUNT_FROZEN")
    sell = {**SEED_BODY, "side": "sell", "symbol": "ETH", "quantity": 1}
    assert_error(stack.post("/api/orders/create", json=sell), 422, "ACCOUNT_FROZEN")
    assert_error(transfer(stack, "withdrawal", 1, 5, key="w"), 422, "ACCOUNT_FROZEN")
    assert transfer(stack, "deposit", 1, 5, key="d").status == 201
    assert stack.post(f"/api/orders/cancel/{pending['id']}").status == 200
    assert len(stack.stored_orders()) == 1

    stack.post("/api/accounts/1/unfreeze")
    assert stack.post("/api/orders/create", json=SEED_BODY).status == 201


def test_unknown_accounts_cannot_be_frozen_or_audited(stack: Deployed) -> None:
    for action in ("freeze", "unfreeze", "audit"):
        assert_error(stack.post(f"/api/accounts/999/{action}"), 404, "ACCOUNT_NOT_FOUND")
    assert_error(stack.get("/api/accounts/999/ledger"), 404, "ACCOUNT_NOT_FOUND")


def test_every_movement_of_an_order_is_in_the_ledger_and_the_sum_is_the_cash(stack: Deployed) -> None:
    buy = stack.create_order(quantity=Decimal("0.01"))
    cancelled = stack.create_order(order_type="limit", price=Decimal("60000"), quantity=Decimal("0.01"))
    sell = stack.create_order(symbol="ETH", side="sell", quantity=Decimal("2"))
    stack.post(f"/api/orders/execute/{buy['id']}")
    stack.post(f"/api/orders/cancel/{cancelled['id']}")
    stack.post(f"/api/orders/execute/{sell['id']}")

    by_order: dict[int, list[tuple[str, str]]] = {}
    for entry in reversed(ledger(stack, 1, limit=1000)):
        if entry["order_id"] is not None:
            by_order.setdefault(entry["order_id"], []).append((entry["type"], entry["asset"]))

    assert by_order[buy["id"]] == [
        ("reserve", "cash"), ("release", "cash"), ("trade", "cash"), ("commission", "cash"), ("trade", "BTC"),
    ]  # fmt: skip
    assert by_order[cancelled["id"]] == [("reserve", "cash"), ("release", "cash")]
    assert by_order[sell["id"]] == [("reserve", "ETH"), ("trade", "ETH"), ("trade", "cash"), ("commission", "cash")]
    account = stack.account(1)
    assert cash_in_ledger(stack, 1) == account["cash"]
    eth = sum((e["amount"] for e in ledger(stack, 1, symbol="ETH", limit=1000)), Decimal(0))
    assert eth == Decimal(8)
    report = stack.post("/api/accounts/1/audit").json()
    assert (report["matches"], report["mismatches"]) == (True, [])


def test_the_ledger_pages_newest_first_and_filters(stack: Deployed) -> None:
    for number in range(5):
        transfer(stack, "deposit", 2, number + 1, key=f"d{number}")
    transfer(stack, "withdrawal", 2, 1, key="w")

    newest = ledger(stack, 2, limit=2)
    page = stack.get("/api/accounts/2/ledger", query={"limit": 2})
    rest = stack.get("/api/accounts/2/ledger", query={"limit": 10, "next_token": page.header("X-Next-Token")}).json()
    withdrawals = ledger(stack, 2, type="withdrawal")
    since = newest[1]["created_at"]

    assert [e["type"] for e in newest] == ["withdrawal", "deposit"]
    assert [e["amount"] for e in rest] == [4, 3, 2, 1, 50000]  # the opening deposit last
    assert [e["amount"] for e in withdrawals] == [-1]
    assert [e["amount"] for e in ledger(stack, 2, since=since)] == [-1, 5]
    assert ledger(stack, 2, until=since) == rest
    assert ledger(stack, 2, symbol="CASH", limit=1) == newest[:1]


@pytest.mark.parametrize(
    "query",
    [
        {"limit": 0},
        {"type": "bonus"},
        {"since": "yesterday"},
        {"since": "2026-12-01T00:00:00"},  # no time zone
        {"since": "2026-12-02T00:00:00Z", "until": "2026-12-01T00:00:00Z"},
        {"next_token": "not-a-token"},
    ],
)
def test_a_bad_ledger_query_is_400(stack: Deployed, query: dict[str, Any]) -> None:
    response = stack.get("/api/accounts/1/ledger", query=query)

    assert response.status == 400, response.body
    assert response.json()["code"] in {"VALIDATION_ERROR", "INVALID_NEXT_TOKEN"}
