"""Create the template's DynamoDB tables (and their streams), SQS queues and EventBridge buses in moto,
exactly as declared; resources whose ``Condition`` is false (the webhook without ``WebhookUrl``) are not.

Used by ``make run`` (against a moto server) and by the tests (against moto's in-process mock), so
neither can drift from ``template.yaml``.
"""

from __future__ import annotations

import json
from typing import Any

import boto3

from localdev.template import Resolver, Template

TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "BillingMode")
QUEUE_ATTRIBUTES = {
    "VisibilityTimeout": "VisibilityTimeout",
    "MessageRetentionPeriod": "MessageRetentionPeriod",
    "DelaySeconds": "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
    "FifoQueue": "FifoQueue",
    "ContentBasedDeduplication": "ContentBasedDeduplication",
}


def create_resources(template: Template, session: boto3.Session | None = None, *, prefix: str = "hyperoru") -> Resolver:
    """Create every table, queue and bus; return a resolver that knows their local names, URLs and ARNs."""
    session = session or boto3.Session()
    resolver = Resolver(template)
    _create_tables(template, resolver, session.client("dynamodb"), prefix)
    _create_queues(template, resolver, session.client("sqs"), prefix)
    _create_buses(template, resolver, session.client("events"))
    return resolver


def _declared(template: Template, resolver: Resolver, resource_type: str) -> dict[str, dict[str, Any]]:
    """The resources of a type that the stack would create with these parameters."""
    return {
        logical_id: resource
        for logical_id, resource in template.resources_of_type(resource_type).items()
        if "Condition" not in resource or template.condition(resource["Condition"], resolver)
    }


def _create_tables(template: Template, resolver: Resolver, dynamodb: Any, prefix: str) -> None:
    for logical_id, resource in _declared(template, resolver, "AWS::DynamoDB::Table").items():
        properties = resolver.resolve(resource["Properties"])
        name = f"{prefix}-{logical_id}"
        request = {key: properties[key] for key in TABLE_KEYS if key in properties}
        if request.get("BillingMode") != "PAY_PER_REQUEST":
            raise ValueError(f"{logical_id}: local emulation expects on-demand billing")
        if "StreamSpecification" in properties:
            # CloudFormation's form names only the view type; the API's also switches the stream on.
            view = properties["StreamSpecification"]["StreamViewType"]
            request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view}
        dynamodb.create_table(TableName=name, **request)
        description = dynamodb.describe_table(TableName=name)["Table"]
        resolver.refs[logical_id] = name
        resolver.attributes[(logical_id, "Arn")] = description["TableArn"]
        if "LatestStreamArn" in description:
            resolver.attributes[(logical_id, "StreamArn")] = description["LatestStreamArn"]


def _create_buses(template: Template, resolver: Resolver, events: Any) -> None:
    for logical_id, resource in _declared(template, resolver, "AWS::Events::EventBus").items():
        name = resolver.resolve(resource["Properties"]["Name"])
        arn = events.create_event_bus(Name=name)["EventBusArn"]
        resolver.refs[logical_id] = name
        resolver.attributes[(logical_id, "Arn")] = arn
        resolver.attributes[(logical_id, "Name")] = name


def _create_queues(template: Template, resolver: Resolver, sqs: Any, prefix: str) -> None:
    queues = _declared(template, resolver, "AWS::SQS::Queue")
    created: set[str] = set()
    # A queue's redrive policy names its dead-letter queue, which must exist first.
    while len(created) < len(queues):
        progressed = False
        for logical_id, resource in queues.items():
            if logical_id in created:
                continue
            try:
                properties = resolver.resolve(resource.get("Properties", {}))
            except KeyError:
                continue  # refers to a queue not created yet
            attributes = {
                aws: str(properties[key]).lower() if isinstance(properties[key], bool) else str(properties[key])
                for key, aws in QUEUE_ATTRIBUTES.items()
                if key in properties
            }
            if "RedrivePolicy" in properties:
                attributes["RedrivePolicy"] = json.dumps(properties["RedrivePolicy"])
            name = f"{prefix}-{logical_id}" + (".fifo" if attributes.get("FifoQueue") == "true" else "")
            url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            resolver.refs[logical_id] = url
            resolver.attributes[(logical_id, "Arn")] = arn
            resolver.attributes[(logical_id, "QueueName")] = name
            resolver.attributes[(logical_id, "QueueUrl")] = url
            created.add(logical_id)
            progressed = True
        if not progressed:
            raise ValueError(f"queues refer to each other in a cycle: {sorted(set(queues) - created)}")


def function_environment(template: Template, resolver: Resolver) -> dict[str, str]:
    """Every function's environment variables, resolved (the union: local runs share one process)."""
    environment: dict[str, str] = {}
    for spec in template.functions():
        for name, value in spec.environment.items():
            environment[name] = str(resolver.resolve(value))
    return environment
