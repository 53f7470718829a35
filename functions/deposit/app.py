"""POST /api/accounts/{account_id}/deposits: cash into an account (admin; Idempotency-Key required)."""

from typing import Annotated

from orders_common.http.params import Body, Header, Path
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, documented, error_responses, json_response
from orders_common.models.account_requests import TransferRequest
from orders_common.models.fields import IdempotencyKey
from orders_common.models.path import PathId
from orders_common.models.transfers import TransferResult
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.post(
    "/api/accounts/<account_id>/deposits",
    summary="Deposit cash",
    tags=["Accounts"],
    operation_id="depositCash",
    responses={
        201: documented("The ledger entry and the account's cash right after it", TransferResult),
        **error_responses(400, 401, 403, 404, 409, 413, 415, 422, 503),
    },
)
def deposit(
    account_id: Annotated[PathId, Path()],
    request: Annotated[TransferRequest, Body(embed=False)],
    idempotency_key: Annotated[IdempotencyKey, Header(alias="idempotency-key")],
) -> JsonResponse:
    result = services().transfer("deposit", account_id, request, current_caller(app), idempotency_key)
    return json_response(201, result)


lambda_handler = http_entry(app)
