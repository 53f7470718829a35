"""GET /api/accounts/{account_id}/ledger: every movement of the account's cash and positions, newest
first (owner or admin)."""

from typing import Annotated

from orders_common.http.params import Path, Query
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, error_responses, listed, page_response
from orders_common.logic.ports.values import LedgerFilters
from orders_common.models.account_requests import LedgerQuery
from orders_common.models.ledger import LedgerEntry
from orders_common.models.path import PathId
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.get(
    "/api/accounts/<account_id>/ledger",
    summary="List an account's ledger",
    tags=["Ledger & fills"],
    operation_id="listAccountLedger",
    responses={200: listed("Entries, newest first", list[LedgerEntry]), **error_responses(400, 401, 403, 404, 503)},
)
def ledger(account_id: Annotated[PathId, Path()], query: Annotated[LedgerQuery, Query()]) -> JsonResponse:
    filters = LedgerFilters(
        type=query.type,
        asset=None if query.symbol is None else ("cash" if query.symbol == "CASH" else query.symbol),
        since=query.since,
        until=query.until,
    )
    return page_response(services().list_ledger(account_id, query.page(), filters, current_caller(app)))


lambda_handler = http_entry(app)
