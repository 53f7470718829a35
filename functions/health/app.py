"""GET /api/orders/health: whether the desk can work, for monitors (no token needed, even with
authentication on); the figures only where every caller is an admin (authentication off)."""

from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, documented, health_response
from orders_common.models.health import HealthReport, UnhealthyReport
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.get(
    "/api/orders/health",
    summary="Health of the order desk (no token needed)",
    tags=["Operations"],
    operation_id="getHealth",
    responses={
        200: documented("ok, or degraded (still working: degraded_reasons say why)", HealthReport),
        503: documented("The store is unreachable", UnhealthyReport),
    },
)
def health() -> JsonResponse:
    return health_response(app.current_event, services().check_health(current_caller(app)))


lambda_handler = http_entry(app)
