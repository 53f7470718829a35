"""Faults of the dependencies: throttling, transient errors, conflicts, an unreachable store or queue.
Each is retried as far as it is safe, then answered clearly, and leaves state consistent."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from orders_common.auth import Caller
from orders_common.dal.client import CONFLICT_ATTEMPTS
from orders_common.errors import StoreUnavailable
from orders_common.timing import deadline_in
from orders_common.wiring import reset_services
from tests.support.api import SEED_BODY, assert_error
from tests.support.faults import Fault, cancellation, inject, service_error, slow, transaction_conflict
from tests.support.stack import Deployed
from tests.support.timing import plan

MAX_ATTEMPTS = 3  # botocore standard retry mode, as configured in orders_common/dal/dynamo.py


@pytest.mark.parametrize(
    "code", ["ProvisionedThroughputExceededException", "ThrottlingException", "InternalServerError"]
)
def test_a_create_throttled_past_its_retries_is_503_and_stores_nothing(
    stack: Deployed, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    before = stack.account(1)
    status = 500 if code == "InternalServerError" else 400
    fault = inject(monkeypatch, "transact_write_items", Fault(service_error(code, status)))

    response = stack.post("/api/orders/create", json=SEED_BODY)

    body = assert_error(response, 503, "STORE_UNAVAILABLE")
    assert response.header("Retry-After") == "1"
    assert "try again" in body["error"]
    assert fault.attempts == MAX_ATTEMPTS  # retried with backoff, then given up
    assert stack.stored_items("ORDER#") == []
    assert stack.account(1) == before


def test_a_create_throttled_briefly_succeeds_after_retries(stack: Deployed, monkeypatch: pytest.MonkeyPatch) -> None:
    fault = inject(
        monkeypatch, "transact_write_items", Fault(service_error("ProvisionedThroughputExceededException"), times=2)
    )

    response = stack.post("/api/orders/create", json=SEED_BODY)

    assert response.status == 201
    assert fault.attempts == 3
    assert len(stack.stored_orders()) == 1


def test_a_passing_transaction_conflict_is_tried_again(stack: Deployed, monkeypatch: pytest.MonkeyPatch) -> None:
    order = stack.create_order()
    fault = inject(monkeypatch, "transact_write_items", Fault(transaction_conflict(3), times=2))

    response = stack.post(f"/api/orders/execute/{order['id']}")

    assert response.json()["execution_status"] == "filled"
    assert fault.attempts == 3


def test_a_lasting_transaction_conflict_is_503_and_the_order_stays_pending(
    stack: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = stack.create_order()
    before = stack.account(1)
    fault = inject(monkeypatch, "transact_write_items", Fault(transaction_conflict(3)))
    timeout = stack.functions["ExecuteOrderFunction"].spec.timeout
    started = time.monotonic()

    response = stack.post(f"/api/orders/execute/{order['id']}")

    # Tried again, with growing pauses, for as long as the invocation had time; answered before its end
    elapsed = time.monotonic() - started
    body = assert_error(response, 503, "STORE_UNAVAILABLE")
    assert response.header("Retry-After") == "1"
    assert fault.attempts > CONFLICT_ATTEMPTS
    assert timeout / 2 < elapsed < timeout - 0.5, (elapsed, body)
    assert stack.get(f"/api/orders/order/{order['id']}").json()["status"] == "pending"
    assert stack.account(1) == before
    fault.times = 0  # the other writer is gone
    assert stack.post(f"/api/orders/execute/{order['id']}").json()["execution_status"] == "filled"


def test_a_transaction_refused_as_invalid_is_not_retried_nor_reported_as_busy(
    stack: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = stack.create_order()
    fault = inject(monkeypatch, "transact_write_items", Fault(cancellation("ValidationError", 3)))

    response = stack.post(f"/api/orders/execute/{order['id']}")

    assert_error(response, 500, "INTERNAL_ERROR")
    assert fault.attempts == 1
    assert stack.get(f"/api/orders/order/{order['id']}").json()["status"] == "pending"


def test_a_slow_store_is_given_up_on_in_time_to_answer(stack: Deployed, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each attempt takes 1.5 s and is throttled; 4.5 s are left in the invocation, 1 of them kept for
    # the answer: a second attempt (up to 3 s) could not end in time, so none is started.
    fault = inject(monkeypatch, "get_item", Fault(slow(1.5, service_error("ThrottlingException"))))
    started = time.monotonic()

    with deadline_in(4.5), pytest.raises(StoreUnavailable):
        stack.services.orders.get_order(1)

    assert fault.attempts == 1
    assert time.monotonic() - started < 3.5


def test_a_read_that_keeps_failing_is_503(stack: Deployed, monkeypatch: pytest.MonkeyPatch) -> None:
    order = stack.create_order()
    inject(monkeypatch, "get_item", Fault(service_error("InternalServerError", 500)))

    assert_error(stack.get(f"/api/orders/order/{order['id']}"), 503, "STORE_UNAVAILABLE")


def test_health_is_503_unhealthy_when_the_store_cannot_be_reached(
    stack: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")  # nothing listens there
    reset_services()

    response = stack.get("/api/orders/health")

    body = assert_error(response, 503, "STORE_UNAVAILABLE")
    assert body["status"] == "unhealthy"


def test_validation_errors_of_ours_are_never_hidden_as_unavailable(
    stack: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    inject(monkeypatch, "get_item", Fault(service_error("ValidationException")))

    response = stack.get("/api/orders/order/1")

    assert_error(response, 500, "INTERNAL_ERROR")


def test_when_the_queue_is_unreachable_process_all_still_answers_and_loses_nothing(
    stack: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders = [stack.create_order(quantity=Decimal("0.001"))["id"] for _ in range(5)]
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9")

    result = stack.services.process_all(Caller.anyone(), plan(0))

    assert (result.processed, result.queued, result.deferred) == (0, 0, 5)
    pending = [o["id"] for o in stack.get("/api/orders/pending").json()]
    assert pending == orders  # still pending: the schedule will reach them
