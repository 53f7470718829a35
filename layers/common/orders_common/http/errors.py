"""Every error the API can answer, mapped to HTTP in one place, all with the same body shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from orders_common import errors
from orders_common.http.responses import JsonResponse, json_response
from orders_common.http.routes import allowed_methods
from orders_common.models.errors import ErrorBody, ValidationDetail
from orders_common.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

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
    app: APIGatewayHttpResolver,
    status_code: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    body = ErrorBody(error=message, code=code, request_id=_request_id(app), details=details)
    return json_response(status_code, body, headers)


def _request_id(app: APIGatewayHttpResolver) -> str | None:
    try:
        request_id: str | None = app.current_event.request_context.request_id
        return request_id
    except (AttributeError, KeyError):
        return None


def _validation_details(problems: Sequence[Any]) -> list[ValidationDetail]:
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


def install_error_handlers(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> JsonResponse:
        problems = list(error.errors())
        if any(problem.get("type") == "json_invalid" for problem in problems):
            reason = next(str(p.get("ctx", {}).get("error", "")) for p in problems if p.get("type") == "json_invalid")
            detail = ValidationDetail(location="body", field=None, message=reason, type="json_invalid")
            return error_response(app, 400, "INVALID_JSON", f"Request body is not valid JSON: {reason}", [detail])
        if not (app.current_event.body or "").strip() and any(tuple(p.get("loc", ())) == ("body",) for p in problems):
            detail = ValidationDetail(location="body", field=None, message="empty body", type="json_invalid")
            return error_response(app, 400, "INVALID_JSON", "Request body is empty; send a JSON object.", [detail])
        details = _validation_details(problems)
        fields = ", ".join(sorted({d.field or d.location for d in details}))
        return error_response(app, 400, "VALIDATION_ERROR", f"Invalid request: check {fields}.", details)

    @app.exception_handler(RequestUnsupportedContentType)
    def _unsupported_media_type(error: RequestUnsupportedContentType) -> JsonResponse:
        content_type = app.current_event.headers.get("content-type", "")
        return error_response(
            app, 415, "UNSUPPORTED_MEDIA_TYPE", f"Send the body as application/json, not {content_type}."
        )

    @app.exception_handler(UnicodeDecodeError)
    def _undecodable_body(error: UnicodeDecodeError) -> JsonResponse:
        detail = ValidationDetail(location="body", field=None, message="not UTF-8", type="json_invalid")
        return error_response(app, 400, "INVALID_JSON", "Request body is not UTF-8 encoded JSON.", [detail])

    @app.exception_handler(errors.OrdersError)
    def _domain_error(error: errors.OrdersError) -> JsonResponse:
        status = status_for(error)
        retry_after = next((v for cls, v in RETRY_AFTER_SECONDS.items() if isinstance(error, cls)), None)
        if status >= 500:
            logger.warning("Dependency unavailable", code=error.code, error=error.message)
        return error_response(
            app,
            status,
            error.code,
            error.message,
            error.details,
            {"Retry-After": retry_after} if retry_after else None,
        )

    @app.not_found
    def _no_route(_: Exception) -> JsonResponse:
        event = app.current_event
        allowed = allowed_methods(event.path)
        if allowed:
            return error_response(
                app,
                405,
                "METHOD_NOT_ALLOWED",
                f"{event.path} answers {', '.join(allowed)}, not {event.http_method}.",
                headers={"Allow": ", ".join(allowed)},
            )
        return error_response(app, 404, "ROUTE_NOT_FOUND", f"No route for {event.http_method} {event.path}.")

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> JsonResponse:
        logger.exception("Unhandled error")
        return error_response(app, 500, "INTERNAL_ERROR", "Something went wrong on our side; it has been logged.")
