"""`make run` with its schedule on and prices moved through `/_local/prices`: the order types as a
trader tries them by hand, over real HTTP, nothing called but the public API and the local route."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from localdev.template import ROOT
from tests.e2e.test_local_server import running_server
from tests.support.http import Client

pytestmark = pytest.mark.e2e

WAIT_SECONDS = 30


@pytest.fixture(scope="module")
def desk() -> Iterator[Client]:
    with running_server("--schedule-seconds", "1") as (client, _):
        yield client


def set_prices(desk: Client, **prices: int | str) -> None:
    status, _, table = desk.call("PUT", "/_local/prices", json.dumps(prices))
    assert status == 200, table
    assert all(Decimal(table[symbol]) == Decimal(price) for symbol, price in prices.items())


def create(desk: Client, **order: Any) -> dict[str, Any]:
    body = {"account_id": 1, "symbol": "BTC", "name": "e2e", "side": "buy", **order}
    status, _, created = desk.call("POST", "/api/orders/create", json.dumps(body))
    assert status == 201, created
    return dict(created)


def read(desk: Client, order_id: int) -> dict[str, Any]:
    return dict(desk.call("GET", f"/api/orders/order/{order_id}")[2])


def eventually(desk: Client, order_id: int, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The order once ``done`` holds for it (the schedule runs every second)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not done(order := read(desk, order_id)):
        assert time.monotonic() < deadline, order
        time.sleep(0.3)
    return order


def reserved_cash(desk: Client, account_id: int = 1) -> Decimal:
    return Decimal(str(desk.call("GET", f"/api/accounts/{account_id}")[2]["reserved_cash"]))


def test_prices_are_read_and_changed_and_bad_tables_refused(desk: Client) -> None:
    status, _, table = desk.call("GET", "/_local/prices")
    assert status == 200 and set(table) >= {"BTC", "ETH", "SOL"}

    set_prices(desk, SOL="151.5")
    for body in ['{"SOL": 0}', '{"SOL": "x"}', '{"S O L": 1}', "[]", "{}", "not json", '{"SOL": true}']:
        status, _, error = desk.call("PUT", "/_local/prices", body)
        assert (status, error["code"]) == (400, "VALIDATION_ERROR"), body
    assert Decimal(str(desk.call("GET", "/_local/prices")[2]["SOL"])) == Decimal("151.5")
    assert desk.call("DELETE", "/_local/prices")[0] == 405

    _, _, document = desk.call("GET", "/openapi.json")
    assert not any(path.startswith("/_local") for path in document["paths"])
    assert "/_local" not in (ROOT / "template.yaml").read_text()


def test_a_stop_sell_fills_when_the_price_falls_through_it(desk: Client) -> None:
    set_prices(desk, BTC=68500)
    stop = create(desk, side="sell", order_type="stop_market", trigger_price=67000, quantity=0.1)
    time.sleep(2)  # two schedule runs see it above its trigger
    assert read(desk, stop["id"])["status"] == "pending"

    set_prices(desk, BTC=66000)

    filled = eventually(desk, stop["id"], lambda order: order["status"] != "pending")
    assert filled["status"] == "filled" and filled["triggered_at"] is not None
    assert Decimal(str(filled["filled_price"])) <= Decimal(66000)


def test_a_take_profit_sell_fills_when_the_price_rises_to_it(desk: Client) -> None:
    set_prices(desk, ETH=3500)
    target = create(desk, symbol="ETH", side="sell", order_type="take_profit_market", trigger_price=4000, quantity=1)

    set_prices(desk, ETH=4100)

    assert eventually(desk, target["id"], lambda order: order["status"] != "pending")["status"] == "filled"


def test_a_trailing_stop_follows_the_price_up_and_fills_after_a_retracement(desk: Client) -> None:
    set_prices(desk, BTC=68000)
    trail = create(desk, side="sell", order_type="trailing_stop", trail_percent=5, quantity=0.1)
    assert Decimal(str(trail["trail_mark"])) == 68000

    set_prices(desk, BTC=70000)
    followed = eventually(desk, trail["id"], lambda order: Decimal(str(order["trail_mark"])) == 70000)
    assert Decimal(str(followed["stop_price"])) == 66500
    set_prices(desk, BTC=67000)  # down 4.3% from the high: not yet
    time.sleep(2)
    assert read(desk, trail["id"])["status"] == "pending"

    set_prices(desk, BTC=66400)

    assert eventually(desk, trail["id"], lambda order: order["status"] != "pending")["status"] == "filled"


def test_an_ioc_limit_that_is_not_marketable_ends_expired(desk: Client) -> None:
    before = reserved_cash(desk)

    order = create(desk, order_type="limit", price=1000, quantity=0.1, time_in_force="ioc", execute=True)

    assert order["status"] == "expired"
    assert reserved_cash(desk) == before


def test_a_gtd_order_expires_on_the_schedule(desk: Client) -> None:
    expire_at = datetime.now(UTC) + timedelta(seconds=3)
    order = create(
        desk, order_type="limit", price=1000, quantity=0.1, time_in_force="gtd", expire_at=expire_at.isoformat()
    )

    expired = eventually(desk, order["id"], lambda order: order["status"] != "pending")

    assert expired["status"] == "expired"
    assert Decimal(str(expired["reserved_cash"])) == 0


def test_an_amend_raises_a_limit_buys_reservation_by_the_difference(desk: Client) -> None:
    order = create(desk, order_type="limit", price=1000, quantity=1)
    before = reserved_cash(desk)

    status, headers, amended = desk.call(
        "PATCH", f"/api/orders/order/{order['id']}", '{"price": 1500}', headers={"If-Match": f'"{order["version"]}"'}
    )

    assert status == 200, amended
    raised = Decimal(str(amended["reserved_cash"])) - Decimal(str(order["reserved_cash"]))
    assert raised == Decimal("500.5")  # 500 more notional and its 0.1% commission
    assert reserved_cash(desk) == before + raised
    assert headers["ETag"] == f'"{amended["version"]}"'
    stale = desk.call(
        "PATCH", f"/api/orders/order/{order['id']}", '{"price": 900}', headers={"If-Match": f'"{order["version"]}"'}
    )
    assert (stale[0], stale[2]["code"]) == (412, "VERSION_MISMATCH")


def test_cancel_all_cancels_every_pending_order_of_the_account_in_one_call(desk: Client) -> None:
    placed = [create(desk, account_id=2, order_type="limit", price=1000 + n, quantity=0.1)["id"] for n in range(3)]

    status, _, result = desk.call("POST", "/api/orders/cancel-all", '{"account_id": 2}')

    assert status == 200
    assert set(placed) <= set(result["cancelled"])
    assert all(read(desk, order_id)["status"] == "cancelled" for order_id in placed)
    assert reserved_cash(desk, 2) == 0


def test_an_armed_dead_mans_switch_cancels_the_accounts_orders_when_it_runs_out(desk: Client) -> None:
    order = create(desk, account_id=3, symbol="SOL", order_type="limit", price=100, quantity=1)

    status, _, armed = desk.call("POST", "/api/accounts/3/cancel-after", '{"seconds": 5}')

    assert status == 200 and armed["cancel_after"] is not None
    assert desk.call("GET", "/api/accounts/3")[2]["cancel_after"] == armed["cancel_after"]
    assert read(desk, order["id"])["status"] == "pending"
    cancelled = eventually(desk, order["id"], lambda order: order["status"] != "pending")
    assert cancelled["status"] == "cancelled"
    assert desk.call("GET", "/api/accounts/3")[2]["cancel_after"] is None


def timeline(desk: Client, order_id: int) -> list[dict[str, Any]]:
    status, _, events = desk.call("GET", f"/api/orders/order/{order_id}/events")
    assert status == 200, events
    return list(events)


def published(desk: Client, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the local bus received of ``events`` (waits for the stream reader, which polls)."""
    wanted = [event["event_id"] for event in events]
    deadline = time.monotonic() + 10
    while True:
        status, _, on_bus = desk.call("GET", "/_local/events")
        assert status == 200
        found = {event["detail"]["event_id"]: event for event in on_bus}
        if all(event_id in found for event_id in wanted) or time.monotonic() > deadline:
            return [found[event_id] for event_id in wanted if event_id in found]
        time.sleep(0.2)


