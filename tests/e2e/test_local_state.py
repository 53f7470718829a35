"""`make run` keeps its state across restarts: stopped with SIGTERM, started again, the desk is as it was."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from localdev.persistence import load
from localdev.stack import free_port
from localdev.template import ROOT
from tests.e2e.test_local_server import running_server, server_output, start_server, wait_until_serving
from tests.support.http import Client

pytestmark = pytest.mark.e2e


def serving(state: Path, *options: str) -> AbstractContextManager[tuple[Client, subprocess.Popen[str]]]:
    """The server with this state file, stopped with SIGTERM (as a script stops a background server)."""
    return running_server("--state", str(state), "--save-seconds", "0", *options, stop=signal.SIGTERM)


def start(state: Path) -> subprocess.CompletedProcess[str]:
    """A server that is expected to refuse to start."""
    return subprocess.run(
        [sys.executable, "-m", "localdev", "--port", str(free_port()), "--state", str(state)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def ok(client: Client, method: str, path: str, body: str | None = None) -> Any:
    status, _, answer = client.call(method, path, body)
    assert status in (200, 201), (status, answer)
    return answer


def desk(client: Client, order_ids: list[int]) -> dict[str, Any]:
    return {
        "orders": [ok(client, "GET", f"/api/orders/order/{order_id}") for order_id in order_ids],
        # valued_at is when the prices were read: the one figure of an account a restart changes.
        "account": {**ok(client, "GET", "/api/accounts/1"), "valued_at": None},
        "ledger": ok(client, "GET", "/api/accounts/1/ledger"),
        "listed": ok(client, "GET", "/api/orders/account/1"),
    }


LIMIT = (
    '{"account_id": 1, "symbol": "BTC", "name": "Rests", "side": "buy", "order_type": "limit", "price": 1000, '
    '"quantity": 0.01}'
)
MARKET = '{"account_id": 1, "symbol": "ETH", "name": "Fills", "side": "buy", "order_type": "market", "quantity": 0.5}'


def test_orders_balances_and_ledger_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with serving(state) as (client, process):
        resting = ok(client, "POST", "/api/orders/create", LIMIT)
        filled = ok(client, "POST", "/api/orders/create", MARKET)
        assert ok(client, "POST", f"/api/orders/execute/{filled['id']}")["execution_status"] == "filled"
        before = desk(client, [resting["id"], filled["id"]])
        second = start(state)  # a second server on the same file would overwrite this one's state
        assert second.returncode == 2
        assert f"{state} is in use by another local server (process {process.pid})" in second.stderr
    assert "fresh start with the demo data (nothing saved at" in server_output(process)
    assert "Saved 2 orders, 3 accounts" in server_output(process)
    assert json.loads(state.read_text())["version"] == 1

    with serving(state) as (client, process):
        after = desk(client, [resting["id"], filled["id"]])
        new = ok(client, "POST", "/api/orders/create", LIMIT)
        assert "State: restored 2 orders, 3 accounts" in server_output(process)
        assert f"from {state} (saved at 20" in server_output(process)

    assert after == before
    assert before["orders"][0]["status"] == "pending"
    assert before["ledger"]  # the demo deposit and the fill at least
    # The id counter was restored with the table: the next order has an id of its own.
    assert new["id"] > max(resting["id"], filled["id"])

    # FRESH=1: the demo data again, the saved orders gone; the stop replaces the saved state.
    with serving(state, "--fresh") as (client, process):
        assert client.call("GET", f"/api/orders/order/{resting['id']}")[0] == 404
        assert ok(client, "GET", "/api/accounts/1")["cash"] == 100000
        assert ok(client, "GET", "/api/orders/account/1") == []
        assert "State: fresh start with the demo data (--fresh)" in server_output(process)
    assert "Saved 0 orders, 3 accounts" in server_output(process)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("{not json", "is not valid JSON"),
        ('{"format": "hyperoru-localdev-state", "version": 99}', "format version 99"),
    ],
)
def test_a_state_file_that_cannot_be_used_is_refused_clearly(tmp_path: Path, text: str, said: str) -> None:
    state = tmp_path / "state.json"
    state.write_text(text)

    result = start(state)

    assert result.returncode == 2
    assert said in result.stderr
    assert "make run FRESH=1" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert state.read_text() == text  # left as it was


def test_a_closed_terminal_saves_too(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    port = free_port()
    process = start_server(port, "--state", str(state), "--save-seconds", "0")
    try:
        wait_until_serving(Client(f"http://127.0.0.1:{port}"), process)
        process.send_signal(signal.SIGHUP)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert "Saved 0 orders, 3 accounts" in server_output(process)
    assert load(state) is not None


def test_a_crash_loses_only_what_came_after_the_last_periodic_save(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    port = free_port()
    process = start_server(port, "--state", str(state), "--save-seconds", "0.5")
    try:
        client = Client(f"http://127.0.0.1:{port}")
        wait_until_serving(client, process)
        order = ok(client, "POST", "/api/orders/create", LIMIT)
        deadline = time.monotonic() + 20
        while not ((saved := load(state)) and saved.describe().startswith("1 order")):
            assert time.monotonic() < deadline, "no periodic save with the order"
            time.sleep(0.2)
    finally:
        process.kill()  # no clean stop: only the periodic saves count
        process.wait(timeout=15)

    with serving(state) as (client, _):
        assert ok(client, "GET", f"/api/orders/order/{order['id']}") == order
