"""API Gateway's $default route: every request no route matches gets the API's error shape, 404
ROUTE_NOT_FOUND for an unknown path and 405 METHOD_NOT_ALLOWED (with Allow) for a known one."""

from orders_common.http.resolver import build_resolver
from orders_common.runtime import http_entry

app = build_resolver()  # no routes of its own: the resolver's not-found handler answers everything

lambda_handler = http_entry(app)