def open_funded_account(desk: Client) -> int:
    status, _, account = desk.call("POST", "/api/accounts", json.dumps({"user_id": 7, "initial_deposit": 1000000}))
    assert status == 201, account
    return int(account["account_id"])


def test_a_market_buy_of_three_and_a_half_btc_fills_at_four_levels(desk: Client) -> None:
    set_prices(desk, BTC=68500)
    account_id = open_funded_account(desk)

    order = create(desk, account_id=account_id, order_type="market", quantity=3.5, execute=True)

    assert order["status"] == "filled" and order["fills_count"] == 4
    # asks 68506.85, 68513.7, 68520.55 (1 BTC each) and 0.5 at 68527.4: 239804.8 / 3.5
    assert Decimal(str(order["average_fill_price"])) == Decimal("68515.65714286")
    assert Decimal(str(order["filled_quantity"])) == Decimal("3.5") and order["remaining_quantity"] == 0
    assert reserved_cash(desk, account_id) == 0
    status, _, fills = desk.call("GET", f"/api/orders/order/{order['id']}/fills")
    assert status == 200
    levels = [(fill["liquidity_level"], Decimal(str(fill["price"])), Decimal(str(fill["quantity"]))) for fill in fills]
    assert levels == [
        (1, Decimal("68506.85"), 1), (2, Decimal("68513.7"), 1), (3, Decimal("68520.55"), 1),
        (4, Decimal("68527.4"), Decimal("0.5")),
    ]  # fmt: skip
    assert desk.call("GET", f"/api/accounts/{account_id}/fills?limit=10")[2] == fills[::-1]  # newest first
    events = timeline(desk, order["id"])
    assert [(e["kind"], e["order_version"]) for e in events] == [("created", 1), ("filled", 2)]
    assert events[1]["changes"]["fills_count"] == {"from": 0, "to": 4}
    on_bus = published(desk, events)
    assert [(e["detail-type"], e["detail"]["event_id"]) for e in on_bus] == [(e["kind"], e["event_id"]) for e in events]
    assert on_bus[1]["detail"]["order"]["fills_count"] == 4 and on_bus[1]["source"] == "hyperoru.orders"


