"""FastAPI behind Mangum (API Gateway HTTP API), ``def`` routes as FastAPI advises for blocking I/O."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, HTTPException, Path
from mangum import Mangum
from order_models import CreateOrder, Order, new_order, order_item
from order_store import get_order, put_order

app = FastAPI()


@app.get("/api/orders/order/{order_id}")
def order_details(order_id: Annotated[int, Path(gt=0, le=2**53)]) -> Order:
    found = get_order(order_id)
    if found is None:
        raise HTTPException(status_code=404, detail="no such order")
    return Order.model_validate(found)


@app.post("/api/orders/create", status_code=201)
def create_order(request: CreateOrder) -> Order:
    order = new_order(request)
    put_order(order_item(order))
    return order


lambda_handler = Mangum(app, lifespan="off")
