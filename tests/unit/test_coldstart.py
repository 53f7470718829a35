"""Every cold-start measure is pinned here: each test fails when what the measure relies on changes.

Each case runs in a fresh interpreter: the collector and the module cache are process-wide.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from localdev.template import ROOT
from orders_common.coldstart.lazy_powertools import LAZY_PACKAGES

if TYPE_CHECKING:
    from tests.support.stack import Deployed

GC_PROBE = """
import gc, json, sys
import orders_common
from orders_common.http.resolver import build_resolver
from orders_common.http.responses import json_response
from orders_common.runtime import http_entry, scheduled_entry, sqs_entry
from localdev.functions import LambdaContext

kind, outcome = sys.argv[1], sys.argv[2]

def fail(*_):
    raise RuntimeError("the invocation failed")

def boom():
    raise RuntimeError("the route failed")

app = build_resolver()
app.get("/ok")(lambda: json_response(200, {"ok": True}))
app.get("/boom")(boom)
app.post("/body")(lambda: json_response(200, {"ok": True}))

def http_event(method, path, body=None, content_type="application/json"):
    return {
        "version": "2.0", "routeKey": f"{method} {path}", "rawPath": path, "rawQueryString": "",
        "headers": {"content-type": content_type}, "body": body, "isBase64Encoded": False,
        "requestContext": {"requestId": "r1", "http": {"method": method, "path": path}, "stage": "$default"},
    }

handlers = {
    ("http", "refused"): (http_entry(app), http_event("POST", "/body", "a=1", "text/plain")),
    ("http", "failed"): (http_entry(app), http_event("GET", "/boom")),
    ("http", "succeeded"): (http_entry(app), http_event("GET", "/ok")),
    ("scheduled", "failed"): (scheduled_entry(fail), {"source": "aws.events", "id": "e"}),
    ("scheduled", "succeeded"): (scheduled_entry(lambda context: {"queued": 0}), {"source": "aws.events", "id": "e"}),
    ("sqs", "failed"): (sqs_entry(fail), {"Records": []}),
    ("sqs", "succeeded"): (sqs_entry(lambda event, context: {"batchItemFailures": []}), {"Records": []}),
}
handler, event = handlers[(kind, outcome)]
states = {"after_import": gc.isenabled()}
context = LambdaContext("Probe", 512, 10)
for moment in ("after_first_invocation", "after_second_invocation"):
    try:
        answer = handler(event, context)
        states.setdefault("status", answer.get("statusCode"))
    except RuntimeError:
        states.setdefault("status", "raised")
    states[moment] = gc.isenabled()
    states.setdefault("frozen_objects", gc.get_freeze_count())
print(json.dumps(states))
"""


def run_probe(code: str, *args: str, **environment: str) -> dict[str, object]:
    env = {key: value for key, value in os.environ.items() if key not in {"AWS_LAMBDA_FUNCTION_NAME", "PYTHONPATH"}}
    env.update(environment, PYTHONPATH=os.pathsep.join([str(ROOT / "layers" / "common"), str(ROOT)]))
    output = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True, cwd=ROOT
    )
    result: dict[str, object] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


ENTRY_POINTS = [
    ("http", "refused", 415),
    ("http", "failed", 500),
    ("http", "succeeded", 200),
    ("scheduled", "failed", "raised"),
    ("scheduled", "succeeded", None),
    ("sqs", "failed", "raised"),
    ("sqs", "succeeded", None),
]


@pytest.mark.parametrize(("kind", "outcome", "status"), ENTRY_POINTS)
def test_every_entry_point_resumes_the_collector_after_its_first_invocation(
    kind: str, outcome: str, status: object
) -> None:
    # Given a Lambda environment, When the layer loads and a first invocation ends as ``outcome``
    states = run_probe(GC_PROBE, kind, outcome, AWS_LAMBDA_FUNCTION_NAME="probe")

    # Then the collector was off during start-up and is on, with start-up objects frozen, afterwards
    assert states["status"] == status
    assert states["after_import"] is False
    assert states["after_first_invocation"] is True
    assert isinstance(states["frozen_objects"], int) and states["frozen_objects"] > 10_000
    assert states["after_second_invocation"] is True


def test_outside_lambda_the_collector_is_left_alone() -> None:
    states = run_probe(GC_PROBE, "http", "succeeded")

    assert (states["after_import"], states["after_first_invocation"], states["frozen_objects"]) == (True, True, 0)


DESCRIBE = """
def describe(value):
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None) or type(value).__name__
    return f"{getattr(value, '__module__', '')}.{name}"
