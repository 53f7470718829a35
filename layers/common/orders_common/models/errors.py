"""The API's error bodies."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from orders_common.models.base import Model


class ValidationDetail(Model):
    location: str = Field(description="Where the problem is: body, path, query or header.")
    field: str | None = Field(description="Dotted path of the offending field, or null for the whole body.")
    message: str
    type: str


class GatewayError(Model):
    """What API Gateway itself answers (401 without a valid token, 404 for an unknown route)."""

    message: str


class ErrorBody(Model):
    """The one error shape of the API."""

    error: str = Field(description="What went wrong, written for a person.")
    code: str = Field(description="Stable machine-readable error code.")
    request_id: str | None = None
    details: list[ValidationDetail] | dict[str, Any] | None = None
