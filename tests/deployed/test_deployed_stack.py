"""A deployed stack answers as the local one does: health, create, read, execute or cancel."""

from __future__ import annotations

import json

from tests.support.http import Client


def test_health_answers(deployed: Client) -> None:
    status, _, body = deployed.call("GET", "/api/orders/health")

    assert status == 200
    # degraded is still an answer (admin figures over a threshold, e.g. a limit order resting for long)
    assert body["status"] in ("ok", "degraded"), body


def test_an_order_is_created_read_and_cancelled(deployed: Client, account_id: int) -> None:
    body = {"account_id": account_id, "symbol": "BTC", "name": "deployed tier", "side": "buy",
            "order_type": "limit", "price": 1000, "quantity": 0.001}  # fmt: skip

    status, _, order = deployed.call("POST", "/api/orders/create", json.dumps(body))
    assert status == 201, order
    assert order["status"] == "pending"

    status, _, read = deployed.call("GET", f"/api/orders/order/{order['id']}")
    assert (status, read["id"]) == (200, order["id"])

    status, _, cancelled = deployed.call("POST", f"/api/orders/cancel/{order['id']}")
    assert status == 200, cancelled
    assert cancelled["released_cash"] == order["reserved_cash"]


def test_unknown_orders_answer_the_error_shape(deployed: Client) -> None:
    status, _, body = deployed.call("GET", "/api/orders/order/9223372036854775807")

    assert status in {403, 404}
    assert body["code"] in {"ORDER_NOT_FOUND", "FORBIDDEN"}
