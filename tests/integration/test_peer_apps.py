"""The peers of ``benchmarks.peers`` create an order as the project does: the same items written, the same
money moved. Their warm create is compared with the project's, so a peer that wrote less (one item, no
reservation, no ledger entry, no event) would win by not doing the work (issue 21)."""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from pydantic import ValidationError

from benchmarks.peers import CREATE_ORDER, events
from localdev.inprocess import in_process_stack

ROOT = Path(__file__).resolve().parents[2]
PEER_APPS = ROOT / "benchmarks" / "peer_apps"
Key = tuple[str, str]


class Context:
    function_name = "peer-test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:peer-test"
    aws_request_id = "peer-test-request"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


@pytest.fixture
def table() -> Iterator[Any]:
    """The local stack (moto, demo accounts: account 1 is user 1's, funded), authentication on as deployed."""
    with in_process_stack(environment={"AUTH_ENABLED": "true"}):
        yield boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


# Top-level modules the peers and a function are imported as.
TOP_LEVEL = ("app", "order_store", "order_models", "market_rules", "bare_app", "fastapi_app")


@pytest.fixture(autouse=True)
def _own_top_level_modules() -> Iterator[None]:
    """Each test imports the peers and the function afresh, and leaves none of them behind (other tests
    import every function as ``app``)."""
    kept = {name: sys.modules.pop(name) for name in TOP_LEVEL if name in sys.modules}
    yield
    for name in TOP_LEVEL:
        sys.modules.pop(name, None)
    sys.modules.update(kept)


