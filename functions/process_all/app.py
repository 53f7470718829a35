"""POST /api/orders/process-all executes pending orders within a time budget; the EventBridge
schedule invokes the same function to fan every pending order out to the execution queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orders_common.http.resolver import build_resolver, current_caller, lambda_handler_for, scheduled_or_http
from orders_common.http.responses import JsonResponse, documented, error_responses, json_response
from orders_common.logic.process_all import RESPONSE_MARGIN_SECONDS, fan_out, process_all, time_budget
from orders_common.models.process_all import FanOutResult, ProcessAllResult
from orders_common.wiring import services

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

app = build_resolver()


@app.post(
    "/api/orders/process-all",
    summary="Execute all pending orders",
    responses={200: documented("What was executed", ProcessAllResult), **error_responses(401, 403, 503)},
)
def process_all_now() -> JsonResponse:
    remaining_ms = app.lambda_context.get_remaining_time_in_millis()
    return json_response(
        200, process_all(services(), current_caller(app), seconds=time_budget(services(), remaining_ms))
    )


def scheduled_fan_out(context: LambdaContext) -> FanOutResult:
    return fan_out(services(), seconds=context.get_remaining_time_in_millis() / 1000 - RESPONSE_MARGIN_SECONDS)


lambda_handler = scheduled_or_http(lambda_handler_for(app), scheduled_fan_out)
