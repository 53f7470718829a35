"""One resolver per function, all configured the same way, and the Lambda entry point around it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from orders_common.auth import Caller, caller_from_event
from orders_common.http.errors import install_error_handlers
from orders_common.http.jsonio import dumps, loads_request
from orders_common.http.responses import to_jsonable
from orders_common.models.errors import ErrorBody
from orders_common.observability import flush_metrics, logger
from orders_common.wiring import begin_invocation, end_invocation, prepare_snapshot, services

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def current_caller(app: APIGatewayHttpResolver) -> Caller:
    """The caller of the request being handled, from the claims API Gateway's authorizer verified."""
    return caller_from_event(app.current_event.raw_event, services().settings)


def build_resolver() -> APIGatewayHttpResolver:
    app = APIGatewayHttpResolver(enable_validation=True, json_body_deserializer=loads_request)
    install_error_handlers(app)
    prepare_snapshot()
    return app


def lambda_handler_for(app: APIGatewayHttpResolver) -> LambdaHandler:
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        begin_invocation()
        refused = refuse_non_json_body(event)
        if refused is not None:
            return refused
        try:
            return app.resolve(event, context)
        finally:
            flush_metrics()
            end_invocation()

    return handler


def refuse_non_json_body(event: dict[str, Any]) -> dict[str, Any] | None:
    """Every body this API takes is JSON: anything declared otherwise (forms, multipart, text) is
    answered 415 before it reaches a body parser."""
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    content_type = str(headers.get("content-type", "")).split(";")[0].strip().lower()
    if (
        not event.get("body")
        or not content_type
        or content_type == "application/json"
        or content_type.endswith("+json")
    ):
        return None
    error = ErrorBody(
        error=f"Send the body as application/json, not {content_type}.",
        code="UNSUPPORTED_MEDIA_TYPE",
        request_id=(event.get("requestContext") or {}).get("requestId"),
    )
    return {
        "statusCode": 415,
        "headers": {"Content-Type": "application/json"},
        "body": dumps(to_jsonable(error)),
        "isBase64Encoded": False,
    }


def is_scheduled_event(event: dict[str, Any]) -> bool:
    return event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event"


def scheduled_or_http(http_handler: LambdaHandler, scheduled_job: Callable[[LambdaContext], Any]) -> LambdaHandler:
    """One function serving both its API route and an EventBridge schedule."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE, clear_state=True)
    def run_scheduled(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        begin_invocation()
        try:
            result = scheduled_job(context)
            return result.model_dump(mode="json") if hasattr(result, "model_dump") else dict(result)
        finally:
            flush_metrics()
            end_invocation()

    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        if is_scheduled_event(event):
            return run_scheduled(event, context)
        return http_handler(event, context)

    return handler
