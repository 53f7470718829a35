"""GET /api/orders/order/{order_id}/fills: what each fill gave the order (a level of the book, a report of
a venue), oldest first (the owner of its account or an admin)."""

from typing import Annotated

from orders_common.http.params import Path, Query
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, error_responses, listed, page_response
from orders_common.models.fill import FillRecord
from orders_common.models.list_queries import OrderFillsQuery
from orders_common.models.path import PathId
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.get(
    "/api/orders/order/<order_id>/fills",
    summary="List an order's fills",
    tags=["Ledger & fills"],
    operation_id="listOrderFills",
    responses={200: listed("Fills, oldest first", list[FillRecord]), **error_responses(400, 401, 403, 404, 503)},
)
def order_fills(order_id: Annotated[PathId, Path()], query: Annotated[OrderFillsQuery, Query()]) -> JsonResponse:
    return page_response(services().list_order_fills(order_id, query.page(), current_caller(app)))


lambda_handler = http_entry(app)
