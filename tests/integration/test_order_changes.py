"""Changing pending orders through the API: amend with its reservation, If-Match, by client order id,
cancel-all, and the dead man's switch."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from orders_common.logic import cancel_after
from orders_common.models.numbers import utc_now
from tests.support.api import assert_error
from tests.support.stack import Deployed

SCHEDULE = {"source": "aws.events", "detail-type": "Scheduled Event"}


def decimals(response: Any) -> Any:
    return json.loads(response.body, parse_float=Decimal)


def create(stack: Deployed, **fields: Any) -> Any:
    body = {"account_id": 1, "symbol": "BTC", "name": "t", "side": "buy", "order_type": "limit",
            "price": Decimal(60000), "quantity": Decimal("0.01"), **fields}  # fmt: skip
    response = stack.post("/api/orders/create", json=body)
    assert response.status == 201, response.body
    return decimals(response)


def amend(stack: Deployed, order_id: int, status: int = 200, headers: dict[str, str] | None = None, **body: Any) -> Any:
    response = stack.request("PATCH", f"/api/orders/order/{order_id}", json=body, headers=headers)
    assert response.status == status, response.body
    return response


def stored(stack: Deployed, order_id: int) -> Any:
    return decimals(stack.get(f"/api/orders/order/{order_id}"))


def audit_matches(stack: Deployed, account_id: int = 1) -> bool:
    return bool(stack.post(f"/api/accounts/{account_id}/audit").json()["matches"])


# Amend


def test_an_amend_raises_a_limit_buys_reservation_exactly_by_the_difference(stack: Deployed) -> None:
    placed = create(stack)
    before = stack.account(1)

    response = amend(stack, placed["id"], price=Decimal(61000), quantity=Decimal("0.02"))

    amended = decimals(response)
    # 61000 x 0.02 = 1220 plus 0.1% commission, where 60000 x 0.01 held 600.6
    assert (amended["price"], amended["quantity"], amended["reserved_cash"]) == (
        61000,
        Decimal("0.02"),
        Decimal("1221.22"),
    )
    assert (amended["version"], response.header("ETag")) == (2, '"2"')
    after = stack.account(1)
    assert after["reserved_cash"] - before["reserved_cash"] == Decimal("620.62")
    assert after["available_cash"] == before["available_cash"] - Decimal("620.62")
    entry = decimals(stack.get("/api/accounts/1/ledger", query={"limit": 1}))[0]
    assert (entry["type"], entry["order_id"], entry["reserved_change"], entry["reference"]) == (
        "reserve", placed["id"], Decimal("620.62"), "amend"
    )  # fmt: skip
    assert stored(stack, placed["id"]) == amended
    assert audit_matches(stack)


def test_an_amend_down_releases_and_one_without_money_moves_nothing(stack: Deployed) -> None:
    placed = create(stack, quantity=Decimal("0.02"))
    before = stack.account(1)

    amend(stack, placed["id"], quantity=Decimal("0.01"))
    renamed = decimals(amend(stack, placed["id"], name="renamed"))

    assert stack.account(1)["reserved_cash"] == before["reserved_cash"] - Decimal("600.6")
    assert (renamed["name"], renamed["version"], renamed["reserved_cash"]) == ("renamed", 3, Decimal("600.6"))
    assert audit_matches(stack)


def test_an_amend_the_account_cannot_cover_is_422_and_changes_nothing(stack: Deployed) -> None:
    placed = create(stack, account_id=2, quantity=Decimal("0.5"))  # 30 030 of account 2's 50 000
    before = stack.account(2)

    response = amend(stack, placed["id"], 422, quantity=Decimal("1"))

    assert_error(response, 422, "INSUFFICIENT_FUNDS")
    assert stored(stack, placed["id"]) == placed
    assert stack.account(2) == before


def test_a_sell_amended_up_reserves_more_of_the_position(stack: Deployed) -> None:
    placed = create(stack, side="sell", price=Decimal(90000), quantity=Decimal("0.5"))

    amend(stack, placed["id"], quantity=Decimal("1.5"))
    assert_error(amend(stack, placed["id"], 422, quantity=Decimal("2")), 422, "INSUFFICIENT_POSITION")

    assert stack.position(1, "BTC")["reserved_quantity"] == Decimal("1.5")  # type: ignore[index]
    assert audit_matches(stack)


def test_an_amended_trigger_and_trail_move_the_order(stack: Deployed) -> None:
    stop = create(stack, side="sell", order_type="stop_market", price=None, trigger_price=Decimal(60000))
    trailing = create(stack, side="sell", order_type="trailing_stop", price=None, trail_percent=Decimal(5))

    moved = decimals(amend(stack, stop["id"], trigger_price=Decimal(61000)))
    retrailed = decimals(amend(stack, trailing["id"], trail_amount=Decimal(1000)))

    assert moved["trigger_price"] == 61000
    assert (retrailed["trail_percent"], retrailed["trail_amount"], retrailed["stop_price"]) == (None, 1000, 67500)


@pytest.mark.parametrize(
    ("fields", "body", "field"),
    [
        ({"order_type": "market", "price": None}, {"price": 61000}, "price"),
        ({}, {"trigger_price": 61000}, "trigger_price"),
        ({}, {"trail_percent": 5}, "trail_percent"),
        ({}, {"expire_at": "2030-01-01T00:00:00Z"}, "expire_at"),
        ({"order_type": "market", "price": None, "quantity": None, "quote_quantity": 100}, {"quantity": 1}, "quantity"),
    ],
    ids=[
        "price of a market order",
        "trigger of a limit",
        "trail of a limit",
        "expiry of a gtc",
        "quantity of notional",
    ],
)
def test_amending_a_field_the_order_does_not_have_is_400(
    stack: Deployed, fields: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    placed = create(stack, **fields)
    placed = stored(stack, placed["id"])

    error = assert_error(amend(stack, placed["id"], 400, **body), 400, "VALIDATION_ERROR")

    assert [detail["field"] for detail in error["details"]] == [field]
    assert stored(stack, placed["id"]) == placed


@pytest.mark.parametrize(
    "body",
    [{}, {"price": -1}, {"price": "61000"}, {"side": "sell"}, {"quantity": 0}, {"trail_percent": 1, "trail_amount": 1},
     {"expire_at": "2020-01-01T00:00:00Z"}],
    ids=["nothing", "negative", "string", "not amendable", "zero", "both trails", "past expiry"],
)  # fmt: skip
def test_a_bad_amend_body_is_400_and_changes_nothing(stack: Deployed, body: dict[str, Any]) -> None:
    placed = create(stack)

    assert_error(amend(stack, placed["id"], 400, **body), 400, "VALIDATION_ERROR")

    assert stored(stack, placed["id"]) == placed


def test_an_amend_of_a_finished_order_is_409_and_of_a_triggered_one_409_for_its_trigger(stack: Deployed) -> None:
    filled = create(stack, order_type="market", price=None)
    stack.post(f"/api/orders/execute/{filled['id']}")
    stop_limit = create(stack, order_type="stop_limit", trigger_price=Decimal(68000), price=Decimal(60000))
    stack.post(f"/api/orders/execute/{stop_limit['id']}")  # triggers (68500 >= 68000), rests under its limit

    assert_error(amend(stack, filled["id"], 409, name="late"), 409, "ORDER_NOT_PENDING")
    assert_error(amend(stack, stop_limit["id"], 409, trigger_price=69000), 409, "ORDER_TRIGGERED")
    assert decimals(amend(stack, stop_limit["id"], price=Decimal(61000)))["price"] == 61000  # its limit still can
    assert_error(amend(stack, 999_999, 404, name="x"), 404, "ORDER_NOT_FOUND")


# If-Match


def test_if_match_makes_amend_and_cancel_conditional_on_the_version_seen(stack: Deployed) -> None:
    placed = create(stack)
    seen = stack.get(f"/api/orders/order/{placed['id']}").header("ETag")
    assert seen == '"1"'

    amend(stack, placed["id"], headers={"If-Match": seen}, name="first")
    stale = amend(stack, placed["id"], 412, headers={"If-Match": seen}, name="second")
    stale_cancel = stack.post(f"/api/orders/cancel/{placed['id']}", headers={"If-Match": seen})
    cancelled = stack.post(f"/api/orders/cancel/{placed['id']}", headers={"If-Match": 'W/"2"'})

    body = assert_error(stale, 412, "VERSION_MISMATCH")
    assert body["details"] == {"order_id": placed["id"], "expected_version": 1, "version": 2}
    assert_error(stale_cancel, 412, "VERSION_MISMATCH")
    assert cancelled.status == 200
    assert stored(stack, placed["id"])["name"] == "first"


@pytest.mark.parametrize("value", ["abc", '"1.5"', "-1", "*", '"1", "2"'])
def test_an_if_match_that_is_not_a_version_is_400(stack: Deployed, value: str) -> None:
    placed = create(stack)

    assert_error(amend(stack, placed["id"], 400, headers={"If-Match": value}, name="x"), 400, "VALIDATION_ERROR")
    response = stack.post(f"/api/orders/cancel/{placed['id']}", headers={"If-Match": value})

    assert_error(response, 400, "VALIDATION_ERROR")
    assert stored(stack, placed["id"]) == placed


# By client order id


def test_an_order_is_found_and_cancelled_by_its_client_order_id(stack: Deployed, dynamodb_requests: Any) -> None:
    placed = create(stack, client_order_id="bot-7")
    dynamodb_requests.clear()

    found = stack.get("/api/orders/client/1/bot-7")
    reads = list(dynamodb_requests.operations)
    cancelled = stack.post("/api/orders/cancel/client/1/bot-7")

    assert (found.status, decimals(found)) == (200, placed)
    assert reads == ["Query"]  # one read of the by_client index
    assert (cancelled.status, cancelled.json()["order_id"]) == (200, placed["id"])
    assert_error(stack.get("/api/orders/client/2/bot-7"), 404, "ORDER_NOT_FOUND")  # another account's ids
    assert_error(stack.post("/api/orders/cancel/client/1/nope"), 404, "ORDER_NOT_FOUND")
    assert_error(stack.post("/api/orders/cancel/client/1/bot-7"), 409, "ORDER_NOT_PENDING")


# Cancel-all


def test_cancel_all_cancels_every_pending_order_of_the_account_in_one_call(
    stack: Deployed, dynamodb_requests: Any
) -> None:
    placed = [create(stack, quantity=Decimal("0.001"))["id"] for _ in range(60)]
    placed += [create(stack, side="sell", symbol=symbol, price=Decimal(99999), quantity=Decimal("0.01"))["id"]
               for symbol in ("BTC", "ETH") for _ in range(20)]  # fmt: skip
    other = create(stack, account_id=2)["id"]
    dynamodb_requests.clear()

    response = stack.post("/api/orders/cancel-all", json={"account_id": 1})

    assert response.status == 200
    assert response.json() == {"account_id": 1, "cancelled": placed, "not_cancelled": []}
    assert dynamodb_requests.counts["TransactWriteItems"] == 4  # 100 orders, 30 per transaction
    account = stack.account(1)
    assert account["reserved_cash"] == 0
    assert all(position["reserved_quantity"] == 0 for position in account["positions"])
    assert {stored(stack, order_id)["status"] for order_id in placed} == {"cancelled"}
    assert stored(stack, other)["status"] == "pending"
    releases = decimals(stack.get("/api/accounts/1/ledger", query={"type": "release", "limit": 1000}))
    assert sorted(e["order_id"] for e in releases) == sorted(placed)
    assert audit_matches(stack)


def test_cancel_all_can_be_narrowed_to_a_symbol_and_a_side(stack: Deployed) -> None:
    btc_buy = create(stack)["id"]
    eth_buy = create(stack, symbol="ETH", price=Decimal(3000))["id"]
    btc_sell = create(stack, side="sell", price=Decimal(99999))["id"]

    by_symbol = stack.post("/api/orders/cancel-all", json={"account_id": 1, "symbol": "btc", "side": "sell"}).json()
    rest = stack.post("/api/orders/cancel-all", json={"account_id": 1, "side": "buy"}).json()

    assert (by_symbol["cancelled"], rest["cancelled"]) == ([btc_sell], [btc_buy, eth_buy])


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "VALIDATION_ERROR"),
        ({"account_id": 1, "side": "both"}, 400, "VALIDATION_ERROR"),
        ({"account_id": 1, "extra": 1}, 400, "VALIDATION_ERROR"),
        ({"account_id": 999_999}, 404, "ACCOUNT_NOT_FOUND"),
    ],
)
def test_a_bad_cancel_all_is_refused_and_cancels_nothing(
    stack: Deployed, body: dict[str, Any], status: int, code: str
) -> None:
    placed = create(stack)

    assert_error(stack.post("/api/orders/cancel-all", json=body), status, code)

    assert stored(stack, placed["id"])["status"] == "pending"


# Dead man's switch


def test_an_armed_switch_cancels_the_accounts_orders_when_it_runs_out(
    stack: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = [create(stack)["id"], create(stack, side="sell", price=Decimal(99999))["id"]]
    other = create(stack, account_id=2)["id"]

    armed = stack.post("/api/accounts/1/cancel-after", json={"seconds": 30})
    deadline = datetime.fromisoformat(armed.json()["cancel_after"])
    shown = stack.get("/api/accounts/1").json()["cancel_after"]
    early = stack.invoke("ProcessAllFunction", SCHEDULE)
    monkeypatch.setattr(cancel_after, "utc_now", lambda: utc_now() + timedelta(seconds=31))
    ran_out = stack.invoke("ProcessAllFunction", SCHEDULE)

    assert armed.status == 200
    assert timedelta(seconds=29) < deadline - datetime.now(UTC) <= timedelta(seconds=30)
    assert shown == armed.json()["cancel_after"]
    assert (early["cancelled_by_switches"], ran_out["cancelled_by_switches"]) == (0, 2)
    assert [stored(stack, order_id)["status"] for order_id in mine] == ["cancelled", "cancelled"]
    assert stored(stack, other)["status"] == "pending"
    assert stack.get("/api/accounts/1").json()["cancel_after"] is None  # it ran out: disarmed
    assert stack.stored_items("SWITCH#") == []
    assert audit_matches(stack)


def test_re_arming_moves_the_deadline_and_zero_disarms(stack: Deployed, monkeypatch: pytest.MonkeyPatch) -> None:
    placed = create(stack)["id"]

    first = stack.post("/api/accounts/1/cancel-after", json={"seconds": 5}).json()["cancel_after"]
    second = stack.post("/api/accounts/1/cancel-after", json={"seconds": 60}).json()["cancel_after"]
    monkeypatch.setattr(cancel_after, "utc_now", lambda: utc_now() + timedelta(seconds=10))
    stack.invoke("ProcessAllFunction", SCHEDULE)  # past the first deadline, not the second
    kept = stored(stack, placed)["status"]
    off = stack.post("/api/accounts/1/cancel-after", json={"seconds": 0}).json()

    assert second > first
    assert kept == "pending"
    assert off == {"account_id": 1, "cancel_after": None}
    assert stack.stored_items("SWITCH#") == []


@pytest.mark.parametrize("seconds", [3, 86401, -5, 1.5, "60", True, None])
def test_a_switch_outside_5_seconds_to_a_day_is_400(stack: Deployed, seconds: Any) -> None:
    assert_error(stack.post("/api/accounts/1/cancel-after", json={"seconds": seconds}), 400, "VALIDATION_ERROR")

    assert stack.get("/api/accounts/1").json()["cancel_after"] is None
    assert_error(stack.post("/api/accounts/999999/cancel-after", json={"seconds": 5}), 404, "ACCOUNT_NOT_FOUND")
