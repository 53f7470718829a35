"""Every error the API can answer, mapped to HTTP in one place, all with the same body shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from orders_common import errors
from orders_common.http.responses import JsonResponse, json_response
from orders_common.http.routes import allowed_methods
from orders_common.observability import logger

if TYPE_CHECKING:
    from orders_common.http.event import HttpRequest
    from orders_common.models.errors import ValidationDetail


class RequestValidationError(Exception):
    """The request's parameters or body broke their declared rules: each problem as pydantic reports
    one (``loc`` starting with where it was: path, query, header or body)."""

    def __init__(self, problems: Sequence[dict[str, Any]]) -> None:
        super().__init__(problems)
        self._problems = list(problems)

    def errors(self) -> list[dict[str, Any]]:
        return self._problems


class UnsupportedContentType(Exception):
    """A body declared as something this API does not read (neither JSON nor a form)."""


STATUS_BY_ERROR: dict[type[errors.OrdersError], int] = {
    errors.InvalidRequest: 400,
    errors.Forbidden: 403,
    errors.AccountNotFound: 404,
    errors.OrderNotFound: 404,
    errors.OrderNotPending: 409,
    errors.DuplicateClientOrderId: 409,
    errors.IdempotencyKeyReused: 409,
    errors.OrderTriggered: 409,
    errors.OrderOnVenue: 409,
    errors.VersionMismatch: 412,
    errors.PayloadTooLarge: 413,
    errors.InsufficientFunds: 422,
    errors.InsufficientPosition: 422,
    errors.UnknownSymbol: 422,
    errors.AmountTooLarge: 422,
    errors.OrderTooLarge: 422,
    errors.VenueRefused: 422,
    errors.AccountFrozen: 422,
    errors.ExchangeUnavailable: 503,
    errors.StoreUnavailable: 503,
}

RETRY_AFTER_SECONDS = {errors.ExchangeUnavailable: "5", errors.StoreUnavailable: "1"}


def status_for(error: errors.OrdersError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def error_response(
    request: HttpRequest,
    status_code: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    from orders_common.models.errors import ErrorBody  # here: a function answering no error never builds it

    body = ErrorBody(error=message, code=code, request_id=request.request_id, details=details)
    return json_response(status_code, body, headers)


def _validation_details(problems: Sequence[Any]) -> list[ValidationDetail]:
    from orders_common.models.errors import ValidationDetail

    details = []
    for problem in problems:
        location, *path = problem.get("loc") or ("body",)
        names = [str(part) for part in path if not isinstance(part, int)]
        if location != "body":
            # Query strings, headers and paths are flat; a model grouping them adds its own name.
            names = names[-1:]
        details.append(
            ValidationDetail(
                location=str(location),
                field=".".join(names) or None,
                message=str(problem.get("msg", "invalid")),
                type=str(problem.get("type", "invalid")),
            )
        )
    return details


def invalid_request(request: HttpRequest, error: RequestValidationError) -> JsonResponse:
    from orders_common.models.errors import ValidationDetail

    problems = error.errors()
    if any(problem.get("type") == "json_invalid" for problem in problems):
        reason = next(str(p.get("ctx", {}).get("error", "")) for p in problems if p.get("type") == "json_invalid")
        detail = ValidationDetail(location="body", field=None, message=reason, type="json_invalid")
        return error_response(request, 400, "INVALID_JSON", f"Request body is not valid JSON: {reason}", [detail])
    if not (request.body or "").strip() and any(tuple(p.get("loc", ())) == ("body",) for p in problems):
        detail = ValidationDetail(location="body", field=None, message="empty body", type="json_invalid")
        return error_response(request, 400, "INVALID_JSON", "Request body is empty; send a JSON object.", [detail])
    details = _validation_details(problems)
    fields = ", ".join(sorted({d.field or d.location for d in details}))
    return error_response(request, 400, "VALIDATION_ERROR", f"Invalid request: check {fields}.", details)


def answer_error(request: HttpRequest, error: Exception) -> JsonResponse:
    """The answer to anything a route raised (what is not the API's own error is logged and hidden)."""
    if isinstance(error, RequestValidationError):
        return invalid_request(request, error)
    if isinstance(error, UnsupportedContentType):
        content_type = request.headers.get("content-type", "")
        return error_response(
            request, 415, "UNSUPPORTED_MEDIA_TYPE", f"Send the body as application/json, not {content_type}."
        )
    if isinstance(error, UnicodeDecodeError):
        from orders_common.models.errors import ValidationDetail

        detail = ValidationDetail(location="body", field=None, message="not UTF-8", type="json_invalid")
        return error_response(request, 400, "INVALID_JSON", "Request body is not UTF-8 encoded JSON.", [detail])
    if isinstance(error, errors.OrdersError):
        return _domain_error(request, error)
    logger.exception("Unhandled error")
    return error_response(request, 500, "INTERNAL_ERROR", "Something went wrong on our side; it has been logged.")


def _domain_error(request: HttpRequest, error: errors.OrdersError) -> JsonResponse:
    status = status_for(error)
    retry_after = next((v for cls, v in RETRY_AFTER_SECONDS.items() if isinstance(error, cls)), None)
    if status >= 500:
        logger.warning("Dependency unavailable", code=error.code, error=error.message)
    return error_response(
        request,
        status,
        error.code,
        error.message,
        error.details,
        {"Retry-After": retry_after} if retry_after else None,
    )


def answer_no_route(request: HttpRequest) -> JsonResponse:
    """405 with ``Allow`` for a path the API serves with other methods, 404 for any other path."""
    allowed = allowed_methods(request.path)
    if allowed:
        return error_response(
            request,
            405,
            "METHOD_NOT_ALLOWED",
            f"{request.path} answers {', '.join(allowed)}, not {request.http_method}.",
            headers={"Allow": ", ".join(allowed)},
        )
    return error_response(request, 404, "ROUTE_NOT_FOUND", f"No route for {request.http_method} {request.path}.")
