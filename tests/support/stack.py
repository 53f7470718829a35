"""The deployed stack, in process: moto resources from template.yaml, demo accounts, and the
functions reached through the template's routes (the same path ``make run`` takes)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import boto3

from localdev.events import sqs_event
from localdev.iam import IamRecorder
from localdev.inprocess import InProcessStack
from localdev.local_events import EventTap
from localdev.routing import Authorizer, HttpResponse, Router
from localdev.streams import StreamReader, stream_event
from localdev.template import Resolver, Template
from orders_common.exact_json import dumps
from orders_common.wiring import Services, services


@dataclass
class Deployed(InProcessStack):
    """The in-process stack, with what tests ask of it."""

    iam: IamRecorder | None = None  # every AWS call of the functions, checked against their policies
    _tap: EventTap | None = None
    _stream: StreamReader | None = None

    @property
    def services(self) -> Services:
        return services()

    def require_tokens(self, authorizer: Authorizer) -> None:
        """API Gateway's side of ``AuthEnabled=true``: the JWT authorizer on every route the template
        secures. (The functions' side, ``AUTH_ENABLED=true`` and fresh services, is the caller's.)"""
        template = Template.load(parameters={**self.template.parameter_overrides, "AuthEnabled": "true"})
        resolver = Resolver(template, refs=self.resolver.refs, attributes=self.resolver.attributes)
        self.router = Router(
            template.http_routes(), self.functions, authorizer=authorizer, secured=template.secured_route_keys(resolver)
        )

    # HTTP, through API Gateway's routing

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        body: bytes | str | None = None,
        query: Mapping[str, Any] | str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        all_headers = dict(headers or {})
        if json is not None:
            body = dumps(json)
            all_headers.setdefault("Content-Type", "application/json")
        query_string = query if isinstance(query, str) else urlencode(query or {})
        return self.router.handle(method, path, query_string=query_string, headers=all_headers, body=body)

    def get(self, path: str, **kwargs: Any) -> HttpResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> HttpResponse:
        return self.request("POST", path, **kwargs)

    def create_order(self, **fields: Any) -> dict[str, Any]:
        """Create an order that must succeed; defaults to a small market buy on account 1."""
        body = {
            "account_id": 1,
            "symbol": "BTC",
            "name": "Test order",
            "side": "buy",
            "order_type": "market",
            "quantity": Decimal("0.01"),
            **fields,
        }
        response = self.post("/api/orders/create", json=body)
        assert response.status == 201, response.body
        created: dict[str, Any] = response.json()
        return created

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        return self.functions[logical_id].invoke(event)

    def drain_queue(self, before_each: Callable[[], object] = lambda: None) -> int:
        """Deliver what the execution queue holds to the executor, ten at a time, as Lambda's event
        source would; returns how many messages were delivered."""
        sqs = boto3.client("sqs")
        queue_arn = self.resolver.attributes[("ExecutionQueue", "Arn")]
        delivered = 0
        while messages := sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", []):
            before_each()
            result = self.invoke("ExecuteQueuedFunction", sqs_event(messages, queue_arn))
            assert result == {"batchItemFailures": []}, result
            for message in messages:
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
            delivered += len(messages)
        return delivered

    # Order events: the table's stream through the publisher, and what reached the bus

    @property
    def event_tap(self) -> EventTap:
        """What reaches the order bus from now on (a rule of the test's own, as ``make run``'s)."""
        if self._tap is None:
            self._tap = EventTap.on_bus(self.resolver.refs["OrderEventBus"], keep=10_000)
        return self._tap

    @property
    def stream(self) -> StreamReader:
        """The table's stream as the publisher's event source reads it (its filters applied)."""
        if self._stream is None:
            ((_, source),) = self.template.events_of_type("DynamoDB")
            self._stream = StreamReader.for_event(source, self.resolver.resolve(source["Stream"]))
        return self._stream

    def stream_records(self) -> list[dict[str, Any]]:
        """The event items written since the last call, as the stream delivers them."""
        self.event_tap  # noqa: B018 - the bus's rule must exist before anything is published
        return self.stream.read()

    def publish_records(self, records: list[dict[str, Any]], before_each: Callable[[], object] = lambda: None) -> Any:
        """Deliver ``records`` to the publisher in one batch; its partial batch response."""
        before_each()
        return self.invoke("PublishEventsFunction", stream_event(records, self.stream.stream_arn))

    def publish_events(self, before_each: Callable[[], object] = lambda: None) -> list[dict[str, Any]]:
        """Publish every event written so far, ten records per batch as the template says; what
        reached the bus since the last call (oldest first)."""
        records = self.stream_records()
        for start in range(0, len(records), 10):
            assert self.publish_records(records[start : start + 10], before_each) == {"batchItemFailures": []}
        return self.bus_events()

    def bus_events(self) -> list[dict[str, Any]]:
        """The events that reached the bus since the last call."""
        before = len(self.event_tap.events())
        while self.event_tap.poll_once():
            pass
        return self.event_tap.events()[before:]

    # What is stored

    def stored_items(self, prefix: str) -> list[dict[str, Any]]:
        """Every item whose partition key starts with ``prefix`` (a test-only Scan)."""
        client = boto3.client("dynamodb")
        items: list[dict[str, Any]] = []
        paginator = client.get_paginator("scan")
        for page in paginator.paginate(TableName=self.table_name):
            items += [item for item in page["Items"] if item["pk"]["S"].startswith(prefix)]
        return items

    def stored_orders(self) -> list[dict[str, Any]]:
        """Every order item (not the fills and events in the orders' partitions)."""
        return [item for item in self.stored_items("ORDER#") if item["sk"]["S"] == "ORDER"]

    def account(self, account_id: int) -> dict[str, Any]:
        response = self.services.accounts.get_account(account_id)
        assert response is not None
        return response.model_dump()

    def position(self, account_id: int, symbol: str) -> dict[str, Any] | None:
        account = self.services.accounts.get_account(account_id)
        assert account is not None
        return next((p.model_dump() for p in account.positions if p.symbol == symbol), None)
