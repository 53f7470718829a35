"""The floor: a json + boto3 handler (API Gateway HTTP API), its checks written by hand."""

from __future__ import annotations

import json
import os
import re
import time
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from market_rules import refusal
from order_store import get_order, insert_order, number, user_of

COMMISSION_RATE = Decimal(os.environ["COMMISSION_RATE"])  # the template's, as the project reads it
_SYMBOL = re.compile(r"^[A-Za-z0-9]{1,20}$")
_NAME = re.compile(r"^[\x20-\x7e]*[\x21-\x7e][\x20-\x7e]*$")  # printable ASCII, not only spaces
MAX_ID = 2**63 - 1
MAX_AMOUNT = Decimal(10**12)


def _answer(status: int, body: Any) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(body, default=number)}  # fmt: skip


def _positive(value: Any) -> Decimal | None:
    """A JSON number above 0, at most 1e12 and 8 decimal places."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        amount = Decimal(repr(value))
    except InvalidOperation:
        return None
    if not amount.is_finite() or not 0 < amount <= MAX_AMOUNT or amount.as_tuple().exponent < -8:  # type: ignore[operator]
        return None
    return amount


def _create(body: str | None, user_id: int, request_id: str) -> dict[str, Any]:
    try:
        request = json.loads(body or "")
    except ValueError:
        return _answer(400, {"error": "body is not JSON"})
    if not isinstance(request, dict):
        return _answer(400, {"error": "body is not an object"})
    problems = [name for name in request if name not in
                {"account_id", "symbol", "name", "side", "order_type", "quantity", "price"}]  # fmt: skip
    account = request.get("account_id")
    if isinstance(account, bool) or not isinstance(account, int) or not 0 < account <= MAX_ID:
        problems.append("account_id")
    if not isinstance(request.get("symbol"), str) or not _SYMBOL.fullmatch(request["symbol"]):
        problems.append("symbol")
    if not isinstance(request.get("name"), str) or not _NAME.fullmatch(request["name"]) or len(request["name"]) > 100:
        problems.append("name")
    if request.get("side") not in ("buy", "sell"):
        problems.append("side")
    if request.get("order_type") not in ("market", "limit"):
        problems.append("order_type")
    quantity = _positive(request.get("quantity"))
    if quantity is None:
        problems.append("quantity")
    price = _positive(request["price"]) if request.get("price") is not None else None
    if (request.get("order_type") == "limit") != (price is not None):
        problems.append("price")
    if problems:
        return _answer(400, {"error": "invalid request", "fields": problems})
    reason = refusal(request["symbol"].upper(), quantity, price)  # type: ignore[arg-type]
    if reason is not None:
        return _answer(400, {"error": reason})
    reserved = price * quantity * (1 + COMMISSION_RATE) if price and request["side"] == "buy" else Decimal(0)
    now = datetime.now(UTC).isoformat()
    order = {**request, "symbol": request["symbol"].upper(), "quantity": quantity, "price": price,
             "id": time.time_ns() // 1000, "user_id": user_id,
             "time_in_force": "gtc", "status": "pending", "version": 1, "filled_quantity": 0, "fills_count": 0,
             "reserved_cash": reserved, "reserved_quantity": 0, "created_at": now, "updated_at": now}  # fmt: skip
    insert_order(order, request_id)
    return _answer(201, order)


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    route = event.get("routeKey")
    context = event.get("requestContext") or {}
    user_id = user_of(((context.get("authorizer") or {}).get("jwt") or {}).get("claims"))
    if user_id is None:
        return _answer(403, {"error": "the token names no user"})
    if route == "POST /api/orders/create":
        return _create(event.get("body"), user_id, context.get("requestId", ""))
    if route == "GET /api/orders/order/{order_id}":
        order_id = (event.get("pathParameters") or {}).get("order_id", "")
        if not order_id.isdigit() or not 0 < int(order_id) <= MAX_ID:
            return _answer(400, {"error": "order_id must be a positive integer"})
        order = get_order(int(order_id), user_id)
        return _answer(200, order) if order else _answer(404, {"error": "no such order"})
    return _answer(404, {"error": "no such route"})
