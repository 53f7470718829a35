"""A route's arguments from a request: each parameter read from where its marker says, validated
with pydantic, every problem collected before any is answered.

The rules are the ones Powertools' OpenAPI validation applies (``tests/unit/http/test_router_parity.py``
runs the same requests through both and compares the answers): path, query, header, then body
problems, each located as ``(where, name, *pydantic's location)``; a query model's scalar fields take
the first of repeated values and rejoin a value API Gateway split at commas; a missing required
parameter is ``missing``; an empty body is a missing body; a body is JSON unless declared a form.
"""

from __future__ import annotations

import inspect
import json
from typing import TYPE_CHECKING, Annotated, Any, get_args, get_origin
from urllib.parse import parse_qs

from pydantic import BaseModel, TypeAdapter, ValidationError

from orders_common.http.errors import RequestValidationError, UnsupportedContentType
from orders_common.http.params import Body, Param, Path, Query

if TYPE_CHECKING:
    from collections.abc import Callable

    from orders_common.http.event import HttpRequest

MISSING = inspect.Parameter.empty
LOCATIONS = ("path", "query", "header")


class Parameter:
    def __init__(self, name: str, marker: Param, annotation: Any, default: Any) -> None:
        self.name = name
        self.marker = marker
        self.annotation = annotation  # the declared type without the marker (its own constraints kept)
        self.default = default
        self.alias = marker.alias or name
        self.required = default is MISSING
        # The model, when the parameter is one (a query string or a body read as a whole).
        is_model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
        self.model: type[BaseModel] | None = annotation if is_model else None


def declared_parameters(func: Callable[..., Any]) -> list[Parameter]:
    """The route function's parameters, each with its marker (every parameter needs one)."""
    parameters = []
    for parameter in inspect.signature(func, eval_str=True).parameters.values():
        annotation = parameter.annotation
        if get_origin(annotation) is not Annotated:
            raise TypeError(f"{func.__name__}({parameter.name}): say where it comes from, e.g. Annotated[T, Query()]")
        declared, *metadata = get_args(annotation)
        markers = [item for item in metadata if isinstance(item, Param)]
        others = tuple(item for item in metadata if not isinstance(item, Param))
        if len(markers) != 1:
            raise TypeError(f"{func.__name__}({parameter.name}): exactly one of Path, Query, Header, Body")
        typed = Annotated[(declared, *others)] if others else declared
        parameters.append(Parameter(parameter.name, markers[0], typed, parameter.default))
    return parameters


class Binding:
    """Validates one route's parameters (the validators are built at the route's first request)."""

    def __init__(self, func: Callable[..., Any], read_json: Callable[[str], Any]) -> None:
        parameters = declared_parameters(func)
        # Path, query and header problems are reported in that order, then the body's (as Powertools did).
        self._parameters = [p for location in LOCATIONS for p in parameters if p.marker.location == location]
        bodies = [parameter for parameter in parameters if isinstance(parameter.marker, Body)]
        self._body_parameter = bodies[0] if bodies else None  # embed=False: the whole body is one model
        self._read_json = read_json
        self._validators: dict[str, Callable[[Any], Any]] = {
            p.name: p.model.model_validate if p.model is not None else TypeAdapter(p.annotation).validate_python
            for p in parameters
        }

    def arguments(self, request: HttpRequest, path_values: dict[str, str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        problems: list[dict[str, Any]] = []
        for parameter in self._parameters:
            received = self._received(parameter, request, path_values)
            self._validate(parameter, received, (parameter.marker.location, parameter.alias), values, problems)
        if self._body_parameter is not None:
            self._validate(self._body_parameter, self._body(request), ("body",), values, problems)
        if problems:
            raise RequestValidationError(problems)
        return values

    def _received(self, parameter: Parameter, request: HttpRequest, path_values: dict[str, str]) -> Any:
        if isinstance(parameter.marker, Path):
            return path_values.get(parameter.alias)
        if isinstance(parameter.marker, Query):
            if parameter.model is not None:
                return query_model_input(parameter.model, request)
            return query_value(request, parameter.alias)
        return request.headers.get(parameter.alias.lower())

    def _validate(
        self,
        parameter: Parameter,
        received: Any,
        loc: tuple[str, ...],
        values: dict[str, Any],
        problems: list[dict[str, Any]],
    ) -> None:
        if received is None:
            if parameter.required:
                problems.append({"type": "missing", "loc": loc, "msg": "Field required", "input": None})
            else:
                values[parameter.name] = parameter.default
            return
        try:
            values[parameter.name] = self._validators[parameter.name](received)
        except ValidationError as error:
            problems.extend({**problem, "loc": loc + tuple(problem["loc"])} for problem in error.errors())

    def _body(self, request: HttpRequest) -> Any:
        """The body's document (None when there is none); a JSON body goes through ``read_json``."""
        content_type = request.headers.get("content-type", "").strip()
        if not content_type or content_type.startswith("application/json"):
            text = request.decoded_body
            if not text:
                return None
            try:
                return self._read_json(text)
            except json.JSONDecodeError as error:
                problem = {"type": "json_invalid", "loc": ("body", error.pos), "msg": "JSON decode error",
                           "input": {}, "ctx": {"error": error.msg}}  # fmt: skip
                raise RequestValidationError([problem]) from error
        if content_type.startswith("application/x-www-form-urlencoded"):
            # Only an empty form gets here (a form with fields is refused first): every field missing.
            return parse_qs(request.decoded_body or "", keep_blank_values=True)
        raise UnsupportedContentType(content_type)


def query_value(request: HttpRequest, name: str) -> str | None:
    """One name's value in the query string: a repeated name (``?status=a&status=b``, which API
    Gateway sends as "a,b") gives its first value; a value with commas of its own stays whole."""
    value: str | None = request.query.get(name)
    if value is not None and "," in value and name in repeated_query_names(request.raw_query):
        return value.split(",")[0]
    return value


def query_model_input(model: type[BaseModel], request: HttpRequest) -> dict[str, Any]:
    """The query string as the model's input (each field as ``query_value`` reads it)."""
    by_name = model.model_config.get("validate_by_name") or model.model_config.get("populate_by_name")
    found: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        alias = field.alias or name
        value = query_value(request, alias)
        if value is None and by_name:
            value = query_value(request, name)
        if value is not None:
            found[alias] = value
    return found


def repeated_query_names(raw_query: str) -> set[str]:
    if not raw_query:
        return set()
    return {name for name, values in parse_qs(raw_query, keep_blank_values=True).items() if len(values) > 1}
