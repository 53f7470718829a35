"""GET /api/accounts/{account_id}: cash, positions marked to market, P&L and equity of an account."""

from typing import Annotated

from orders_common.http.params import Path
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, documented, error_responses, json_response
from orders_common.models.path import PathId
from orders_common.models.portfolio import ValuedAccount
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.get(
    "/api/accounts/<account_id>",
    summary="Get an account",
    tags=["Accounts"],
    operation_id="getAccount",
    responses={
        200: documented("Cash, positions marked to market, P&L and equity", ValuedAccount),
        **error_responses(400, 401, 403, 404, 503),
    },
)
def account_details(account_id: Annotated[PathId, Path()]) -> JsonResponse:
    return json_response(200, services().get_account(account_id, current_caller(app)))


lambda_handler = http_entry(app)
