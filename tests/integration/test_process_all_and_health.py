"""POST /api/orders/process-all and GET /api/orders/health."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import boto3
import pytest

import orders_common.dal.order_moves as order_moves_module
import orders_common.logic.create_order as create_order_module
from localdev.fake_hyperliquid import Reply, Script
from localdev.template import ROOT
from orders_common.exchange.prices import StaticPriceSource
from orders_common.models.numbers import utc_now
from orders_common.wiring import reset_services
from tests.support.api import SEED_BODY, assert_error
from tests.support.prices import hyperliquid_prices
from tests.support.stack import Deployed

SCHEDULE = json.loads((ROOT / "events" / "process_all.schedule.json").read_text())


def test_seed_example_processes_every_pending_order(stack: Deployed) -> None:
    filled = [stack.create_order()["id"] for _ in range(3)]
    resting = stack.create_order(order_type="limit", price=Decimal("50000"))

    response = stack.post("/api/orders/process-all")

    assert response.status == 200
    assert response.json() == {
        "processed": 4,
        "succeeded": 3,
        "failed": 0,
        "skipped": 1,
        "expired": 0,
        "queued": 0,
        "deferred": 0,
    }
    statuses = {order_id: stack.get(f"/api/orders/order/{order_id}").json()["status"] for order_id in filled}
    assert set(statuses.values()) == {"filled"}
    assert stack.get(f"/api/orders/order/{resting['id']}").json()["status"] == "pending"


def test_process_all_counts_rejections_as_failed(stack: Deployed) -> None:
    stack.create_order()
    stack.create_order(account_id=2, quantity=Decimal("0.7"))
    stack.services.prices = StaticPriceSource({"BTC": Decimal("75000")})  # account 2 can no longer pay

    body = stack.post("/api/orders/process-all").json()

    assert (body["processed"], body["succeeded"], body["failed"]) == (2, 1, 1)


def test_process_all_with_nothing_pending(stack: Deployed) -> None:
    body = stack.post("/api/orders/process-all").json()

    assert body == {"processed": 0, "succeeded": 0, "failed": 0, "skipped": 0, "expired": 0, "queued": 0, "deferred": 0}


def test_health_reports_pending_orders(stack: Deployed) -> None:
    stack.create_order(order_type="limit", price=Decimal("50000"))
    stack.create_order(order_type="limit", price=Decimal("50000"))
    done = stack.create_order()
    stack.post(f"/api/orders/cancel/{done['id']}")
    stack.invoke("ProcessAllFunction", SCHEDULE)  # its heartbeat: the schedule runs

    response = stack.get("/api/orders/health")

    assert response.status == 200
    body = response.json()
    assert (body["status"], body["degraded_reasons"]) == ("ok", [])
    statistics = body["statistics"]
    assert statistics["pending_orders"] == 2
    assert 0 <= statistics["oldest_pending_age_seconds"] < 60
    assert (statistics["stuck_executing_orders"], statistics["dead_letter_messages"]) == (0, 0)
    assert statistics["schedule_last_run_at"] is not None


def test_health_says_degraded_until_the_schedule_first_runs(stack: Deployed) -> None:
    before = stack.get("/api/orders/health").json()

    stack.invoke("ProcessAllFunction", SCHEDULE)
    after = stack.get("/api/orders/health").json()

    assert (before["status"], before["degraded_reasons"]) == ("degraded", ["schedule_not_running"])
    assert (after["status"], after["degraded_reasons"]) == ("ok", [])


def test_health_is_degraded_by_an_old_pending_order_and_a_stuck_one(
    stack: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack.invoke("ProcessAllFunction", SCHEDULE)
    long_ago = utc_now() - timedelta(minutes=16)
    with monkeypatch.context() as scoped:
        scoped.setattr(create_order_module, "utc_now", lambda: long_ago)
        stale = stack.create_order(order_type="limit", price=Decimal("50000"))
        claimed = stack.create_order(order_type="limit", price=Decimal("50000"))
    with monkeypatch.context() as scoped:  # claimed for a venue two minutes ago, never resolved
        scoped.setattr(order_moves_module, "utc_now", lambda: utc_now() - timedelta(minutes=2))
        order = stack.services.orders.get_order(claimed["id"])
        assert order is not None
        stack.services.order_writes.claim(order)

    body = stack.get("/api/orders/health").json()

    assert body["status"] == "degraded"  # still 200
    assert body["degraded_reasons"] == ["stale_pending_order", "orders_stuck_executing"]
    assert body["statistics"]["oldest_pending_age_seconds"] >= 16 * 60
    assert (body["statistics"]["pending_orders"], body["statistics"]["stuck_executing_orders"]) == (1, 1)

    stack.post(f"/api/orders/cancel/{stale['id']}")
    assert stack.get("/api/orders/health").json()["degraded_reasons"] == ["orders_stuck_executing"]


def test_health_counts_the_dead_letter_queue(stack: Deployed) -> None:
    stack.invoke("ProcessAllFunction", SCHEDULE)
    boto3.client("sqs").send_message(QueueUrl=stack.dead_letter_queue_url, MessageBody='{"order_id": 1}')

    response = stack.get("/api/orders/health")

    assert response.status == 200
    body = response.json()
    assert (body["status"], body["degraded_reasons"]) == ("degraded", ["dead_letter_queue_not_empty"])
    assert body["statistics"]["dead_letter_messages"] == 1


def test_health_is_503_unhealthy_when_the_table_is_unreachable(
    stack: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    boto3.client("dynamodb").delete_table(TableName=stack.table_name)

    response = stack.get("/api/orders/health")

    body = assert_error(response, 503, "STORE_UNAVAILABLE")
    assert body["status"] == "unhealthy"


@pytest.fixture
def priced_by_hyperliquid(stack: Deployed, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Deployed, Script]]:
    """Orders retry prices as a deployment does; the schedule has run (no other reason to degrade)."""
    with hyperliquid_prices(monkeypatch, max_attempts=3, timeout_seconds=5) as script:
        stack.invoke("ProcessAllFunction", SCHEDULE)
        yield stack, script


def test_health_asks_hyperliquid_for_every_price_at_once(priced_by_hyperliquid: tuple[Deployed, Script]) -> None:
    stack, script = priced_by_hyperliquid
    before = len(script.requests)

    body = stack.get("/api/orders/health").json()

    assert (body["status"], body["degraded_reasons"]) == ("ok", [])
    assert script.requests[before:] == [{"type": "allMids"}]


def test_health_is_degraded_not_unhealthy_when_prices_cannot_be_had(
    priced_by_hyperliquid: tuple[Deployed, Script],
) -> None:
    stack, script = priced_by_hyperliquid
    script.default = Reply(502, b"")
    before = len(script.requests)

    response = stack.get("/api/orders/health")

    assert response.status == 200
    assert (response.json()["status"], response.json()["degraded_reasons"]) == (
        "degraded",
        ["price_source_unavailable"],
    )
    assert len(script.requests) - before == 1  # one attempt: a monitor's poll never waits through retries
    assert_error(stack.post("/api/orders/create", json=SEED_BODY), 503, "EXCHANGE_UNAVAILABLE")  # as it warned


def test_a_venue_that_does_not_answer_makes_health_degraded_not_slow(
    priced_by_hyperliquid: tuple[Deployed, Script],
) -> None:
    stack, script = priced_by_hyperliquid
    script.replies = [Reply.mids({"BTC": "68500"}, delay=3.0)]  # orders would wait PRICE_TIMEOUT_SECONDS (5)

    started = time.monotonic()
    body = stack.get("/api/orders/health").json()

    assert time.monotonic() - started < 2.0
    assert body["degraded_reasons"] == ["price_source_unavailable"]


def test_static_prices_left_empty_degrade_health(stack: Deployed, monkeypatch: pytest.MonkeyPatch) -> None:
    stack.invoke("ProcessAllFunction", SCHEDULE)
    monkeypatch.setenv("STATIC_PRICES", "")
    reset_services()

    body = stack.get("/api/orders/health").json()

    assert (body["status"], body["degraded_reasons"]) == ("degraded", ["price_source_unavailable"])
