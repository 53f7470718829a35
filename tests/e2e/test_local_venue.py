"""`make run ARGS="--exchange fake-hyperliquid"` over real HTTP: the server on the local Hyperliquid stand-in, its
mids moved through `/_local/prices`, its faults scheduled through `/_local/venue`, and the issue's done-when (a
market buy on the venue, a limit sell resting on it until the price crosses it, a timeout reconciled to one fill)."""

from __future__ import annotations

import json
import re
import signal
import socket
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import boto3
import pytest

from localdev.stack import free_port
from orders_common.models.messages import ExecutionMessage
from tests.e2e.test_local_server import running_server, server_output, start_server, wait_until_serving
from tests.support.http import Client

pytestmark = pytest.mark.e2e

# The functions give up on the venue after this; a timeout fault answers a second later.
VENUE_TIMEOUT = "0.5"
WAIT_SECONDS = 20
VENUE = ("--exchange", "fake-hyperliquid")


@dataclass
class Desk:
    client: Client
    output: str  # what the server printed when it started

    @property
    def moto_endpoint(self) -> str:
        found = re.search(r"moto at (http://127\.0\.0\.1:\d+)", self.output)
        assert found is not None, self.output
        return found.group(1)

    def venue(self) -> dict[str, Any]:
        status, _, document = self.client.call("GET", "/_local/venue")
        assert status == 200, document
        return dict(document)


@pytest.fixture(scope="module")
def desk() -> Iterator[Desk]:
    # No schedule run during the tests (each step is driven by hand); a short wait for the venue's answers.
    options = ("--schedule-seconds", "600", "--set", f"PRICE_TIMEOUT_SECONDS={VENUE_TIMEOUT}")
    with running_server(*VENUE, *options) as (client, process):
        yield Desk(client, server_output(process))


