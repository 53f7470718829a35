"""GET /api/orders/order/{order_id}: everything about one order."""

from typing import Annotated

from orders_common.http.params import Path
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, error_responses, json_response, versioned
from orders_common.models.order import Order
from orders_common.models.path import PathId, version_tag
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.get(
    "/api/orders/order/<order_id>",
    summary="Get an order",
    tags=["Orders"],
    operation_id="getOrder",
    responses={200: versioned("The order", Order), **error_responses(400, 401, 403, 404, 503)},
)
def order_details(order_id: Annotated[PathId, Path()]) -> JsonResponse:
    answer = services().get_order(order_id, current_caller(app))
    return json_response(200, answer.document, {"ETag": version_tag(answer.version)})


lambda_handler = http_entry(app)
