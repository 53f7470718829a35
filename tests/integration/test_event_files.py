"""Every file in events/ (the events ``sam local invoke -e`` uses) drives its function successfully.

A file is named after its function's folder, ``<folder>.json`` or ``<folder>.<variant>.json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest

from localdev.template import ROOT, Template
from tests.support.stack import Deployed

EVENTS = sorted((ROOT / "events").glob("*.json"))


def function_for(event_file: Path, template: Template) -> str:
    folder = event_file.name.split(".")[0]
    by_folder = {spec.code_uri.name: spec.logical_id for spec in template.functions()}
    return by_folder[folder]


def body(result: dict[str, Any]) -> Any:
    return json.loads(result["body"])


def queued_messages(stack: Deployed) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=stack.queue_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def order_ids(result: dict[str, Any]) -> list[int]:
    return [order["id"] for order in body(result)]


def created(result: Any, stack: Deployed) -> None:
    assert result["statusCode"] == 201
    assert body(result)["status"] == "pending"


def lists_order_1(result: Any, stack: Deployed) -> None:
    assert order_ids(result) == [1]


def filled(result: Any, stack: Deployed) -> None:
    assert body(result)["execution_status"] == "filled"


def cancelled(result: Any, stack: Deployed) -> None:
    assert {"status": "ok", "order_id": 1}.items() <= body(result).items()


def processed_one(result: Any, stack: Deployed) -> None:
    assert (body(result)["processed"], body(result)["succeeded"]) == (1, 1)


def details_of_order_1(result: Any, stack: Deployed) -> None:
    assert (body(result)["id"], body(result)["status"]) == (1, "pending")


def healthy_with_one_pending(result: Any, stack: Deployed) -> None:
    assert body(result)["statistics"]["pending_orders"] == 1


def fanned_out_one(result: Any, stack: Deployed) -> None:
    assert result == {"queued": 1, "complete": True, "resumed": False, "cancelled_by_switches": 0}
    assert queued_messages(stack) == 1


def account_1(result: Any, stack: Deployed) -> None:
    account = body(result)
    assert (account["account_id"], account["user_id"]) == (1, 1)
    assert account["reserved_cash"] > 0  # order 1 holds cash back
    assert {position["symbol"] for position in account["positions"]} == {"BTC", "ETH"}


def filled_once_despite_two_deliveries(result: Any, stack: Deployed) -> None:
    assert result == {"batchItemFailures": []}
    order = stack.get("/api/orders/order/1").json()
    assert order["status"] == "filled"
    assert (
        stack.account(1)["cash"]
        == Decimal("100000") - order["filled_price"] * order["filled_quantity"] - (order["commission"])
    )


def account_opened(result: Any, stack: Deployed) -> None:
    assert result["statusCode"] == 201
    opened = body(result)
    assert (opened["account_id"], opened["user_id"], opened["cash"]) == (4, 7, 1000)


def lists_accounts_1_and_2(result: Any, stack: Deployed) -> None:
    assert [account["account_id"] for account in body(result)] == [1, 2]


def portfolio_of_user_1(result: Any, stack: Deployed) -> None:
    portfolio = body(result)
    assert [account["account_id"] for account in portfolio["accounts"]] == [1, 2]
    assert portfolio["totals"]["equity"] == sum(account["equity"] for account in portfolio["accounts"])


def deposited(result: Any, stack: Deployed) -> None:
    assert result["statusCode"] == 201
    assert body(result)["entry"]["type"] == "deposit"
    assert stack.account(1)["cash"] == Decimal(101000)


def withdrawn(result: Any, stack: Deployed) -> None:
    assert result["statusCode"] == 201
    assert body(result)["entry"]["amount"] == -250
    assert stack.account(1)["cash"] == Decimal(100000 - 250)


def adjusted(result: Any, stack: Deployed) -> None:
    assert result["statusCode"] == 201
    assert body(result)["position"]["quantity"] == 12


def frozen(result: Any, stack: Deployed) -> None:
    assert body(result)["frozen"] is True


def unfrozen(result: Any, stack: Deployed) -> None:
    assert body(result)["frozen"] is False


def ledger_of_account_1(result: Any, stack: Deployed) -> None:
    entries = body(result)
    assert entries[0]["type"] == "reserve" and entries[0]["order_id"] == 1  # newest first: order 1's reservation
    assert {entry["type"] for entry in entries} >= {"deposit", "adjustment", "reserve"}


def audited(result: Any, stack: Deployed) -> None:
    report = body(result)
    assert (report["account_id"], report["matches"], report["mismatches"]) == (1, True, [])


def audited_every_account(result: Any, stack: Deployed) -> None:
    assert (result["accounts_checked"], result["mismatches"], result["complete"]) == (3, 0, True)


def route_not_found(result: Any, stack: Deployed) -> None:
    assert result["statusCode"] == 404
    assert body(result)["code"] == "ROUTE_NOT_FOUND"


def amended(result: Any, stack: Deployed) -> None:
    order = json.loads(result["body"], parse_float=Decimal)
    assert (order["quantity"], order["version"], result["headers"]["ETag"]) == (Decimal("0.02"), 2, '"2"')
    assert stack.account(1)["reserved_cash"] == order["reserved_cash"]


def cancelled_all_of_account_1(result: Any, stack: Deployed) -> None:
    assert (body(result)["cancelled"], stack.account(1)["reserved_cash"]) == ([1], 0)


def switch_armed(result: Any, stack: Deployed) -> None:
    assert body(result)["cancel_after"] is not None
    assert stack.account(1)["cancel_after"] == body(result)["cancel_after"]


def order_1_by_client_id(result: Any, stack: Deployed) -> None:
    assert (body(result)["id"], body(result)["client_order_id"]) == (1, "bot-0001")


def the_fill_of_order_1(result: Any, stack: Deployed) -> None:
    fills = json.loads(result["body"], parse_float=Decimal)
    assert [(f["fill_id"], f["order_id"], f["account_id"], f["liquidity_level"]) for f in fills] == [("1-1", 1, 1, 1)]
    assert (fills[0]["symbol"], fills[0]["side"], fills[0]["quantity"]) == ("BTC", "buy", Decimal("0.01"))
    assert fills[0]["price"] == stack.get("/api/orders/order/1").json()["filled_price"]  # one level: its price


def the_timeline_of_order_1(result: Any, stack: Deployed) -> None:
    events = json.loads(result["body"])
    assert [(e["event_id"], e["kind"], e["order_version"]) for e in events] == [
        ("1-1-1", "created", 1),
        ("1-2-1", "filled", 2),
    ]
    assert events[1]["changes"]["status"] == {"from": "pending", "to": "filled"}


def published_the_created_event_of_order_1(result: Any, stack: Deployed) -> None:
    assert result == {"batchItemFailures": []}
    item = boto3.client("dynamodb").get_item(
        TableName=stack.table_name,
        Key={"pk": {"S": "ORDER#1"}, "sk": {"S": "EVENT#0000000001#01"}},
        ConsistentRead=True,
    )["Item"]
    assert (item["event_id"]["S"], "published_at" in item) == ("1-1-1", True)  # marked: not published again


# What each event must produce, given one pending market buy (order 1, client order id bot-0001) on account 1
# (executed first for the events in EXECUTED_FIRST).
EXPECTATIONS: dict[str, Callable[[Any, Deployed], None]] = {
    "create_order.json": created,
    "pending_orders.json": lists_order_1,
    "user_orders.json": lists_order_1,
    "account_orders.json": lists_order_1,
    "execute_order.json": filled,
    "cancel_order.json": cancelled,
    "process_all.json": processed_one,
    "order_details.json": details_of_order_1,
    "health.json": healthy_with_one_pending,
    "health_details.json": healthy_with_one_pending,
    "process_all.schedule.json": fanned_out_one,
    "account_details.json": account_1,
    "execute_queued.json": filled_once_despite_two_deliveries,
    "route_not_found.json": route_not_found,
    "amend_order.json": amended,
    "cancel_all_orders.json": cancelled_all_of_account_1,
    "cancel_after.json": switch_armed,
    "client_order.json": order_1_by_client_id,
    "order_fills.json": the_fill_of_order_1,
    "order_events.json": the_timeline_of_order_1,
    "account_fills.json": the_fill_of_order_1,
    "cancel_client_order.json": cancelled,
    "open_account.json": account_opened,
    "user_accounts.json": lists_accounts_1_and_2,
    "user_portfolio.json": portfolio_of_user_1,
    "deposit.json": deposited,
    "withdrawal.json": withdrawn,
    "adjust_position.json": adjusted,
    "freeze_account.json": frozen,
    "unfreeze_account.json": unfrozen,
    "account_ledger.json": ledger_of_account_1,
    "audit_account.json": audited,
    "audit_account.schedule.json": audited_every_account,
    "publish_events.json": published_the_created_event_of_order_1,
}

# Events whose answer is an error by design (everything else answers 2xx).
ERROR_ANSWERS = {"route_not_found.json"}
# Events that read what an execution leaves: order 1 is filled before they run.
EXECUTED_FIRST = {"order_fills.json", "account_fills.json", "order_events.json"}


def arrange(event_file: Path, stack: Deployed) -> None:
    """What the events refer to: order 1, a pending market buy on account 1 with client order id bot-0001
    (create_order.json makes it), filled for the events that read its fills."""
    if event_file.name != "create_order.json":
        assert stack.create_order(client_order_id="bot-0001")["id"] == 1
    if event_file.name in EXECUTED_FIRST:
        assert stack.post("/api/orders/execute/1").json()["execution_status"] == "filled"


def test_every_function_has_an_event_file(template: Template) -> None:
    covered = {function_for(path, template) for path in EVENTS}
    assert covered == {spec.logical_id for spec in template.functions()}


def test_every_event_file_has_an_expectation() -> None:
    assert {path.name for path in EVENTS} == set(EXPECTATIONS)


@pytest.mark.parametrize("event_file", EVENTS, ids=[path.name for path in EVENTS])
def test_event_file_succeeds_through_its_function(stack: Deployed, template: Template, event_file: Path) -> None:
    arrange(event_file, stack)
    event = json.loads(event_file.read_text())

    result = stack.invoke(function_for(event_file, template), event)

    if "statusCode" in result and event_file.name not in ERROR_ANSWERS:
        assert 200 <= result["statusCode"] < 300, result
    EXPECTATIONS[event_file.name](result, stack)
