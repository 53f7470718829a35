"""Read ``template.yaml`` so that local runs and tests use the deployed definitions, not copies of them.

Only what local emulation needs is understood: parameters and their defaults, conditions made of
``Fn::Equals``, ``Fn::Not``, ``Fn::And`` and ``Fn::Or``, and the intrinsics ``Ref``, ``Fn::GetAtt``,
``Fn::Sub`` and ``Fn::If``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = ROOT / "template.yaml"

_SHORT_FORMS = {"Ref": "Ref", "Condition": "Condition"}


class _CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (``!Ref X`` becomes ``{"Ref": "X"}``)."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = _SHORT_FORMS.get(suffix, f"Fn::{suffix}")
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _construct_tag)


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway form: /api/orders/order/{order_id}
    function: str  # logical id

    @property
    def route_key(self) -> str:
        return self.path if self.path == "$default" else f"{self.method} {self.path}"

    def pattern(self) -> re.Pattern[str]:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        return re.compile(f"^{regex}$")


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_uri: Path
    handler: str
    timeout: int
    memory_size: int
    environment: dict[str, Any]
    events: dict[str, dict[str, Any]]

    @property
    def module_path(self) -> Path:
        module, _, _ = self.handler.rpartition(".")
        return self.code_uri / f"{module.replace('.', '/')}.py"

    @property
    def handler_name(self) -> str:
        return self.handler.rpartition(".")[2]


@dataclass
class Template:
    document: dict[str, Any]
    path: Path = TEMPLATE_PATH
    parameter_overrides: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = TEMPLATE_PATH, *, parameters: Mapping[str, str] | None = None) -> Template:
        with path.open(encoding="utf-8") as handle:
            document = yaml.load(handle, Loader=_CloudFormationLoader)  # noqa: S506 - safe loader subclass
        return cls(document=document, path=path, parameter_overrides=dict(parameters or {}))

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        resources: dict[str, dict[str, Any]] = self.document["Resources"]
        return resources

    def parameters(self) -> dict[str, str]:
        values = {name: str(spec.get("Default", "")) for name, spec in self.document.get("Parameters", {}).items()}
        values.update(self.parameter_overrides)
        return values

    def resources_of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {name: spec for name, spec in self.resources.items() if spec["Type"] == resource_type}

    def functions(self) -> list[FunctionSpec]:
        globals_ = self.document.get("Globals", {}).get("Function", {})
        specs = []
        for logical_id, resource in self.resources_of_type("AWS::Serverless::Function").items():
            properties = resource["Properties"]
            environment = {
                **globals_.get("Environment", {}).get("Variables", {}),
                **properties.get("Environment", {}).get("Variables", {}),
            }
            specs.append(
                FunctionSpec(
                    logical_id=logical_id,
                    code_uri=self.path.parent / properties["CodeUri"],
                    handler=properties.get("Handler", globals_.get("Handler", "")),
                    timeout=int(properties.get("Timeout", globals_.get("Timeout", 3))),
                    memory_size=int(properties.get("MemorySize", globals_.get("MemorySize", 128))),
                    environment=environment,
                    events=properties.get("Events", {}),
                )
            )
        return specs

    def function(self, logical_id: str) -> FunctionSpec:
        return next(spec for spec in self.functions() if spec.logical_id == logical_id)

    def http_routes(self) -> list[Route]:
        return [
            Route(
                method=event["Properties"]["Method"].upper(), path=event["Properties"]["Path"], function=spec.logical_id
            )
            for spec in self.functions()
            for event in spec.events.values()
            if event["Type"] == "HttpApi"
        ]

    def secured_route_keys(self, resolver: Resolver) -> set[str]:
        """Routes whose operation in their HttpApi's DefinitionBody requires a security scheme."""
        secured = set()
        for spec in self.functions():
            for event in spec.events.values():
                if event["Type"] != "HttpApi":
                    continue
                properties = event["Properties"]
                api = self.resources[properties["ApiId"]["Ref"]]["Properties"]
                operation = api.get("DefinitionBody", {}).get("paths", {}).get(properties["Path"], {})
                security = resolver.resolve(operation.get(properties["Method"].lower(), {}).get("security", []))
                if security:
                    secured.add(f"{properties['Method'].upper()} {properties['Path']}")
        return secured

    def events_of_type(self, event_type: str) -> list[tuple[FunctionSpec, dict[str, Any]]]:
        return [
            (spec, event.get("Properties", {}))
            for spec in self.functions()
            for event in spec.events.values()
            if event["Type"] == event_type
        ]

    def condition(self, name: str, resolver: Resolver) -> bool:
        return bool(resolver.resolve(self.document.get("Conditions", {})[name]))


@dataclass
class Resolver:
    """Resolves intrinsic functions against local stand-ins for the stack's resources."""

    template: Template
    refs: dict[str, str] = field(default_factory=dict)  # logical id -> what Ref returns
    attributes: dict[tuple[str, str], str] = field(default_factory=dict)  # (logical id, attribute) -> value
    pseudo: Mapping[str, str] = field(
        default_factory=lambda: {
            "AWS::Region": "us-east-1",
            "AWS::AccountId": "123456789012",
            "AWS::StackName": "hyperoru-local",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::Partition": "aws",
        }
    )

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            handler = self._intrinsics().get(key)
            if handler is not None:
                return handler(argument)
        return {key: self.resolve(item) for key, item in value.items()}

    def _intrinsics(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "Ref": self._ref,
            "Fn::GetAtt": lambda argument: self._attribute(*argument),
            "Fn::Sub": self._sub,
            "Fn::If": self._if,
            "Fn::Equals": lambda argument: str(self.resolve(argument[0])) == str(self.resolve(argument[1])),
            "Fn::Not": lambda argument: not self.resolve(argument[0]),
            "Fn::And": lambda argument: all(self.resolve(item) for item in argument),
            "Fn::Or": lambda argument: any(self.resolve(item) for item in argument),
            "Condition": lambda name: self.template.condition(name, self),
        }

    def _ref(self, name: str) -> str:
        if name in self.template.parameters():
            return self.template.parameters()[name]
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.refs:
            return self.refs[name]
        raise KeyError(f"no local value for Ref {name}")

    def _attribute(self, logical_id: str, attribute: str) -> str:
        try:
            return self.attributes[(logical_id, attribute)]
        except KeyError:
            raise KeyError(f"no local value for {logical_id}.{attribute}") from None

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name:
                return self._attribute(*name.split(".", 1))
            return str(self._ref(name))

        return re.sub(r"\$\{([^}!]+)\}", replace, text)

    def _if(self, argument: list[Any]) -> Any:
        name, when_true, when_false = argument
        return self.resolve(when_true if self.template.condition(name, self) else when_false)
