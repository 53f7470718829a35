"""A function's routes on Powertools' own resolver: what the OpenAPI document is generated from
(``tools/openapi.py``, at build time) and what the router is checked against
(``tests/unit/http/test_router_parity.py``). Never imported by a running function.

Each route is declared to Powertools exactly as the function declares it: the same path, OpenAPI
arguments, parameter types and defaults, each marker swapped for Powertools' marker of the same name
and arguments. Called by Powertools, a route runs the function's own code, and every error is answered
by the same mapping as the router's (``http.errors``).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi import params as powertools_params
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestValidationError as PowertoolsValidationError,
)

from orders_common.http import errors
from orders_common.http.binding import declared_parameters
from orders_common.http.event import HttpRequest
from orders_common.http.responses import JSON, ErrorModel

if TYPE_CHECKING:
    from collections.abc import Callable

    from orders_common.http.responses import JsonResponse
    from orders_common.http.router import Route, Router


def powertools_resolver(router: Router) -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=router.read_json)
    for route in router.routes:
        app.route(route.path, method=route.method, **_with_models(route.openapi))(_view(router, app, route))

    @app.exception_handler(Exception)
    def _error(error: Exception) -> Response[str]:
        if isinstance(error, PowertoolsValidationError):
            error = errors.RequestValidationError(list(error.errors()))
        elif isinstance(error, RequestUnsupportedContentType):
            error = errors.UnsupportedContentType(str(error))
        return _powertools_response(errors.answer_error(HttpRequest(app.current_event.raw_event), error))

    @app.not_found
    def _no_route(_: Exception) -> Response[str]:
        return _powertools_response(errors.answer_no_route(HttpRequest(app.current_event.raw_event)))

    return app


def _with_models(openapi: dict[str, Any]) -> dict[str, Any]:
    """The route's OpenAPI arguments with each error body named by ``ErrorModel`` replaced by its model."""
    responses = openapi.get("responses")
    if not responses:
        return openapi
    return {**openapi, "responses": {code: _with_model(response) for code, response in responses.items()}}


def _with_model(response: dict[str, Any]) -> dict[str, Any]:
    content = response.get("content", {}).get(JSON, {})
    if not isinstance(content.get("model"), ErrorModel):
        return response
    return {**response, "content": {JSON: {**content, "model": content["model"].model()}}}


def _view(router: Router, app: APIGatewayHttpResolver, route: Route) -> Callable[..., Response[str]]:
    """The route's function as Powertools calls it: its parameters with Powertools' markers."""

    def view(**arguments: Any) -> Response[str]:
        router.current_event, router.lambda_context = HttpRequest(app.current_event.raw_event), app.lambda_context
        return _powertools_response(route.func(**arguments))

    parameters = [
        inspect.Parameter(
            parameter.name,
            inspect.Parameter.KEYWORD_ONLY,
            default=parameter.default,
            annotation=Annotated[parameter.annotation, _powertools_marker(parameter.marker)],
        )
        for parameter in declared_parameters(route.func)
    ]
    view.__signature__ = inspect.Signature(parameters, return_annotation=Response[str])  # type: ignore[attr-defined]
    view.__name__ = view.__qualname__ = route.func.__name__
    view.__doc__ = route.func.__doc__
    view.__module__ = route.func.__module__
    return view


def _powertools_marker(marker: Any) -> Any:
    powertools_marker = getattr(powertools_params, type(marker).__name__)
    return powertools_marker(**marker.arguments())


def _powertools_response(answer: JsonResponse) -> Response[str]:
    return Response(status_code=answer.status_code, body=answer.body, headers=answer.headers)
