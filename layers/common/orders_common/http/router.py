"""Each function's routes, declared the way Powertools' resolver takes them, answered without it.

A function serves one route (two at most), so a request needs no more than: match the method and
path, bind and validate the parameters (``http.binding``), call the route, write the answer, and map
whatever was raised to the error shape (``http.errors``). Powertools' resolver did the same through its
middleware stack, event data classes and OpenAPI machinery, which cost every cold start about 20 ms of
imports and every request about 150 µs (``BENCHMARKS.md``, peers). The OpenAPI document is still
Powertools': ``get_openapi_schema`` hands the same declarations to its resolver (``http.openapi``),
which only the build imports.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from orders_common.http.errors import answer_error, answer_no_route
from orders_common.http.event import HttpRequest
from orders_common.http.jsonio import loads_request

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_lambda_powertools.utilities.typing import LambdaContext

    from orders_common.http.binding import Binding
    from orders_common.http.responses import JsonResponse

# A <name> segment matches what Powertools' resolver matched: any characters RFC 3986 allows in a
# path, escaped or not, except "/".
_PARAMETER = re.compile(r"<(\w+)>")
_SEGMENT_CHARACTERS = r"[-._~()'!*:@,;=+&$%<> \[\]{}|^\w]+"


class Route:
    def __init__(self, method: str, path: str, func: Callable[..., JsonResponse], openapi: dict[str, Any]) -> None:
        self.method = method
        self.path = path  # with <name> for each path parameter
        self.func = func
        self.openapi = openapi  # summary, tags, operation_id, responses ... (read by the OpenAPI build only)
        self._pattern: re.Pattern[str] | None = None
        self._binding: Binding | None = None

    @property
    def is_dynamic(self) -> bool:
        return "<" in self.path

    def match(self, path: str) -> dict[str, str] | None:
        if not self.is_dynamic:
            return {} if path == self.path else None
        if self._pattern is None:
            segments = _PARAMETER.sub(lambda name: f"(?P<{name[1]}>{_SEGMENT_CHARACTERS})", self.path)
            self._pattern = re.compile(f"^{segments}$")
        found = self._pattern.match(path)
        return found.groupdict() if found else None

    def binding(self, read_json: Callable[[str], Any]) -> Binding:
        if self._binding is None:
            from orders_common.http.binding import Binding

            self._binding = Binding(self.func, read_json)
        return self._binding


class Router:
    """A function's HTTP API (payload 2.0) routes: ``@app.get(path, **openapi)`` and ``app.resolve``."""

    def __init__(self, read_json: Callable[[str], Any] = loads_request) -> None:
        self.routes: list[Route] = []
        self.read_json = read_json
        self.current_event: HttpRequest = HttpRequest({})
        self.lambda_context: LambdaContext  # set by each ``resolve``

    def route(self, method: str, path: str, **openapi: Any) -> Callable[[Callable[..., JsonResponse]], Any]:
        def register(func: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
            self.routes.append(Route(method.upper(), path, func, openapi))
            # Exact paths first, as Powertools matched them.
            self.routes.sort(key=lambda route: route.is_dynamic)
            return func

        return register

    def get(self, path: str, **openapi: Any) -> Callable[[Callable[..., JsonResponse]], Any]:
        return self.route("GET", path, **openapi)

    def post(self, path: str, **openapi: Any) -> Callable[[Callable[..., JsonResponse]], Any]:
        return self.route("POST", path, **openapi)

    def put(self, path: str, **openapi: Any) -> Callable[[Callable[..., JsonResponse]], Any]:
        return self.route("PUT", path, **openapi)

    def patch(self, path: str, **openapi: Any) -> Callable[[Callable[..., JsonResponse]], Any]:
        return self.route("PATCH", path, **openapi)

    def delete(self, path: str, **openapi: Any) -> Callable[[Callable[..., JsonResponse]], Any]:
        return self.route("DELETE", path, **openapi)

    def resolve(self, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        request = HttpRequest(event)
        self.current_event, self.lambda_context = request, context
        try:
            answer = self._answer(request)
        except Exception as error:
            answer = answer_error(request, error)
        return answer.to_lambda()

    def _answer(self, request: HttpRequest) -> JsonResponse:
        method, path = request.http_method, request.path
        for route in self.routes:
            if route.method == method and (path_values := route.match(path)) is not None:
                arguments = route.binding(self.read_json).arguments(request, path_values)
                return route.func(**arguments)
        return answer_no_route(request)

    def get_openapi_schema(self) -> Any:
        """The OpenAPI document of these routes, as Powertools' resolver generates it (build time)."""
        from orders_common.http.openapi import powertools_resolver

        return powertools_resolver(self).get_openapi_schema()
