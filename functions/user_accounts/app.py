"""GET /api/users/{user_id}/accounts: a user's accounts (that user or an admin)."""

from typing import Annotated

from orders_common.http.params import Path, Query
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, error_responses, listed, page_response
from orders_common.models.account import AccountSummary
from orders_common.models.list_queries import PageQuery
from orders_common.models.path import PathId
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.get(
    "/api/users/<user_id>/accounts",
    summary="List a user's accounts",
    tags=["Accounts"],
    operation_id="listUserAccounts",
    responses={200: listed("Accounts, oldest first", list[AccountSummary]), **error_responses(400, 401, 403, 503)},
)
def user_accounts(user_id: Annotated[PathId, Path()], query: Annotated[PageQuery, Query()]) -> JsonResponse:
    return page_response(services().list_user_accounts(user_id, query.page(), current_caller(app)))


lambda_handler = http_entry(app)
