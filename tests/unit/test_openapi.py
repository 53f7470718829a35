"""The checked-in OpenAPI document is what the handlers declare, and documents every route."""

from __future__ import annotations

import json

from localdev.template import Template
from tools.openapi import DOCUMENT_PATH, build_openapi, render


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
                if path == "/api/orders/health" and status == "503":
                    expected = "UnhealthyReport"  # the error shape plus "status": "unhealthy"
                schema = response["content"]["application/json"]["schema"]["$ref"]
                assert schema.endswith(f"/{expected}"), (method, path, status)
    assert "HTTPValidationError" not in json.dumps(document)
