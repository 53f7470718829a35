"""moto's contention mode (localdev.moto_contention): what boto3 sees is what DynamoDB answers when
transactions meet; and the service under contention on one account: every order fills exactly once,
no 5xx (process-all serializes an account's fills, every writer backs off with jitter)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from localdev.functions import LocalFunction
from localdev.moto_contention import (
    ENVIRONMENT_VARIABLE,
    ContentionCounts,
    contention,
    contention_counts,
    parse_hold,
)
from localdev.moto_fidelity import LOCK, make_moto_faithful
from localdev.routing import HttpResponse, Router
from orders_common.dal import client as dal_client
from orders_common.dal.client import DynamoTable, TransactionConflict
from orders_common.dal.transaction import Transaction
from orders_common.errors import StoreUnavailable
from tests.support.sqs import orders_batch
from tests.support.stack import Deployed

# Long enough for a test to act while a transaction holds its items on a loaded machine too (a CI run
# once saw a 300 ms hold end before three single writes were made); what must not wait stays far below it.
LONG_HOLD_MS = 1500
ONGOING = "Transaction is ongoing for the item"


def key(name: str) -> dict[str, Any]:
    return {"pk": {"S": f"TEST#{name}"}, "sk": {"S": "TEST"}}


def set_n(table: str, name: str, value: str) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": key(name),
            "UpdateExpression": "SET n = :n",
            "ExpressionAttributeValues": {":n": {"N": value}},
        }
    }


def n_of(client: Any, table: str, name: str) -> str | None:
    item = client.get_item(TableName=table, Key=key(name)).get("Item")
    return None if item is None else str(item["n"]["N"])


@contextmanager
def transaction_holding(client: Any, table: str, counts: ContentionCounts, *names: str) -> Iterator[None]:
    """A transaction that sets ``n = 1`` on these items runs in another thread, holding them, for the duration."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            client.transact_write_items(TransactItems=[set_n(table, name, "1") for name in names])
        except BaseException as error:
            failures.append(error)

    holder = threading.Thread(target=run)
    holder.start()
    deadline = time.monotonic() + 5
    while counts.held == 0:
        assert time.monotonic() < deadline, "the transaction never held its items"
        time.sleep(0.001)
    try:
        yield
    finally:
        holder.join()
    assert failures == []


@pytest.fixture
def client(stack: Deployed) -> Any:
    dynamodb = boto3.client("dynamodb")
    for name in ("held", "other"):
        dynamodb.put_item(TableName=stack.table_name, Item={**key(name), "n": {"N": "0"}})
    return dynamodb


def test_a_transaction_touching_a_held_item_is_cancelled_as_dynamodb_cancels_it(stack: Deployed, client: Any) -> None:
    table = stack.table_name
    with contention(LONG_HOLD_MS) as counts, transaction_holding(client, table, counts, "held"):
        with pytest.raises(ClientError) as cancelled:
            client.transact_write_items(TransactItems=[set_n(table, "held", "2"), set_n(table, "other", "2")])
        assert n_of(client, table, "held") == "0"  # the holder has not applied yet

    response: Any = cancelled.value.response
    assert response["Error"] == {
        "Code": "TransactionCanceledException",
        "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[TransactionConflict, None]",
    }
    assert response["CancellationReasons"] == [{"Code": "TransactionConflict", "Message": ONGOING}, {"Code": "None"}]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert (n_of(client, table, "held"), n_of(client, table, "other")) == ("1", "0")  # nothing of it applied
    assert (counts.held, counts.cancelled, counts.refused, counts.conflicts) == (1, 1, 0, 1)


def test_a_single_write_to_a_held_item_fails_with_transaction_conflict_exception(stack: Deployed, client: Any) -> None:
    table = stack.table_name
    writes = {
        "UpdateItem": lambda: client.update_item(
            TableName=table,
            Key=key("held"),
            UpdateExpression="SET n = :n",
            ExpressionAttributeValues={":n": {"N": "3"}},
        ),
        "PutItem": lambda: client.put_item(TableName=table, Item={**key("held"), "n": {"N": "3"}}),
        "DeleteItem": lambda: client.delete_item(TableName=table, Key=key("held")),
    }
    errors = {}
    with contention(LONG_HOLD_MS) as counts, transaction_holding(client, table, counts, "held"):
        for name, write in writes.items():
            with pytest.raises(ClientError) as refused:
                write()
            errors[name] = refused.value.response

    for response in errors.values():
        assert response["Error"] == {"Code": "TransactionConflictException", "Message": ONGOING}
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert n_of(client, table, "held") == "1"  # the transaction's write, none of theirs
    assert (counts.refused, counts.conflicts) == (3, 3)


