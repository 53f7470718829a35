"""What a request body must be before any parser sees it: JSON, by media type."""

from __future__ import annotations

from typing import Any

from orders_common.exact_json import dumps
from orders_common.http.responses import to_jsonable


def media_type(headers: dict[str, Any] | None) -> str:
    """The Content-Type's media type, lower case, without parameters ('' when absent).

    Media types are case-insensitive (RFC 9110): ``Application/JSON; charset=utf-8`` is JSON."""
    for name, value in (headers or {}).items():
        if name.lower() == "content-type":
            return str(value).split(";", 1)[0].strip().lower()
    return ""


def is_json(media: str) -> bool:
    return media in ("", "application/json") or (media.startswith("application/") and media.endswith("+json"))


def refuse_unacceptable_body(event: dict[str, Any]) -> dict[str, Any] | None:
    """Every body this API takes is JSON: a body declared as anything else (forms, multipart, text)
    answers 415 before it reaches a parser. A body without a Content-Type is read as JSON.

    A JSON body's Content-Type is rewritten to plain ``application/json``: the router reads a body as
    JSON by a case-sensitive prefix, as Powertools' resolver did (``http.binding``), and would refuse
    ``Application/JSON``."""
    media = media_type(event.get("headers"))
    if not event.get("body"):
        return None
    if is_json(media):
        headers = {
            name: value for name, value in (event.get("headers") or {}).items() if name.lower() != "content-type"
        }
        event["headers"] = {**headers, "content-type": "application/json"}
        return None
    from orders_common.models.errors import ErrorBody  # here: only a refused body builds it

    error = ErrorBody(
        error=f"Send the body as application/json, not {media}.",
        code="UNSUPPORTED_MEDIA_TYPE",
        request_id=(event.get("requestContext") or {}).get("requestId"),
    )
    return {
        "statusCode": 415,
        "headers": {"Content-Type": "application/json"},
        "body": dumps(to_jsonable(error)),
        "isBase64Encoded": False,
    }
