"""Order events out to integrators: the table's stream, through the publisher function, onto the bus.

Each event is published once per event id (also when the stream delivers a batch again), with the
order right after it; a failed PutEvents entry fails only its record; every event of every kind
validates against its schema in docs/events/; and moto's stream behaves as DynamoDB's does for what
the publisher relies on (a record per item of a transaction, none for a refused one).
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

import boto3
import jsonschema
import pytest

from localdev.pipeline import stream_poller
from localdev.streams import StreamReader
from orders_common.models.order_event import OrderEventKind
from orders_common.wiring import reset_services
from tests.integration.test_external_exchange import LiveExchange
from tests.support.stack import Deployed
from tools.event_schemas import SCHEMA_DIRECTORY, registry


def detail_ids(events: list[dict[str, Any]]) -> list[str]:
    return [event["detail"]["event_id"] for event in events]


def test_created_and_filled_reach_the_bus_with_the_order_after_each(stack: Deployed) -> None:
    order = stack.create_order()
    stack.post(f"/api/orders/execute/{order['id']}")

    events = stack.publish_events()

    assert [(e["source"], e["detail-type"], e["detail"]["event_id"]) for e in events] == [
        ("hyperoru.orders", "created", f"{order['id']}-1-1"),
        ("hyperoru.orders", "filled", f"{order['id']}-2-1"),
    ]
    assert events[0]["detail"]["order"] == order  # the order as create answered it, exact numbers included
    assert events[1]["detail"]["order"] == stack.get(f"/api/orders/order/{order['id']}").json()
    assert stack.publish_events() == []  # nothing new: the marks the publisher wrote are not delivered


def test_a_batch_delivered_twice_publishes_each_event_once(stack: Deployed) -> None:
    for _ in range(3):
        stack.post(f"/api/orders/execute/{stack.create_order()['id']}")
    records = stack.stream_records()
    assert len(records) == 6

    assert stack.publish_records(records) == {"batchItemFailures": []}
    assert stack.publish_records(records) == {"batchItemFailures": []}  # Lambda retried the whole batch

    published = detail_ids(stack.bus_events())
    assert sorted(published) == sorted({record["dynamodb"]["NewImage"]["event_id"]["S"] for record in records})
    assert len(published) == len(set(published)) == 6


class RefusingOne:
    """EventBridge answering PutEvents with a failed entry for one event (its FailedEntryCount)."""

    def __init__(self, client: Any, refused: str) -> None:
        self.client = client
        self.refused = refused

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803 - boto3's name
        if any(json.loads(entry["Detail"])["event_id"] == self.refused for entry in Entries):
            failed = {"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}
            return {"FailedEntryCount": 1, "Entries": [failed]}
        response: dict[str, Any] = self.client.put_events(Entries=Entries)
        return response


def test_a_failed_put_events_entry_fails_only_its_record(stack: Deployed, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(3):
        stack.create_order()
    records = stack.stream_records()
    refused = records[1]["dynamodb"]["NewImage"]["event_id"]["S"]
    bus = stack.services.event_bus
    monkeypatch.setattr(bus, "_client", RefusingOne(bus.client, refused))

    answer = stack.publish_records(records)

    assert answer == {"batchItemFailures": [{"itemIdentifier": records[1]["dynamodb"]["SequenceNumber"]}]}
    assert sorted(detail_ids(stack.bus_events())) == sorted(
        r["dynamodb"]["NewImage"]["event_id"]["S"] for r in (records[0], records[2])
    )
    # Lambda delivers again from the failed record on; the bus takes it now, and only it goes out.
    monkeypatch.setattr(bus, "_client", bus.client.client)
    assert stack.publish_records(records[1:]) == {"batchItemFailures": []}
    assert detail_ids(stack.bus_events()) == [refused]


@pytest.fixture
def every_kind_of_event(stack: Deployed, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The events of create, amend, trigger, partial fill, fill, cancel, cancel-all, reject, expire, and
    claim, release, reconcile and accept on an external venue, as they reached the bus."""
    resting = stack.create_order(order_type="limit", price=Decimal("60000"), quantity=Decimal("0.1"))
    stack.request("PATCH", f"/api/orders/order/{resting['id']}", json={"price": 61000})
    stack.post(f"/api/orders/cancel/{resting['id']}")
    stack.post(f"/api/orders/execute/{stack.create_order()['id']}")
    stop = stack.create_order(symbol="ETH", side="sell", order_type="stop_market", trigger_price=Decimal("3600"))
    stack.post(f"/api/orders/execute/{stop['id']}")  # triggers at 3500 and fills
    big = stack.create_order(symbol="ETH", order_type="limit", price=Decimal("3600"), quantity=Decimal("11"))
    stack.post(f"/api/orders/execute/{big['id']}")  # the book holds 10: partially filled
    stack.create_order(order_type="limit", price=Decimal("60000"))
    assert stack.post("/api/orders/cancel-all", json={"account_id": 1}).status == 200  # cancels big and this one
    stack.create_order(order_type="limit", price=Decimal("60000"), time_in_force="ioc", execute=True)  # expires
    dear = stack.create_order(account_id=2, quantity=Decimal("0.7"))
    monkeypatch.setenv("STATIC_PRICES", "BTC=75000,ETH=3500,SOL=150")  # the market ran away: rejected
    reset_services()
    stack.post(f"/api/orders/execute/{dear['id']}")
    monkeypatch.setenv("STATIC_PRICES", "BTC=68500,ETH=3500,SOL=150")
    reset_services()
    venue = LiveExchange()
    stack.services.exchange = venue
    claimed = stack.create_order()
    venue.mode = "refuse"
    stack.post(f"/api/orders/execute/{claimed['id']}")  # claimed, then released
    venue.mode = "lost-response"
    stack.post(f"/api/orders/execute/{claimed['id']}")  # claimed, outcome unknown
    stack.services.execute_queued(claimed["id"])  # reconciled: filled
    venue.mode = "accept"
    resting_there = stack.create_order(order_type="limit", price=Decimal("60000"))
    stack.post(f"/api/orders/execute/{resting_there['id']}")  # claimed, then accepted onto the venue's book
    return stack.publish_events()


