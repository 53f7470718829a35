"""GET /api/orders/pending: every pending order, oldest first."""

from typing import Annotated

from orders_common.http.params import Query
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, error_responses, listed, page_response
from orders_common.models.list_queries import ListQuery
from orders_common.models.order import Order
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.get(
    "/api/orders/pending",
    summary="List pending orders",
    tags=["Orders"],
    operation_id="listPendingOrders",
    responses={200: listed("Pending orders, oldest first", list[Order]), **error_responses(400, 401, 403, 503)},
)
def pending(query: Annotated[ListQuery, Query()]) -> JsonResponse:
    return page_response(services().list_pending_orders(query.page(), query.filters(), current_caller(app)))


lambda_handler = http_entry(app)