def test_reads_and_other_items_are_answered_during_a_hold_without_motos_lock(stack: Deployed, client: Any) -> None:
    table = stack.table_name
    with contention(LONG_HOLD_MS) as counts, transaction_holding(client, table, counts, "held"):
        started = time.monotonic()
        assert n_of(client, table, "held") == "0"
        found = client.query(
            TableName=table, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": key("held")["pk"]}
        )
        client.put_item(TableName=table, Item={**key("other"), "n": {"N": "5"}})
        elapsed = time.monotonic() - started
        assert LOCK.acquire(blocking=False)  # the holder sleeps without moto's lock
        LOCK.release()

    assert [item["n"]["N"] for item in found["Items"]] == ["0"]
    assert elapsed < LONG_HOLD_MS / 1000
    assert n_of(client, table, "other") == "5"
    assert counts.conflicts == 0


def test_the_service_reads_the_emulated_conflicts_as_it_reads_dynamodbs(
    stack: Deployed, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    service_table = DynamoTable(stack.table_name)
    plain_key = {"pk": "TEST#held", "sk": "TEST"}
    monkeypatch.setattr(dal_client, "CONFLICT_ATTEMPTS", 2)  # the hold outlasts two tries
    with contention(800) as counts, transaction_holding(client, stack.table_name, counts, "held"):
        with pytest.raises(TransactionConflict):
            service_table.transact(Transaction().update("item", plain_key, "SET n = :n", values={":n": 4}))
        cancelled = counts.cancelled
        with pytest.raises(StoreUnavailable):
            service_table.update(plain_key, "SET n = :n", values={":n": 4})

    assert cancelled >= 1
    assert counts.refused >= 1


def test_contention_is_off_unless_asked_for_and_after_its_block(stack: Deployed, client: Any) -> None:
    with contention(LONG_HOLD_MS) as counts:
        pass
    started = time.monotonic()
    client.transact_write_items(TransactItems=[set_n(stack.table_name, "held", "7")])

    assert time.monotonic() - started < LONG_HOLD_MS / 1000
    assert counts.held == 0
    assert contention_counts().held == 0


def test_the_environment_turns_contention_on(stack: Deployed, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with contention(None):
        monkeypatch.setenv(ENVIRONMENT_VARIABLE, "20")
        make_moto_faithful()  # what `make run` and the moto server call
        started = time.monotonic()
        client.transact_write_items(TransactItems=[set_n(stack.table_name, "held", "8")])
        elapsed = time.monotonic() - started
        held = contention_counts().held

    assert held == 1
    assert elapsed >= 0.02


def test_contention_hold_settings() -> None:
    assert parse_hold("10") == (10.0, 10.0)
    assert parse_hold(" 5-20 ") == (5.0, 20.0)
    assert parse_hold("0") is None
    for wrong in ("fast", "20-5", "-3", "1-2-3"):
        with pytest.raises(ValueError, match=ENVIRONMENT_VARIABLE):
            parse_hold(wrong)


# Today's service under contention. Lambda runs concurrent requests in separate execution
# environments, so each execution gets its own container (stack.post would queue them on one).

HOLD_MS = 10  # a transaction's duration on the service side, roughly


def execute_at_once(stack: Deployed, orders: list[dict[str, Any]]) -> list[HttpResponse]:
    spec = stack.functions["ExecuteOrderFunction"].spec
    routers = [
        Router(stack.template.http_routes(), {**stack.functions, spec.logical_id: LocalFunction(spec)}) for _ in orders
    ]
    start = threading.Barrier(len(orders))
    responses: dict[int, HttpResponse] = {}

    def execute(router: Router, order_id: int) -> None:
        start.wait()
        responses[order_id] = router.handle("POST", f"/api/orders/execute/{order_id}")

    threads = [threading.Thread(target=execute, args=(r, o["id"])) for r, o in zip(routers, orders, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [responses[order["id"]] for order in orders]


def assert_money_adds_up(stack: Deployed, orders: list[dict[str, Any]]) -> None:
    """Every order filled or still pending with its reservation; the account charged for the fills only."""
    stored = [stack.get(f"/api/orders/order/{order['id']}").json() for order in orders]
    filled = [order for order in stored if order["status"] == "filled"]
    pending = [order for order in stored if order["status"] == "pending"]
    assert len(filled) + len(pending) == len(orders)
    account = stack.account(1)
    spent = sum(order["filled_price"] * order["filled_quantity"] + order["commission"] for order in filled)
    assert account["cash"] == Decimal("100000") - spent
    assert account["reserved_cash"] == sum(order["reserved_cash"] for order in pending)
    position = stack.position(1, "BTC")
    assert position is not None
    assert position["quantity"] == Decimal("1.5") + Decimal("0.01") * len(filled)


def twenty_buys_at_once(stack: Deployed, hold_ms: float | None) -> tuple[Counter[tuple[int, str | None]], int]:
    orders = [stack.create_order(quantity=Decimal("0.01")) for _ in range(20)]
    with contention(hold_ms) as counts:
        responses = execute_at_once(stack, orders)
    assert_money_adds_up(stack, orders)
    return Counter((response.status, response.json().get("code")) for response in responses), counts.conflicts


def test_without_contention_moto_never_shows_a_conflict(stack: Deployed) -> None:
    outcomes, conflicts = twenty_buys_at_once(stack, None)

    assert (outcomes, conflicts) == (Counter({(200, None): 20}), 0)


def test_twenty_buys_of_one_account_executed_at_once_all_fill_through_the_conflicts(stack: Deployed) -> None:
    outcomes, conflicts = twenty_buys_at_once(stack, HOLD_MS)

    assert conflicts > 0  # they did collide
    assert outcomes == Counter({(200, None): 20}), f"{outcomes} after {conflicts} conflicts"


def test_process_all_fills_one_accounts_orders_one_after_another(stack: Deployed) -> None:
    orders = [stack.create_order(quantity=Decimal("0.01")) for _ in range(30)]
    with contention(HOLD_MS) as counts:
        response = stack.post("/api/orders/process-all")

    assert response.status == 200
    assert response.json()["succeeded"] == 30
    assert counts.conflicts == 0  # an account's fills never ran at once
    assert_money_adds_up(stack, orders)


def executor_batches(stack: Deployed, order_ids: list[int], size: int) -> list[dict[str, Any]]:
    spec = stack.functions["ExecuteQueuedFunction"].spec
    results: list[dict[str, Any]] = []
    batches = [order_ids[i : i + size] for i in range(0, len(order_ids), size)]
    start = threading.Barrier(len(batches) + 1)

    def run(batch: list[int]) -> None:
        function = LocalFunction(spec)  # one execution environment per concurrent batch, as on Lambda
        start.wait()
        results.append(function.invoke(orders_batch(batch)))

    threads = [threading.Thread(target=run, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    start.wait()
    for thread in threads:
        thread.join()
    return results


def test_fifty_orders_of_one_account_fill_once_under_process_all_and_the_executor_at_once(stack: Deployed) -> None:
    # Given 50 pending buys of one account, and DynamoDB's conflicts between transactions on one item
    orders = [stack.create_order(quantity=Decimal("0.01")) for _ in range(50)]
    ids = [order["id"] for order in orders]
    process_all = Router(
        stack.template.http_routes(),
        {**stack.functions, "ProcessAllFunction": LocalFunction(stack.functions["ProcessAllFunction"].spec)},
    )
    answers: list[HttpResponse] = []

    # When process-all runs while five executor batches work on the same orders (in another order)
    with contention(HOLD_MS) as counts:
        runner = threading.Thread(target=lambda: answers.append(process_all.handle("POST", "/api/orders/process-all")))
        runner.start()
        batches = executor_batches(stack, list(reversed(ids)), 10)
        runner.join()

    # Then every order filled exactly once, nobody answered 5xx or reported a failure
    assert answers[0].status == 200, answers[0].body
    result = answers[0].json()
    assert result["failed"] == 0 and result["deferred"] == 0, result
    assert all(batch["batchItemFailures"] == [] for batch in batches), batches
    assert_money_adds_up(stack, orders)
    statuses = Counter(stack.get(f"/api/orders/order/{order_id}").json()["status"] for order_id in ids)
    assert statuses == Counter({"filled": 50})
    assert result["succeeded"] + result["skipped"] == result["processed"]
    assert counts.conflicts > 0, "the executors and process-all never met: the test proves nothing"


def test_thirty_two_sells_of_one_position_fill_once_while_process_all_and_manual_executes_race(
    stack: Deployed,
) -> None:
    # Given 32 market sells of account 3's SOL (it holds 100), each of which reprices the position
    sells = [stack.create_order(account_id=3, symbol="SOL", side="sell", quantity=Decimal("1")) for _ in range(32)]
    ids = [order["id"] for order in sells]
    process_all = Router(
        stack.template.http_routes(),
        {**stack.functions, "ProcessAllFunction": LocalFunction(stack.functions["ProcessAllFunction"].spec)},
    )
    answers: list[HttpResponse] = []

    # When process-all settles them while eight clients execute them by hand, in the opposite order
    with contention(HOLD_MS) as counts:
        runner = threading.Thread(target=lambda: answers.append(process_all.handle("POST", "/api/orders/process-all")))
        runner.start()
        manual = execute_at_once(stack, [{"id": order_id} for order_id in reversed(ids[-8:])])
        runner.join()

    # Then each sold once, the worst answer a 409 for an order someone else filled first, never a 5xx
    result = answers[0].json()
    assert answers[0].status == 200 and result["failed"] == 0 and result["deferred"] == 0, result
    assert {(r.status, r.json().get("code")) for r in manual} <= {(200, None), (409, "ORDER_NOT_PENDING")}
    stored = [stack.get(f"/api/orders/order/{order_id}").json() for order_id in ids]
    assert {order["status"] for order in stored} == {"filled"}
    proceeds = sum(order["filled_price"] * order["filled_quantity"] - order["commission"] for order in stored)
    account = stack.account(3)
    assert account["cash"] == Decimal("25000") + proceeds
    position = stack.position(3, "SOL")
    assert position is not None
    assert (position["quantity"], position["reserved_quantity"]) == (Decimal("68"), Decimal("0"))
    assert position["cost_basis"] == Decimal("8160")  # 68 x 120: every sale took exactly its share
    assert counts.conflicts + counts.refused >= 0
