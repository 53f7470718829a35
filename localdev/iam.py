"""What IAM would decide about the AWS calls the functions make. Moto answers every call, granted or
not, so a policy that lacks an action only shows on real AWS; this module shows it locally.

- ``permissions_for``: the IAM actions and resource ARNs one SDK call needs.
- ``function_policies``: each function's ``Policies`` in template.yaml, resolved against the running
  stack; ``FunctionPolicy`` decides as IAM does (a Deny that matches wins, else an Allow must match;
  ``*`` and ``?`` are wildcards, actions compare without case).
- ``IamRecorder``: a botocore hook that notes every call with the function making it
  (``localdev.functions.invoking_function``) and checks it against that function's policy at once.

What this cannot evaluate (managed policies, conditions, ``NotAction``...) is refused loudly rather than
guessed, and so is a call whose IAM actions it does not know.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from typing import Any
from urllib.parse import urlparse

import boto3

from localdev.functions import invoking_function
from localdev.template import Resolver, Template


@dataclass(frozen=True, order=True)
class Permission:
    """An IAM action on a resource: what a call needs or, with wildcards, what a policy grants."""

    action: str
    resource: str

    def __str__(self) -> str:
        return f"{self.action} on {self.resource}"

    def covers(self, other: Permission) -> bool:
        """Whether this (possibly wildcard) pair matches the concrete ``other`` as IAM matches."""
        return _matches(self.action, other.action, ignore_case=True) and _matches(self.resource, other.resource)


class UnmappedCall(ValueError):
    """A call whose IAM actions are not known here: to be taught to ``permissions_for``, not guessed."""


class UnsupportedPolicy(ValueError):
    """A policy that cannot be evaluated faithfully here."""


# Calls


@dataclass(frozen=True)
class Arns:
    """Builds the ARNs a call addresses, in the partition, region and account of the caller."""

    region: str
    account: str
    partition: str = "aws"

    def table(self, name: str, index: str | None = None) -> str:
        # DynamoDB also accepts a table's ARN wherever it takes its name.
        table = (
            name
            if name.startswith("arn:")
            else f"arn:{self.partition}:dynamodb:{self.region}:{self.account}:table/{name}"
        )
        return f"{table}/index/{index}" if index else table

    def queue(self, url: str) -> str:
        parsed = urlparse(url)
        parts = parsed.path.strip("/").split("/")
        if len(parts) != 2:
            raise UnmappedCall(f"{url!r} is not a queue URL")
        account, name = parts
        # AWS's queue URLs name their region (sqs.<region>.amazonaws.com); a local endpoint does not.
        region = _REGION_IN_HOST.search(parsed.hostname or "")
        return self.queue_named(name, account, region.group(1) if region else None)

    def queue_named(self, name: str, account: str | None = None, region: str | None = None) -> str:
        return f"arn:{self.partition}:sqs:{region or self.region}:{account or self.account}:{name}"

    def event_bus(self, name: str | None) -> str:
        # PutEvents takes a bus's name or ARN; without either, the account's default bus.
        if name and name.startswith("arn:"):
            return name
        return f"arn:{self.partition}:events:{self.region}:{self.account}:event-bus/{name or 'default'}"


_REGION_IN_HOST = re.compile(r"(?:^|\.)([a-z]{2}(?:-[a-z]+)+-\d+)\.")

# A transaction needs, for each item, the action of the single-item request it stands for.
_TRANSACT_WRITE_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
# SQS authorizes a batch request as the single-message action, once for the queue.
_SQS_BATCH_ACTIONS = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}
# PartiQL requests are authorized by statement kind (PartiQLSelect...), which needs the statement parsed.
_PARTIQL = frozenset({"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"})


def permissions_for(service: str, operation: str, params: Mapping[str, Any], arns: Arns) -> tuple[Permission, ...]:
    """The permissions one call (``params`` as passed to the client method) needs."""
    try:
        if service == "dynamodb":
            return _dynamodb(operation, params, arns)
        if service == "sqs":
            return _sqs(operation, params, arns)
        if service == "events":
            return _events(operation, params, arns)
        if service == "secretsmanager":
            return _secretsmanager(operation, params)
    except UnmappedCall:
        raise
    except (KeyError, TypeError, ValueError) as error:  # a request of a shape not foreseen
        raise UnmappedCall(f"{service}.{operation}: request not understood ({error!r})") from error
    raise UnmappedCall(f"{service}.{operation}: no IAM mapping for {service} calls")


def _dynamodb(operation: str, params: Mapping[str, Any], arns: Arns) -> tuple[Permission, ...]:
    def on(action: str, table: str, index: str | None = None) -> Permission:
        return Permission(f"dynamodb:{action}", arns.table(table, index))

    if operation == "TransactWriteItems":
        found = []
        for item in params["TransactItems"]:
            ((kind, body),) = item.items()
            if kind not in _TRANSACT_WRITE_ACTIONS:
                raise UnmappedCall(f"dynamodb.TransactWriteItems: unknown item kind {kind!r}")
            found.append(on(_TRANSACT_WRITE_ACTIONS[kind], body["TableName"]))
        return tuple(found)
    if operation == "TransactGetItems":
        return tuple(on("GetItem", item["Get"]["TableName"]) for item in params["TransactItems"])
    if operation in ("BatchGetItem", "BatchWriteItem"):
        # IAM knows the batch requests as actions of their own, needed on every table they name.
        return tuple(on(operation, table) for table in params["RequestItems"])
    if operation in _PARTIQL:
        raise UnmappedCall(f"dynamodb.{operation}: PartiQL permissions depend on the statement")
    if "TableName" in params:
        # A Query or Scan of an index is authorized on the index's ARN, not the table's.
        return (on(operation, params["TableName"], params.get("IndexName")),)
    raise UnmappedCall(f"dynamodb.{operation}: no table named in the request")


def _sqs(operation: str, params: Mapping[str, Any], arns: Arns) -> tuple[Permission, ...]:
    action = f"sqs:{_SQS_BATCH_ACTIONS.get(operation, operation)}"
    if "QueueUrl" in params:
        return (Permission(action, arns.queue(params["QueueUrl"])),)
    if operation in ("GetQueueUrl", "CreateQueue"):
        return (Permission(action, arns.queue_named(params["QueueName"], params.get("QueueOwnerAWSAccountId"))),)
    if operation == "ListQueues":
        return (Permission(action, "*"),)
    raise UnmappedCall(f"sqs.{operation}: no queue named in the request")


def _events(operation: str, params: Mapping[str, Any], arns: Arns) -> tuple[Permission, ...]:
    if operation == "PutEvents":
        # Authorized on each bus an entry names.
        return tuple(
            sorted(
                {
                    Permission("events:PutEvents", arns.event_bus(entry.get("EventBusName")))
                    for entry in params["Entries"]
                }
            )
        )
    raise UnmappedCall(f"events.{operation}: no IAM mapping")


def _secretsmanager(operation: str, params: Mapping[str, Any]) -> tuple[Permission, ...]:
    # Only what the venue's credentials need: GetSecretValue of a secret named by its full ARN. A name or a
    # partial ARN is authorized on the secret's full ARN, whose random suffix the call does not say.
    secret = params["SecretId"]
    if operation == "GetSecretValue" and _FULL_SECRET_ARN.match(secret):
        return (Permission("secretsmanager:GetSecretValue", secret),)
    raise UnmappedCall(f"secretsmanager.{operation} of {secret!r}: mapped only for GetSecretValue by full ARN")


_FULL_SECRET_ARN = re.compile(r"^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$")


# Policies

_STATEMENT_KEYS = frozenset({"Sid", "Effect", "Action", "Resource"})
_DOCUMENT_KEYS = frozenset({"Version", "Id", "Statement"})


@dataclass(frozen=True)
class Statement:
    effect: str  # Allow or Deny
    actions: tuple[str, ...]
    resources: tuple[str, ...]

    @classmethod
    def parse(cls, raw: Any, where: str) -> Statement:
        if not isinstance(raw, Mapping):
            raise UnsupportedPolicy(f"{where}: a statement must be a mapping, not {raw!r}")
        unknown = set(raw) - _STATEMENT_KEYS
        if unknown:
            raise UnsupportedPolicy(
                f"{where}: {sorted(unknown)} cannot be evaluated here (only Effect, Action, Resource)"
            )
        if raw.get("Effect") not in ("Allow", "Deny"):
            raise UnsupportedPolicy(f"{where}: Effect must be Allow or Deny, not {raw.get('Effect')!r}")
        return cls(
            raw["Effect"],
            _strings(raw.get("Action"), f"{where} Action"),
            _strings(raw.get("Resource"), f"{where} Resource"),
        )

    def pairs(self) -> set[Permission]:
        return {Permission(action, resource) for action in self.actions for resource in self.resources}

    def covers(self, permission: Permission) -> bool:
        return any(pair.covers(permission) for pair in self.pairs())


@dataclass(frozen=True)
class FunctionPolicy:
    function: str
    statements: tuple[Statement, ...]

    def allows(self, permission: Permission) -> bool:
        if any(statement.effect == "Deny" and statement.covers(permission) for statement in self.statements):
            return False
        return any(statement.effect == "Allow" and statement.covers(permission) for statement in self.statements)

    def grants(self) -> set[Permission]:
        """Every (action, resource) pair an Allow statement names, wildcards as written."""
        return {pair for statement in self.statements if statement.effect == "Allow" for pair in statement.pairs()}

    def ungranted(self, used: Iterable[Permission]) -> set[Permission]:
        return {permission for permission in used if not self.allows(permission)}

    def unused(self, used: Iterable[Permission]) -> set[Permission]:
        """Granted pairs that no used permission falls under: what the policy could lose."""
        used = set(used)
        return {grant for grant in self.grants() if not any(grant.covers(permission) for permission in used)}


def function_policies(template: Template, resolver: Resolver) -> dict[str, FunctionPolicy]:
    """Each function's policy, by logical id, with the stack's names and ARNs filled in."""
    globals_ = template.document.get("Globals", {}).get("Function", {})
    return {
        spec.logical_id: parse_function_policy(
            spec.logical_id, {**globals_, **template.resources[spec.logical_id]["Properties"]}, resolver
        )
        for spec in template.functions()
    }


def parse_function_policy(logical_id: str, properties: Mapping[str, Any], resolver: Resolver) -> FunctionPolicy:
    for unsupported in ("Role", "PermissionsBoundary"):
        if unsupported in properties:
            raise UnsupportedPolicy(f"{logical_id}: {unsupported} cannot be evaluated here")
    policies = properties.get("Policies", [])
    statements: list[Statement] = []
    for number, listed in enumerate(policies if isinstance(policies, list) else [policies]):
        where = f"{logical_id} Policies[{number}]"
        policy = _chosen_policy(listed, resolver)
        if policy is None:
            continue
        document = _policy_document(policy, where, resolver)
        raw = document.get("Statement", [])
        for index, statement in enumerate(raw if isinstance(raw, list) else [raw]):
            statements.append(Statement.parse(statement, f"{where} Statement[{index}]"))
    return FunctionPolicy(logical_id, tuple(statements))


def _chosen_policy(policy: Any, resolver: Resolver) -> Any:
    """A policy behind ``Fn::If`` is the branch its condition picks; ``AWS::NoValue`` is no policy (as
    SAM reads them: a permission that only exists with a parameter, e.g. the venue's secret)."""
    if isinstance(policy, Mapping) and set(policy) == {"Fn::If"}:
        name, when_true, when_false = policy["Fn::If"]
        policy = when_true if resolver.template.condition(name, resolver) else when_false
    if policy == {"Ref": "AWS::NoValue"}:
        return None
    return policy


def _policy_document(policy: Any, where: str, resolver: Resolver) -> Mapping[str, Any]:
    if isinstance(policy, str):
        raise UnsupportedPolicy(f"{where}: managed policy {policy!r}: what it grants is not known here")
    if not isinstance(policy, Mapping) or not policy:
        raise UnsupportedPolicy(f"{where}: neither a policy document nor a SAM policy template: {policy!r}")
    if "Statement" in policy:
        unknown = set(policy) - _DOCUMENT_KEYS
        if unknown:
            raise UnsupportedPolicy(f"{where}: {sorted(unknown)} in a policy document")
        document: Mapping[str, Any] = resolver.resolve(policy)
        return document
    if len(policy) != 1:
        raise UnsupportedPolicy(f"{where}: neither a policy document nor a SAM policy template: {sorted(policy)}")
    ((name, parameters),) = policy.items()
    templates = _sam_policy_templates()
    if not templates.has(name):
        raise UnsupportedPolicy(f"{where}: {name!r} is not a SAM policy template this SAM version knows")
    # SAM expands the template with its parameters; what it gives refers to the stack like any policy.
    expanded: Mapping[str, Any] = resolver.resolve(templates.convert(name, resolver.resolve(parameters or {})))
    return expanded


@cache
def _sam_policy_templates() -> Any:
    from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor

    return PolicyTemplatesProcessor(PolicyTemplatesProcessor.get_default_policy_templates_json())


def _strings(value: Any, where: str) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(item, str) for item in values):
        raise UnsupportedPolicy(f"{where}: expected a string or a list of strings, got {value!r}")
    return tuple(values)


