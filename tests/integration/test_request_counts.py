"""What each endpoint asks of DynamoDB, counted through botocore's event hooks: never a Scan, and no
more requests than the endpoint needs."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from localdev.aws_calls import RequestLog, watch
from orders_common.wiring import reset_services
from tests.support.stack import Deployed

SHARDS = 4  # PendingIndexShards default in template.yaml


def test_template_default_shard_count_is_what_these_counts_assume(stack: Deployed) -> None:
    assert stack.services.settings.pending_index_shards == SHARDS


def test_with_one_pending_shard_a_pending_page_is_one_query_and_health_three(
    stack: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PENDING_INDEX_SHARDS", "1")
    reset_services()
    stack.create_order()
    requests = watch(stack.services.table.client)

    pending = stack.get("/api/orders/pending")
    listed = requests.counts
    requests.clear()
    health = stack.get("/api/orders/health")

    assert (pending.status, len(pending.json())) == (200, 1)
    assert listed == Counter({"Query": 1})
    assert (health.status, health.json()["statistics"]["pending_orders"]) == (200, 1)
    # the count, the oldest pending (one item), the stuck executing; the last audit and the heartbeat
    assert requests.counts == Counter({"Query": 3, "GetItem": 2})


def test_create_is_one_transaction_once_the_container_has_ids_and_knows_the_owner(
    stack: Deployed, dynamodb_requests: RequestLog
) -> None:
    stack.create_order()
    first = dynamodb_requests.counts
    dynamodb_requests.clear()
    stack.create_order()

    # the first create of a container reads the account's owner (authentication off) and takes a
    # block of ids; the owner never changes and the block lasts ORDER_ID_BLOCK_SIZE creates
    assert first == Counter({"GetItem": 1, "UpdateItem": 1, "TransactWriteItems": 1})
    assert dynamodb_requests.counts == Counter({"TransactWriteItems": 1})


def test_creates_average_close_to_one_request(stack: Deployed, dynamodb_requests: RequestLog) -> None:
    for _ in range(120):
        stack.create_order(quantity=Decimal("0.001"))

    counts = dynamodb_requests.counts
    assert counts["TransactWriteItems"] == 120
    assert counts["UpdateItem"] == 2  # two blocks of 100 ids
    assert counts["GetItem"] == 1
    assert sum(counts.values()) / 120 < 1.03


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/api/orders/order/{id}", {"GetItem": 1}),
        ("GET", "/api/orders/user/1", {"Query": 1}),
        ("GET", "/api/orders/account/1", {"Query": 1}),
        ("GET", "/api/orders/pending", {"Query": SHARDS}),
        ("GET", "/api/orders/health", {"Query": 3 * SHARDS, "GetItem": 2}),  # admin: count, oldest, stuck
        ("POST", "/api/orders/execute/{id}", {"GetItem": 1, "TransactWriteItems": 1}),
        ("POST", "/api/orders/cancel/{id}", {"GetItem": 1, "TransactWriteItems": 1}),
        ("POST", "/api/orders/process-all", {"Query": SHARDS, "TransactWriteItems": 1}),
    ],
)
def test_each_endpoint_makes_only_the_requests_it_needs(
    stack: Deployed, dynamodb_requests: RequestLog, method: str, path: str, expected: dict[str, int]
) -> None:
    order = stack.create_order()
    stack.get("/api/orders/account/1")  # the account's owner is now known to this container
    dynamodb_requests.clear()

    response = stack.request(method, path.format(id=order["id"]))

    assert response.status < 300, response.body
    assert dynamodb_requests.counts == Counter(expected)


def test_selling_reads_the_position_for_its_average_cost(stack: Deployed, dynamodb_requests: RequestLog) -> None:
    order = stack.create_order(side="sell", quantity=Decimal("0.1"))
    dynamodb_requests.clear()

    stack.post(f"/api/orders/execute/{order['id']}")

    assert dynamodb_requests.counts == Counter({"GetItem": 2, "TransactWriteItems": 1})


def test_no_endpoint_ever_scans(stack: Deployed, dynamodb_requests: RequestLog) -> None:
    for _ in range(3):
        order = stack.create_order()
    stack.create_order(side="sell", quantity=Decimal("0.1"))
    for method, path, query in [
        ("GET", "/api/orders/pending", {"symbol": "BTC", "limit": 1}),
        ("GET", "/api/orders/user/1", {"status": "pending"}),
        ("GET", "/api/orders/account/1", {"symbol": "ETH"}),
        ("GET", f"/api/orders/order/{order['id']}", {}),
        ("GET", "/api/orders/health", {}),
        ("POST", f"/api/orders/cancel/{order['id']}", {}),
        ("POST", "/api/orders/process-all", {}),
    ]:
        assert stack.request(method, path, query=query).status < 300

    assert "Scan" not in dynamodb_requests.operations
    assert dynamodb_requests.operations  # the hooks did see the traffic
