"""Building API responses with exact JSON bodies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from orders_common.exact_json import dumps
from orders_common.models.base import dump_of

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse, OpenAPIResponseHeader

    from orders_common.http.event import HttpRequest
    from orders_common.models.health import HealthReport, UnhealthyReport
    from orders_common.models.paging import Page

NEXT_TOKEN_HEADER = "X-Next-Token"  # noqa: S105 - a header name, not a secret

JSON = "application/json"


class JsonResponse:
    """What every route returns: a status, exact JSON text and headers (Content-Type included)."""

    __slots__ = ("body", "headers", "status_code")

    def __init__(self, status_code: int, body: str, headers: dict[str, str]) -> None:
        self.status_code = status_code
        self.body = body
        self.headers = headers

    def to_lambda(self) -> dict[str, Any]:
        """The HTTP API (payload 2.0) answer, as Powertools' resolver wrote it."""
        return {"statusCode": self.status_code, "body": self.body, "isBase64Encoded": False,
                "headers": self.headers, "cookies": []}  # fmt: skip


def to_jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return dump_of(value)  # an order just created was dumped already, to be stored
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    return value


def json_response(status_code: int, body: Any, headers: Mapping[str, str] | None = None) -> JsonResponse:
    # Decimals are written as exact JSON numbers (a generic encoder would turn them into floats).
    answer_headers = dict(headers or {})
    answer_headers.setdefault("Content-Type", JSON)
    return JsonResponse(status_code, dumps(to_jsonable(body)), answer_headers)


def page_response(page: Page[Any]) -> JsonResponse:
    """A list answers with a JSON array; the token for the next page travels in a header."""
    from orders_common.models.paging import encode_token  # here: only the list functions load paging

    headers = {NEXT_TOKEN_HEADER: encode_token(page.next_cursor)} if page.next_cursor else {}
    items: Sequence[Any] = page.items
    return json_response(200, list(items), headers)


def documented(
    description: str, model: Any, headers: Mapping[str, OpenAPIResponseHeader] | None = None
) -> OpenAPIResponse:
    """OpenAPI description of a JSON response (the body itself is written by ``json_response``)."""
    response: OpenAPIResponse = {"description": description, "content": {"application/json": {"model": model}}}
    if headers:
        response["headers"] = dict(headers)
    return response


def listed(description: str, model: Any) -> OpenAPIResponse:
    """A page of a list (``page_response``): the token of the next page is in a header."""
    return documented(description, model, {NEXT_TOKEN_HEADER: NEXT_TOKEN_DOC})


def versioned(description: str, model: Any) -> OpenAPIResponse:
    """An order with its version in ``ETag`` (what ``If-Match`` names)."""
    return documented(description, model, {"ETag": ETAG_DOC})


NEXT_TOKEN_DOC: OpenAPIResponseHeader = {
    "description": "Present when more items follow: send it as next_token for the next page.",
    "schema": {"type": "string"},
}
ETAG_DOC: OpenAPIResponseHeader = {
    "description": 'The order\'s version, quoted (e.g. "3"): send it in If-Match to change this version only.',
    "schema": {"type": "string", "pattern": '^"[0-9]{1,12}"$'},
}
REPLAYED_DOC: OpenAPIResponseHeader = {
    "description": "true when a retried Idempotency-Key answered the original result (absent otherwise).",
    "schema": {"type": "string", "enum": ["true"]},
}
RETRY_AFTER_DOC: OpenAPIResponseHeader = {
    "description": "Seconds to wait before retrying.",
    "schema": {"type": "integer"},
}


_ERROR_DESCRIPTIONS = {
    400: "Invalid request (VALIDATION_ERROR, INVALID_JSON, INVALID_NEXT_TOKEN); details say what was wrong",
    401: "Missing or invalid token (authentication on); answered by API Gateway",
    403: "The caller may not act on this account or order (FORBIDDEN)",
    404: "Unknown account or order",
    409: "State conflict: ORDER_NOT_PENDING, ORDER_TRIGGERED, ORDER_ON_VENUE, DUPLICATE_CLIENT_ORDER_ID or "
    "IDEMPOTENCY_KEY_REUSED",
    412: "If-Match named another version: the order changed since it was read (VERSION_MISMATCH)",
    413: "Body larger than 16 KiB (PAYLOAD_TOO_LARGE)",
    415: "Body not sent as application/json (UNSUPPORTED_MEDIA_TYPE)",
    422: "Business rule (INSUFFICIENT_FUNDS, INSUFFICIENT_POSITION, UNKNOWN_SYMBOL, AMOUNT_TOO_LARGE, "
    "ORDER_TOO_LARGE, VENUE_REFUSED, ACCOUNT_FROZEN)",
    503: "A dependency is unavailable (STORE_UNAVAILABLE, EXCHANGE_UNAVAILABLE); retry after Retry-After seconds",
}


class ErrorModel:
    """The error body's model, named in a route's declaration and looked up by the OpenAPI build
    (``http.openapi``): a function's import then does not build the error models it may never answer."""

    __slots__ = ("name",)

    def __init__(self, name: Literal["ErrorBody", "GatewayError"]) -> None:
        self.name = name

    def model(self) -> type[BaseModel]:
        from orders_common.models import errors

        found: type[BaseModel] = getattr(errors, self.name)
        return found


def error_responses(*status_codes: int) -> dict[int, OpenAPIResponse]:
    """OpenAPI descriptions of the errors a route can answer, all with the error body."""
    return {
        code: documented(
            _ERROR_DESCRIPTIONS[code],
            ErrorModel("GatewayError" if code == 401 else "ErrorBody"),
            {"Retry-After": RETRY_AFTER_DOC} if code == 503 else None,
        )
        for code in status_codes
    }


def health_response(request: HttpRequest, report: HealthReport | UnhealthyReport) -> JsonResponse:
    """200 with the report, or 503 with the error shape and the status ``unhealthy``."""
    from orders_common.models.health import HealthReport

    if isinstance(report, HealthReport):
        return json_response(200, report)
    return json_response(503, report.model_copy(update={"request_id": request.request_id}))
