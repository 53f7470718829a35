"""Powertools' REST resolver as its documentation shows: validation on, Logger with the correlation id,
Metrics."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import ForbiddenError, NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from order_models import MAX_ID, CreateOrder, Order, new_order, order_item
from order_store import get_order, insert_order, user_of

logger = Logger()
metrics = Metrics()
app = APIGatewayRestResolver(enable_validation=True)


def _user() -> int:
    """The caller, from the claims a REST API's Cognito authorizer passes."""
    user_id = user_of(app.current_event.request_context.authorizer.claims)
    if user_id is None:
        raise ForbiddenError("the token names no user")
    return user_id


@app.get("/api/orders/order/<order_id>")
def order_details(order_id: Annotated[int, Path(gt=0, le=MAX_ID)]) -> Order:
    found = get_order(order_id, _user())
    if found is None:
        raise NotFoundError("no such order")
    return Order.model_validate(found)


@app.post("/api/orders/create")
def create_order(request: CreateOrder) -> Response[str]:
    order = new_order(request, _user())
    insert_order(order_item(order), app.current_event.request_context.request_id)
    metrics.add_metric(name="OrdersCreated", unit=MetricUnit.Count, value=1)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=order.model_dump_json())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
