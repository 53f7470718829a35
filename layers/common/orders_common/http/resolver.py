"""One resolver per function, all configured the same way (the entry point around it is ``runtime``)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from orders_common.auth import Caller, caller_from_event
from orders_common.coldstart.snapstart import prepare_snapshot
from orders_common.http.errors import install_error_handlers
from orders_common.http.jsonio import loads_request
from orders_common.wiring import build_for_snapshot, services


def current_caller(app: APIGatewayHttpResolver) -> Caller:
    """The caller of the request being handled, from the claims API Gateway's authorizer verified."""
    return caller_from_event(app.current_event.raw_event, services().settings)


def build_resolver() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=loads_request)
    install_error_handlers(app)
    prepare_snapshot(build_for_snapshot)
    return app
