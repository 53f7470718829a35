"""AWS Chalice serving this project's own GET order and create: the same request model, use cases,
store and answer documents as ``functions/order_details`` and ``functions/create_order``; only the
HTTP framework differs (Chalice's routing, request and response instead of the layer's router and
entry point). What a user who picked Chalice for this API would run, with what the project's functions
do around the use case: log lines carry the invocation's context and correlation id (Powertools'
``inject_lambda_context``, as its documentation shows), the order's events name the caller and the
request, the metrics the use case recorded are flushed at the end of each invocation (as Powertools'
``log_metrics`` decorator would), and the collector the layer pauses while it loads is resumed after
the first invocation. Without them the peer would log without context, write anonymous events, batch a
hundred invocations' metrics into one line and run without garbage collection for good."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from chalice import BadRequestError, Chalice, ForbiddenError, Response
from pydantic import ValidationError

from orders_common.auth import Caller
from orders_common.coldstart.gc_pause import resume_collector
from orders_common.exact_json import dumps
from orders_common.http.jsonio import loads_request
from orders_common.http.responses import to_jsonable
from orders_common.models.actor import Actor, ActorKind
from orders_common.models.numbers import MAX_ID
from orders_common.models.path import version_tag
from orders_common.models.requests import CreateOrderRequest
from orders_common.observability import flush_metrics, logger
from orders_common.origin import Origin, acting
from orders_common.wiring import services

app = Chalice(app_name="orders")
JSON = {"Content-Type": "application/json"}


def _caller() -> Caller:
    """The token's user, from the claims a REST API's Cognito authorizer passes (the project's own
    reading of them is for an HTTP API's JWT authorizer)."""
    claims = (app.current_request.context.get("authorizer") or {}).get("claims") or {}
    user_id = str(claims.get("user_id", ""))
    if not user_id.isdigit():
        raise ForbiddenError("the token names no user")
    return Caller(user_id=int(user_id), is_admin=False)


@app.route("/api/orders/order/{order_id}", methods=["GET"])
def order_details(order_id: str) -> Response:
    if not order_id.isdigit() or not 0 < int(order_id) <= MAX_ID:
        raise BadRequestError("order_id must be a positive integer")
    order = services().get_order(int(order_id), _caller())
    headers = {**JSON, "ETag": version_tag(order.version)}
    return Response(status_code=200, body=dumps(to_jsonable(order)), headers=headers)


@app.route("/api/orders/create", methods=["POST"])
def create_order() -> Response:
    try:
        request = CreateOrderRequest.model_validate(loads_request(app.current_request.raw_body.decode()))
    except ValidationError as error:
        return Response(status_code=400, body={"error": "invalid request", "details": error.errors(include_url=False)})
    caller = _caller()
    # The order's events name who created it and in which request, as the project's functions record.
    actor = Actor(kind=ActorKind.USER, user_id=caller.user_id)
    with acting(Origin.of(actor, request_id=app.current_request.context.get("requestId"))):
        created = services().create_order(request, caller, None)
    return Response(status_code=201, body=dumps(to_jsonable(created.order)), headers=JSON)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        answer: dict[str, Any] = app(event, context)
        return answer
    finally:
        flush_metrics()
        resume_collector()
