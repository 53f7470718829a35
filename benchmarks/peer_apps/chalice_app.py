"""AWS Chalice (API Gateway REST): routes with ``app.route``, the body validated with pydantic."""

from __future__ import annotations

from typing import Any

from chalice import BadRequestError, Chalice, ForbiddenError, NotFoundError, Response
from order_models import MAX_ID, CreateOrder, Order, new_order, order_item
from order_store import get_order, insert_order, user_of
from pydantic import ValidationError

app = Chalice(app_name="orders")


def _user() -> int:
    """The caller, from the claims a REST API's Cognito authorizer passes."""
    user_id = user_of((app.current_request.context.get("authorizer") or {}).get("claims"))
    if user_id is None:
        raise ForbiddenError("the token names no user")
    return user_id


@app.route("/api/orders/order/{order_id}", methods=["GET"])
def order_details(order_id: str) -> dict[str, Any]:
    if not order_id.isdigit() or not 0 < int(order_id) <= MAX_ID:
        raise BadRequestError("order_id must be a positive integer")
    found = get_order(int(order_id), _user())
    if found is None:
        raise NotFoundError("no such order")
    return Order.model_validate(found).model_dump(mode="json")


@app.route("/api/orders/create", methods=["POST"])
def create_order() -> Response:
    try:
        request = CreateOrder.model_validate(app.current_request.json_body or {})
    except ValidationError as error:
        return Response(status_code=400, body={"error": "invalid request", "details": error.errors(include_url=False)})
    order = new_order(request, _user())
    insert_order(order_item(order), app.current_request.context["requestId"])
    return Response(status_code=201, body=order.model_dump(mode="json"))


lambda_handler = app
