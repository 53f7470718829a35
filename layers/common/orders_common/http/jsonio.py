"""Request bodies read as JSON without binary floats: numbers are read as Decimal (and written back
exactly by ``orders_common.exact_json``)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from orders_common.errors import InvalidRequest, PayloadTooLarge

MAX_BODY_BYTES = 16 * 1024  # an order is a few hundred bytes; anything near this is not an order


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number")


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)  # built in C: a key given twice leaves the dict shorter than the pairs
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen.add(key)
    return result


# One decoder for every request: ``json.loads`` with options builds a new one (and its scanner) per call.
_DECODER = json.JSONDecoder(
    parse_float=Decimal, parse_constant=_refuse_constant, object_pairs_hook=_refuse_duplicate_keys
)


def loads_request(body: str | bytes | None) -> Any:
    """Parse a request body. Any way it is not plain JSON surfaces as ``json.JSONDecodeError``,
    which the resolver answers with 400."""
    if body is None or (isinstance(body, (str, bytes)) and not body.strip()):
        raise json.JSONDecodeError("Request body is empty; send a JSON object", "", 0)
    if len(body) > MAX_BODY_BYTES or (isinstance(body, str) and len(body.encode()) > MAX_BODY_BYTES):
        raise PayloadTooLarge(f"Request body is larger than {MAX_BODY_BYTES} bytes.")
    try:
        # Bytes are decoded as ``json.loads`` decodes them (UTF-8, -16 or -32, by the first bytes).
        text = body if isinstance(body, str) else body.decode(json.detect_encoding(body), "surrogatepass")
        document = _DECODER.decode(text)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError) as error:  # e.g. NaN, duplicate keys, integers past 4300 digits
        raise json.JSONDecodeError(str(error), body if isinstance(body, str) else "", 0) from None
    if not isinstance(document, dict):
        # The event handler would take the first element of an array as the body and drop the rest:
        # a client batching orders would lose all but one without a word.
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
            type(document), "a number"
        )
        raise InvalidRequest(
            f"The request body must be a JSON object, not {kind}; send one order per request.",
            details=[{"location": "body", "field": None, "message": f"got {kind}", "type": "object_type"}],
        )
    return document
