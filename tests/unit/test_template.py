"""template.yaml: the routes of the seed, one function each, and what each function may do."""

from __future__ import annotations

from typing import Any

from localdev.template import Resolver, Template

SEED_ROUTES = {
    ("POST", "/api/orders/create"),
    ("GET", "/api/orders/pending"),
    ("GET", "/api/orders/user/{user_id}"),
    ("GET", "/api/orders/account/{account_id}"),
    ("POST", "/api/orders/execute/{order_id}"),
    ("POST", "/api/orders/cancel/{order_id}"),
    ("POST", "/api/orders/process-all"),
    ("GET", "/api/orders/order/{order_id}"),
    ("GET", "/api/orders/health"),
}
PUBLIC_HEALTH = "GET /api/orders/health"
READ_ONLY_ACTIONS = {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem", "sqs:GetQueueAttributes"}


def test_every_seed_route_has_its_own_function(template: Template) -> None:
    routes = template.http_routes()

    assert {(route.method, route.path) for route in routes} >= SEED_ROUTES
    assert len({route.function for route in routes}) == len(routes)


def test_functions_run_python_313_with_the_common_layer(template: Template) -> None:
    globals_ = template.document["Globals"]["Function"]

    assert globals_["Runtime"] == "python3.13"
    assert globals_["Layers"] == [{"Ref": "CommonLayer"}]
    assert template.document["Parameters"]["Architecture"]["Default"] == "arm64"
    assert globals_["Environment"]["Variables"]["POWERTOOLS_LOGGER_LOG_EVENT"] == "false"


def test_the_table_is_on_demand_recoverable_and_encrypted(template: Template) -> None:
    table = template.resources["OrdersTable"]

    assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["Properties"]["SSESpecification"]["SSEEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"


def test_read_only_functions_may_only_read(template: Template) -> None:
    for logical_id in (
        "PendingOrdersFunction",
        "UserOrdersFunction",
        "AccountOrdersFunction",
        "OrderDetailsFunction",
        "OrderFillsFunction",
        "OrderEventsFunction",
        "AccountFillsFunction",
        "HealthFunction",
        "HealthDetailsFunction",
    ):
        actions = {
            action
            for policy in template.resources[logical_id]["Properties"]["Policies"]
            for statement in policy["Statement"]
            for action in statement["Action"]
        }
        assert actions <= READ_ONLY_ACTIONS, logical_id


def policy_statements(template: Template, logical_id: str) -> list[dict[str, Any]]:
    """Every statement a function could be granted: both branches of a conditional policy."""
    statements = []
    for policy in template.resources[logical_id]["Properties"].get("Policies", []):
        branches = policy["Fn::If"][1:] if set(policy) == {"Fn::If"} else [policy]
        for branch in branches:
            if branch != {"Ref": "AWS::NoValue"}:
                statements.extend(branch["Statement"])
    return statements


def test_no_policy_grants_a_wildcard(template: Template) -> None:
    for spec in template.functions():
        for statement in policy_statements(template, spec.logical_id):
            assert all("*" not in action for action in statement["Action"]), spec.logical_id
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            assert all("*" not in str(resource) for resource in resources), spec.logical_id


WRITE_ACTIONS = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
SECRET_WORDS = ("SECRET", "PASSWORD", "TOKEN", "API_KEY", "PRIVATE_KEY", "CREDENTIAL")


def policy_actions(template: Template, logical_id: str) -> set[str]:
    return {action for statement in policy_statements(template, logical_id) for action in statement["Action"]}


def test_only_the_functions_that_change_orders_or_accounts_may_write(template: Template) -> None:
    writers = {
        spec.logical_id for spec in template.functions() if policy_actions(template, spec.logical_id) & WRITE_ACTIONS
    }

    assert writers == {
        "CreateOrderFunction",
        "ExecuteOrderFunction",
        "CancelOrderFunction",
        "AmendOrderFunction",
        "CancelAllOrdersFunction",
        "CancelClientOrderFunction",
        "CancelAfterFunction",
        "ProcessAllFunction",  # and the dead man's switches it runs out
        "ExecuteQueuedFunction",
        "OpenAccountFunction",
        "DepositFunction",
        "WithdrawalFunction",
        "AdjustPositionFunction",
        "FreezeAccountFunction",
        "UnfreezeAccountFunction",
        "AuditAccountFunction",  # its cursor and its run's status only
        "PublishEventsFunction",  # its events' publication marks only
    }


def test_no_function_may_scan(template: Template) -> None:
    for spec in template.functions():
        assert "dynamodb:Scan" not in policy_actions(template, spec.logical_id), spec.logical_id


def test_no_secret_travels_in_a_plain_environment_variable(template: Template) -> None:
    parameters = template.document["Parameters"]
    for spec in template.functions():
        for name, value in spec.environment.items():
            if name.endswith("_SECRET_ARN"):
                # Where a secret is, not the secret: only a parameter that must be a Secrets Manager ARN.
                assert parameters[value["Ref"]]["AllowedPattern"] == "^(arn:[a-z-]+:secretsmanager:.+)?$", name
                continue
            assert not any(word in name.upper() for word in SECRET_WORDS), (spec.logical_id, name)


def test_the_table_is_protected_from_deletion(template: Template) -> None:
    table = template.resources["OrdersTable"]

    assert table["Properties"]["DeletionProtectionEnabled"] is True
    assert (table["DeletionPolicy"], table["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert table["Properties"]["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}


def test_the_api_is_throttled_by_parameters(template: Template) -> None:
    settings = template.resources["OrdersApi"]["Properties"]["DefaultRouteSettings"]

    assert {key: settings[key] for key in ("ThrottlingRateLimit", "ThrottlingBurstLimit")} == {
        "ThrottlingRateLimit": {"Ref": "ThrottlingRateLimit"},
        "ThrottlingBurstLimit": {"Ref": "ThrottlingBurstLimit"},
    }


def test_every_route_but_health_requires_the_jwt_authorizer_when_auth_is_on(template: Template) -> None:
    body = template.resources["OrdersApi"]["Properties"]["DefinitionBody"]
    when_on = [{"JwtAuthorizer": []}]

    for route in template.http_routes():
        if route.path == "$default":
            # Unknown paths and methods answer 404/405 whoever asks: there is nothing behind them to guard.
            assert route.path not in body["paths"]
            continue
        security = body["paths"][route.path][route.method.lower()]["security"]
        if route.route_key == PUBLIC_HEALTH:
            assert security == [], "uptime monitors send no token"  # and get the status alone
        else:
            assert security == {"Fn::If": ["AuthOn", when_on, []]}, route.route_key
    authorizer = body["components"]["Fn::If"][1]["securitySchemes"]["JwtAuthorizer"]["x-amazon-apigateway-authorizer"]
    # With JwtIssuer, its issuer and audience; without, the stack's own pool (test_deploy_template.py).
    assert authorizer["jwtConfiguration"]["issuer"]["Fn::If"][2] == {"Ref": "JwtIssuer"}
    assert authorizer["jwtConfiguration"]["audience"]["Fn::If"][2] == {"Ref": "JwtAudience"}
    assert template.document["Parameters"]["AuthEnabled"]["Default"] == "true"


def test_with_auth_on_only_health_is_served_without_a_token() -> None:
    secured = Template.load(parameters={"AuthEnabled": "true"})

    guarded = secured.secured_route_keys(Resolver(secured))

    unguarded = {route.route_key for route in secured.http_routes() if route.path != "$default"} - guarded
    assert unguarded == {PUBLIC_HEALTH}
    assert "GET /api/orders/health/details" in guarded  # the figures


def test_the_dead_letter_queue_has_an_alarm(template: Template) -> None:
    alarm = template.resources["ExecutionDeadLetterAlarm"]["Properties"]
    queue = template.resources["ExecutionQueue"]["Properties"]

    assert alarm["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["ExecutionDeadLetterQueue", "QueueName"]}
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5
    assert queue["VisibilityTimeout"] >= 6 * template.function("ExecuteQueuedFunction").timeout


def test_the_schedule_waits_out_the_queues_visibility_timeout_before_sending_an_order_again(
    template: Template,
) -> None:
    queue = template.document["Resources"]["ExecutionQueue"]["Properties"]
    variables = template.document["Resources"]["ProcessAllFunction"]["Properties"]["Environment"]["Variables"]

    assert int(variables["EXECUTION_QUEUE_VISIBILITY_SECONDS"]) == int(queue["VisibilityTimeout"])


def test_the_narrow_pending_index_projects_what_the_schedule_reads(template: Template) -> None:
    from orders_common.dal.mapping import SUMMARY_FIELDS

    indexes = template.document["Resources"]["OrdersTable"]["Properties"]["GlobalSecondaryIndexes"]
    summary = next(index for index in indexes if index["IndexName"] == "pending_summary")
    pending = next(index for index in indexes if index["IndexName"] == "pending")

    assert summary["KeySchema"] == pending["KeySchema"]
    assert summary["Projection"]["ProjectionType"] == "INCLUDE"
    assert set(summary["Projection"]["NonKeyAttributes"]) == set(SUMMARY_FIELDS)


def test_the_account_pending_index_projects_what_a_cancel_needs(template: Template) -> None:
    from orders_common.dal.mapping import OPEN_ORDER_FIELDS

    indexes = template.document["Resources"]["OrdersTable"]["Properties"]["GlobalSecondaryIndexes"]
    open_orders = next(index for index in indexes if index["IndexName"] == "pending_by_account")

    assert open_orders["Projection"]["ProjectionType"] == "INCLUDE"
    assert set(open_orders["Projection"]["NonKeyAttributes"]) == set(OPEN_ORDER_FIELDS)


def test_the_route_table_the_catch_all_answers_from_is_the_templates(template: Template) -> None:
    from orders_common.http.routes import ROUTES

    routes = {(route.method, route.path) for route in template.http_routes() if route.path != "$default"}

    assert set(ROUTES) == routes
    assert [route.function for route in template.http_routes() if route.path == "$default"] == ["RouteNotFoundFunction"]


WEBHOOK_RESOURCES = {
    "WebhookConnection",
    "WebhookDestination",
    "WebhookDeadLetterQueue",
    "WebhookDeadLetterQueuePolicy",
    "WebhookDeadLetterAlarm",
    "WebhookRole",
    "WebhookRule",
}


def test_new_order_events_reach_the_publisher_from_the_stream(template: Template) -> None:
    import json

    table = template.resources["OrdersTable"]["Properties"]
    stream = template.resources["PublishEventsFunction"]["Properties"]["Events"]["Stream"]

    assert table["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    assert stream["Type"] == "DynamoDB"
    source = stream["Properties"]
    assert source["Stream"] == {"Fn::GetAtt": ["OrdersTable", "StreamArn"]}
    assert source["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert source["BisectBatchOnFunctionError"] is True
    assert 0 < source["MaximumRetryAttempts"] <= 10
    assert source["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": {"Fn::GetAtt": ["PublishEventsDeadLetterQueue", "Arn"]},
    }
    (only,) = source["FilterCriteria"]["Filters"]
    assert json.loads(only["Pattern"]) == {
        "eventName": ["INSERT"],
        "dynamodb": {"Keys": {"sk": {"S": [{"prefix": "EVENT#"}]}}},
    }
    alarm = template.resources["PublishEventsDeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["PublishEventsDeadLetterQueue", "QueueName"]}


def test_the_publisher_may_put_events_on_the_stacks_bus_only(template: Template) -> None:
    function = template.resources["PublishEventsFunction"]["Properties"]
    statements = function["Policies"][0]["Statement"]

    assert function["Environment"]["Variables"]["EVENT_BUS_NAME"] == {"Ref": "OrderEventBus"}
    assert [(s["Action"], s["Resource"]) for s in statements] == [
        (["dynamodb:GetItem", "dynamodb:UpdateItem"], {"Fn::GetAtt": ["OrdersTable", "Arn"]}),
        (["events:PutEvents"], {"Fn::GetAtt": ["OrderEventBus", "Arn"]}),
    ]
    assert template.resources["OrderEventBus"]["Type"] == "AWS::Events::EventBus"


def test_the_webhook_exists_only_with_a_url(template: Template) -> None:
    from localdev.template import Resolver

    conditional = {name for name, spec in template.resources.items() if spec.get("Condition") == "WebhookOn"}
    assert conditional == WEBHOOK_RESOURCES
    assert template.document["Parameters"]["WebhookUrl"]["Default"] == ""
    assert template.document["Parameters"]["WebhookSecretArn"]["Default"] == ""
    assert template.condition("WebhookOn", Resolver(template)) is False
    with_url = Template(template.document, parameter_overrides={"WebhookUrl": "https://hooks.example.com/orders"})
    assert template.condition("WebhookOn", Resolver(with_url)) is True


def test_the_webhook_rule_retries_then_keeps_what_failed(template: Template) -> None:
    rule = template.resources["WebhookRule"]["Properties"]
    (target,) = rule["Targets"]

    assert rule["EventBusName"] == {"Ref": "OrderEventBus"}
    assert rule["EventPattern"] == {"source": ["hyperoru.orders"]}
    assert target["Arn"] == {"Fn::GetAtt": ["WebhookDestination", "Arn"]}
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["WebhookDeadLetterQueue", "Arn"]}}
    (allowed,) = template.resources["WebhookDeadLetterQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert allowed["Principal"] == {"Service": "events.amazonaws.com"}
    assert allowed["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["WebhookRule", "Arn"]}}}
    destination = template.resources["WebhookDestination"]["Properties"]
    assert (destination["HttpMethod"], destination["InvocationEndpoint"]) == ("POST", {"Ref": "WebhookUrl"})
    key = template.resources["WebhookConnection"]["Properties"]["AuthParameters"]["ApiKeyAuthParameters"]
    assert key["ApiKeyValue"]["Fn::If"][1] == {"Fn::Sub": "{{resolve:secretsmanager:${WebhookSecretArn}:SecretString}}"}
