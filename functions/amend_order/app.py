"""PATCH /api/orders/order/{order_id}: change a pending order in place (If-Match: only at that version)."""

from typing import Annotated

from orders_common.http.params import Body, Header, Path
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, error_responses, json_response, versioned
from orders_common.models.order import Order
from orders_common.models.order_actions import AmendOrderRequest, IfMatch, version_tag
from orders_common.models.path import PathId
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.patch(
    "/api/orders/order/<order_id>",
    summary="Amend a pending order",
    tags=["Order changes"],
    operation_id="amendOrder",
    responses={
        200: versioned("The order as amended, at its next version (also in the ETag header)", Order),
        **error_responses(400, 401, 403, 404, 409, 412, 413, 415, 422, 503),
    },
)
def amend(
    order_id: Annotated[PathId, Path()],
    request: Annotated[AmendOrderRequest, Body(embed=False)],
    if_match: Annotated[IfMatch | None, Header(alias="if-match")] = None,
) -> JsonResponse:
    amended = services().amend_order(order_id, request, current_caller(app), if_match)
    return json_response(200, amended, {"ETag": version_tag(amended.version)})


lambda_handler = http_entry(app)