"""

EAGER_PROBE = (
    DESCRIBE
    + """
import importlib, importlib.util, json, sys
# lazy_powertools loaded on its own: importing orders_common.batch would install the lazy packages.
spec = importlib.util.spec_from_file_location("lazy_powertools", sys.argv[2])
lazy_powertools = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lazy_powertools)
package = sys.argv[1]
parsed = lazy_powertools._exports(package, importlib.util.find_spec(package).origin)
eager = importlib.import_module(package)
print(json.dumps({
    "all": sorted(getattr(eager, "__all__", [])),
    "names": {name: describe(getattr(eager, name)) for name in parsed},
}))
"""
)

LAZY_PROBE = (
    DESCRIBE
    + """
import importlib, json, sys
import orders_common.batch
lazy = sys.modules[sys.argv[1]]
names = {name: describe(getattr(lazy, name)) for name in lazy.__all__}
print(json.dumps({"kind": type(lazy).__name__, "names": names}))
"""
)


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_lazy_packages_offer_exactly_what_the_eager_packages_do(package: str) -> None:
    # The names come from a regex over each package's __init__: a Powertools upgrade that imports
    # differently must fail here, not at request time.
    eager = run_probe(EAGER_PROBE, package, str(ROOT / "layers/common/orders_common/coldstart/lazy_powertools.py"))
    lazy = run_probe(LAZY_PROBE, package)

    assert set(eager["all"]) <= set(eager["names"])  # type: ignore[arg-type]
    assert lazy["names"] == eager["names"]  # the same names, each resolving to the same object
    assert lazy["names"]  # the regex found the imports at all


BATCH_PROBE = """
import json, sys
import orders_common.batch
import orders_common.models.messages
print(json.dumps({
    "lazy": type(sys.modules["aws_lambda_powertools.utilities.batch"]).__name__,
    "parser_models": "aws_lambda_powertools.utilities.parser.models" in sys.modules,
    "pydantic": "pydantic" in sys.modules,
}))
"""


def test_the_executor_loads_no_pydantic_parser_models() -> None:
    found = run_probe(BATCH_PROBE)

    assert found == {"lazy": "module", "parser_models": False, "pydantic": True}


HTTP_FUNCTION_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import app
from localdev.events import http_api_event
from localdev.functions import LambdaContext

answer = app.lambda_handler(http_api_event("GET", "/api/nowhere"), LambdaContext("Probe", 512, 10))
print(json.dumps({
    "status": answer["statusCode"],
    "powertools": sorted(name[len("aws_lambda_powertools."):] for name in sys.modules
                         if name.startswith("aws_lambda_powertools.")),
}))
"""


@pytest.mark.parametrize("function", ["order_details", "create_order", "account_orders", "health"])
def test_an_http_function_loads_no_powertools_event_handler(function: str) -> None:
    # Given an HTTP function, When it loads and answers a request
    found = run_probe(HTTP_FUNCTION_PROBE, str(ROOT / "functions" / function))

    # Then its router answered, and of Powertools only the logger, metrics and what they use loaded:
    # no event handler, OpenAPI machinery or event data classes (about 20 ms of a cold start)
    assert found["status"] == 404
    loaded = set(found["powertools"])  # type: ignore[arg-type]
    assert not {name for name in loaded if name.startswith(("event_handler", "utilities.data_classes."))}, loaded
    assert {"logging.logger", "metrics.metrics"} <= loaded


FUNCTION_PATH_PROBE = """
import json, os, sys
from moto import mock_aws

function, items, request = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
with mock_aws():
    import boto3
    from localdev.events import http_api_event
    from localdev.functions import LambdaContext
    from localdev.resources import create_resources, function_environment
    from localdev.stack import LOCAL_PARAMETERS
    from localdev.template import Template

    template = Template.load(parameters=LOCAL_PARAMETERS)
    os.environ.update(function_environment(template, create_resources(template)))
    for item in items:
        boto3.client("dynamodb").put_item(TableName=os.environ["TABLE_NAME"], Item=item)
    for name in [name for name in sys.modules if name.startswith("orders_common")]:
        del sys.modules[name]  # what the local stack loaded: the function starts from none of it
    sys.path.insert(0, function)
    import app

    answer = app.lambda_handler(http_api_event(**request), LambdaContext("Probe", 512, 10))
print(json.dumps({"status": answer["statusCode"], "body": json.loads(answer["body"]),
                  "loaded": sorted(name for name in sys.modules if name.startswith("orders_common."))}))
"""


