"""Accounts marked to market and their P&L through the API: GET /api/accounts/{id} and
GET /api/users/{id}/portfolio; realized P&L recorded with each sale and matching the ledger."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from localdev.aws_calls import RequestLog
from localdev.local_prices import AdjustablePrices, install_adjustable_prices
from orders_common.dal import keys
from tests.support.api import BAD_IDS, assert_error
from tests.support.auth import Secured
from tests.support.fakes import FakePrices
from tests.support.stack import Deployed

STATIC = {"BTC": Decimal(68500), "ETH": Decimal(3500), "SOL": Decimal(150)}


@pytest.fixture
def prices(stack: Deployed) -> AdjustablePrices:
    installed = install_adjustable_prices()
    assert installed is not None
    return installed


def filled(stack: Deployed, **fields: Any) -> dict[str, Any]:
    order = stack.create_order(**fields)
    executed = stack.post(f"/api/orders/execute/{order['id']}")
    assert executed.json()["execution_status"] == "filled", executed.body
    body: dict[str, Any] = stack.get(f"/api/orders/order/{order['id']}").json()
    return body


def account(stack: Deployed, account_id: int) -> dict[str, Any]:
    response = stack.get(f"/api/accounts/{account_id}")
    assert response.status == 200, response.body
    body: dict[str, Any] = response.json()
    return body


def ledger_entries(stack: Deployed, account_id: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = stack.get(f"/api/accounts/{account_id}/ledger", query={"limit": 100}).json()
    return entries


def test_a_seeded_account_is_marked_to_market(stack: Deployed) -> None:
    main = account(stack, 1)

    btc, eth = (next(p for p in main["positions"] if p["symbol"] == symbol) for symbol in ("BTC", "ETH"))
    assert (btc["current_price"], btc["market_value"], btc["unrealized_pnl"]) == (68500, 102750, 12750)
    assert btc["unrealized_pnl_percent"] == Decimal("14.16666667")
    assert (eth["market_value"], eth["unrealized_pnl"]) == (35000, 5000)
    assert eth["unrealized_pnl_percent"] == Decimal("16.66666667")
    assert (main["positions_value"], main["equity"], main["unrealized_pnl"]) == (137750, 237750, 17750)
    assert (main["realized_pnl"], main["fees_paid"], main["net_deposits"]) == (0, 0, 100000)
    # The demo holdings were adjusted in, not bought: they count as return on the deposits.
    assert (main["total_return"], main["total_return_percent"]) == (137750, Decimal("137.75"))
    assert main["valued_at"] is not None and main["valuation_error"] is None


def test_buy_move_the_price_sell_half_realized_pnl_matches_the_ledger(
    stack: Deployed, prices: AdjustablePrices
) -> None:
    bought = filled(stack, account_id=2, symbol="ETH", quantity=Decimal(1))
    cost = bought["filled_price"]  # 1 unit: the cost basis is the fill price
    prices.update({"ETH": Decimal(4000)})

    marked = account(stack, 2)
    eth = marked["positions"][0]
    assert (eth["current_price"], eth["market_value"], eth["unrealized_pnl"]) == (4000, 4000, 4000 - cost)
    assert marked["equity"] == marked["cash"] + 4000
    assert marked["realized_pnl"] == 0
    assert marked["fees_paid"] == bought["commission"]

    sold = filled(stack, account_id=2, symbol="ETH", side="sell", quantity=Decimal("0.5"))

    after = account(stack, 2)
    proceeds = sold["filled_price"] * Decimal("0.5")
    assert after["realized_pnl"] == proceeds - cost / 2
    assert after["fees_paid"] == bought["commission"] + sold["commission"]
    assert after["positions"][0]["cost_basis"] == cost / 2
    assert after["positions"][0]["unrealized_pnl"] == 2000 - cost / 2
    assert after["net_deposits"] == 50000
    assert after["total_return"] == after["equity"] - 50000
    assert after["total_return"] == after["realized_pnl"] + after["unrealized_pnl"] - after["fees_paid"]
    entries = ledger_entries(stack, 2)
    sale = [entry for entry in entries if entry["realized_pnl"] is not None]
    assert [(entry["order_id"], entry["asset"], entry["realized_pnl"]) for entry in sale] == [
        (sold["id"], "ETH", after["realized_pnl"])
    ]
    commissions = sum(-entry["amount"] for entry in entries if entry["type"] == "commission")
    assert commissions == after["fees_paid"]
    audit = stack.post("/api/accounts/2/audit").json()
    assert audit["matches"] is True
    assert {"ledger realized P&L = realized_pnl", "ledger commissions = fees_paid"} <= {
        c["name"] for c in audit["checks"]
    }


def test_realized_pnl_adds_up_over_buys_and_partial_sells(stack: Deployed, prices: AdjustablePrices) -> None:
    first = filled(stack, account_id=2, symbol="SOL", quantity=Decimal(10))
    prices.update({"SOL": Decimal(160)})
    second = filled(stack, account_id=2, symbol="SOL", quantity=Decimal(5))
    basis = account(stack, 2)["positions"][0]["cost_basis"]
    assert basis == first["filled_price"] * 10 + second["filled_price"] * 5

    realized = []
    held, left = Decimal(15), basis
    for price, quantity in ((Decimal(170), Decimal(6)), (Decimal(140), Decimal(4)), (Decimal(155), Decimal(5))):
        prices.update({"SOL": price})
        sale = filled(stack, account_id=2, symbol="SOL", side="sell", quantity=quantity)
        relief = left if quantity == held else (left * quantity / held).quantize(Decimal("0.00000001"), "ROUND_FLOOR")
        realized.append(sale["filled_price"] * quantity - relief)
        held, left = held - quantity, left - relief

    final = account(stack, 2)
    assert final["realized_pnl"] == sum(realized)
    assert final["positions"][0]["quantity"] == 0 and final["positions"][0]["cost_basis"] == 0
    assert [e["realized_pnl"] for e in ledger_entries(stack, 2) if e["realized_pnl"] is not None] == realized[::-1]
    assert stack.post("/api/accounts/2/audit").json()["matches"] is True


def test_transfers_move_net_deposits(stack: Deployed) -> None:
    for path, amount in (("deposits", 1000), ("withdrawals", 300)):
        response = stack.post(f"/api/accounts/2/{path}", json={"amount": amount}, headers={"Idempotency-Key": path})
        assert response.status == 201, response.body

    assert account(stack, 2)["net_deposits"] == 50700
    assert stack.post("/api/accounts/2/audit").json()["matches"] is True


def test_without_prices_the_account_still_answers_without_its_valuation(stack: Deployed) -> None:
    down = FakePrices(STATIC)
    down.down = True
    stack.services.use_prices(down)

    response = stack.get("/api/accounts/1")

    assert response.status == 200
    body = response.json()
    assert body["valuation_error"].startswith("Prices are unavailable")
    for field in ("positions_value", "equity", "unrealized_pnl", "total_return", "total_return_percent", "valued_at"):
        assert body[field] is None, field
    assert all(p["market_value"] is None and p["current_price"] is None for p in body["positions"])
    assert (body["cash"], body["realized_pnl"], body["fees_paid"], body["net_deposits"]) == (100000, 0, 0, 100000)


def test_a_symbol_without_a_price_nulls_what_depends_on_it(stack: Deployed) -> None:
    stack.services.use_prices(FakePrices({"BTC": Decimal(70000)}))

    body = account(stack, 1)

    btc, eth = (next(p for p in body["positions"] if p["symbol"] == symbol) for symbol in ("BTC", "ETH"))
    assert (btc["market_value"], btc["unrealized_pnl"]) == (105000, 15000)
    assert (eth["current_price"], eth["market_value"], eth["unrealized_pnl"]) == (None, None, None)
    assert (body["positions_value"], body["equity"], body["total_return"]) == (None, None, None)
    assert body["valuation_error"] == "No price for ETH."


def test_one_price_request_and_one_query_value_an_account(stack: Deployed, dynamodb_requests: RequestLog) -> None:
    counted = FakePrices(STATIC)
    stack.services.use_prices(counted)
    dynamodb_requests.clear()

    assert account(stack, 1)["equity"] == 237750

    assert counted.requests == 1
    assert dynamodb_requests.counts == Counter({"Query": 1})


def test_a_portfolio_is_every_account_of_the_user_and_their_totals(stack: Deployed) -> None:
    counted = FakePrices(STATIC)
    stack.services.use_prices(counted)

    response = stack.get("/api/users/1/portfolio")

    assert response.status == 200
    portfolio = response.json()
    assert counted.requests == 1  # every position of every account priced at once
    assert portfolio["user_id"] == 1
    assert [a["account_id"] for a in portfolio["accounts"]] == [1, 2]
    assert portfolio["accounts"][0] == account(stack, 1) | {"valued_at": portfolio["accounts"][0]["valued_at"]}
    totals = portfolio["totals"]
    assert (totals["cash"], totals["positions_value"], totals["equity"]) == (150000, 137750, 287750)
    assert (totals["net_deposits"], totals["total_return"], totals["total_return_percent"]) == (
        150000, 137750, Decimal("91.83333333"),
    )  # fmt: skip
    assert (totals["realized_pnl"], totals["unrealized_pnl"], totals["fees_paid"]) == (0, 17750, 0)
    assert totals["valuation_error"] is None


def test_a_user_without_accounts_has_an_empty_portfolio(stack: Deployed) -> None:
    portfolio = stack.get("/api/users/77/portfolio").json()

    assert portfolio["accounts"] == []
    assert (portfolio["totals"]["equity"], portfolio["totals"]["net_deposits"]) == (0, 0)


def test_a_portfolio_without_prices_keeps_its_recorded_figures(stack: Deployed) -> None:
    down = FakePrices(STATIC)
    down.down = True
    stack.services.use_prices(down)

    portfolio = stack.get("/api/users/2/portfolio").json()

    assert portfolio["totals"]["equity"] is None
    assert portfolio["totals"]["cash"] == 25000
    assert portfolio["totals"]["valuation_error"].startswith("Prices are unavailable")


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_a_bad_user_id_is_400(stack: Deployed, bad_id: str) -> None:
    assert_error(stack.get(f"/api/users/{bad_id}/portfolio"), 400, "VALIDATION_ERROR")


def test_only_the_owner_or_an_admin_reads_a_portfolio(secured: Secured) -> None:
    owner, other, admin = secured.token(2), secured.token(1), secured.token(99, admin=True)

    as_owner = secured.stack.get("/api/users/2/portfolio", headers=owner)
    as_admin = secured.stack.get("/api/users/2/portfolio", headers=admin)

    assert (as_owner.status, as_admin.status) == (200, 200)
    assert [a["account_id"] for a in as_admin.json()["accounts"]] == [3]
    assert_error(secured.stack.get("/api/users/2/portfolio", headers=other), 403, "FORBIDDEN")
    assert secured.stack.get("/api/users/2/portfolio").status == 401


def test_an_account_stored_before_pnl_was_kept_still_reads(stack: Deployed) -> None:
    stack.services.table.update(
        keys.account_key(2),
        "REMOVE realized_pnl, fees_paid, net_deposits, net_deposits_kept",
        values={},
    )

    before = account(stack, 2)
    assert (before["realized_pnl"], before["fees_paid"], before["net_deposits"]) == (0, 0, None)
    assert before["equity"] == 50000 and before["total_return"] is None
    deposit = stack.post("/api/accounts/2/deposits", json={"amount": 10}, headers={"Idempotency-Key": "late"})
    assert deposit.status == 201
    after = account(stack, 2)
    # A deposit alone is not the account's net deposits: still unknown rather than wrong.
    assert (after["net_deposits"], after["equity"]) == (None, 50010)
    assert stack.post("/api/accounts/2/audit").json()["matches"] is True
