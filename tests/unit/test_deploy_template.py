"""template.yaml deploys with its defaults: authentication on makes its own Cognito user pool (unless
JwtIssuer names one), CORS only for the origins given, and every log group kept LogRetentionDays."""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from localdev.template import Resolver, Template
from orders_common.config import Settings

ROOT = Path(__file__).resolve().parents[2]
COGNITO_RESOURCES = {
    "UserPool",
    "UserPoolClient",
    "AdminUserGroup",
    "OrdersResourceServer",
    "AdminClient",
    "UserPoolDomain",
    "UserIdClaimFunction",
    "UserIdClaimRole",
    "UserIdClaimPermission",
    "UserIdClaimLogGroup",
}
POOL_PROVIDER = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Example"


def stack_resolver(parameters: dict[str, str]) -> Resolver:
    """The template with these parameters, the Cognito resources standing for what CloudFormation returns."""
    resolver = Resolver(Template.load(parameters=parameters))
    resolver.refs.update({"UserPoolClient": "people-client", "AdminClient": "machine-client"})
    resolver.attributes[("UserPool", "ProviderURL")] = POOL_PROVIDER
    return resolver


def created(template: Template, resolver: Resolver) -> set[str]:
    return {
        logical_id
        for logical_id, resource in template.resources.items()
        if "Condition" not in resource or template.condition(resource["Condition"], resolver)
    }


@pytest.mark.parametrize(
    ("auth", "issuer", "pool_made"),
    [("true", "", True), ("true", "https://issuer.example.com", False), ("false", "", False)],
)
def test_the_user_pool_is_made_only_with_auth_on_and_no_issuer_of_your_own(
    auth: str, issuer: str, pool_made: bool
) -> None:
    resolver = stack_resolver({"AuthEnabled": auth, "JwtIssuer": issuer})
    made = created(resolver.template, resolver)

    assert (made >= COGNITO_RESOURCES) is pool_made
    assert not (COGNITO_RESOURCES & made) or pool_made
    assert "OrdersTable" in made and "OrdersApi" in made


def test_every_cognito_resource_and_output_of_the_pool_is_conditional(template: Template) -> None:
    cognito = {name for name, spec in template.resources.items() if spec["Type"].startswith("AWS::Cognito::")}
    outputs = template.document["Outputs"]

    assert cognito <= COGNITO_RESOURCES
    for name in COGNITO_RESOURCES:
        assert template.resources[name]["Condition"] == "CreateUserPool", name
    for name in ("UserPoolId", "UserPoolClientId", "AdminClientId", "TokenUrl"):
        assert outputs[name]["Condition"] == "CreateUserPool", name


def authorizer_configuration(resolver: Resolver) -> dict[str, Any]:
    body = resolver.template.resources["OrdersApi"]["Properties"]["DefinitionBody"]
    components = resolver.resolve(body["components"])
    scheme = components["securitySchemes"]["JwtAuthorizer"]["x-amazon-apigateway-authorizer"]
    configuration: dict[str, Any] = scheme["jwtConfiguration"]
    return configuration


def test_the_authorizer_trusts_the_stacks_pool_and_its_two_clients_by_default() -> None:
    configuration = authorizer_configuration(stack_resolver({}))

    assert configuration == {"issuer": f"https://{POOL_PROVIDER}", "audience": ["people-client", "machine-client"]}


def test_the_authorizer_trusts_the_given_issuer_and_audience_instead() -> None:
    resolver = stack_resolver({"JwtIssuer": "https://issuer.example.com", "JwtAudience": "my-api"})

    assert authorizer_configuration(resolver) == {"issuer": "https://issuer.example.com", "audience": "my-api"}


def refused_by_rules(parameters: dict[str, str]) -> list[str]:
    """The rules whose condition holds and one of whose assertions does not: CloudFormation's refusal."""
    resolver = stack_resolver(parameters)
    refused = []
    for name, rule in resolver.template.document["Rules"].items():
        if resolver.resolve(rule.get("RuleCondition", True)) and not all(
            resolver.resolve(assertion["Assert"]) for assertion in rule["Assertions"]
        ):
            refused.append(name)
    return refused


