"""POST /api/orders/process-all executes pending orders within a time budget; the EventBridge
schedule invokes the same function to fan every pending order out to the execution queue."""

from orders_common.http.resolver import build_resolver, lambda_handler_for, scheduled_or_http
from orders_common.http.responses import JsonResponse, documented, json_response
from orders_common.logic.process_all import fan_out, process_all, time_budget
from orders_common.models.responses import ProcessAllResult
from orders_common.wiring import services

app = build_resolver()


@app.post(
    "/api/orders/process-all",
    summary="Execute all pending orders",
    responses={200: documented("What was executed", ProcessAllResult)},
)
def process_all_now() -> JsonResponse:
    remaining_ms = app.lambda_context.get_remaining_time_in_millis()
    return json_response(200, process_all(services(), seconds=time_budget(services(), remaining_ms)))


lambda_handler = scheduled_or_http(lambda_handler_for(app), lambda: fan_out(services()))