def _matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return _compiled(pattern, ignore_case).fullmatch(value) is not None


@cache
def _compiled(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


# Recording


@dataclass(frozen=True)
class Call:
    function: str | None  # None: not made by a function (a test, the local event source)
    operation: str  # service.Operation
    permissions: tuple[Permission, ...]
    problem: str | None = None  # why the permissions could not be named
    thread: str = ""


@dataclass(frozen=True)
class Violation:
    function: str
    operation: str
    permission: Permission | None  # None: the call's permissions could not be named
    problem: str = "its Policies do not grant it"

    def __str__(self) -> str:
        if self.permission is None:
            return f"{self.function}: {self.operation}: {self.problem}"
        return f"{self.function}: {self.operation} needs {self.permission}: {self.problem}"


@dataclass(frozen=True)
class Difference:
    """Where a function's policy and its calls disagree."""

    ungranted: frozenset[Permission]  # used but not granted: AccessDenied on AWS
    unused: frozenset[Permission]  # granted but never used: more than the function needs

    def __bool__(self) -> bool:
        return bool(self.ungranted or self.unused)


class IamRecorder:
    """Notes every AWS call with the function making it, and checks it against that function's policy."""

    EVENT = "before-parameter-build"  # once per call, with the parameters as the caller passed them

    def __init__(self, policies: Mapping[str, FunctionPolicy], arns: Arns) -> None:
        self.policies = policies
        self.arns = arns
        self.calls: list[Call] = []
        self.violations: list[Violation] = []
        self._lock = threading.Lock()
        self._emitters: list[Any] = []
        self._active = False
        self._decisions: dict[tuple[str, Permission], bool] = {}

    @classmethod
    def for_stack(cls, template: Template, resolver: Resolver) -> IamRecorder:
        pseudo = resolver.pseudo
        arns = Arns(pseudo["AWS::Region"], pseudo["AWS::AccountId"], pseudo["AWS::Partition"])
        return cls(function_policies(template, resolver), arns)

    @property
    def _unique_id(self) -> str:
        return f"localdev.iam.{id(self)}"

    def install(self, *clients: Any) -> None:
        """Hook the sessions clients are made from, whose hooks every client they make from now on copies:
        the desk's own (``orders_common.aws_clients``) and boto3's default one (a test's own calls); and
        ``clients`` made before (a client copies its session's hooks when it is made, not later)."""
        from orders_common.aws_clients import session

        if boto3.DEFAULT_SESSION is None:
            boto3.setup_default_session()
        assert boto3.DEFAULT_SESSION is not None
        sessions = [session().get_component("event_emitter"), boto3.DEFAULT_SESSION.events]
        self._emitters = [*sessions, *(client.meta.events for client in clients)]
        for emitter in self._emitters:
            emitter.register(self.EVENT, self._on_call, unique_id=self._unique_id)
        self._active = True

    def uninstall(self) -> None:
        # Clients made meanwhile keep the hook; inactive, it records nothing.
        self._active = False
        for emitter in self._emitters:
            emitter.unregister(self.EVENT, unique_id=self._unique_id)
        self._emitters = []

    @contextmanager
    def recording(self, *clients: Any) -> Iterator[IamRecorder]:
        self.install(*clients)
        try:
            yield self
        finally:
            self.uninstall()

    def _on_call(
        self, params: Mapping[str, Any], model: Any, context: Mapping[str, Any] | None = None, **_: Any
    ) -> None:
        if not self._active:
            return
        function = invoking_function.get()
        service, operation = model.service_model.service_name, f"{model.service_model.service_name}.{model.name}"
        thread = threading.current_thread().name
        # Never raise into the SDK: the call goes on as it would, and what went wrong is a finding.
        try:
            arns = replace(self.arns, region=(context or {}).get("client_region") or self.arns.region)
            try:
                call = Call(function, operation, permissions_for(service, model.name, params, arns), thread=thread)
            except UnmappedCall as error:
                call = Call(function, operation, (), str(error), thread)
            violations = self._check(call)
        except Exception as error:  # reported as a violation, see above
            call = Call(function, operation, (), repr(error), thread)
            violations = [Violation(function or "(no function)", operation, None, f"the recorder failed: {error!r}")]
        with self._lock:
            self.calls.append(call)
            self.violations += violations

    def _check(self, call: Call) -> list[Violation]:
        if call.function is None:
            return []
        policy = self.policies.get(call.function)
        if policy is None:
            return [Violation(call.function, call.operation, None, "the function has no policy in template.yaml")]
        if call.problem is not None:
            return [Violation(call.function, call.operation, None, call.problem)]
        return [
            Violation(call.function, call.operation, permission)
            for permission in call.permissions
            if not self._allowed(policy, permission)
        ]

    def _allowed(self, policy: FunctionPolicy, permission: Permission) -> bool:
        key = (policy.function, permission)
        decision = self._decisions.get(key)
        if decision is None:
            decision = self._decisions[key] = policy.allows(permission)
        return decision

    def used(self) -> dict[str, set[Permission]]:
        """What each function called, by logical id (functions that made no call are absent)."""
        used: dict[str, set[Permission]] = {}
        with self._lock:
            for call in self.calls:
                if call.function is not None:
                    used.setdefault(call.function, set()).update(call.permissions)
        return used

    def unattributed(self) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.function is None]

    def differences(self) -> dict[str, Difference]:
        """For every function of the template: what it used without a grant, and grants it never used."""
        used = self.used()
        return {
            function: Difference(
                frozenset(policy.ungranted(used.get(function, set()))),
                frozenset(policy.unused(used.get(function, set()))),
            )
            for function, policy in self.policies.items()
        }
