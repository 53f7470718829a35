"""template.yaml and the venue: its layer and its secret only where orders execute, its parameters,
and the rules that keep a stack off the venue (and off mainnet) unless asked for explicitly."""

from __future__ import annotations

from typing import Any

import pytest

from localdev.iam import Permission, parse_function_policy
from localdev.template import Resolver, Template

# Create executes inline for `execute: true` (CreateOrder._try_at_once), so it executes too.
# What sends orders to the venue, and what takes them off it (a cancel of an order resting there).
EXECUTING = {"CreateOrderFunction", "ExecuteOrderFunction", "ProcessAllFunction", "ExecuteQueuedFunction"}
CANCELLING = {"CancelOrderFunction", "CancelClientOrderFunction", "CancelAllOrdersFunction"}
ON_THE_VENUE = EXECUTING | CANCELLING
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:hyperliquid-AbCdEf"
OTHER_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:other-XyZ123"


def layers_of(template: Template, logical_id: str) -> list[Any]:
    """What SAM attaches: the Globals' layers, then the function's own."""
    globals_ = template.document["Globals"]["Function"].get("Layers", [])
    return [*globals_, *template.resources[logical_id]["Properties"].get("Layers", [])]


def test_the_venue_layer_is_attached_to_exactly_the_functions_that_send_or_cancel_on_the_venue(
    template: Template,
) -> None:
    with_venue = {
        spec.logical_id
        for spec in template.functions()
        if {"Ref": "VenueLayer"} in layers_of(template, spec.logical_id)
    }

    assert with_venue == ON_THE_VENUE
    for logical_id in ON_THE_VENUE:  # the common layer first: the venue layer only adds packages
        assert layers_of(template, logical_id) == [{"Ref": "CommonLayer"}, {"Ref": "VenueLayer"}]


def test_the_venue_layer_is_built_by_its_makefile(template: Template) -> None:
    layer = template.resources["VenueLayer"]

    assert layer["Properties"]["ContentUri"] == "layers/venue"
    assert layer["Metadata"] == {"BuildMethod": "makefile", "BuildArchitecture": {"Ref": "Architecture"}}
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]


def policy(logical_id: str, **parameters: str) -> Any:
    template = Template.load(parameters=parameters)
    resolver = Resolver(
        template,
        attributes={
            ("OrdersTable", "Arn"): "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
            ("ExecutionQueue", "Arn"): "arn:aws:sqs:us-east-1:123456789012:work",
        },
    )
    return parse_function_policy(logical_id, template.resources[logical_id]["Properties"], resolver)


@pytest.mark.parametrize("logical_id", sorted(ON_THE_VENUE))
def test_only_the_venue_may_read_its_one_secret(logical_id: str) -> None:
    on = policy(logical_id, Exchange="hyperliquid", HyperliquidSecretArn=SECRET)
    paper = policy(logical_id, Exchange="paper", HyperliquidSecretArn=SECRET)

    assert on.allows(Permission("secretsmanager:GetSecretValue", SECRET))
    assert not on.allows(Permission("secretsmanager:GetSecretValue", OTHER_SECRET))
    assert not on.allows(Permission("secretsmanager:DescribeSecret", SECRET))
    assert not paper.allows(Permission("secretsmanager:GetSecretValue", SECRET))


def test_no_other_function_may_read_a_secret(template: Template) -> None:
    for spec in template.functions():
        if spec.logical_id in ON_THE_VENUE:
            continue
        text = str(template.resources[spec.logical_id]["Properties"].get("Policies", []))
        assert "secretsmanager" not in text and "HyperliquidSecretArn" not in text, spec.logical_id


def test_the_venue_parameters_default_to_paper_on_testnet_with_a_limit(template: Template) -> None:
    parameters = template.document["Parameters"]

    assert (parameters["Exchange"]["Default"], parameters["Exchange"]["AllowedValues"]) == (
        "paper",
        ["paper", "hyperliquid"],
    )
    assert parameters["HyperliquidNetwork"]["Default"] == "testnet"
    assert parameters["ConfirmMainnet"]["Default"] == "no"
    assert parameters["HyperliquidSecretArn"]["Default"] == ""
    assert parameters["MaxOrderNotional"]["MinValue"] >= 1  # no value turns the limit off


def test_the_functions_are_told_the_venue_and_the_limit_never_the_key(template: Template) -> None:
    variables = template.document["Globals"]["Function"]["Environment"]["Variables"]

    assert variables["EXCHANGE"] == {"Ref": "Exchange"}
    assert variables["HYPERLIQUID_NETWORK"] == {"Ref": "HyperliquidNetwork"}
    assert variables["HYPERLIQUID_SECRET_ARN"] == {"Ref": "HyperliquidSecretArn"}
    assert variables["MAX_ORDER_NOTIONAL"] == {"Ref": "MaxOrderNotional"}
    confirmed = variables["HYPERLIQUID_MAINNET_CONFIRMED"]
    for answer, expected in (("yes", "true"), ("no", "false")):
        template_with = Template.load(parameters={"ConfirmMainnet": answer})
        assert Resolver(template_with).resolve(confirmed) == expected


def test_rules_require_the_secret_for_the_venue_and_a_confirmation_for_mainnet(template: Template) -> None:
    rules = template.document["Rules"]

    secret = rules["SecretWhenHyperliquid"]
    assert secret["RuleCondition"] == {"Fn::Equals": [{"Ref": "Exchange"}, "hyperliquid"]}
    assert secret["Assertions"][0]["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "HyperliquidSecretArn"}, ""]}]}
    mainnet = rules["MainnetNeedsConfirmation"]
    assert mainnet["RuleCondition"] == {"Fn::Equals": [{"Ref": "HyperliquidNetwork"}, "mainnet"]}
    assert mainnet["Assertions"][0]["Assert"] == {"Fn::Equals": [{"Ref": "ConfirmMainnet"}, "yes"]}
