"""The router answers every request as Powertools' resolver answers it from the same declarations.

Given each HTTP function's routes, declared once (``functions/*/app.py``), served twice: by the
function's own router and by Powertools' ``APIGatewayHttpResolver`` with validation on (the resolver
the OpenAPI document is generated from), each route replaced by one that echoes its validated
arguments. When the same request goes to both, over a corpus of good and bad path values, query
strings, headers and bodies, then the status, headers and body of both answers are equal: the same
arguments reach the route, and every refusal has the same status, code, message and details.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
from collections.abc import Callable
from typing import Any

import pytest

from localdev.events import http_api_event
from localdev.functions import LambdaContext, load_module
from localdev.template import FunctionSpec, Template
from orders_common.http.binding import declared_parameters
from orders_common.http.openapi import powertools_resolver
from orders_common.http.requests import refuse_unacceptable_body
from orders_common.http.responses import json_response
from orders_common.http.router import Route, Router

HTTP_FUNCTIONS = [spec for spec in Template.load().functions()
                  if any(event["Type"] == "HttpApi" for event in spec.events.values())]  # fmt: skip

PATH_VALUES = ["1", "42", "0", "-1", "abc", "1.5", "9" * 17, "9007199254740993", "%31", "1e3", "a b", "~x", "x" * 65]
QUERIES = [
    "", "limit=5", "limit=0", "limit=1001", "limit=abc", "limit=", "limit=5&limit=7", "status=FILLED",
    "status=bogus", "status=pending&status=filled", "status=pending,filled", "symbol=btc", "symbol=BTC,ETH",
    "symbol=BTC&symbol=ETH", "since=2026-01-01T00:00:00Z", "since=yesterday", "since=2026-01-01T00:00:00",
    "until=2026-01-01T00:00:00%2B02:00", "next_token=abc", "next_token=", "side=buy&order_type=limit",
    "side=BUY", "unknown=1", "limit=2&status=pending&symbol=ETH",
]  # fmt: skip
HEADERS = [
    {}, {"idempotency-key": "k-1"}, {"Idempotency-Key": "k 1"}, {"idempotency-key": ""}, {"idempotency-key": "a,b"},
    {"if-match": '"3"'}, {"If-Match": "3"}, {"if-match": '"1", "2"'}, {"if-match": "*"},
]  # fmt: skip
JSON = "application/json"
CREATE = {"account_id": 1, "symbol": "BTC", "name": "n", "side": "buy", "order_type": "limit", "quantity": 0.01,
          "price": 50000}  # fmt: skip
BODIES: list[tuple[str | bytes | None, str | None]] = [
    (None, None), (None, JSON), ("", JSON), ("  ", JSON), ("{", JSON), ("[]", JSON), ("null", JSON), ("1", JSON),
    ("{}", JSON), ('{"amount": 100}', JSON), ('{"amount": "1e400"}', JSON), ('{"amount": 1, "amount": 2}', JSON),
    ('{"amount": NaN}', JSON), (json.dumps(CREATE), JSON), (json.dumps({**CREATE, "price": None}), JSON),
    (json.dumps({"seconds": 60}), JSON), (json.dumps({"user_id": 7, "initial_deposit": 10}), JSON),
    (json.dumps({"symbol": "BTC", "quantity": 1, "reason": "r"}), JSON), ('{"quantity": 2}', JSON),
    ('{"account_id": 1, "side": "sell"}', JSON),
    ('{"amount": 100}', "Application/JSON; charset=utf-8"), ('{"amount": 100}', None),
    ('{"amount": 100}', "application/vnd.api+json"), ("x" * 17_000, JSON),
    ("a=1", "application/x-www-form-urlencoded"),
    ("", "application/x-www-form-urlencoded"), ("", "text/plain"), ("hello", "text/plain"),
    (b'{"amount": 100}', JSON), (b"\xff\xfe{}", JSON),
]  # fmt: skip


def echo(func: Callable[..., Any]) -> Callable[..., Any]:
    """A route with ``func``'s declared parameters that answers the arguments it was given."""

    @functools.wraps(func)
    def route(**arguments: Any) -> Any:
        return json_response(200, {name: repr(value) for name, value in sorted(arguments.items())})

    return route


