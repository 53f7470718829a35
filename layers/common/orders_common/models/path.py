"""What a route's path carries (ids, as text) and the version tag an order is answered with."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from orders_common.models.numbers import MAX_ID


def _digits_only(value: object) -> object:
    """Path ids arrive as text; only plain decimal digits are an id (no sign, spaces, dots or exponents)."""
    # ``[0-9]{1,20}``, by str's own tests (an ASCII digit is only 0 to 9): every read of an order runs this.
    if isinstance(value, str) and not (len(value) <= 20 and value.isascii() and value.isdigit()):
        raise PydanticCustomError("id_format", "Must be a positive integer")
    return value


# The bounds come before the validator, so that pydantic-core checks them itself (``models.fields`` says
# why). The document keeps the schema path ids had ("gt"/"le", as pydantic named them): Powertools'
# OpenAPI model would write the standard keywords as floats, and 2**63 - 1 is no float.
PathId = Annotated[
    int,
    Field(gt=0, le=MAX_ID),
    BeforeValidator(_digits_only),
    WithJsonSchema({"type": "integer", "gt": 0, "le": MAX_ID}),
]


def version_tag(version: int) -> str:
    """The ``ETag`` of an order at ``version``: what a client sends back in ``If-Match``."""
    return f'"{version}"'
