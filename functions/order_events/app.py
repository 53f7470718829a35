"""GET /api/orders/order/{order_id}/events: the order's timeline, every step of its life oldest first,
with who caused it and what it changed (the owner of its account or an admin)."""

from typing import Annotated

from orders_common.http.params import Path, Query
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, error_responses, listed, page_response
from orders_common.models.list_queries import OrderEventsQuery
from orders_common.models.order_event import OrderEvent
from orders_common.models.path import PathId
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.get(
    "/api/orders/order/<order_id>/events",
    summary="List an order's events",
    tags=["Orders"],
    operation_id="listOrderEvents",
    responses={200: listed("Events, oldest first", list[OrderEvent]), **error_responses(400, 401, 403, 404, 503)},
)
def order_events(order_id: Annotated[PathId, Path()], query: Annotated[OrderEventsQuery, Query()]) -> JsonResponse:
    return page_response(services().list_order_events(order_id, query.page(), current_caller(app)))


lambda_handler = http_entry(app)
