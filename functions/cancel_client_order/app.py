"""POST /api/orders/cancel/client/{account_id}/{client_order_id}: cancel an order by its client order id."""

from typing import Annotated

from orders_common.http.params import Header, Path
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, documented, error_responses, json_response
from orders_common.models.cancellation import CancelResult
from orders_common.models.fields import ClientOrderId
from orders_common.models.order_actions import IfMatch
from orders_common.models.path import PathId
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.post(
    "/api/orders/cancel/client/<account_id>/<client_order_id>",
    summary="Cancel a pending order by its client order id",
    tags=["Order changes"],
    operation_id="cancelOrderByClientOrderId",
    responses={
        200: documented("The order is cancelled", CancelResult),
        **error_responses(400, 401, 403, 404, 409, 412, 503),
    },
)
def cancel_by_client(
    account_id: Annotated[PathId, Path()],
    client_order_id: Annotated[ClientOrderId, Path()],
    if_match: Annotated[IfMatch | None, Header(alias="if-match")] = None,
) -> JsonResponse:
    caller = current_caller(app)
    return json_response(200, services().cancel_order.by_client(account_id, client_order_id, caller, if_match))


lambda_handler = http_entry(app)