def test_a_gtc_limit_larger_than_the_depth_completes_when_the_market_moves(desk: Client) -> None:
    set_prices(desk, BTC=68500)
    account_id = open_funded_account(desk)
    # 12 BTC at most 68600: the ten asks (68506.85 to 68568.5, 1 BTC each) fill 10
    order = create(desk, account_id=account_id, order_type="limit", price=68600, quantity=12, execute=True)
    assert (order["status"], Decimal(str(order["filled_quantity"]))) == ("partially_filled", 10)
    assert Decimal(str(order["remaining_quantity"])) == 2 and Decimal(str(order["reserved_cash"])) > 0

    set_prices(desk, BTC=68000)

    done = eventually(desk, order["id"], lambda order: order["status"] != "partially_filled")
    assert (done["status"], Decimal(str(done["filled_quantity"])), done["fills_count"]) == ("filled", 12, 12)
    assert reserved_cash(desk, account_id) == 0
    events = timeline(desk, order["id"])
    assert [e["kind"] for e in events] == ["created", "partially_filled", "filled"]
    assert events[1]["changes"]["filled_quantity"] == {"from": 0, "to": 10} and events[1]["actor"]["kind"] == "user"
    assert events[2]["changes"]["filled_quantity"] == {"from": 10, "to": 12} and events[2]["actor"]["kind"] == "queue"
    on_bus = published(desk, events)
    assert [e["detail"]["event_id"] for e in on_bus] == [e["event_id"] for e in events]
    assert [e["detail"]["order"]["status"] for e in on_bus] == ["pending", "partially_filled", "filled"]


def test_an_ioc_larger_than_the_depth_fills_what_there_is_and_releases_the_rest(desk: Client) -> None:
    set_prices(desk, BTC=68500)
    account_id = open_funded_account(desk)

    order = create(
        desk, account_id=account_id, order_type="limit", price=68600, quantity=12, time_in_force="ioc", execute=True
    )

    assert (order["status"], Decimal(str(order["filled_quantity"]))) == ("filled", 10)
    assert Decimal(str(order["reserved_cash"])) == 0 and reserved_cash(desk, account_id) == 0
    events = timeline(desk, order["id"])
    assert [e["kind"] for e in events] == ["created", "filled"]
    assert events[1]["changes"]["reserved_cash"]["to"] == 0 and events[1]["changes"]["filled_quantity"]["to"] == 10
    assert [e["detail-type"] for e in published(desk, events)] == ["created", "filled"]
