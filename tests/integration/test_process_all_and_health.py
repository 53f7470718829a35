"""POST /api/orders/process-all and GET /api/orders/health."""

from __future__ import annotations

from decimal import Decimal

import boto3
import pytest

from orders_common.exchange.prices import StaticPriceSource
from tests.support.api import assert_error
from tests.support.stack import Deployed


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
    stack.create_order()
    stack.create_order()
    done = stack.create_order()
    stack.post(f"/api/orders/cancel/{done['id']}")

    response = stack.get("/api/orders/health")

    assert response.status == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["statistics"]["pending_orders"] == 2


def test_health_is_503_unhealthy_when_the_table_is_unreachable(
    stack: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    boto3.client("dynamodb").delete_table(TableName=stack.table_name)

    response = stack.get("/api/orders/health")

    body = assert_error(response, 503, "STORE_UNAVAILABLE")
    assert body["status"] == "unhealthy"