def test_the_defaults_pass_every_rule() -> None:
    assert refused_by_rules({}) == []
    assert refused_by_rules({"AuthEnabled": "false"}) == []
    assert refused_by_rules({"JwtIssuer": "https://issuer.example.com", "AdminScope": "ops/all"}) == []


def test_another_admin_scope_needs_an_issuer_of_your_own() -> None:
    assert refused_by_rules({"AdminScope": "ops/all"}) == ["CreatedUserPoolGrantsOrdersAdmin"]


def test_the_resource_server_grants_the_admin_scope_the_functions_check(template: Template) -> None:
    server = template.resources["OrdersResourceServer"]["Properties"]
    (scope,) = server["Scopes"]
    granted = f"{server['Identifier']}/{scope['ScopeName']}"
    machine = template.resources["AdminClient"]["Properties"]

    assert granted == template.document["Parameters"]["AdminScope"]["Default"]
    assert granted == Settings.default("admin_scope")
    assert machine["AllowedOAuthFlows"] == ["client_credentials"]
    assert machine["AllowedOAuthScopes"] == [granted]
    assert machine["GenerateSecret"] is True
    group = template.resources["AdminUserGroup"]["Properties"]["GroupName"]
    assert group == {"Ref": "AdminGroup"}


def test_people_sign_in_with_a_password_but_cannot_sign_up_or_change_their_user_id(template: Template) -> None:
    pool = template.resources["UserPool"]["Properties"]
    people = template.resources["UserPoolClient"]["Properties"]
    (user_id,) = [attribute for attribute in pool["Schema"] if attribute["Name"] == "user_id"]

    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert user_id["AttributeDataType"] == "Number"
    assert "ALLOW_USER_PASSWORD_AUTH" in people["ExplicitAuthFlows"]
    assert people["GenerateSecret"] is False
    assert "custom:user_id" not in people["WriteAttributes"]
    assert pool["LambdaConfig"]["PreTokenGenerationConfig"] == {
        "LambdaArn": {"Fn::GetAtt": ["UserIdClaimFunction", "Arn"]},
        "LambdaVersion": "V2_0",
    }
    assert pool["UserPoolTier"] in {"ESSENTIALS", "PLUS"}  # access token customization


def run_trigger(template: Template, attributes: dict[str, str]) -> dict[str, Any]:
    """The trigger's inline code run on a pre-token-generation V2 event."""
    function = template.resources["UserIdClaimFunction"]["Properties"]
    namespace: dict[str, Any] = {}
    with mock.patch.dict(os.environ, {"USER_ID_CLAIM": "user_id"}):
        exec(compile(function["Code"]["ZipFile"], "index.py", "exec"), namespace)  # noqa: S102 - the template's code
    event = {
        "version": "2",
        "triggerSource": "TokenGeneration_Authentication",
        "request": {"userAttributes": {"sub": "abc", **attributes}, "groupConfiguration": {}, "scopes": []},
        "response": {"claimsAndScopeOverrideDetails": None},
    }
    result: dict[str, Any] = namespace["handler"](event, None)
    return result


def test_the_trigger_puts_the_user_id_in_access_and_id_tokens(template: Template) -> None:
    details = run_trigger(template, {"custom:user_id": "42"})["response"]["claimsAndScopeOverrideDetails"]

    assert details["accessTokenGeneration"]["claimsToAddOrOverride"] == {"user_id": "42"}
    assert details["idTokenGeneration"]["claimsToAddOrOverride"] == {"user_id": "42"}
    environment = template.resources["UserIdClaimFunction"]["Properties"]["Environment"]["Variables"]
    assert environment["USER_ID_CLAIM"] == {"Ref": "UserIdClaim"}


def test_the_trigger_adds_no_claim_for_a_user_without_a_user_id(template: Template) -> None:
    assert run_trigger(template, {})["response"]["claimsAndScopeOverrideDetails"] is None


def test_the_trigger_may_write_its_own_logs_only_and_only_cognito_may_call_it(template: Template) -> None:
    (policy,) = template.resources["UserIdClaimRole"]["Properties"]["Policies"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    permission = template.resources["UserIdClaimPermission"]["Properties"]

    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["Resource"] == {"Fn::GetAtt": ["UserIdClaimLogGroup", "Arn"]}
    assert permission["Principal"] == "cognito-idp.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::GetAtt": ["UserPool", "Arn"]}


