"""GET /api/orders/user/{user_id}: a user's orders across their accounts, newest first."""

from typing import Annotated

from orders_common.http.params import Path, Query
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, error_responses, listed, page_response
from orders_common.models.list_queries import ListQuery
from orders_common.models.order import Order
from orders_common.models.path import PathId
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.get(
    "/api/orders/user/<user_id>",
    summary="List a user's orders",
    tags=["Orders"],
    operation_id="listUserOrders",
    responses={200: listed("Orders, newest first", list[Order]), **error_responses(400, 401, 403, 503)},
)
def user_orders(user_id: Annotated[PathId, Path()], query: Annotated[ListQuery, Query()]) -> JsonResponse:
    return page_response(services().list_user_orders(user_id, query.page(), query.filters(), current_caller(app)))


lambda_handler = http_entry(app)
