"""POST /api/orders/process-all executes pending orders within the time of one API call; the
EventBridge schedule invokes the same function to send the orders that can act now to the queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, documented, error_responses, json_response
from orders_common.logic.fan_out import paging_seconds
from orders_common.logic.process_all import plan_time
from orders_common.models.process_all import FanOutResult, ProcessAllResult
from orders_common.runtime import http_entry, http_or_scheduled, scheduled_entry
from orders_common.wiring import services

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

app = build_resolver()


@app.post(
    "/api/orders/process-all",
    summary="Execute all pending orders",
    tags=["Operations"],
    operation_id="processAllOrders",
    responses={200: documented("What was executed", ProcessAllResult), **error_responses(401, 403, 503)},
)
def process_all_now() -> JsonResponse:
    remaining = app.lambda_context.get_remaining_time_in_millis() / 1000
    plan = plan_time(services().settings.process_all_time_budget_seconds, remaining)
    return json_response(200, services().process_all(current_caller(app), plan))


def scheduled_fan_out(context: LambdaContext) -> FanOutResult:
    cancelled = services().run_out_switches()  # first: an order it cancels need not be sent
    result = services().fan_out(seconds=paging_seconds(context.get_remaining_time_in_millis() / 1000))
    services().record_schedule_run()  # the heartbeat admin health reads: this run got to the end
    return result.model_copy(update={"cancelled_by_switches": cancelled})


lambda_handler = http_or_scheduled(http_entry(app), scheduled_entry(scheduled_fan_out))
