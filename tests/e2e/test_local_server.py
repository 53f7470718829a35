"""`make run`'s server over real HTTP: the seed's curl examples, as written, host swapped."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest

from localdev.stack import free_port
from localdev.template import ROOT
from tests.support.http import Client
from tests.support.ports import run_on_a_taken_port

pytestmark = pytest.mark.e2e


def start_server(port: int, *options: str, preexec_fn: Callable[[], object] | None = None) -> subprocess.Popen[str]:
    # The server's output goes to a file: a pipe nobody reads fills up (64 KiB of log lines) and then
    # blocks the server in the middle of a request.
    output = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - lives as long as the process
    # Never the developer's .local/state.json: a test passes --state with a file of its own to persist.
    state = [] if "--state" in options else ["--no-state"]
    process = subprocess.Popen(
        [sys.executable, "-m", "localdev", "--port", str(port), "--quiet", *state, *options],
        cwd=ROOT,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=preexec_fn,  # noqa: PLW1509 - only to start it as a background job would be
    )
    process.output = output  # type: ignore[attr-defined]
    return process


def server_output(server: subprocess.Popen[str]) -> str:
    output = server.output  # type: ignore[attr-defined]
    output.seek(0)
    text: str = output.read()
    return text


def wait_until_serving(client: Client, server: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"server exited early:\n{server_output(server)}")
        try:
            if client.call("GET", "/api/orders/health")[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError("server did not answer in time")


@contextmanager
def running_server(
    *options: str, stop: signal.Signals = signal.SIGINT
) -> Iterator[tuple[Client, subprocess.Popen[str]]]:
    """The server on a free port for the block, then stopped with Ctrl-C (or ``stop``), which must end it
    cleanly."""
    port = free_port()
    process = start_server(port, *options)
    client = Client(f"http://127.0.0.1:{port}")
    try:
        wait_until_serving(client, process)
        yield client, process
    finally:
        process.send_signal(stop)
        try:
            assert process.wait(timeout=30) == 0, server_output(process)
        except subprocess.TimeoutExpired:
            process.kill()
            raise


@pytest.fixture(scope="module")
def server() -> Iterator[Client]:
    port = free_port()
    process = start_server(port)
    client = Client(f"http://127.0.0.1:{port}")
    try:
        wait_until_serving(client, process)
        yield client
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def test_seed_examples_over_http(server: Client) -> None:
    # curl -X POST .../api/orders/create -H "Content-Type: application/json" -d '{...}'
    status, _, order = server.call(
        "POST",
        "/api/orders/create",
        '{"account_id": 1, "symbol": "BTC", "name": "Long BTC", "side": "buy", "order_type": "market", '
        '"quantity": 0.01}',
    )
    assert status == 201
    assert {"account_id": 1, "symbol": "BTC", "side": "buy", "order_type": "market", "status": "pending"}.items() <= (
        order.items()
    )
    assert order["quantity"] == Decimal("0.01")
    order_id = order["id"]
    _, _, account_before = server.call("GET", "/api/accounts/1")

    # curl .../api/orders/pending
    status, _, pending = server.call("GET", "/api/orders/pending")
    assert status == 200
    assert {
        "id": order_id,
        "symbol": "BTC",
        "side": "buy",
        "status": "pending",
        "quantity": Decimal("0.01"),
    }.items() <= (next(o for o in pending if o["id"] == order_id).items())

    # curl .../api/orders/user/1 and .../api/orders/account/1
    for path in ("/api/orders/user/1", "/api/orders/account/1"):
        status, _, orders = server.call("GET", path)
        assert status == 200
        assert order_id in [o["id"] for o in orders]

    # curl -X POST .../api/orders/execute/42
    status, _, executed = server.call("POST", f"/api/orders/execute/{order_id}")
    assert status == 200
    assert {"status": "ok", "order_id": order_id, "execution_status": "filled"}.items() <= executed.items()
    assert executed["filled_price"] > 0

    # the account moved by exactly the fill: cash by price x quantity + commission, BTC by the quantity
    _, _, account_after = server.call("GET", "/api/accounts/1")
    cost = executed["filled_price"] * executed["filled_quantity"] + executed["commission"]
    assert account_after["cash"] == account_before["cash"] - cost
    btc_before = next(p for p in account_before["positions"] if p["symbol"] == "BTC")
    btc_after = next(p for p in account_after["positions"] if p["symbol"] == "BTC")
    assert btc_after["quantity"] == btc_before["quantity"] + Decimal("0.01")

    # curl .../api/orders/order/42
    status, _, details = server.call("GET", f"/api/orders/order/{order_id}")
    assert status == 200
    assert details["status"] == "filled"
    assert details["name"] == "Long BTC"
    assert details["filled_price"] > 0
    assert details["executed_at"].endswith("Z")

    # curl -X POST .../api/orders/cancel/42 (on a fresh pending order)
    _, _, second = server.call(
        "POST",
        "/api/orders/create",
        '{"account_id": 1, "symbol": "ETH", "name": "Buy ETH", "side": "buy", "order_type": "limit", "price": 3000, '
        '"quantity": 1}',
    )
    status, _, cancelled = server.call("POST", f"/api/orders/cancel/{second['id']}")
    assert status == 200
    assert {"status": "ok", "order_id": second["id"]}.items() <= cancelled.items()

    # curl -X POST .../api/orders/process-all
    server.call(
        "POST",
        "/api/orders/create",
        '{"account_id": 2, "symbol": "SOL", "name": "SOL", "side": "buy", "order_type": "market", "quantity": 2}',
    )
    status, _, processed = server.call("POST", "/api/orders/process-all")
    assert status == 200
    assert {"processed", "succeeded", "failed"} <= set(processed)
    assert processed["succeeded"] >= 1

    # curl .../api/orders/health
    status, _, health = server.call("GET", "/api/orders/health")
    assert status == 200
    # degraded (still 200) until the schedule's first run, a minute after the start: it has no heartbeat yet
    assert health["status"] in ("ok", "degraded")
    assert set(health["degraded_reasons"]) <= {"schedule_not_running"}
    assert isinstance(health["statistics"]["pending_orders"], int)


def test_errors_over_http_have_the_error_shape(server: Client) -> None:
    status, headers, body = server.call("POST", "/api/orders/create", '{"account_id": 1}')

    assert status == 400
    assert body["code"] == "VALIDATION_ERROR"
    assert body["request_id"] == headers["Apigw-Requestid"]
    assert {d["field"] for d in body["details"]} >= {"symbol", "quantity", "side"}


def test_a_taken_port_is_reported_clearly() -> None:
    port, result = run_on_a_taken_port("localdev")

    assert result.returncode == 2
    assert f"Port {port}" in result.stderr
    assert "already in use" in result.stderr
    assert f"make run PORT={port + 1}" in result.stderr  # what make users can pass, and python -m users
    assert f"--port {port + 1}" in result.stderr


def test_the_start_message_says_prices_auth_the_schedule_and_the_demo_balances() -> None:
    with running_server() as (_, process):
        shown = server_output(process)

    assert "Prices: static, BTC 68500, ETH 3500, SOL 150" in shown
    assert "Auth: off" in shown
    assert "Schedule: process-all runs every 60 s: it fills by itself every pending order" in shown
    assert 'Demo: account 1 (user 1, "Main"): 100000 cash, 1.5 BTC, 10 ETH;' in shown


def test_without_seed_or_schedule_it_says_so_and_health_expects_no_schedule() -> None:
    with running_server("--no-seed", "--no-schedule") as (client, process):
        shown = server_output(process)
        account = client.call("GET", "/api/accounts/1")
        health = client.call("GET", "/api/orders/health")[2]

    assert "Demo:" not in shown
    assert "Accounts: none (--no-seed)" in shown
    assert "Schedule: off (--no-schedule)" in shown
    assert "every 60 s" not in shown
    assert account[0] == 404
    assert (health["status"], health["degraded_reasons"]) == ("ok", [])  # ProcessAllScheduleEnabled=false


def test_ctrl_c_while_starting_stops_it_even_with_sigint_ignored() -> None:
    # The handlers are set first thing, not once serving: a script that gives up during the start-up
    # (a background job: SIGINT inherited ignored) stops it with Ctrl-C semantics.
    port = free_port()
    process = start_server(port, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    deadline = time.monotonic() + 30
    while "Starting the orders API" not in server_output(process) and time.monotonic() < deadline:
        time.sleep(0.05)

    process.send_signal(signal.SIGINT)

    assert process.wait(timeout=30) == 0
    assert "Orders API on" not in server_output(process)  # stopped before it served


def test_ctrl_c_stops_the_server_cleanly() -> None:
    port = free_port()
    process = start_server(port)
    wait_until_serving(Client(f"http://127.0.0.1:{port}"), process)

    process.send_signal(signal.SIGINT)

    assert process.wait(timeout=15) == 0
    restarted = start_server(port)  # the port is free again at once
    try:
        wait_until_serving(Client(f"http://127.0.0.1:{port}"), restarted)
    finally:
        restarted.send_signal(signal.SIGINT)
        assert restarted.wait(timeout=15) == 0


def test_the_schedule_fills_a_pending_order_without_any_call() -> None:
    port = free_port()
    process = start_server(port, "--schedule-seconds", "1")
    client = Client(f"http://127.0.0.1:{port}")
    try:
        wait_until_serving(client, process)
        _, _, order = client.call(
            "POST",
            "/api/orders/create",
            '{"account_id": 2, "symbol": "ETH", "name": "DCA", "side": "buy", "order_type": "market", "quantity": 1}',
        )
        deadline = time.monotonic() + 30
        status = "pending"
        while status == "pending" and time.monotonic() < deadline:
            time.sleep(0.3)
            status = client.call("GET", f"/api/orders/order/{order['id']}")[2]["status"]
        assert status == "filled"
        _, _, account = client.call("GET", "/api/accounts/2")
        assert next(p for p in account["positions"] if p["symbol"] == "ETH")["quantity"] == 1
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_server_started_with_sigint_ignored_still_stops_cleanly(stop: signal.Signals) -> None:
    # A shell's background job inherits SIGINT ignored; the server must stop on Ctrl-C and SIGTERM anyway.
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "localdev", "--port", str(port), "--quiet", "--no-state"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # noqa: PLW1509 - the point of the test
    )
    wait_until_serving(Client(f"http://127.0.0.1:{port}"), process)

    process.send_signal(stop)

    assert process.wait(timeout=15) == 0


def test_order_events_are_published_and_listed_locally(server: Client) -> None:
    created = (
        '{"account_id": 1, "symbol": "SOL", "name": "Events", "side": "buy", "order_type": "market", "quantity": 1}'
    )
    _, _, order = server.call("POST", "/api/orders/create", created)
    assert server.call("POST", f"/api/orders/execute/{order['id']}")[0] == 200
    wanted = [("created", f"{order['id']}-1-1"), ("filled", f"{order['id']}-2-1")]

    deadline = time.monotonic() + 20
    seen: list[tuple[str, str]] = []
    while time.monotonic() < deadline:
        status, _, events = server.call("GET", "/_local/events")
        assert status == 200
        seen = [(e["detail-type"], e["detail"]["event_id"]) for e in events if e["detail"]["order_id"] == order["id"]]
        if seen == wanted:
            break
        time.sleep(0.2)
    assert seen == wanted
    filled = next(e for e in events if e["detail"]["event_id"] == wanted[1][1])
    assert filled["source"] == "hyperoru.orders"
    assert filled["detail"]["order"]["status"] == "filled"
    assert filled["detail"]["order"]["quantity"] == Decimal("1")  # exact numbers, as the API writes them
    assert server.call("POST", "/_local/events")[0] == 405
    assert "/_local/events" not in str(server.call("GET", "/openapi.json")[2]["paths"])
