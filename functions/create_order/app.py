"""POST /api/orders/create: place a buy or sell order on an account."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from orders_common.http.resolver import build_resolver, lambda_handler_for
from orders_common.http.responses import JsonResponse, documented, json_response
from orders_common.logic.create_order import create_order
from orders_common.models.order import Order
from orders_common.models.requests import CreateOrderRequest
from orders_common.wiring import services

app = build_resolver()


@app.post(
    "/api/orders/create",
    summary="Create an order",
    responses={201: documented("The new order, pending", Order)},
)
def create(request: Annotated[CreateOrderRequest, Body(embed=False)]) -> JsonResponse:
    return json_response(201, create_order(request, services()))


lambda_handler = lambda_handler_for(app)
