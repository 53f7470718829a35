"""The checked-in OpenAPI document is what the handlers declare, and documents every route."""

from __future__ import annotations

import json
import re

from localdev.template import Template
from orders_common.models.order import OrderType
from orders_common.models.requests import CREATE_ORDER_EXAMPLES, CreateOrderRequest
from tools.openapi import DOCUMENT_PATH, DOCUMENT_URL, TAGS, build_openapi, documentation_pages, render


def test_the_checked_in_document_is_current(template: Template) -> None:
    assert DOCUMENT_PATH.read_text() == render(build_openapi(template)), "run `make openapi` and commit the result"


def test_every_route_of_the_template_is_documented(template: Template) -> None:
    document = json.loads(DOCUMENT_PATH.read_text())

    documented = {(method.upper(), path) for path, operations in document["paths"].items() for method in operations}

    assert documented == {(route.method, route.path) for route in template.http_routes() if route.path != "$default"}


def test_every_error_a_route_answers_uses_the_error_shape() -> None:
    document = json.loads(DOCUMENT_PATH.read_text())

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                expected = {"401": "GatewayError"}.get(status, "ErrorBody")
                if path.startswith("/api/orders/health") and status == "503":
                    expected = "UnhealthyReport"  # the error shape plus "status": "unhealthy"
                schema = response["content"]["application/json"]["schema"]["$ref"]
                assert schema.endswith(f"/{expected}"), (method, path, status)
    assert "HTTPValidationError" not in json.dumps(document)


def test_every_operation_has_one_agreed_tag_and_a_unique_camel_case_operation_id(template: Template) -> None:
    # Built from the handlers, not read from the file: a new route without tags=[...] and
    # operation_id=... (Powertools then writes none and e.g. create_api_orders_create_post) fails here.
    document = build_openapi(template)

    operations = [
        (method, path, operation)
        for path, by_method in document["paths"].items()
        for method, operation in by_method.items()
    ]
    for method, path, operation in operations:
        assert len(operation.get("tags", [])) == 1 and operation["tags"][0] in TAGS, (
            method,
            path,
            operation.get("tags"),
        )
        assert re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)*", operation["operationId"]), (method, path)
    operation_ids = [operation["operationId"] for _, _, operation in operations]
    assert len(set(operation_ids)) == len(operation_ids)
    assert [tag["name"] for tag in document["tags"]] == list(TAGS)
    assert {tag for _, _, operation in operations for tag in operation["tags"]} == set(TAGS)  # none left empty


def test_the_create_examples_are_a_market_and_a_limit_order_the_model_accepts() -> None:
    document = json.loads(DOCUMENT_PATH.read_text())
    body = document["paths"]["/api/orders/create"]["post"]["requestBody"]["content"]["application/json"]

    examples = body["examples"]

    assert examples == CREATE_ORDER_EXAMPLES
    requests = [CreateOrderRequest.model_validate_json(json.dumps(example["value"])) for example in examples.values()]
    assert [request.order_type for request in requests] == [OrderType.MARKET, OrderType.LIMIT]
    assert "example" not in body  # Swagger UI pre-fills the first of examples, which the API accepts


def test_headers_are_typed() -> None:
    document = json.loads(DOCUMENT_PATH.read_text())
    operations = [operation for by_method in document["paths"].values() for operation in by_method.values()]

    request_headers = {
        parameter["name"]: parameter["schema"]
        for operation in operations
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "header"
    }
    response_headers: dict[str, set[str]] = {}
    for operation in operations:
        for response in operation["responses"].values():
            for name, header in response.get("headers", {}).items():
                response_headers.setdefault(name, set()).add(header["schema"]["type"])

    assert {name: schema["type"] for name, schema in request_headers.items()} == {
        "idempotency-key": "string",
        "if-match": "string",
    }
    assert response_headers == {
        "ETag": {"string"},
        "X-Next-Token": {"string"},
        "Retry-After": {"integer"},
        "Idempotent-Replayed": {"string"},
    }
    order = document["paths"]["/api/orders/order/{order_id}"]
    assert set(order["get"]["responses"]["200"]["headers"]) == {"ETag"}
    assert set(order["get"]["responses"]["503"]["headers"]) == {"Retry-After"}
    assert set(document["paths"]["/api/orders/pending"]["get"]["responses"]["200"]["headers"]) == {"X-Next-Token"}


def test_swagger_ui_links_the_document_at_its_own_path(template: Template) -> None:
    document = build_openapi(template)
    pages = documentation_pages(document)

    page = pages["/swagger"]().body.decode()
    served = pages[DOCUMENT_URL]()

    assert 'ui.specActions.updateUrl("/openapi.json")' in page
    assert "?format=json" not in page
    assert (DOCUMENT_URL, served.status, json.loads(served.body)) == ("/openapi.json", 200, document)
