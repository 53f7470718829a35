"""Idempotent order creation: a retried request with the same ``Idempotency-Key`` gets the original
order back instead of a second order.

Powertools' idempotency utility keeps one record per key in the orders table (partition
``IDEMPOTENCY#create_order``, removed by the table's TTL after ``IDEMPOTENCY_TTL_SECONDS``). The key is
scoped to the caller (user, or account when authentication is off), so two clients can never collide.
Only orders actually created are remembered: a refused request (404, 409, 422, 503) deletes its record,
so the client can fix the cause and retry with the same key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orders_common.auth import Caller
from orders_common.errors import IdempotencyKeyInUse, IdempotencyKeyReused, StoreUnavailable
from orders_common.logic.create_order import create_order
from orders_common.models.order import Order
from orders_common.models.requests import CreateOrderRequest

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from orders_common.wiring import Services


@dataclass(frozen=True)
class IdempotentCreate:
    config: IdempotencyConfig
    create: Callable[..., Order]


def build_idempotent_create(services: Services) -> IdempotentCreate:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )
    from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import PydanticSerializer

    persistence = DynamoDBPersistenceLayer(
        table_name=services.settings.table_name,
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value="IDEMPOTENCY#create_order",
        boto3_client=services.repository.table.client,  # type: ignore[attr-defined]
    )
    config = IdempotencyConfig(
        event_key_jmespath="[scope, key]",
        payload_validation_jmespath="request",
        expires_after_seconds=services.settings.idempotency_ttl_seconds,
        raise_on_no_idempotency_key=True,
    )

    @idempotent_function(
        data_keyword_argument="envelope",
        persistence_store=persistence,
        config=config,
        output_serializer=PydanticSerializer(Order),
    )
    def create(envelope: dict[str, Any], request: CreateOrderRequest, caller: Caller) -> Order:
        return create_order(request, caller, services)

    return IdempotentCreate(config=config, create=create)


def create_order_once(
    request: CreateOrderRequest,
    caller: Caller,
    idempotency_key: str | None,
    services: Services,
    context: LambdaContext | None = None,
) -> Order:
    if idempotency_key is None:
        return create_order(request, caller, services)
    idempotent = services.idempotent_create
    if context is not None:
        # An invocation that dies mid-create leaves its key "in progress" only until it would have
        # timed out, not for the whole TTL: the client's retry can then go through.
        idempotent.config.register_lambda_context(context)
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    scope = f"user:{caller.user_id}" if caller.user_id is not None else f"account:{request.account_id}"
    envelope = {"scope": scope, "key": idempotency_key, "request": request.model_dump(mode="json")}
    try:
        return idempotent.create(envelope=envelope, request=request, caller=caller)
    except IdempotencyValidationError:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used with a different request; use a new key for a new order."
        ) from None
    except IdempotencyAlreadyInProgressError:
        raise IdempotencyKeyInUse(
            "A request with this Idempotency-Key is still being processed; retry in a moment."
        ) from None
    except IdempotencyPersistenceLayerError as error:
        raise StoreUnavailable("The order store is unavailable; retry with the same Idempotency-Key.") from error
