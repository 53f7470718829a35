"""POST /api/accounts: open an account for a user (admin), funded at once if asked."""

from typing import Annotated

from orders_common.http.params import Body, Header
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, documented, error_responses, json_response
from orders_common.models.account import Account
from orders_common.models.account_requests import OpenAccountRequest
from orders_common.models.fields import IdempotencyKey
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.post(
    "/api/accounts",
    summary="Open an account",
    tags=["Accounts"],
    operation_id="openAccount",
    responses={201: documented("The new account", Account), **error_responses(400, 401, 403, 409, 413, 415, 503)},
)
def open_account(
    request: Annotated[OpenAccountRequest, Body(embed=False)],
    idempotency_key: Annotated[IdempotencyKey | None, Header(alias="idempotency-key")] = None,
) -> JsonResponse:
    return json_response(201, services().open_account(request, current_caller(app), idempotency_key))


lambda_handler = http_entry(app)
