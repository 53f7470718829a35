"""Build the events AWS sends to the functions: API Gateway HTTP API (v2) requests and schedules."""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl


def http_api_event(
    method: str,
    path: str,
    *,
    route_key: str | None = None,
    path_parameters: Mapping[str, str] | None = None,
    query_string: str = "",
    headers: Mapping[str, str] | None = None,
    body: bytes | str | None = None,
    source_ip: str = "127.0.0.1",
    authorizer: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An API Gateway HTTP API payload format 2.0 event, as API Gateway builds it."""
    now = datetime.now(UTC)
    lowered = {name.lower(): value for name, value in (headers or {}).items()}
    lowered.setdefault("host", "127.0.0.1")
    cookies = [c.strip() for c in lowered.pop("cookie", "").split(";") if c.strip()]
    query: dict[str, str] = {}
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    text, encoded = _event_body(body)
    request_context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "local",
        "domainName": lowered["host"],
        "domainPrefix": lowered["host"].split(".")[0],
        "http": {
            "method": method.upper(),
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": lowered.get("user-agent", ""),
        },
        "requestId": f"{uuid.uuid4().hex[:8]}-local",
        "routeKey": route_key or f"{method.upper()} {path}",
        "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(time.time() * 1000),
    }
    if authorizer is not None:
        request_context["authorizer"] = dict(authorizer)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key or f"{method.upper()} {path}",
        "rawPath": path,
        "rawQueryString": query_string,
        "headers": lowered,
        "requestContext": request_context,
        "isBase64Encoded": encoded,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    if text is not None:
        event["body"] = text
    return event


def _event_body(body: bytes | str | None) -> tuple[str | None, bool]:
    """API Gateway passes text bodies as they are and anything else base64-encoded."""
    if not isinstance(body, bytes):
        return body, False
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode(), True


def scheduled_event(rule_arn: str = "arn:aws:events:us-east-1:123456789012:rule/process-all") -> dict[str, Any]:
    """The event an EventBridge schedule rule delivers."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [rule_arn],
        "detail": {},
    }


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda's SQS event source delivers, from messages as ReceiveMessage returns them."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": message.get("MessageAttributes", {}),
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": queue_arn.split(":")[3],
            }
            for message in messages
        ]
    }
