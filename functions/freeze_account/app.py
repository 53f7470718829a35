"""POST /api/accounts/{account_id}/freeze: stop new orders and withdrawals on an account (admin)."""

from typing import Annotated

from orders_common.http.params import Path
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, documented, error_responses, json_response
from orders_common.models.account import AccountSummary
from orders_common.models.path import PathId
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.post(
    "/api/accounts/<account_id>/freeze",
    summary="Freeze an account",
    tags=["Accounts"],
    operation_id="freezeAccount",
    responses={200: documented("The account", AccountSummary), **error_responses(400, 401, 403, 404, 503)},
)
def freeze(account_id: Annotated[PathId, Path()]) -> JsonResponse:
    return json_response(200, services().freeze_account(account_id, True, current_caller(app)))


lambda_handler = http_entry(app)
