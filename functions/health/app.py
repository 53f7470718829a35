"""GET /api/orders/health: whether the desk can work, and how many orders wait."""

from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, documented, error_responses, json_response
from orders_common.models.health import HealthReport, UnhealthyReport
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.get(
    "/api/orders/health",
    summary="Health of the order desk",
    tags=["Operations"],
    operation_id="getHealth",
    responses={
        200: documented("Healthy", HealthReport),
        503: documented("The store is unreachable", UnhealthyReport),
        **error_responses(401),
    },
)
def health() -> JsonResponse:
    report = services().check_health(current_caller(app))
    if isinstance(report, HealthReport):
        return json_response(200, report)
    return json_response(503, report.model_copy(update={"request_id": app.current_event.request_context.request_id}))


lambda_handler = http_entry(app)
