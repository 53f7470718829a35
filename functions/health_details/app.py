"""GET /api/orders/health/details: health with its figures (pending orders, the DLQ, the schedule, the
last audit), for admins; behind the JWT authorizer, unlike GET /api/orders/health."""

from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, documented, error_responses, health_response
from orders_common.models.health import HealthReport, UnhealthyReport
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.get(
    "/api/orders/health/details",
    summary="Health of the order desk with its figures (admins)",
    tags=["Operations"],
    operation_id="getHealthDetails",
    responses={
        200: documented("ok, or degraded (still working: degraded_reasons say why), with the figures", HealthReport),
        503: documented("The store is unreachable", UnhealthyReport),
        **error_responses(401, 403),
    },
)
def health_details() -> JsonResponse:
    return health_response(app.current_event, services().check_health.figures(current_caller(app)))


lambda_handler = http_entry(app)
