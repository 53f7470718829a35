"""API Gateway's part of a request: pick the function from the template's routes, build its event,
and turn its answer (or its crash) into an HTTP response."""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from localdev.events import http_api_event
from localdev.functions import LocalFunction
from localdev.template import Route


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), None)

    def json(self) -> Any:
        return json.loads(self.body, parse_float=Decimal) if self.body else None


DEFAULT_ROUTE = "$default"


def _gateway_error(status: int, message: str) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": "application/json"}, json.dumps({"message": message}).encode())


class Authorizer(Protocol):
    def verify(self, authorization: str | None) -> dict[str, Any] | None: ...


class Router:
    def __init__(
        self,
        routes: list[Route],
        functions: Mapping[str, LocalFunction],
        *,
        authorizer: Authorizer | None = None,
        secured: set[str] | None = None,
    ) -> None:
        self.routes = [(route, route.pattern(), functions[route.function]) for route in routes]
        self.authorizer = authorizer
        self.secured = secured or set()

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str], LocalFunction] | None:
        """The route API Gateway picks: the one matching method and path, else ``$default`` if any."""
        for route, pattern, function in self.routes:
            found = pattern.match(path)
            if found and route.method == method.upper():
                return route, found.groupdict(), function
        return next(((route, {}, function) for route, _, function in self.routes if route.path == DEFAULT_ROUTE), None)

    def handle(
        self,
        method: str,
        path: str,
        *,
        query_string: str = "",
        headers: Mapping[str, str] | None = None,
        body: bytes | str | None = None,
        source_ip: str = "127.0.0.1",
        authorizer: Mapping[str, Any] | None = None,
    ) -> HttpResponse:
        matched = self.match(method, path)
        if matched is None:
            return _gateway_error(404, "Not Found")
        route, path_parameters, function = matched
        if self.authorizer is not None and route.route_key in self.secured:
            lowered = {name.lower(): value for name, value in (headers or {}).items()}
            authorizer = self.authorizer.verify(lowered.get("authorization"))
            if authorizer is None:
                return _gateway_error(401, "Unauthorized")
        event = http_api_event(
            method,
            path,
            route_key=route.route_key,
            path_parameters=path_parameters,
            query_string=query_string,
            headers=headers,
            body=body,
            source_ip=source_ip,
            authorizer=authorizer,
        )
        try:
            result = function.invoke(event)
        except Exception as error:
            sys.stderr.write(f"[api] {function.spec.logical_id} raised {error!r}\n")
            return _gateway_error(500, "Internal Server Error")
        raw = result.get("body") or ""
        payload = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()
        response_headers = {name: str(value) for name, value in (result.get("headers") or {}).items()}
        response_headers["Apigw-Requestid"] = event["requestContext"]["requestId"]
        return HttpResponse(
            int(result.get("statusCode", 200)), response_headers, payload, list(result.get("cookies") or [])
        )
