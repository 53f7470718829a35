"""FastAPI behind Mangum (API Gateway HTTP API), ``def`` routes as FastAPI advises for blocking I/O."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, HTTPException, Path, Request
from mangum import Mangum
from order_models import MAX_ID, CreateOrder, Order, new_order, order_item
from order_store import get_order, insert_order, user_of

app = FastAPI()


def _user(request: Request) -> int:
    """The caller, from the claims an HTTP API's JWT authorizer passes (Mangum keeps the event)."""
    user_id = user_of(request.scope["aws.event"]["requestContext"].get("authorizer", {}).get("jwt", {}).get("claims"))
    if user_id is None:
        raise HTTPException(status_code=403, detail="the token names no user")
    return user_id


@app.get("/api/orders/order/{order_id}")
def order_details(order_id: Annotated[int, Path(gt=0, le=MAX_ID)], http: Request) -> Order:
    found = get_order(order_id, _user(http))
    if found is None:
        raise HTTPException(status_code=404, detail="no such order")
    return Order.model_validate(found)


@app.post("/api/orders/create", status_code=201)
def create_order(request: CreateOrder, http: Request) -> Order:
    order = new_order(request, _user(http))
    insert_order(order_item(order), http.scope["aws.event"]["requestContext"]["requestId"])
    return order


lambda_handler = Mangum(app, lifespan="off")
