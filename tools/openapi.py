"""The whole API's OpenAPI document, generated from the handlers' own routes and models.

Every function behind the HTTP API has its own router (``app``), whose ``get_openapi_schema`` declares
its routes to Powertools' resolver (``orders_common.http.openapi``); Powertools' ``OpenAPIMerge``
gathers them into one document. Two corrections are applied to what Powertools writes: its automatic
"422 Validation Error" response is removed (this API answers validation errors with 400 and its own
error body, documented on each route), and the list endpoints' query parameters, declared as one
pydantic model, get that model's constraints (range of ``limit``, values of ``status``...).

    python -m tools.openapi            # write docs/openapi.json
    python -m tools.openapi --check    # fail when docs/openapi.json is not what the code says
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from localdev.routing import HttpResponse
from localdev.template import ROOT, Template

DOCUMENT_PATH = ROOT / "docs" / "openapi.json"
DOCUMENT_URL = "/openapi.json"
VERSION = "1.0.0"

# Every operation is under exactly one of these (its ``tags=[...]`` in functions/*/app.py), in this order.
TAGS = {
    "Orders": "Place orders and read them, one or a list.",
    "Order changes": "Execute, amend and cancel pending orders, one, all of an account, or on a timer.",
    "Accounts": "Open, fund, adjust, freeze and read accounts.",
    "Ledger & fills": "Every movement of cash and positions, and every fill.",
    "Operations": "For operators and monitors: health, process-all, audits.",
}


def build_openapi(template: Template | None = None) -> dict[str, Any]:
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge

    from orders_common.models.list_queries import ListQuery

    template = template or Template.load()

    merge = OpenAPIMerge(
        title="Hyperoru orders API",
        version=VERSION,
        description="Orders for crypto trading accounts: create, list, execute, cancel; exact decimal amounts.",
        security_schemes={"jwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},  # type: ignore[dict-item]
        security=[{"jwt": []}],
        on_conflict="error",
    )
    for spec in template.functions():
        if any(event["Type"] == "HttpApi" for event in spec.events.values()):
            merge.add_file(spec.module_path)
    with warnings.catch_warnings():
        # Decimal defaults (0) have no JSON-schema default; leaving them out is right.
        warnings.filterwarnings("ignore", message="Default value .* is not JSON serializable")
        document: dict[str, Any] = json.loads(merge.get_openapi_json_schema())

    query_fields = ListQuery.model_json_schema()["properties"]
    public = _public_routes(template)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if f"{method.upper()} {path}" in public:
                operation["security"] = []  # no authorizer on this route, even with authentication on
            responses = operation["responses"]
            if "HTTPValidationError" in json.dumps(responses.get("422", {})):
                del responses["422"]
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and parameter["name"] in query_fields:
                    parameter["schema"] = _inline_refs(query_fields[parameter["name"]], document)
                elif parameter["in"] == "header":
                    _type_header(parameter)
    schemas = document.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError", "ResponseValidationError", "ListQuery"):
        schemas.pop(unused, None)
    document["tags"] = [{"name": name, "description": description} for name, description in TAGS.items()]
    return document


def _public_routes(template: Template) -> set[str]:
    """Route keys ("GET /path") that API Gateway serves without a token even with authentication on."""
    from localdev.template import Resolver

    secured = Template.load(template.path, parameters={**template.parameter_overrides, "AuthEnabled": "true"})
    secured_keys = secured.secured_route_keys(Resolver(secured))
    return {route.route_key for route in template.http_routes() if route.route_key not in secured_keys}


def _inline_refs(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema from the model's field: ``$defs`` references pointed at the
    document's components, and ``X | None`` shown as X (a query string is absent, never null)."""
    options = [option for option in schema.get("anyOf", []) if option.get("type") != "null"]
    if len(options) == 1:
        schema = {**{k: v for k, v in schema.items() if k not in {"anyOf", "default"}}, **options[0]}
    text = json.dumps({key: value for key, value in schema.items() if key not in {"title", "description", "examples"}})
    return dict(json.loads(text.replace("#/$defs/", "#/components/schemas/")))


def _type_header(parameter: dict[str, Any]) -> None:
    """An optional header's schema as its type (not "string or null": a header is absent, never null),
    its description and example on the parameter, where Swagger UI shows them."""
    schema = parameter["schema"]
    (typed,) = [option for option in schema.get("anyOf", [schema]) if option.get("type") != "null"]
    if description := typed.get("description") or schema.get("description"):
        parameter["description"] = description
    if examples := typed.get("examples"):
        parameter["example"] = examples[0]
    parameter["schema"] = {
        key: value for key, value in typed.items() if key not in {"title", "description", "examples"}
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def documentation_pages(document: dict[str, Any]) -> dict[str, Callable[[], HttpResponse]]:
    """``/openapi.json`` and ``/swagger`` (Swagger UI, its assets inlined: it works offline)."""
    from aws_lambda_powertools.event_handler.openapi import swagger_ui
    from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html

    assets = Path(swagger_ui.__file__).parent
    spec = json.dumps(document)
    page = generate_swagger_html(
        spec=spec,
        swagger_js=(assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        swagger_css=(assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        swagger_base_url="",
        oauth2_config=None,
    )
    # Powertools links the document as the page's own URL with ?format=json, which its resolver serves;
    # here the document is at its own path.
    generated_link = 'currentUrl.pathname + "?format=json"'
    if generated_link not in page:
        raise RuntimeError("Swagger UI's page no longer links its document as expected: check tools/openapi.py")
    page = page.replace(generated_link, json.dumps(DOCUMENT_URL))
    return {
        DOCUMENT_URL: lambda: HttpResponse(200, {"Content-Type": "application/json"}, spec.encode()),
        "/swagger": lambda: HttpResponse(200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.openapi", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if docs/openapi.json is stale")
    arguments = parser.parse_args(argv)
    current = render(build_openapi())
    if arguments.check:
        if not DOCUMENT_PATH.exists() or DOCUMENT_PATH.read_text() != current:
            print(f"{DOCUMENT_PATH.relative_to(ROOT)} is stale: run `make openapi` and commit it.", file=sys.stderr)
            return 1
        print(f"{DOCUMENT_PATH.relative_to(ROOT)} is current.")
        return 0
    DOCUMENT_PATH.parent.mkdir(exist_ok=True)
    DOCUMENT_PATH.write_text(current)
    print(f"wrote {DOCUMENT_PATH.relative_to(ROOT)} ({len(document_paths(current))} paths)")
    return 0


def document_paths(text: str) -> list[str]:
    return list(json.loads(text)["paths"])


if __name__ == "__main__":
    sys.exit(main())