def cors(template: Template) -> dict[str, Any]:
    value: dict[str, Any] = template.resources["OrdersApi"]["Properties"]["DefinitionBody"]["x-amazon-apigateway-cors"]
    return value


def test_no_cors_configuration_without_origins(template: Template) -> None:
    condition, _, without = cors(template)["Fn::If"]

    assert template.document["Parameters"]["CorsAllowedOrigins"]["Default"] == ""
    assert not template.condition(condition, Resolver(template))
    assert without == {"Ref": "AWS::NoValue"}


def test_cors_answers_the_preflight_of_the_given_origins_for_every_route_and_header(template: Template) -> None:
    condition, configuration, _ = cors(template)["Fn::If"]
    with_origins = Template.load(parameters={"CorsAllowedOrigins": "https://app.example.com"})
    methods = {route.method for route in template.http_routes() if route.path != "$default"}

    assert template.condition(condition, Resolver(with_origins))
    assert configuration["allowOrigins"] == {"Fn::Split": [",", {"Ref": "CorsAllowedOrigins"}]}
    assert methods <= set(configuration["allowMethods"])
    # The request headers the API reads, and the response headers a script needs (amend's If-Match/ETag).
    assert {"authorization", "content-type", "idempotency-key", "if-match"} <= set(configuration["allowHeaders"])
    assert {"etag", "x-next-token", "retry-after"} <= set(configuration["exposeHeaders"])


def log_groups(template: Template) -> dict[str, dict[str, Any]]:
    return template.resources_of_type("AWS::Logs::LogGroup")


def test_every_log_group_keeps_log_retention_days(template: Template) -> None:
    assert template.document["Parameters"]["LogRetentionDays"]["Default"] == 30
    for name, group in log_groups(template).items():
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, name


def test_every_function_logs_to_a_log_group_of_the_stack(template: Template) -> None:
    functions = {
        **template.resources_of_type("AWS::Serverless::Function"),
        **template.resources_of_type("AWS::Lambda::Function"),
    }
    groups = log_groups(template)
    targets = []
    for name, function in functions.items():
        reference = function["Properties"]["LoggingConfig"]["LogGroup"]
        assert reference["Ref"] in groups, name
        targets.append(reference["Ref"])

    assert len(set(targets)) == len(functions)  # one each
    assert template.document["Globals"]["Function"]["LoggingConfig"] == {"LogFormat": "JSON"}


def test_the_api_writes_json_access_logs_without_headers_to_a_retained_group(template: Template) -> None:
    settings = template.resources["OrdersApi"]["Properties"]["AccessLogSettings"]
    line = re.sub(r"\$context\.[\w.]+", "value", settings["Format"])

    assert settings["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert {"requestId", "routeKey", "status", "ip"} <= set(json.loads(line))
    assert "header" not in settings["Format"].lower()
    assert "ApiAccessLogGroup" in log_groups(template)


def test_the_layers_are_built_for_the_architecture_they_are_compatible_with(template: Template) -> None:
    for name in ("CommonLayer", "VenueLayer"):
        layer = template.resources[name]
        assert layer["Metadata"]["BuildArchitecture"] == {"Ref": "Architecture"}, name
        assert layer["Properties"]["CompatibleArchitectures"] == [{"Ref": "Architecture"}], name


def samconfig() -> dict[str, Any]:
    with (ROOT / "samconfig.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_samconfig_has_dev_and_prod_environments_of_their_own() -> None:
    config = samconfig()
    stacks = {env: config[env]["global"]["parameters"]["stack_name"] for env in ("default", "dev", "prod")}

    assert len(set(stacks.values())) == 3
    assert config["prod"]["deploy"]["parameters"]["confirm_changeset"] is True
    for env in ("dev", "prod"):
        assert "CAPABILITY_IAM" in config[env]["deploy"]["parameters"]["capabilities"], env


def test_plain_sam_local_commands_need_no_file_that_make_sam_local_writes() -> None:
    default = samconfig()["default"]
    for command in ("local_invoke", "local_start_api", "local_start_lambda"):
        parameters = default.get(command, {}).get("parameters", {})
        assert not any(".aws-sam/local" in str(value) for value in parameters.values()), command
