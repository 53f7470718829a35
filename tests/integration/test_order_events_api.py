"""An order's timeline through the API: every step oldest first, who caused it (a user, an admin, the
schedule, the queue) and through which request, what it changed; who may read it; refusals."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import boto3
import pytest

from benchmarks.write_units import item_bytes
from localdev.template import ROOT
from orders_common.models.order import Order
from orders_common.models.paging import encode_token
from tests.support.api import BAD_IDS, assert_error
from tests.support.auth import Secured
from tests.support.stack import Deployed


def timeline(stack: Deployed, order_id: int, **query: Any) -> list[dict[str, Any]]:
    response = stack.get(f"/api/orders/order/{order_id}/events", query=query)
    assert response.status == 200, response.body
    events: list[dict[str, Any]] = json.loads(response.body, parse_float=Decimal)
    return events


def test_each_step_is_told_once_with_the_request_that_caused_it(stack: Deployed) -> None:
    # Given a limit buy under the market, raised above it, then executed
    created = stack.post(
        "/api/orders/create",
        json={"account_id": 1, "symbol": "BTC", "name": "t", "side": "buy", "order_type": "limit",
              "quantity": Decimal("0.01"), "price": Decimal("60000")},
    )  # fmt: skip
    order_id = created.json()["id"]
    amended = stack.request("PATCH", f"/api/orders/order/{order_id}", json={"price": Decimal("70000")})
    executed = stack.post(f"/api/orders/execute/{order_id}")

    # When its timeline is read
    events = timeline(stack, order_id)

    # Then it lists the three steps, each under its request's id and the version it made
    assert [(e["event_id"], e["kind"], e["order_version"]) for e in events] == [
        (f"{order_id}-1-1", "created", 1),
        (f"{order_id}-2-1", "amended", 2),
        (f"{order_id}-3-1", "filled", 3),
    ]
    assert [e["request_id"] for e in events] == [
        response.header("Apigw-Requestid") for response in (created, amended, executed)
    ]
    assert {json.dumps(e["actor"]) for e in events} == {json.dumps({"kind": "user", "user_id": None})}  # auth off
    assert events[0]["changes"] == {}
    assert events[1]["changes"]["price"] == {"from": 60000, "to": 70000}
    assert events[1]["changes"]["reserved_cash"]["from"] != events[1]["changes"]["reserved_cash"]["to"]
    filled = events[2]["changes"]
    assert filled["status"] == {"from": "pending", "to": "filled"}
    assert filled["filled_quantity"] == {"from": 0, "to": Decimal("0.01")}
    order = stack.get(f"/api/orders/order/{order_id}").json()
    assert events[2]["at"] == order["executed_at"] and order["version"] == 3
    assert {(e["order_id"], e["account_id"], e["user_id"]) for e in events} == {(order_id, 1, 1)}


def test_the_schedule_and_the_queue_are_named_as_the_cause(stack: Deployed) -> None:
    placed = stack.create_order()
    schedule = json.loads((ROOT / "events" / "process_all.schedule.json").read_text())

    assert stack.invoke("ProcessAllFunction", schedule)["queued"] == 1
    assert stack.drain_queue() == 1

    events = timeline(stack, placed["id"])
    assert [(e["kind"], e["actor"]["kind"]) for e in events] == [("created", "user"), ("filled", "queue")]
    assert events[1]["request_id"]  # the SQS message id


def test_an_admins_process_all_and_a_users_cancel_all_name_their_caller(secured: Secured) -> None:
    # Given two orders of user 2: a market buy and a resting limit buy
    market = secured.create(2, account_id=3, symbol="SOL", quantity=Decimal(1)).json()
    resting = secured.create(2, account_id=3, order_type="limit", price=Decimal(100), symbol="SOL", quantity=Decimal(1))
    owner, admin, stranger = secured.token(2), secured.token(99, admin=True), secured.token(1)

    # When an admin executes what can trade and the owner cancels the rest
    assert secured.stack.post("/api/orders/process-all", headers=admin).status == 200
    assert secured.stack.post("/api/orders/cancel-all", json={"account_id": 3}, headers=owner).status == 200

    # Then each timeline names who did what; the owner and an admin may read it, no one else
    path = f"/api/orders/order/{market['id']}/events"
    as_admin = secured.stack.get(path, headers=admin).json()
    assert [(e["kind"], e["actor"]) for e in as_admin] == [
        ("created", {"kind": "user", "user_id": 2}),
        ("filled", {"kind": "admin", "user_id": 99}),
    ]
    assert secured.stack.get(path, headers=owner).json() == as_admin
    assert_error(secured.stack.get(path, headers=stranger), 403, "FORBIDDEN")
    cancelled = secured.stack.get(f"/api/orders/order/{resting.json()['id']}/events", headers=owner).json()
    assert [(e["kind"], e["actor"]) for e in cancelled] == [
        ("created", {"kind": "user", "user_id": 2}),
        ("cancelled", {"kind": "user", "user_id": 2}),
    ]
    assert cancelled[1]["changes"]["status"] == {"from": "pending", "to": "cancelled"}


def test_the_timeline_is_read_a_page_at_a_time(stack: Deployed) -> None:
    order_id = stack.create_order(order_type="limit", price=Decimal("60000"))["id"]
    for price in ("61000", "62000", "63000"):
        assert stack.request("PATCH", f"/api/orders/order/{order_id}", json={"price": Decimal(price)}).status == 200

    first = stack.get(f"/api/orders/order/{order_id}/events", query={"limit": 3})
    token = first.header("X-Next-Token")
    rest = stack.get(f"/api/orders/order/{order_id}/events", query={"limit": 3, "next_token": token})

    assert [e["order_version"] for e in first.json()] == [1, 2, 3] and token
    assert [e["order_version"] for e in rest.json()] == [4] and rest.header("X-Next-Token") is None


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_a_bad_order_id_is_400(stack: Deployed, bad_id: str) -> None:
    assert_error(stack.get(f"/api/orders/order/{bad_id}/events"), 400, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"limit": "0"}, "VALIDATION_ERROR"),
        ({"limit": "1001"}, "VALIDATION_ERROR"),
        ({"next_token": "nope"}, "INVALID_NEXT_TOKEN"),
        ({"next_token": encode_token("FILL#000001")}, "INVALID_NEXT_TOKEN"),  # another list's position
    ],
)
def test_a_bad_page_is_400_and_an_unknown_order_404(stack: Deployed, query: dict[str, str], code: str) -> None:
    order_id = stack.create_order(order_type="limit", price=Decimal("60000"))["id"]

    assert_error(stack.get(f"/api/orders/order/{order_id}/events", query=query), 400, code)
    assert_error(stack.get("/api/orders/order/424242/events"), 404, "ORDER_NOT_FOUND")
    assert [e["kind"] for e in timeline(stack, order_id)] == ["created"]  # reading changed nothing


def test_a_fills_stored_event_keeps_the_order_without_its_computed_fields_under_1_kb(stack: Deployed) -> None:
    # Given the README's market buy, filled at once (a fill's event item is the largest the timeline writes)
    created = stack.post(
        "/api/orders/create",
        json={"account_id": 1, "symbol": "BTC", "name": "Long BTC", "side": "buy", "order_type": "market",
              "quantity": Decimal("0.01"), "execute": True},
    )  # fmt: skip
    assert created.status == 201 and created.json()["status"] == "filled", created.body

    # When the table's event items of it are read
    items = boto3.client("dynamodb").scan(
        TableName=stack.table_name,
        FilterExpression="entity = :event AND order_id = :id",
        ExpressionAttributeValues={":event": {"S": "order_event"}, ":id": {"N": str(created.json()["id"])}},
    )["Items"]

    # Then the fill's keeps the order as stored (computed fields are derived when it is read) in one write unit
    filled = next(item for item in items if item["kind"]["S"] == "filled")
    stored_order = json.loads(filled["order"]["S"])
    assert set(stored_order).isdisjoint(Order.model_computed_fields)
    assert item_bytes(filled) <= 1024
