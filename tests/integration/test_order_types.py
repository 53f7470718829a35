"""Orders as traders know them, through the API: time in force, expiry, stop and take-profit triggers,
trailing stops, notional buys, create-and-execute, list filters. Prices move with the local server's
price control, as ``PUT /_local/prices`` moves them."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from localdev.local_prices import AdjustablePrices, install_adjustable_prices
from tests.support.api import assert_error
from tests.support.stack import Deployed


@pytest.fixture
def prices(stack: Deployed) -> AdjustablePrices:
    installed = install_adjustable_prices()
    assert installed is not None
    return installed


def decimals(response: Any) -> Any:
    return json.loads(response.body, parse_float=Decimal)


def create(stack: Deployed, status: int = 201, **fields: Any) -> Any:
    body = {"account_id": 1, "symbol": "BTC", "name": "t", "side": "buy", "order_type": "market",
            "quantity": Decimal("0.01"), **fields}  # fmt: skip
    response = stack.post("/api/orders/create", json={k: v for k, v in body.items() if v is not None})
    assert response.status == status, response.body
    return decimals(response)


def execute(stack: Deployed, order_id: int) -> Any:
    response = stack.post(f"/api/orders/execute/{order_id}")
    assert response.status == 200, response.body
    return decimals(response)


def order(stack: Deployed, order_id: int) -> Any:
    return decimals(stack.get(f"/api/orders/order/{order_id}"))


def ledger(stack: Deployed, account_id: int = 1) -> list[dict[str, Any]]:
    return list(decimals(stack.get(f"/api/accounts/{account_id}/ledger", query={"limit": 1000})))


def audit_matches(stack: Deployed, account_id: int = 1) -> bool:
    return bool(stack.post(f"/api/accounts/{account_id}/audit").json()["matches"])


def later(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


# Time in force


def test_an_ioc_limit_that_is_not_marketable_expires_and_releases_its_reservation(stack: Deployed) -> None:
    before = stack.account(1)
    placed = create(stack, order_type="limit", price=Decimal(60000), time_in_force="ioc")

    result = execute(stack, placed["id"])

    assert (result["execution_status"], result["order_status"]) == ("expired", "expired")
    assert order(stack, placed["id"])["status"] == "expired"
    assert stack.account(1)["available_cash"] == before["available_cash"]
    released = [e for e in ledger(stack) if e["order_id"] == placed["id"] and e["type"] == "release"]
    assert [e["available_change"] for e in released] == [placed["reserved_cash"]]
    assert audit_matches(stack)


def test_a_fok_order_fills_whole_when_marketable_and_expires_otherwise(stack: Deployed) -> None:
    marketable = create(stack, order_type="limit", price=Decimal(70000), time_in_force="fok")
    not_marketable = create(
        stack, side="sell", symbol="ETH", order_type="limit", price=Decimal(4000), time_in_force="fok"
    )

    assert execute(stack, marketable["id"])["execution_status"] == "filled"
    assert execute(stack, not_marketable["id"])["execution_status"] == "expired"
    assert stack.position(1, "ETH")["reserved_quantity"] == 0  # type: ignore[index]


def test_create_with_execute_answers_the_order_after_its_first_attempt(stack: Deployed) -> None:
    filled = create(stack, execute=True)
    expired = create(stack, order_type="limit", price=Decimal(60000), time_in_force="ioc", execute=True)
    resting = create(stack, order_type="limit", price=Decimal(60000), execute=True)

    assert (filled["status"], filled["filled_quantity"]) == ("filled", Decimal("0.01"))
    assert expired["status"] == "expired"
    assert resting["status"] == "pending"  # a gtc limit the market has not reached rests


def test_a_gtd_order_executed_after_its_expiry_expires_instead_of_filling(stack: Deployed) -> None:
    placed = create(stack, time_in_force="gtd", expire_at=later(seconds=1))
    time.sleep(1.1)

    result = execute(stack, placed["id"])

    assert result["execution_status"] == "expired"
    assert stack.account(1)["reserved_cash"] == 0
    assert audit_matches(stack)


def test_the_schedule_sends_an_expired_gtd_order_to_be_expired(stack: Deployed) -> None:
    placed = create(stack, order_type="limit", price=Decimal(60000), time_in_force="gtd", expire_at=later(seconds=1))
    time.sleep(1.1)

    queued = stack.invoke("ProcessAllFunction", {"source": "aws.events", "detail-type": "Scheduled Event"})
    stack.drain_queue()

    assert queued["queued"] == 1  # a limit the market does not reach, sent only because it expired
    assert order(stack, placed["id"])["status"] == "expired"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"time_in_force": "gtd", "expire_at": "2020-01-01T00:00:00Z"}, "expire_at"),
        ({"time_in_force": "gtd", "expire_at": later(days=91)}, "expire_at"),
        ({"time_in_force": "gtd"}, "expire_at"),
        ({"expire_at": later(days=1)}, "expire_at"),
        ({"time_in_force": "gtd", "expire_at": "2030-01-01T00:00:00"}, "expire_at"),  # no time zone
        ({"time_in_force": "day"}, "time_in_force"),
    ],
    ids=["past", "beyond 90 days", "gtd without expiry", "expiry without gtd", "naive time", "unknown tif"],
)
def test_a_bad_expiry_is_400_and_stores_nothing(stack: Deployed, fields: dict[str, Any], field: str) -> None:
    response = stack.post("/api/orders/create", json={"account_id": 1, "symbol": "BTC", "name": "t", "side": "buy",
                                                       "order_type": "market", "quantity": 0.01, **fields})  # fmt: skip

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in {detail["field"] for detail in body["details"]}
    assert stack.stored_items("ORDER#") == []


# Triggers


def test_a_stop_sell_triggers_and_fills_when_the_price_falls_through_it(
    stack: Deployed, prices: AdjustablePrices
) -> None:
    placed = create(stack, side="sell", order_type="stop_market", trigger_price=Decimal(60000))
    assert placed["triggered_at"] is None

    untouched = execute(stack, placed["id"])
    prices.update({"BTC": Decimal(59000)})
    triggered = execute(stack, placed["id"])

    assert (untouched["execution_status"], untouched["order_status"]) == ("not_triggered", "pending")
    assert triggered["execution_status"] == "filled"
    assert triggered["filled_price"] < Decimal(59000)  # a market sell pays the slippage
    assert order(stack, placed["id"])["triggered_at"] is not None
    assert audit_matches(stack)


def test_a_take_profit_sell_fills_when_the_price_rises_to_it(stack: Deployed, prices: AdjustablePrices) -> None:
    placed = create(stack, side="sell", order_type="take_profit_market", trigger_price=Decimal(70000))

    assert execute(stack, placed["id"])["execution_status"] == "not_triggered"
    prices.update({"BTC": Decimal(70000)})
    assert execute(stack, placed["id"])["execution_status"] == "filled"


def test_a_stop_limit_buy_triggered_above_its_limit_rests_as_a_limit_order(
    stack: Deployed, prices: AdjustablePrices
) -> None:
    placed = create(stack, order_type="stop_limit", trigger_price=Decimal(70000), price=Decimal(70100))
    assert placed["reserved_cash"] == Decimal("701.701")  # the limit's cost and commission, no margin

    prices.update({"BTC": Decimal(70500)})  # through the trigger, past the limit
    first = execute(stack, placed["id"])
    prices.update({"BTC": Decimal(69000)})  # under the trigger again: it triggered already
    second = execute(stack, placed["id"])

    assert (first["execution_status"], order(stack, placed["id"])["triggered_at"] is not None) == ("open", True)
    assert second["execution_status"] == "filled"
    assert second["filled_price"] <= Decimal(70100)


def test_a_trailing_stop_follows_the_price_up_and_fills_after_a_retracement(
    stack: Deployed, prices: AdjustablePrices
) -> None:
    placed = create(stack, side="sell", order_type="trailing_stop", trail_percent=Decimal(5))
    assert (placed["trail_mark"], placed["stop_price"]) == (Decimal(68500), Decimal("65075.00"))
    schedule = {"source": "aws.events", "detail-type": "Scheduled Event"}

    prices.update({"BTC": Decimal(72000)})
    stack.invoke("ProcessAllFunction", schedule)  # the schedule keeps the mark
    followed = order(stack, placed["id"])
    prices.update({"BTC": Decimal(70000)})  # down 2.8%: not enough
    held = execute(stack, placed["id"])
    prices.update({"BTC": Decimal(68300)})  # down 5.1% from the high
    sold = execute(stack, placed["id"])

    assert (followed["trail_mark"], followed["stop_price"], followed["status"]) == (
        72000,
        Decimal("68400.00"),
        "pending",
    )
    assert held["execution_status"] == "not_triggered"
    assert order(stack, placed["id"])["trail_mark"] == 72000  # a lower price never lowers the mark
    assert sold["execution_status"] == "filled"


def test_a_trailing_buy_by_amount_follows_the_price_down(stack: Deployed, prices: AdjustablePrices) -> None:
    placed = create(stack, order_type="trailing_stop", trail_amount=Decimal(500))

    prices.update({"BTC": Decimal(67000)})
    assert execute(stack, placed["id"])["execution_status"] == "not_triggered"
    assert (order(stack, placed["id"])["trail_mark"], order(stack, placed["id"])["stop_price"]) == (67000, 67500)
    prices.update({"BTC": Decimal(67500)})
    assert execute(stack, placed["id"])["execution_status"] == "filled"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"order_type": "stop_market"}, "trigger_price"),
        ({"order_type": "market", "trigger_price": 60000}, "trigger_price"),
        ({"order_type": "stop_limit", "trigger_price": 60000}, "price"),
        ({"order_type": "stop_market", "trigger_price": 60000, "price": 60000}, "price"),
        ({"order_type": "limit", "price": 60000, "trail_percent": 5}, "trail_amount"),
        ({"order_type": "trailing_stop"}, "trail_amount"),
        ({"order_type": "trailing_stop", "trail_percent": 5, "trail_amount": 100}, "trail_amount"),
        ({"order_type": "trailing_stop", "trail_percent": 100}, "trail_percent"),
        ({"order_type": "stop_market", "trigger_price": "60000.05"}, "trigger_price"),  # finer than the tick
    ],
    ids=["stop without trigger", "market with trigger", "stop_limit without price", "stop_market with price",
         "trail on a limit", "trailing without trail", "both trails", "100 percent", "trigger below the tick"],
)  # fmt: skip
def test_bad_trigger_fields_are_400_and_store_nothing(stack: Deployed, fields: dict[str, Any], field: str) -> None:
    response = stack.post(
        "/api/orders/create",
        json={"account_id": 1, "symbol": "BTC", "name": "t", "side": "sell", "quantity": 0.01, **fields},
    )

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in {detail["field"] for detail in body["details"]}
    assert stack.stored_items("ORDER#") == []


# Notional buys


def test_a_notional_buy_spends_its_cash_in_whole_lots(stack: Deployed) -> None:
    placed = create(stack, quantity=None, quote_quantity=Decimal(1000))
    assert (placed["quantity"], placed["reserved_cash"]) == (None, Decimal("1001.000"))

    filled = execute(stack, placed["id"])

    price = filled["filled_price"]
    assert filled["filled_quantity"] == (Decimal(1000) / price).quantize(Decimal("0.00001"), rounding="ROUND_DOWN")
    assert price * filled["filled_quantity"] <= 1000
    assert stack.account(1)["reserved_cash"] == 0
    assert audit_matches(stack)


@pytest.mark.parametrize(
    "fields",
    [
        {"quote_quantity": 1000},  # and quantity
        {"quantity": None},  # neither
        {"quantity": None, "quote_quantity": 1000, "side": "sell"},
        {"quantity": None, "quote_quantity": 1000, "order_type": "limit", "price": 60000},
    ],
    ids=["both", "neither", "on a sell", "on a limit"],
)
def test_quote_quantity_only_on_market_buys_instead_of_quantity(stack: Deployed, fields: dict[str, Any]) -> None:
    body = {"account_id": 1, "symbol": "BTC", "name": "t", "side": "buy", "order_type": "market", "quantity": 0.01}
    response = stack.post("/api/orders/create", json={k: v for k, v in {**body, **fields}.items() if v is not None})

    assert_error(response, 400, "VALIDATION_ERROR")
    assert stack.stored_items("ORDER#") == []


# List filters


def test_every_order_list_filters_by_side_type_and_creation_time(stack: Deployed) -> None:
    buy = create(stack, order_type="limit", price=Decimal(60000))
    sell = create(stack, side="sell", order_type="limit", price=Decimal(90000))
    stop = create(stack, side="sell", order_type="stop_market", trigger_price=Decimal(50000))
    cut = stop["created_at"]

    def ids(path: str, **query: str) -> list[int]:
        response = stack.get(path, query=query)
        assert response.status == 200, response.body
        return [item["id"] for item in response.json()]

    for path in ("/api/orders/account/1", "/api/orders/user/1", "/api/orders/pending"):
        assert set(ids(path, side="sell")) == {sell["id"], stop["id"]}
        assert ids(path, order_type="stop_market") == [stop["id"]]
        assert ids(path, since=cut) == [stop["id"]]
        assert set(ids(path, until=cut)) == {buy["id"], sell["id"]}
    assert_error(stack.get("/api/orders/account/1", query={"since": cut, "until": cut}), 400, "VALIDATION_ERROR")
    assert_error(stack.get("/api/orders/account/1", query={"order_type": "iceberg"}), 400, "VALIDATION_ERROR")
