"""POST /api/accounts/{account_id}/cancel-after: arm (or disarm) the account's dead man's switch."""

from typing import Annotated

from orders_common.http.params import Body, Path
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, documented, error_responses, json_response
from orders_common.models.account_requests import CancelAfterRequest, CancelAfterResult
from orders_common.models.path import PathId
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.post(
    "/api/accounts/<account_id>/cancel-after",
    summary="Cancel the account's pending orders unless armed again in time (dead man's switch)",
    tags=["Order changes"],
    operation_id="armCancelAfter",
    responses={
        200: documented("When the account's pending orders will be cancelled (null: disarmed)", CancelAfterResult),
        **error_responses(400, 401, 403, 404, 413, 415, 503),
    },
)
def cancel_after(
    account_id: Annotated[PathId, Path()], request: Annotated[CancelAfterRequest, Body(embed=False)]
) -> JsonResponse:
    return json_response(200, services().arm_cancel_after(account_id, request.seconds, current_caller(app)))


lambda_handler = http_entry(app)
