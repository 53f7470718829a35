"""The whole stack inside this process: moto's in-memory AWS, resources from template.yaml, demo
accounts, and the functions behind the template's routes. Tests and benchmarks run on it."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from moto import mock_aws

from localdev.demo import seed_demo_accounts
from localdev.functions import LocalFunction, load_functions
from localdev.moto_fidelity import make_moto_faithful
from localdev.resources import create_resources, function_environment
from localdev.routing import Router
from localdev.stack import AWS_LOCAL_ENVIRONMENT, LOCAL_DEFAULTS, LOCAL_PARAMETERS
from localdev.template import Resolver, Template
from orders_common.wiring import reset_services, services


@dataclass
class InProcessStack:
    template: Template
    resolver: Resolver
    functions: Mapping[str, LocalFunction]
    router: Router

    @property
    def table_name(self) -> str:
        return self.resolver.refs["OrdersTable"]

    @property
    def queue_url(self) -> str:
        return self.resolver.refs["ExecutionQueue"]

    @property
    def dead_letter_queue_url(self) -> str:
        return self.resolver.refs["ExecutionDeadLetterQueue"]


@contextmanager
def in_process_stack(
    template: Template | None = None,
    functions: Mapping[str, LocalFunction] | None = None,
    *,
    seed: bool = True,
    environment: Mapping[str, str] | None = None,
) -> Iterator[InProcessStack]:
    """Everything AWS is moto's in-memory mock for the duration; the environment is restored after."""
    template = template or Template.load(parameters=LOCAL_PARAMETERS)
    functions = functions or load_functions(template)
    make_moto_faithful()
    saved = dict(os.environ)
    try:
        for name in [name for name in os.environ if name.startswith("AWS_")]:
            del os.environ[name]
        os.environ.update(AWS_LOCAL_ENVIRONMENT)
        with mock_aws():
            resolver = create_resources(template)
            os.environ.update({**function_environment(template, resolver), **LOCAL_DEFAULTS, **(environment or {})})
            reset_services()
            if seed:
                seed_demo_accounts(services().open_account, services().adjust_position)
            yield InProcessStack(template, resolver, functions, Router(template.http_routes(), functions))
    finally:
        os.environ.clear()
        os.environ.update(saved)
        reset_services()