def ask_the_stand_in(url: str, request: dict[str, Any]) -> Any:
    """The stand-in's own /info, as the venue's clients read it."""
    sent = urllib.request.Request(
        f"{url}/info", data=json.dumps(request).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(sent, timeout=5) as answer:
        return json.loads(answer.read())


def test_the_start_message_names_the_stand_in_and_its_testnet_signing(desk: Desk) -> None:
    venue = desk.venue()

    assert f"the local Hyperliquid stand-in at {venue['url']} (testnet signing)" in desk.output
    assert "/_local/venue" in desk.output
    assert venue["network"] == "testnet" and venue["secret_arn"] in desk.output
    assert "private" not in desk.output.lower()  # the key stays in the secret


def test_prices_are_the_stand_ins_mids_and_put_moves_them(desk: Desk) -> None:
    status, _, table = desk.client.call("GET", "/_local/prices")
    assert status == 200 and {"BTC", "ETH", "SOL"} <= set(table)

    status, _, moved = desk.client.call("PUT", "/_local/prices", '{"SOL": 151.25}')
    _, _, shown = desk.client.call("GET", "/_local/prices")
    mids = ask_the_stand_in(desk.venue()["url"], {"type": "allMids"})

    assert status == 200 and moved["SOL"] == Decimal("151.25") and shown == moved
    assert Decimal(mids["SOL"]) == Decimal("151.25")  # what the functions' prices and books come from
    for body in ['{"SOL": 0}', '{"SOL": "x"}', "[]", "not json"]:
        assert desk.client.call("PUT", "/_local/prices", body)[0] == 400
    assert Decimal(ask_the_stand_in(desk.venue()["url"], {"type": "allMids"})["SOL"]) == Decimal("151.25")


def test_faults_are_scheduled_listed_and_cleared_and_bad_ones_refused(desk: Desk) -> None:
    status, _, scheduled = desk.client.call("POST", "/_local/venue", '{"fault": "fail_next", "status": 502}')
    assert status == 200
    assert scheduled["pending_faults"] == [{"fault": "fail_next", "status": 502}]

    for body in ['{"fault": "explode_next"}', '{"fault": "timeout_next", "delay": 0}', "{}", "not json"]:
        status, _, refused = desk.client.call("POST", "/_local/venue", body)
        assert (status, refused["code"]) == (400, "VALIDATION_ERROR"), body
    status, _, cleared = desk.client.call("DELETE", "/_local/venue")

    assert status == 200 and cleared["pending_faults"] == []
    assert desk.client.call("PUT", "/_local/venue", "{}")[0] == 405
    paths = desk.client.call("GET", "/openapi.json")[2]["paths"]
    assert not any(path.startswith("/_local") for path in paths)


def test_sigterm_stops_the_server_and_the_stand_in() -> None:
    port = free_port()
    process = start_server(port, *VENUE)
    client = Client(f"http://127.0.0.1:{port}")
    wait_until_serving(client, process)
    venue_port = int(client.call("GET", "/_local/venue")[2]["url"].rsplit(":", 1)[1])

    process.send_signal(signal.SIGTERM)

    assert process.wait(timeout=15) == 0
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", venue_port), timeout=2):
        pass


def create(desk: Desk, **order: Any) -> tuple[int, dict[str, Any]]:
    status, _, created = desk.client.call("POST", "/api/orders/create", json.dumps({"symbol": "BTC", **order}))
    return status, dict(created)


def read(desk: Desk, order_id: int) -> dict[str, Any]:
    return dict(desk.client.call("GET", f"/api/orders/order/{order_id}")[2])


def send_to_the_execution_queue(desk: Desk, order_id: int) -> None:
    """What the schedule does with an order claimed long ago without an outcome: the executor reconciles it."""
    sqs = boto3.client("sqs", endpoint_url=desk.moto_endpoint, region_name="us-east-1")
    queue_url = sqs.get_queue_url(QueueName="hyperoru-ExecutionQueue")["QueueUrl"]
    sqs.send_message(QueueUrl=queue_url, MessageBody=ExecutionMessage(order_id=order_id).model_dump_json())


def test_done_when_market_buy_resting_limit_sell_and_a_reconciled_timeout(desk: Desk) -> None:
    status, _, account = desk.client.call(
        "POST", "/api/accounts", '{"user_id": 41, "name": "Venue e2e", "initial_deposit": 100000}'
    )
    assert status == 201, account
    account_id = account["account_id"]
    venue = desk.venue()

    # A market buy executes on the venue: its network on the order, the venue's order id.
    status, bought = create(
        desk, account_id=account_id, name="buy", side="buy", order_type="market", quantity=0.01, execute=True
    )
    assert status == 201, bought
    assert bought["status"] == "filled", bought
    assert bought["exchange"] == "hyperliquid-testnet"
    assert str(bought["exchange_order_id"]).isdigit()
    fills = ask_the_stand_in(venue["url"], {"type": "userFills", "user": venue["account_address"]})
    assert [str(fill["oid"]) for fill in fills] == [bought["exchange_order_id"]]

    # A limit sell above the mid rests on the venue, and fills once the mid crosses it.
    mid = Decimal(str(desk.client.call("GET", "/_local/prices")[2]["BTC"]))
    limit = (mid * Decimal("1.01")).quantize(Decimal(1))
    status, resting = create(
        desk,
        account_id=account_id,
        name="sell",
        side="sell",
        order_type="limit",
        price=int(limit),
        quantity=0.01,
        execute=True,
    )
    assert status == 201, resting
    assert resting["status"] == "pending" and str(resting["exchange_order_id"]).isdigit(), resting
    assert [order["oid"] for order in desk.venue()["resting_orders"]] == [int(resting["exchange_order_id"])]
    assert desk.client.call("PUT", "/_local/prices", json.dumps({"BTC": int(limit) + 100}))[0] == 200
    deadline = time.monotonic() + WAIT_SECONDS
    while (sold := read(desk, resting["id"]))["status"] != "filled":
        assert time.monotonic() < deadline, sold
        assert desk.client.call("POST", "/api/orders/process-all")[0] == 200
        time.sleep(0.2)
    assert Decimal(str(sold["filled_price"])) == limit
    assert desk.venue()["resting_orders"] == []

    # The venue takes an order and its answer never arrives in time: 503, the order left executing, then
    # reconciled from the venue by its client order id to exactly one fill.
    assert desk.client.call("POST", "/_local/venue", '{"fault": "timeout_next"}')[0] == 200
    status, pending = create(
        desk, account_id=account_id, name="timeout", side="buy", order_type="market", quantity=0.01
    )
    assert status == 201, pending
    status, _, unavailable = desk.client.call("POST", f"/api/orders/execute/{pending['id']}")
    assert (status, unavailable["code"]) == (503, "EXCHANGE_UNAVAILABLE"), unavailable
    assert read(desk, pending["id"])["status"] == "executing"
    send_to_the_execution_queue(desk, pending["id"])
    deadline = time.monotonic() + WAIT_SECONDS
    while (settled := read(desk, pending["id"]))["status"] == "executing":
        assert time.monotonic() < deadline, settled
        time.sleep(0.2)
    assert settled["status"] == "filled", settled
    assert str(settled["exchange_order_id"]).isdigit()
    status, _, settled_fills = desk.client.call("GET", f"/api/orders/order/{pending['id']}/fills")
    assert status == 200 and len(settled_fills) == 1, settled_fills
    venue_fills = ask_the_stand_in(venue["url"], {"type": "userFills", "user": venue["account_address"]})
    assert len([fill for fill in venue_fills if str(fill["oid"]) == settled["exchange_order_id"]]) == 1
