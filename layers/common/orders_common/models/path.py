"""What a route's path carries (ids, as text) and the version tag an order is answered with."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from orders_common.models.numbers import MAX_ID


def _digits_only(value: object) -> object:
    """Path ids arrive as text; only plain decimal digits are an id (no sign, spaces, dots or exponents)."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{1,20}", value):
        raise PydanticCustomError("id_format", "Must be a positive integer")
    return value


PathId = Annotated[int, BeforeValidator(_digits_only), Field(gt=0, le=MAX_ID)]


def version_tag(version: int) -> str:
    """The ``ETag`` of an order at ``version``: what a client sends back in ``If-Match``."""
    return f'"{version}"'
