"""The API's routes, for answering requests that match none: 405 with ``Allow`` for a known path,
404 otherwise. ``tests/unit/test_template.py`` keeps this table equal to template.yaml's routes."""

from __future__ import annotations

import re
from functools import cache

ROUTES: tuple[tuple[str, str], ...] = (
    ("POST", "/api/orders/create"),
    ("GET", "/api/orders/pending"),
    ("GET", "/api/orders/user/{user_id}"),
    ("GET", "/api/orders/account/{account_id}"),
    ("POST", "/api/orders/execute/{order_id}"),
    ("POST", "/api/orders/cancel/{order_id}"),
    ("POST", "/api/orders/process-all"),
    ("GET", "/api/orders/order/{order_id}"),
    ("GET", "/api/orders/order/{order_id}/fills"),
    ("GET", "/api/orders/order/{order_id}/events"),
    ("GET", "/api/accounts/{account_id}"),
    ("GET", "/api/orders/health"),
    ("GET", "/api/orders/health/details"),
    ("POST", "/api/accounts"),
    ("GET", "/api/users/{user_id}/accounts"),
    ("GET", "/api/users/{user_id}/portfolio"),
    ("POST", "/api/accounts/{account_id}/deposits"),
    ("POST", "/api/accounts/{account_id}/withdrawals"),
    ("POST", "/api/accounts/{account_id}/adjustments"),
    ("POST", "/api/accounts/{account_id}/freeze"),
    ("POST", "/api/accounts/{account_id}/unfreeze"),
    ("GET", "/api/accounts/{account_id}/ledger"),
    ("GET", "/api/accounts/{account_id}/fills"),
    ("POST", "/api/accounts/{account_id}/audit"),
    ("PATCH", "/api/orders/order/{order_id}"),
    ("POST", "/api/orders/cancel-all"),
    ("GET", "/api/orders/client/{account_id}/{client_order_id}"),
    ("POST", "/api/orders/cancel/client/{account_id}/{client_order_id}"),
    ("POST", "/api/accounts/{account_id}/cancel-after"),
)


# Compiled at the first request that matches no route, not at import: a function answering its own
# route never needs them (29 patterns, about 1 ms of every cold start).
@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [(method, re.compile("^" + re.sub(r"\\{\w+\\}", "[^/]+", re.escape(path)) + "$")) for method, path in ROUTES]


def allowed_methods(path: str) -> list[str]:
    """The methods the API serves on ``path`` (empty: no such path)."""
    return sorted({method for method, pattern in _patterns() if pattern.match(path)})
