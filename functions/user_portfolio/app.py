"""GET /api/users/{user_id}/portfolio: every account of a user marked to market, and their totals (that
user or an admin)."""

from typing import Annotated

from orders_common.http.params import Path
from orders_common.http.resolver import build_resolver, current_caller
from orders_common.http.responses import JsonResponse, documented, error_responses, json_response
from orders_common.models.path import PathId
from orders_common.models.portfolio import Portfolio
from orders_common.runtime import http_entry
from orders_common.wiring import services

app = build_resolver()


@app.get(
    "/api/users/<user_id>/portfolio",
    summary="Get a user's portfolio",
    tags=["Accounts"],
    operation_id="getUserPortfolio",
    responses={
        200: documented("Every account of the user, valued at one set of prices, and their totals", Portfolio),
        **error_responses(400, 401, 403, 503),
    },
)
def user_portfolio(user_id: Annotated[PathId, Path()]) -> JsonResponse:
    return json_response(200, services().get_portfolio(user_id, current_caller(app)))


lambda_handler = http_entry(app)
