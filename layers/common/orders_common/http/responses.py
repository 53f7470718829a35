"""Building API responses with exact JSON bodies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from pydantic import BaseModel

from orders_common.http.jsonio import dumps
from orders_common.models.paging import Page, encode_token

NEXT_TOKEN_HEADER = "X-Next-Token"  # noqa: S105 - a header name, not a secret

JsonResponse = Response[str]
"""A response whose body is already exact JSON text (what every route returns)."""


def to_jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="python")
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item) for item in value]
    return value


def json_response(status_code: int, body: Any, headers: Mapping[str, str] | None = None) -> JsonResponse:
    # The body is serialized here, not by Powertools, whose encoder would turn Decimals into floats.
    return Response(
        status_code=status_code,
        content_type=content_types.APPLICATION_JSON,
        body=dumps(to_jsonable(body)),
        headers=dict(headers or {}),
    )


def page_response(page: Page[Any]) -> JsonResponse:
    """A list answers with a JSON array; the token for the next page travels in a header."""
    headers = {NEXT_TOKEN_HEADER: encode_token(page.next_cursor)} if page.next_cursor else {}
    items: Sequence[Any] = page.items
    return json_response(200, list(items), headers)


def documented(description: str, model: Any) -> dict[str, Any]:
    """OpenAPI description of a JSON response (the body itself is written by ``json_response``)."""
    return {"description": description, "content": {"application/json": {"model": model}}}