def stored_item(stack: Deployed, partition: str, sort: str) -> dict[str, Any]:
    table = stack.services.table
    found: dict[str, Any] = table.client.get_item(TableName=table.name, Key={"pk": {"S": partition}, "sk": {"S": sort}})
    return found["Item"]


# What a function reading one order never needs: list paging and its shard merge, the ports' value
# records (its answer is ``ports.answers``), the other read use cases, the actor and error models (an
# answer that is not an error, no event written), the fields a client sends in a body. Each is a few
# classes or field definitions built at import: together about 12 ms of a cold start.
NOT_ON_THE_READ_PATH = {
    "orders_common.models.fields",
    "orders_common.dal.paging",
    "orders_common.models.paging",
    "orders_common.logic.ports.values",
    "orders_common.logic.list_orders",
    "orders_common.logic.get_client_order",
    "orders_common.models.actor",
    "orders_common.models.errors",
    "orders_common.dal.transaction",
}


def test_reading_an_order_loads_only_what_that_read_uses(stack: Deployed) -> None:
    # Given an order as the store wrote it, and what the API answers for it
    created = stack.create_order()
    stored = stored_item(stack, f"ORDER#{created['id']}", "ORDER")
    expected = json.loads(stack.get(f"/api/orders/order/{created['id']}").body)

    # When a fresh order_details function loads and answers a GET of it
    request = {
        "method": "GET",
        "path": f"/api/orders/order/{created['id']}",
        "route_key": "GET /api/orders/order/{order_id}",
        "path_parameters": {"order_id": str(created["id"])},
    }
    found = run_probe(FUNCTION_PATH_PROBE, str(ROOT / "functions" / "order_details"), json.dumps([stored]),
                      json.dumps(request))  # fmt: skip

    # Then it answered the order, without loading the modules a single read does not use
    assert (found["status"], found["body"]) == (200, expected)
    loaded = set(found["loaded"])  # type: ignore[arg-type]
    assert {"orders_common.logic.get_order", "orders_common.dal.order_reads"} <= loaded
    assert not loaded & NOT_ON_THE_READ_PATH, sorted(loaded & NOT_ON_THE_READ_PATH)


# What a function placing an order never needs: the account's models (it asks only the account's
# owner, and its transaction checks the cash), account changes, what a transfer answers and what the
# event bus carries, the ports' protocols (type annotations only). About 4 ms of a create's first answer.
NOT_ON_THE_CREATE_PATH = {
    "orders_common.logic.ports.accounts",
    "orders_common.logic.ports.orders",
    "orders_common.models.account",
    "orders_common.models.transfers",
    "orders_common.models.published_event",
    "orders_common.dal.accounts",
    "orders_common.dal.account_mapping",
}


def test_placing_an_order_loads_only_what_a_new_order_uses(stack: Deployed) -> None:
    # Given a funded account as the store wrote it
    account = stored_item(stack, "ACCOUNT#1", "ACCOUNT")
    assert Decimal(account["available_cash"]["N"]) > 100

    # When a fresh create_order function loads and places a limit buy on it
    body = {"account_id": 1, "symbol": "BTC", "name": "probe", "side": "buy", "order_type": "limit",
            "quantity": 0.001, "price": 50000}  # fmt: skip
    request = {"method": "POST", "path": "/api/orders/create", "route_key": "POST /api/orders/create",
               "headers": {"content-type": "application/json"}, "body": json.dumps(body)}  # fmt: skip
    found = run_probe(FUNCTION_PATH_PROBE, str(ROOT / "functions" / "create_order"), json.dumps([account]),
                      json.dumps(request))  # fmt: skip

    # Then it placed the order, without loading the modules a new order does not use
    assert found["status"] == 201, found["body"]
    assert found["body"]["status"] == "pending"  # type: ignore[index]
    assert found["body"]["reserved_cash"] > 0  # type: ignore[index]
    loaded = set(found["loaded"])  # type: ignore[arg-type]
    assert {"orders_common.logic.create_order", "orders_common.dal.order_writes"} <= loaded
    assert not loaded & NOT_ON_THE_CREATE_PATH, sorted(loaded & NOT_ON_THE_CREATE_PATH)


