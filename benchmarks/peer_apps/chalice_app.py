"""AWS Chalice (API Gateway REST): routes with ``app.route``, the body validated with pydantic."""

from __future__ import annotations

from typing import Any

from chalice import BadRequestError, Chalice, NotFoundError, Response
from order_models import CreateOrder, Order, new_order, order_item
from order_store import get_order, put_order
from pydantic import ValidationError

app = Chalice(app_name="orders")


@app.route("/api/orders/order/{order_id}", methods=["GET"])
def order_details(order_id: str) -> dict[str, Any]:
    if not order_id.isdigit() or not 0 < int(order_id) <= 2**53:
        raise BadRequestError("order_id must be a positive integer")
    found = get_order(int(order_id))
    if found is None:
        raise NotFoundError("no such order")
    return Order.model_validate(found).model_dump(mode="json")


@app.route("/api/orders/create", methods=["POST"])
def create_order() -> Response:
    try:
        request = CreateOrder.model_validate(app.current_request.json_body or {})
    except ValidationError as error:
        return Response(status_code=400, body={"error": "invalid request", "details": error.errors(include_url=False)})
    order = new_order(request)
    put_order(order_item(order))
    return Response(status_code=201, body=order.model_dump(mode="json"))


lambda_handler = app
