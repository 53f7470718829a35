"""GET /api/accounts/{account_id}/fills: every fill of the account's orders, newest first (owner or
admin)."""

from typing import Annotated

from orders_common.http.params import Path, Query
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, error_responses, listed, page_response
from orders_common.logic.ports.values import FillFilters
from orders_common.models.account_requests import FillsQuery
from orders_common.models.fill import FillRecord
from orders_common.models.path import PathId
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.get(
    "/api/accounts/<account_id>/fills",
    summary="List an account's fills",
    tags=["Ledger & fills"],
    operation_id="listAccountFills",
    responses={200: listed("Fills, newest first", list[FillRecord]), **error_responses(400, 401, 403, 404, 503)},
)
def fills(account_id: Annotated[PathId, Path()], query: Annotated[FillsQuery, Query()]) -> JsonResponse:
    filters = FillFilters(symbol=query.symbol, since=query.since, until=query.until)
    return page_response(services().list_account_fills(account_id, query.page(), filters, current_caller(app)))


lambda_handler = http_entry(app)
