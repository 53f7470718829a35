"""Safe retries: the Idempotency-Key header and client order ids."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any

import boto3
import pytest

from tests.support.api import SEED_BODY, assert_error
from tests.support.faults import Fault, inject_after, service_error
from tests.support.stack import Deployed


def create(stack: Deployed, key: str | None, **changes: Any) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return stack.post("/api/orders/create", json={**SEED_BODY, **changes}, headers=headers)


def test_a_retry_with_the_same_key_returns_the_original_order(stack: Deployed) -> None:
    first = create(stack, "key-0001")
    reserved_once = stack.account(1)

    retry = create(stack, "key-0001")

    assert (first.status, retry.status) == (201, 201)
    assert retry.json() == first.json()
    assert retry.header("Idempotent-Replayed") == "true"
    assert first.header("Idempotent-Replayed") is None
    assert len(stack.stored_orders()) == 1
    assert stack.account(1) == reserved_once  # reserved once, not twice


def test_a_retry_after_the_answer_was_lost_returns_the_committed_order(
    stack: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The transaction commits, then the client sees a failure (a lost response, a timeout): its retry
    # must find the key's record, written in that same transaction, and never create a second order.
    fault = inject_after(monkeypatch, "transact_write_items", Fault(service_error("InternalServerError", 500)))
    lost = create(stack, "key-lost")
    assert lost.status == 503
    assert fault.attempts == 3  # the SDK's own retries met the same failure
    fault.times = 0
    reserved_once = stack.account(1)

    retry = create(stack, "key-lost")

    orders = stack.stored_orders()
    assert retry.status == 201
    assert [int(item["id"]["N"]) for item in orders] == [retry.json()["id"]]
    assert stack.account(1) == reserved_once
    assert stack.account(1)["reserved_cash"] == retry.json()["reserved_cash"]


def test_a_response_lost_once_is_answered_by_the_sdks_retry(stack: Deployed, monkeypatch: pytest.MonkeyPatch) -> None:
    inject_after(monkeypatch, "transact_write_items", Fault(service_error("InternalServerError", 500), times=1))

    response = create(stack, "key-retried")

    assert response.status == 201
    assert response.header("Idempotent-Replayed") == "true"  # the retry found the first attempt's record
    assert [int(item["id"]["N"]) for item in stack.stored_orders()] == [response.json()["id"]]


def test_records_are_spread_over_partitions_and_written_with_the_order(stack: Deployed) -> None:
    create(stack, "key-one")
    create(stack, "key-two")

    records = stack.stored_items("IDEMPOTENCY#")

    assert len({record["pk"]["S"] for record in records}) == 2
    assert all(record["sk"]["S"] == "IDEMPOTENCY" for record in records)
    assert sorted(int(record["result_id"]["N"]) for record in records) == sorted(
        int(item["id"]["N"]) for item in stack.stored_orders()
    )


def test_the_same_key_with_another_body_is_409(stack: Deployed) -> None:
    create(stack, "key-0002")

    response = create(stack, "key-0002", quantity=Decimal("0.02"))

    assert_error(response, 409, "IDEMPOTENCY_KEY_REUSED")
    assert len(stack.stored_orders()) == 1


def test_different_keys_create_different_orders(stack: Deployed) -> None:
    first = create(stack, "key-a").json()
    second = create(stack, "key-b").json()

    assert first["id"] != second["id"]


def test_requests_without_a_key_are_not_deduplicated(stack: Deployed) -> None:
    create(stack, None)
    create(stack, None)

    assert len(stack.stored_orders()) == 2


def test_a_key_is_scoped_to_its_account(stack: Deployed) -> None:
    mine = create(stack, "shared-key").json()
    theirs = create(stack, "shared-key", account_id=2).json()

    assert (mine["account_id"], theirs["account_id"]) == (1, 2)
    assert mine["id"] != theirs["id"]


def test_a_refused_create_is_not_remembered(stack: Deployed) -> None:
    refused = create(stack, "key-topup", account_id=2, quantity=Decimal("1"))
    assert_error(refused, 422, "INSUFFICIENT_FUNDS")
    topped_up = stack.post(
        "/api/accounts/2/deposits", json={"amount": 1000000, "reference": "top-up"}, headers={"Idempotency-Key": "t"}
    )
    assert topped_up.status == 201, topped_up.body

    retry = create(stack, "key-topup", account_id=2, quantity=Decimal("1"))

    assert retry.status == 201


def test_an_expired_key_can_be_used_again(stack: Deployed) -> None:
    first = create(stack, "key-expiring").json()
    table = boto3.client("dynamodb")
    records = stack.stored_items("IDEMPOTENCY#")
    assert len(records) == 1
    table.update_item(
        TableName=stack.table_name,
        Key={"pk": records[0]["pk"], "sk": records[0]["sk"]},
        UpdateExpression="SET expiration = :past",
        ExpressionAttributeValues={":past": {"N": "1"}},
    )

    again = create(stack, "key-expiring").json()

    assert again["id"] != first["id"]


def test_keys_expire_after_the_configured_time(stack: Deployed) -> None:
    create(stack, "key-ttl")

    record = stack.stored_items("IDEMPOTENCY#")[0]

    assert abs(int(record["expiration"]["N"]) - (time.time() + 86400)) < 60


@pytest.mark.parametrize("key", ["", "a" * 256, "has space", "naïve"])
def test_a_malformed_key_is_400(stack: Deployed, key: str) -> None:
    response = stack.post(
        "/api/orders/create",
        json=SEED_BODY,
        headers={"Idempotency-Key": key.encode().decode("latin-1")},
    )

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"][0]["location"] == "header"
    assert stack.stored_items("ORDER#") == []


def test_simultaneous_retries_create_one_order_and_all_answer_it(stack: Deployed) -> None:
    from orders_common.auth import Caller
    from orders_common.config import get_settings
    from orders_common.models.requests import CreateOrderRequest
    from orders_common.wiring import Services

    request = CreateOrderRequest.model_validate(SEED_BODY)
    results: list[Any] = []
    start = threading.Barrier(6)

    def attempt() -> None:
        container = Services(get_settings())
        start.wait()
        results.append(container.create_order(request, Caller.anyone(), "key-race").order.id)

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stored = stack.stored_orders()
    assert len(stored) == 1
    assert results == [int(stored[0]["id"]["N"])] * 6


def test_a_client_order_id_is_kept_and_shown(stack: Deployed) -> None:
    order = stack.create_order(client_order_id="strategy-7/leg-1")

    assert stack.get(f"/api/orders/order/{order['id']}").json()["client_order_id"] == "strategy-7/leg-1"


def test_a_used_client_order_id_is_409_naming_the_existing_order(stack: Deployed) -> None:
    first = stack.create_order(client_order_id="dup-1")
    before = stack.account(1)

    response = stack.post("/api/orders/create", json={**SEED_BODY, "client_order_id": "dup-1"})

    body = assert_error(response, 409, "DUPLICATE_CLIENT_ORDER_ID")
    assert body["details"]["existing_order_id"] == first["id"]
    assert str(first["id"]) in body["error"]
    assert len(stack.stored_orders()) == 1
    assert stack.account(1) == before


def test_client_order_ids_are_unique_per_account_only(stack: Deployed) -> None:
    stack.create_order(client_order_id="same")

    assert stack.create_order(account_id=2, client_order_id="same")["account_id"] == 2


@pytest.mark.parametrize("client_order_id", ["x" * 65, "", " padded", "tab\there", "\u00e9t\u00e9"])
def test_a_malformed_client_order_id_is_400(stack: Deployed, client_order_id: str) -> None:
    response = stack.post("/api/orders/create", json={**SEED_BODY, "client_order_id": client_order_id})

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["details"][0]["field"] == "client_order_id"
