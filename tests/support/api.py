"""What the API tests share: the seed's create body, the fields every order has, the error shape."""

from __future__ import annotations

from typing import Any

SEED_BODY = {
    "account_id": 1,
    "symbol": "BTC",
    "name": "Long BTC",
    "side": "buy",
    "order_type": "market",
    "quantity": 0.01,
}
ORDER_FIELDS = {
    "id", "account_id", "user_id", "symbol", "name", "side", "order_type", "price", "quantity", "filled_quantity",
    "status", "filled_price", "commission", "rejection_reason", "exchange", "exchange_order_id", "created_at",
    "updated_at", "executed_at", "cancelled_at",
}  # fmt: skip


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status == status, response.body
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["error"]
    assert body["request_id"] == response.header("Apigw-Requestid")
    return body


# Path ids the API must refuse with 400: not digits, zero, signs, spaces, decimals, past 64 bits.
BAD_IDS = ["abc", "0", "-1", "1.5", "1e3", "+7", " 7", "99999999999999999999999", "9223372036854775808"]
