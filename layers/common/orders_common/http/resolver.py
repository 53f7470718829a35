"""One router per function, all configured the same way (the entry point around it is ``runtime``)."""

from __future__ import annotations

from orders_common.auth import Caller, caller_from_event
from orders_common.coldstart.snapstart import prepare_snapshot
from orders_common.http.router import Router
from orders_common.wiring import build_for_snapshot, services


def current_caller(app: Router) -> Caller:
    """The caller of the request being handled, from the claims API Gateway's authorizer verified:
    read once per request (the route asks, and the order events a write records name it too)."""
    request = app.current_event
    if request.caller is None:
        request.caller = caller_from_event(request.raw_event, services().settings)
    return request.caller


def build_resolver() -> Router:
    app = Router()
    prepare_snapshot(build_for_snapshot)
    return app
