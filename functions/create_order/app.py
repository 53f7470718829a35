"""POST /api/orders/create: place a buy or sell order on an account."""

from typing import Annotated

from orders_common.http.params import Body, Header
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import REPLAYED_DOC, JsonResponse, documented, error_responses, json_response
from orders_common.models.fields import IdempotencyKey
from orders_common.models.order import Order
from orders_common.models.requests import CREATE_ORDER_EXAMPLES, CreateOrderRequest
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.post(
    "/api/orders/create",
    summary="Create an order",
    tags=["Orders"],
    operation_id="createOrder",
    responses={
        201: documented(
            "The new order, pending (or, for a retried Idempotency-Key, the original order)",
            Order,
            {"Idempotent-Replayed": REPLAYED_DOC},
        ),
        **error_responses(400, 401, 403, 404, 409, 413, 415, 422, 503),
    },
)
def create(
    request: Annotated[CreateOrderRequest, Body(embed=False, openapi_examples=CREATE_ORDER_EXAMPLES)],
    idempotency_key: Annotated[IdempotencyKey | None, Header(alias="idempotency-key")] = None,
) -> JsonResponse:
    created = services().create_order(request, current_caller(app), idempotency_key)
    return json_response(201, created.order, {"Idempotent-Replayed": "true"} if created.replayed else None)


lambda_handler = http_entry(app)