def echoing_router(spec: FunctionSpec) -> Router:
    router = Router()
    for route in load_module(spec).app.routes:
        router.route(route.method, route.path, **route.openapi)(echo(route.func))
    return router


def requests_for(route: Route) -> list[dict[str, Any]]:
    """The corpus for one route: each dimension varied on its own, the others kept plain."""
    names = [part[1:-1] for part in route.path.split("/") if part.startswith("<")]
    template = route.path.replace("<", "{").replace(">", "}")
    plain = template.format(**dict.fromkeys(names, "1"))
    plain_body, plain_type = (None, None) if route.method == "GET" else ('{"amount": 100}', JSON)

    def event(
        path: str = plain,
        method: str = route.method,
        query: str = "",
        headers: dict[str, str] | None = None,
        body: str | bytes | None = plain_body,
        content_type: str | None = plain_type,
    ) -> dict[str, Any]:
        sent = {**({"content-type": content_type} if content_type else {}), **(headers or {})}
        return http_api_event(method, path, query_string=query, headers=sent, body=body)

    events = [event(path=template.format(**dict.fromkeys(names, value))) for value in PATH_VALUES if names]
    events += [event(query=query) for query in QUERIES]
    events += [event(headers=headers) for headers in HEADERS]
    events += [event(body=body, content_type=content_type) for body, content_type in BODIES]
    events += [event(method=other) for other in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")
               if other != route.method]  # fmt: skip
    events += [event(path=plain + "/"), event(path="/api/nowhere"), event(path="/api/accounts/1/x")]
    staged = event()  # a stage other than $default prefixes the path with its name
    staged_context = {**staged["requestContext"], "stage": "prod"}
    events.append({**staged, "rawPath": f"/prod{plain}", "requestContext": staged_context})
    binary = event(body=None, content_type=JSON)
    events.append({**binary, "body": base64.b64encode(b'{"amount": 5}').decode(), "isBase64Encoded": True})
    events.append({**binary, "body": base64.b64encode(b"\xff{}").decode(), "isBase64Encoded": True})
    return events


def answer(resolve: Callable[[dict[str, Any], Any], dict[str, Any]], event: dict[str, Any]) -> dict[str, Any]:
    """What the function's entry point answers (the media-type check comes first, as in ``http_entry``)."""
    event = copy.deepcopy(event)
    refused = refuse_unacceptable_body(event)
    found = refused or resolve(event, LambdaContext("Parity", 512, 10))
    return {**found, "body": json.loads(found["body"])}


@pytest.mark.parametrize("spec", HTTP_FUNCTIONS, ids=lambda spec: spec.logical_id)
def test_the_router_answers_as_powertools_resolver_does(spec: FunctionSpec) -> None:
    # Given the function's routes served by its router and by Powertools' resolver
    router = echoing_router(spec)
    reference = powertools_resolver(router)
    events = [event for route in router.routes for event in requests_for(route)] or [
        http_api_event("GET", "/api/nowhere"), http_api_event("POST", "/api/orders/pending")
    ]  # fmt: skip

    # When each request goes to both
    answers = [(event, answer(router.resolve, event), answer(reference.resolve, event)) for event in events]

    # Then both answer alike, and the corpus reached the routes and was refused by them
    different = [(e["requestContext"]["http"]["method"], e["rawPath"], e["rawQueryString"], e["headers"], e["body"],
                  mine, theirs) for e, mine, theirs in answers if mine != theirs]  # fmt: skip
    assert not different, f"{len(different)} of {len(answers)} differ, e.g. {different[:2]}"
    statuses = {mine["statusCode"] for _, mine, _ in answers}
    takes_parameters = any(declared_parameters(route.func) for route in router.routes)
    expected = {404} if not router.routes else {200, 405, 400} if takes_parameters else {200, 405}
    assert statuses >= expected, statuses
