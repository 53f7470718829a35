"""POST /api/orders/cancel-all: cancel every pending order of an account (or of one symbol or side)."""

from typing import Annotated

from orders_common.http.params import Body
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, documented, error_responses, json_response
from orders_common.models.order_actions import CancelAllRequest, CancelAllResult
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.post(
    "/api/orders/cancel-all",
    summary="Cancel every pending order of an account",
    tags=["Order changes"],
    operation_id="cancelAllOrders",
    responses={
        200: documented("The orders cancelled", CancelAllResult),
        **error_responses(400, 401, 403, 404, 413, 415, 503),
    },
)
def cancel_all(request: Annotated[CancelAllRequest, Body(embed=False)]) -> JsonResponse:
    result = services().cancel_all(request.account_id, request.symbol, request.side, current_caller(app))
    return json_response(200, result)


lambda_handler = http_entry(app)
