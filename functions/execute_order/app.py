"""POST /api/orders/execute/{order_id}: execute one pending order now and answer with the outcome."""

from typing import Annotated

from orders_common.http.params import Path
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, documented, error_responses, json_response
from orders_common.models.execution import ExecuteResult
from orders_common.models.path import PathId
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.post(
    "/api/orders/execute/<order_id>",
    summary="Execute a pending order",
    tags=["Order changes"],
    operation_id="executeOrder",
    responses={
        200: documented("filled, open or rejected", ExecuteResult),
        **error_responses(400, 401, 403, 404, 409, 503),
    },
)
def execute(order_id: Annotated[PathId, Path()]) -> JsonResponse:
    return json_response(200, services().execute_order(order_id, current_caller(app)))


lambda_handler = http_entry(app)
