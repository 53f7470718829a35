"""POST /api/orders/cancel/{order_id}: cancel a pending order and release its reservation."""

from typing import Annotated

from orders_common.http.params import Header, Path
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, documented, error_responses, json_response
from orders_common.models.cancellation import CancelResult
from orders_common.models.order_actions import IfMatch
from orders_common.models.path import PathId
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.post(
    "/api/orders/cancel/<order_id>",
    summary="Cancel a pending order",
    tags=["Order changes"],
    operation_id="cancelOrder",
    responses={
        200: documented("The order is cancelled", CancelResult),
        **error_responses(400, 401, 403, 404, 409, 412, 503),
    },
)
def cancel(
    order_id: Annotated[PathId, Path()], if_match: Annotated[IfMatch | None, Header(alias="if-match")] = None
) -> JsonResponse:
    return json_response(200, services().cancel_order(order_id, current_caller(app), if_match))


lambda_handler = http_entry(app)