REPLAYED_PROBE = """
import json, sys
function, answers, event_path = sys.argv[1:4]
from benchmarks.peer_apps import dynamodb_stub

dynamodb_stub.install(answers)
sys.path.insert(0, function)
import app

class Context:
    function_name, memory_limit_in_mb, aws_request_id = "Probe", 512, "probe-request"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:Probe"

    def get_remaining_time_in_millis(self):
        return 10_000

with open(event_path) as event:
    answer = app.lambda_handler(json.load(event), Context())
print(json.dumps({"status": answer["statusCode"],
                  "unused": sorted(name for name in sys.modules
                                   if name.split(".")[0] in {"boto3", "s3transfer", "simplejson"})}))
"""


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """What DynamoDB answered each function's request under moto (recorded by the peers benchmark, replayed
    at botocore's HTTP send: moto itself loads boto3), the functions' events and environment, as deployed."""
    from benchmarks import peers

    answers, environment = peers.record_answers([peers.GET_ORDER, peers.CREATE_ORDER, *peers.OTHER_CALLS])
    work = tmp_path_factory.mktemp("replayed")
    (work / "answers.json").write_text(json.dumps(answers))
    for name, event in peers.events().items():
        (work / f"{name}.json").write_text(json.dumps(event))
    return work, {**environment, "AUTH_ENABLED": "true", "PRICE_SOURCE": "static"}


@pytest.mark.parametrize("function", ["order_details", "create_order", "cancel_order", "deposit"])
def test_a_function_answers_without_loading_boto3_or_simplejson(
    function: str, replayed: tuple[Path, dict[str, str]]
) -> None:
    # Given a function's request as deployed and what DynamoDB answers it
    work, environment = replayed

    # When a fresh interpreter loads the function and answers it
    found = run_probe(REPLAYED_PROBE, str(ROOT / "functions" / function), str(work / "answers.json"),
                      str(work / f"{function}.json"), **environment)  # fmt: skip

    # Then it answered, its clients made by botocore's session alone (boto3's package, its resources,
    # s3transfer and multiprocessing, are about 12 ms of a cold start that nothing here uses) and every
    # document written by orjson (simplejson only writes what orjson cannot)
    assert found["status"] in {200, 201}, found
    assert found["unused"] == [], found["unused"]


def _layer_models() -> list[type]:
    import importlib
    import pkgutil

    from pydantic import BaseModel

    import orders_common.models

    found: dict[str, type] = {}
    for module in pkgutil.iter_modules(orders_common.models.__path__):
        loaded = importlib.import_module(f"orders_common.models.{module.name}")
        for value in vars(loaded).values():
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == loaded.__name__:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def _signature_parsed_from_text(candidate: object) -> bool:
    """What ``inspect.signature`` reads by tokenizing its ``__text_signature__``: a builtin or C type."""
    import inspect

    return (
        candidate is not None
        and not inspect.isfunction(candidate)
        and bool(getattr(candidate, "__text_signature__", None))
    )


def test_no_model_hands_pydantic_a_builtin_to_inspect() -> None:
    # pydantic reads the signature of each validator and default factory when it builds a model (at its
    # first use); a builtin's (str.upper, list) is parsed from its text by inspect, which compiles
    # tokenize's regex: 2 to 6 ms of the first request of a function using the model.
    found = _layer_models()
    offending = []
    for model in found:
        for name, field in model.model_fields.items():  # type: ignore[attr-defined]
            candidates = [field.default_factory, *(getattr(meta, "func", None) for meta in field.metadata)]
            offending += [f"{model.__name__}.{name}: {c!r}" for c in candidates if _signature_parsed_from_text(c)]
        for decorator in model.__pydantic_decorators__.field_validators.values():  # type: ignore[attr-defined]
            if _signature_parsed_from_text(decorator.func):
                offending.append(f"{model.__name__}: {decorator.func!r}")

    assert len(found) > 30  # the walk found the models
    assert _signature_parsed_from_text(str.upper) and _signature_parsed_from_text(list)  # what it looks for
    assert offending == []
