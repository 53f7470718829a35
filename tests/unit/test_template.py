"""template.yaml: the routes of the seed, one function each, and what each function may do."""

from __future__ import annotations

from localdev.template import Template

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
READ_ONLY_ACTIONS = {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"}


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
        "HealthFunction",
    ):
        actions = {
            action
            for policy in template.resources[logical_id]["Properties"]["Policies"]
            for statement in policy["Statement"]
            for action in statement["Action"]
        }
        assert actions <= READ_ONLY_ACTIONS, logical_id


def test_no_policy_grants_a_wildcard(template: Template) -> None:
    for spec in template.functions():
        for policy in template.resources[spec.logical_id]["Properties"].get("Policies", []):
            for statement in policy["Statement"]:
                assert all("*" not in action for action in statement["Action"]), spec.logical_id
                resources = (
                    statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
                )
                assert all("*" not in str(resource) for resource in resources), spec.logical_id