def load(path: Path, module: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """A fresh import of ``module`` from ``path`` (the peers import their helpers as top-level modules,
    and ``order_store`` makes its client at import: under the stack's moto)."""
    monkeypatch.syspath_prepend(str(path))
    for name in TOP_LEVEL:
        sys.modules.pop(name, None)
    return importlib.import_module(module)


def items(table: Any) -> dict[Key, dict[str, Any]]:
    return {(item["pk"], item["sk"]): item for item in table.scan(ConsistentRead=True)["Items"]}


def written(table: Any, create: Any) -> dict[str, dict[str, Any]]:
    """The items ``create`` added or changed, by kind (the order id counter left out)."""
    before = items(table)
    create()
    changed = {key: item for key, item in items(table).items() if before.get(key) != item}
    by_kind = {}
    for (pk, sk), item in changed.items():
        kind = "account" if sk == "ACCOUNT" else "event" if sk.startswith("EVENT#") else pk.split("#")[0].lower()
        if kind != "counter":
            by_kind[kind] = item
    return by_kind


@pytest.mark.parametrize("peer", ["bare_app", "fastapi_app"])
def test_a_peer_creates_the_items_the_project_creates(peer: str, table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the benchmark's limit buy, as each candidate receives it (the token's user owns account 1)
    requests = events()
    project = load(ROOT / "functions" / CREATE_ORDER.function, "app", monkeypatch)
    cash = table.get_item(Key={"pk": "ACCOUNT#1", "sk": "ACCOUNT"})["Item"]["available_cash"]

    # When the project creates it, then the peer (the Chalice and Powertools peers share its models and store)
    answers = {}
    by_project = written(
        table, lambda: answers.update(project=project.lambda_handler(requests[CREATE_ORDER.function], Context()))
    )
    after_project = table.get_item(Key={"pk": "ACCOUNT#1", "sk": "ACCOUNT"})["Item"]["available_cash"]
    candidate = load(PEER_APPS, peer, monkeypatch)
    by_peer = written(table, lambda: answers.update(peer=candidate.lambda_handler(requests["create-http"], Context())))
    after_peer = table.get_item(Key={"pk": "ACCOUNT#1", "sk": "ACCOUNT"})["Item"]["available_cash"]

    # Then both wrote the order, moved the same cash from the account with a ledger entry, and wrote the
    # order's first event, each item with the same attributes
    assert set(by_project) == set(by_peer) == {"order", "account", "ledger", "event"}
    for kind in ("order", "ledger", "event"):
        assert set(by_peer[kind]) == set(by_project[kind]), kind
    reserved = Decimal("50.05")  # 0.001 BTC at 50,000 and 0.1 % commission
    assert cash - after_project == after_project - after_peer == reserved
    assert by_peer["order"]["reserved_cash"] == by_project["order"]["reserved_cash"] == reserved
    assert by_peer["ledger"]["available_change"] == by_project["ledger"]["available_change"] == -reserved
    assert by_peer["event"]["kind"] == by_project["event"]["kind"] == "created"
    # and both answered the order document, its amounts JSON numbers (as the contract writes them)
    by_answer = {name: json.loads(answer["body"]) for name, answer in answers.items()}
    assert (answers["project"]["statusCode"], answers["peer"]["statusCode"]) == (201, 201)
    if peer != "bare_app":  # the floor answers what it stored, without the derived fields
        assert set(by_answer["peer"]) == set(by_answer["project"])
    for amount in ("price", "quantity", "filled_quantity", "reserved_cash"):
        assert by_answer["peer"][amount] == by_answer["project"][amount], amount
        assert type(by_answer["peer"][amount]) in (int, float), amount


def test_the_framework_peers_answer_amounts_as_json_numbers(table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an order of the framework peers' model (Chalice and Powertools: pydantic writes a Decimal as a string)
    monkeypatch.syspath_prepend(str(PEER_APPS))
    models = importlib.import_module("order_models")
    request = models.CreateOrder.model_validate(json.loads(json.dumps(CREATE_ORDER.body)))
    order = models.new_order(request, 1)

    # When Chalice's peer (a JSON-mode dump, then json.dumps) and Powertools' (pydantic's JSON) write it
    by_chalice = json.loads(json.dumps(order.model_dump(mode="json")))
    by_powertools = json.loads(order.model_dump_json())

    # Then amounts are numbers, the same in both
    assert by_chalice == by_powertools
    assert (by_chalice["price"], by_chalice["quantity"], by_chalice["remaining_quantity"]) == (50000, 0.001, 0.001)
    assert by_chalice["reserved_cash"] == 50.05 and by_chalice["filled_quantity"] == 0


def test_a_peer_refuses_a_buy_the_account_cannot_pay(table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a buy worth more than account 1 holds
    request = events()["create-http"]
    request["body"] = request["body"].replace('"quantity": 0.001', '"quantity": 10')  # 500,000 against 100,000
    before = items(table)

    # When a peer creates it
    candidate = load(PEER_APPS, "bare_app", monkeypatch)
    with pytest.raises(Exception, match="ConditionalCheckFailed"):
        candidate.lambda_handler(request, Context())

    # Then nothing was written: the reservation's condition refused the whole transaction
    assert items(table) == before


# The benchmark's limit buy with one field changed (or, when the value is REMOVE, left out), and whether the
# project takes it: each rule the project's create has for the fields the benchmark sends.
REMOVE = object()
BODY_CASES = [
    ({}, True),
    ({"symbol": "btc"}, True),  # stored upper case
    ({"name": "  a b  "}, True),
    ({"quantity": "0.001"}, False),  # a number in a string
    ({"quantity": True}, False),
    ({"quantity": 0}, False),
    ({"quantity": -1}, False),
    ({"quantity": 0.000000001}, False),  # 9 decimal places
    ({"price": 10**13}, False),  # over 1e12
    ({"price": "50000"}, False),
    ({"price": REMOVE}, False),  # a limit order without its price
    ({"order_type": "market"}, False),  # a market order with a price
    ({"name": "   "}, False),
    ({"name": ""}, False),
    ({"name": "a\tb"}, False),
    ({"name": "x" * 101}, False),
    ({"symbol": "BT-C"}, False),
    ({"symbol": "B" * 21}, False),
    ({"account_id": "1"}, False),
    ({"account_id": True}, False),
    ({"account_id": 0}, False),
    ({"account_id": 1.0}, False),
    ({"side": "hold"}, False),
    ({"colour": "red"}, False),
    # the desk's rules per symbol (QuantityDecimals, PriceDecimals, the listed symbols, MaxOrderNotional)
    ({"symbol": "ETH", "price": 3500.25}, True),
    ({"symbol": "DOGE"}, False),  # not listed
    ({"quantity": 0.000001}, False),  # BTC quantities have 5 places
    ({"price": 50000.05}, False),  # BTC prices have 1
    ({"quantity": 30}, False),  # 1.5 million, over MaxOrderNotional
]


def body_of(change: dict[str, Any]) -> str:
    body = {**CREATE_ORDER.body, **change}
    return json.dumps({name: value for name, value in body.items() if value is not REMOVE})


@pytest.mark.parametrize(("change", "accepted"), BODY_CASES, ids=[str(change) for change, _ in BODY_CASES])
def test_the_peers_take_and_refuse_the_bodies_the_project_does(
    change: dict[str, Any], accepted: bool, table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the benchmark's create with one field changed, as each candidate receives it
    requests = events()
    project_request, bare_request = requests[CREATE_ORDER.function], requests["create-http"]
    project_request["body"] = bare_request["body"] = body_of(change)

    # When the project, the bare handler and the framework peers' model (their JSON parsed as the standard
    # library parses it, as Chalice, Powertools and FastAPI do) take it
    project = load(ROOT / "functions" / CREATE_ORDER.function, "app", monkeypatch)
    by_project = project.lambda_handler(project_request, Context())["statusCode"]
    bare = load(PEER_APPS, "bare_app", monkeypatch)
    by_bare = bare.lambda_handler(bare_request, Context())["statusCode"]
    models = importlib.import_module("order_models")
    try:
        models.CreateOrder.model_validate(json.loads(body_of(change)))
        by_models = True
    except ValidationError:
        by_models = False

    # Then all decide as the project's rules say
    if accepted:
        assert (by_project, by_bare, by_models) == (201, 201, True)
    else:  # the project says which rule with 400 or 422 (an unknown symbol, an order too large)
        assert (by_project in (400, 422), by_bare, by_models) == (True, 400, False)