def test_every_published_event_validates_against_its_schema(every_kind_of_event: list[dict[str, Any]]) -> None:
    schemas = registry()

    for event in every_kind_of_event:
        schema = json.loads((SCHEMA_DIRECTORY / f"{event['detail-type']}.schema.json").read_text())
        jsonschema.Draft202012Validator(schema, registry=schemas).validate(event)
    assert {event["detail-type"] for event in every_kind_of_event} == {kind.value for kind in OrderEventKind}


def test_the_schemas_refuse_an_event_that_breaks_them(every_kind_of_event: list[dict[str, Any]]) -> None:
    event = every_kind_of_event[0]
    schema = json.loads((SCHEMA_DIRECTORY / f"{event['detail-type']}.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema, registry=registry())
    broken = [
        {**event, "detail-type": "filled" if event["detail-type"] != "filled" else "created"},
        {**event, "detail": {**event["detail"], "order": {**event["detail"]["order"], "quantity": "0.01"}}},
        {**event, "detail": {key: value for key, value in event["detail"].items() if key != "event_id"}},
    ]

    for wrong in broken:
        assert not validator.is_valid(wrong)


def test_moto_streams_one_record_per_item_of_a_transaction_and_none_of_a_refused_one(stack: Deployed) -> None:
    everything = StreamReader(stack.stream.stream_arn)  # no filter: what the stream holds
    everything.read()
    client = boto3.client("dynamodb")
    puts = [
        {"Put": {"TableName": stack.table_name, "Item": {"pk": {"S": f"T#{n}"}, "sk": {"S": "EVENT#x"}}}}
        for n in (1, 2)
    ]

    client.transact_write_items(TransactItems=puts)
    missing = {"pk": {"S": "T#9"}, "sk": {"S": "X"}}
    check = {"TableName": stack.table_name, "Key": missing, "ConditionExpression": "attribute_exists(pk)"}
    refused = [*puts[:1], {"ConditionCheck": check}]
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(TransactItems=refused)

    records = everything.read()
    assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records] == [
        ("INSERT", "T#1"),
        ("INSERT", "T#2"),
    ]
    assert records[0]["dynamodb"]["NewImage"] == puts[0]["Put"]["Item"]


def test_the_stream_filter_passes_new_events_only(stack: Deployed) -> None:
    everything = StreamReader(stack.stream.stream_arn)
    stack.post(f"/api/orders/execute/{stack.create_order()['id']}")
    stack.publish_events()

    written = everything.read()
    kinds = {(r["eventName"], r["dynamodb"]["Keys"]["sk"]["S"].split("#")[0]) for r in written}
    assert {("INSERT", "ORDER"), ("MODIFY", "ORDER"), ("INSERT", "FILL"), ("MODIFY", "EVENT")} <= kinds  # the marks
    assert [r for r in written if stack.stream.passes(r)] == [
        r for r in written if r["eventName"] == "INSERT" and r["dynamodb"]["Keys"]["sk"]["S"].startswith("EVENT#")
    ]


def test_the_local_event_source_retries_from_the_failed_record_then_gives_up_to_its_queue(
    stack: Deployed, monkeypatch: pytest.MonkeyPatch
) -> None:
    ((spec, source),) = stack.template.events_of_type("DynamoDB")
    queue_urls = {
        stack.resolver.attributes[("PublishEventsDeadLetterQueue", "Arn")]: stack.resolver.refs[
            "PublishEventsDeadLetterQueue"
        ]
    }
    poller = stream_poller(stack.functions[spec.logical_id], source, stack.resolver, queue_urls, stop=threading.Event())
    assert (poller.batch_size, poller.max_retries) == (10, 10)  # the template's
    poller.max_retries = 1
    stack.event_tap  # noqa: B018 - the bus's rule before anything is published
    orders = [stack.create_order() for _ in range(3)]
    refused = f"{orders[1]['id']}-1-1"
    bus = stack.services.event_bus
    monkeypatch.setattr(bus, "_client", RefusingOne(bus.client, refused))

    assert poller.poll_once() == 1  # the first record; the batch is retried from the refused one
    assert poller.poll_once() == 2  # its one retry refused too: the rest is settled, the failure recorded
    assert poller.poll_once() == 0

    assert sorted(detail_ids(stack.bus_events())) == sorted(f"{order['id']}-1-1" for order in (orders[0], orders[2]))
    (message,) = boto3.client("sqs").receive_message(QueueUrl=stack.resolver.refs["PublishEventsDeadLetterQueue"])[
        "Messages"
    ]
    info = json.loads(message["Body"])["DDBStreamBatchInfo"]
    assert (info["batchSize"], info["streamArn"]) == (2, stack.stream.stream_arn)
