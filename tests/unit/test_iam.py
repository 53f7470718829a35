"""localdev.iam: the IAM actions a call needs, the policy evaluator, and the recorder that attributes calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from localdev.functions import LocalFunction, invoking_function
from localdev.iam import (
    Arns,
    FunctionPolicy,
    IamRecorder,
    Permission,
    UnmappedCall,
    UnsupportedPolicy,
    function_policies,
    permissions_for,
)
from localdev.template import FunctionSpec, Resolver, Template

ARNS = Arns(region="us-east-1", account="123456789012")
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:work"


def needs(service: str, operation: str, **params: Any) -> set[Permission]:
    return set(permissions_for(service, operation, params, ARNS))


def on_table(*actions: str, resource: str = TABLE) -> set[Permission]:
    return {Permission(f"dynamodb:{action}", resource) for action in actions}


# What a call needs


def test_a_transaction_needs_each_items_own_action_and_a_condition_check_needs_condition_check_item() -> None:
    request = [
        {"Put": {"TableName": "orders", "Item": {}}},
        {"Update": {"TableName": "orders", "Key": {}, "UpdateExpression": "SET a = :a"}},
        {"Delete": {"TableName": "orders", "Key": {}}},
        {"ConditionCheck": {"TableName": "orders", "Key": {}, "ConditionExpression": "attribute_exists(pk)"}},
    ]

    assert needs("dynamodb", "TransactWriteItems", TransactItems=request) == on_table(
        "PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem"
    )


def test_a_query_of_an_index_needs_the_index_arn_and_one_of_the_table_the_table_arn() -> None:
    assert needs("dynamodb", "Query", TableName="orders", IndexName="pending") == on_table(
        "Query", resource=f"{TABLE}/index/pending"
    )
    assert needs("dynamodb", "Query", TableName="orders") == on_table("Query")
    assert needs("dynamodb", "Scan", TableName="orders", IndexName="by_user") == on_table(
        "Scan", resource=f"{TABLE}/index/by_user"
    )


def test_single_item_calls_need_their_own_action_and_a_table_may_be_named_by_its_arn() -> None:
    for operation in ("GetItem", "PutItem", "UpdateItem", "DeleteItem"):
        assert needs("dynamodb", operation, TableName="orders") == on_table(operation)
    assert needs("dynamodb", "GetItem", TableName=TABLE) == on_table("GetItem")


def test_batch_and_transactional_reads() -> None:
    assert needs("dynamodb", "TransactGetItems", TransactItems=[{"Get": {"TableName": "orders", "Key": {}}}]) == (
        on_table("GetItem")
    )
    assert needs("dynamodb", "BatchGetItem", RequestItems={"orders": {}, "other": {}}) == on_table(
        "BatchGetItem"
    ) | on_table("BatchGetItem", resource=TABLE.replace("orders", "other"))
    assert needs("dynamodb", "BatchWriteItem", RequestItems={"orders": []}) == on_table("BatchWriteItem")


def test_sqs_batches_need_the_single_message_action_on_the_queue_of_the_url() -> None:
    aws_url = "https://sqs.eu-west-1.amazonaws.com/210987654321/work"
    local_url = "http://127.0.0.1:5000/123456789012/work"

    assert needs("sqs", "SendMessageBatch", QueueUrl=local_url, Entries=[]) == {Permission("sqs:SendMessage", QUEUE)}
    assert needs("sqs", "SendMessage", QueueUrl=aws_url, MessageBody="{}") == {
        Permission("sqs:SendMessage", "arn:aws:sqs:eu-west-1:210987654321:work")
    }
    assert needs("sqs", "DeleteMessageBatch", QueueUrl=local_url, Entries=[]) == {
        Permission("sqs:DeleteMessage", QUEUE)
    }
    assert needs("sqs", "ReceiveMessage", QueueUrl=local_url) == {Permission("sqs:ReceiveMessage", QUEUE)}
    assert needs("sqs", "GetQueueUrl", QueueName="work") == {Permission("sqs:GetQueueUrl", QUEUE)}


def test_a_secret_read_needs_get_secret_value_on_its_full_arn() -> None:
    secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:hyperliquid-AbCdEf"

    assert needs("secretsmanager", "GetSecretValue", SecretId=secret) == {
        Permission("secretsmanager:GetSecretValue", secret)
    }


@pytest.mark.parametrize(
    ("service", "operation", "params"),
    [
        ("secretsmanager", "GetSecretValue", {"SecretId": "exchange"}),
        # A partial ARN (no random suffix): IAM decides on the full ARN, which the call does not say.
        ("secretsmanager", "GetSecretValue", {"SecretId": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x"}),
        ("secretsmanager", "DescribeSecret", {"SecretId": "arn:aws:secretsmanager:us-east-1:1:secret:x-AbCdEf"}),
        ("dynamodb", "ExecuteStatement", {"Statement": "SELECT * FROM orders"}),
        ("dynamodb", "ListTables", {}),
        ("dynamodb", "TransactWriteItems", {"TransactItems": [{"Upsert": {"TableName": "orders"}}]}),
        ("sqs", "SendMessage", {"QueueUrl": "http://127.0.0.1:5000/work"}),
    ],
)
def test_a_call_not_understood_is_refused_not_guessed(service: str, operation: str, params: dict[str, Any]) -> None:
    with pytest.raises(UnmappedCall):
        permissions_for(service, operation, params, ARNS)


# What a policy grants


def stack_with(policies: Any, **properties: Any) -> tuple[Template, Resolver]:
    document = {
        "Resources": {
            "Orders": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
            "Work": {"Type": "AWS::SQS::Queue", "Properties": {}},
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"CodeUri": "fn", "Handler": "app.handler", "Policies": policies, **properties},
            },
        }
    }
    template = Template(document=document)
    resolver = Resolver(
        template,
        refs={"Orders": "orders", "Work": "http://127.0.0.1:5000/123456789012/work"},
        attributes={("Orders", "Arn"): TABLE, ("Work", "Arn"): QUEUE, ("Work", "QueueName"): "work"},
    )
    return template, resolver


def policy_of(*statements: dict[str, Any]) -> FunctionPolicy:
    return function_policies(*stack_with([{"Statement": list(statements)}]))["Fn"]


CREATE_ORDER_TODAY = {
    "Effect": "Allow",
    "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
    "Resource": {"Fn::GetAtt": ["Orders", "Arn"]},
}


def test_a_policy_without_the_action_refuses_the_call() -> None:
    policy = policy_of(CREATE_ORDER_TODAY)

    assert policy.allows(Permission("dynamodb:PutItem", TABLE))
    assert not policy.allows(Permission("dynamodb:ConditionCheckItem", TABLE))
    assert policy.ungranted(on_table("PutItem", "ConditionCheckItem")) == on_table("ConditionCheckItem")


def test_a_grant_on_the_table_does_not_reach_its_indexes_and_one_index_not_another() -> None:
    policy = policy_of(
        {"Effect": "Allow", "Action": "dynamodb:Query", "Resource": {"Fn::Sub": "${Orders.Arn}/index/pending"}},
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": {"Fn::GetAtt": ["Orders", "Arn"]}},
    )

    assert policy.allows(Permission("dynamodb:Query", f"{TABLE}/index/pending"))
    assert not policy.allows(Permission("dynamodb:Query", f"{TABLE}/index/by_user"))
    assert not policy.allows(Permission("dynamodb:Query", TABLE))
    assert not policy.allows(Permission("dynamodb:GetItem", f"{TABLE}/index/pending"))


def test_wildcards_match_as_in_iam_and_actions_ignore_case() -> None:
    policy = policy_of(
        {"Effect": "Allow", "Action": ["dynamodb:get*", "sqs:SendMessage?atch"], "Resource": [f"{TABLE}*", "*"]}
    )

    assert policy.allows(Permission("dynamodb:GetItem", f"{TABLE}/index/pending"))
    assert policy.allows(Permission("sqs:SendMessageBatch", QUEUE))
    assert not policy.allows(Permission("sqs:SendMessage", QUEUE))
    assert not policy.allows(Permission("dynamodb:PutItem", TABLE))


def test_a_matching_deny_wins_over_an_allow() -> None:
    policy = policy_of(
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "dynamodb:Scan", "Resource": {"Fn::GetAtt": ["Orders", "Arn"]}},
    )

    assert policy.allows(Permission("dynamodb:Query", TABLE))
    assert not policy.allows(Permission("dynamodb:Scan", TABLE))


def test_grants_no_call_used_are_reported_unused() -> None:
    policy = policy_of(
        CREATE_ORDER_TODAY,
        {"Effect": "Allow", "Action": "dynamodb:Query", "Resource": {"Fn::Sub": "${Orders.Arn}/index/*"}},
    )

    used = on_table("GetItem", "PutItem", "UpdateItem") | on_table("Query", resource=f"{TABLE}/index/pending")

    assert policy.unused(used) == on_table("DeleteItem")
    assert policy.ungranted(used) == set()


def test_a_sam_policy_template_is_expanded_as_sam_expands_it() -> None:
    template, resolver = stack_with([{"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["Work", "QueueName"]}}}])

    policy = function_policies(template, resolver)["Fn"]

    assert policy.allows(Permission("sqs:SendMessage", QUEUE))
    assert not policy.allows(Permission("sqs:ReceiveMessage", QUEUE))


@pytest.mark.parametrize(
    ("policies", "properties"),
    [
        (["AmazonDynamoDBFullAccess"], {}),  # a managed policy: what it grants is not in the template
        ([{"NoSuchPolicyTemplate": {"TableName": "orders"}}], {}),
        ([{"Statement": [{**CREATE_ORDER_TODAY, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}], {}),
        ([{"Statement": [{"Effect": "Allow", "NotAction": "dynamodb:Scan", "Resource": "*"}]}], {}),
        ([], {"Role": "arn:aws:iam::123456789012:role/elsewhere"}),
    ],
    ids=["managed policy", "unknown SAM template", "condition", "NotAction", "role"],
)
def test_what_cannot_be_evaluated_fails_loudly(policies: Any, properties: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedPolicy):
        function_policies(*stack_with(policies, **properties))


# Recording


@pytest.fixture
def recorder() -> IamRecorder:
    return IamRecorder({"Fn": policy_of(CREATE_ORDER_TODAY)}, ARNS)


def stubbed_get_item(client: Any) -> None:
    with Stubber(client) as stub:
        stub.add_response("get_item", {})
        client.get_item(TableName="orders", Key={"pk": {"S": "a"}})


def as_function(name: str | None, work: Any) -> None:
    token = invoking_function.set(name)
    try:
        work()
    finally:
        invoking_function.reset(token)


def test_calls_are_attributed_and_checked_as_they_happen(recorder: IamRecorder) -> None:
    before = boto3.client("dynamodb", region_name="us-east-1")

    with recorder.recording(before):
        after = boto3.client("dynamodb", region_name="us-east-1")  # inherits the session's hook
        as_function("Fn", lambda: stubbed_get_item(before))
        with Stubber(after) as stub:
            stub.add_response("transact_write_items", {})
            request = [{"ConditionCheck": {"TableName": "orders", "Key": {}, "ConditionExpression": "a"}}]
            as_function("Fn", lambda: after.transact_write_items(TransactItems=request))
        as_function(None, lambda: stubbed_get_item(after))  # a test's own call: recorded, never checked
    stubbed_get_item(after)  # after uninstalling: not recorded

    assert [(call.function, call.operation) for call in recorder.calls] == [
        ("Fn", "dynamodb.GetItem"),
        ("Fn", "dynamodb.TransactWriteItems"),
        (None, "dynamodb.GetItem"),
    ]
    assert [str(violation) for violation in recorder.violations] == [
        f"Fn: dynamodb.TransactWriteItems needs dynamodb:ConditionCheckItem on {TABLE}: its Policies do not grant it"
    ]
    assert recorder.used() == {"Fn": on_table("GetItem", "ConditionCheckItem")}
    difference = recorder.differences()["Fn"]
    assert difference.ungranted == on_table("ConditionCheckItem")
    assert difference.unused == on_table("PutItem", "UpdateItem", "DeleteItem")


def test_a_function_without_a_policy_or_an_unknown_call_is_a_violation(recorder: IamRecorder) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")

    with recorder.recording(sqs), Stubber(sqs) as stub:
        stub.add_response("list_queues", {})
        as_function("Elsewhere", sqs.list_queues)
        stub.add_response("list_queue_tags", {})
        as_function("Fn", lambda: sqs.list_queue_tags(QueueUrl="not a queue url"))

    assert [violation.function for violation in recorder.violations] == ["Elsewhere", "Fn"]
    assert all(violation.permission is None for violation in recorder.violations)


def test_an_invocation_names_its_function_while_it_runs(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "from localdev.functions import invoking_function\n"
        "def handler(event, context):\n"
        "    return invoking_function.get()\n"
    )
    spec = FunctionSpec("ProbeFunction", tmp_path, "app.handler", 3, 128, {}, {})

    assert LocalFunction(spec).invoke({}) == "ProbeFunction"
    assert invoking_function.get() is None
