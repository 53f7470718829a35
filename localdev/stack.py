"""The local stack: a moto server standing in for DynamoDB and SQS, with the template's resources,
the functions' environment and demo accounts, all in this process."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from moto.server import ThreadedMotoServer

from localdev.demo import seed_demo_accounts
from localdev.functions import LocalFunction, load_functions
from localdev.local_auth import issuer_for
from localdev.moto_fidelity import make_moto_faithful
from localdev.resources import create_resources, function_environment
from localdev.routing import Router
from localdev.template import Resolver, Template

# Template parameters of a local run: deterministic prices, authentication off (``--auth`` turns it on).
LOCAL_PARAMETERS = {"PriceSource": "static", "AuthEnabled": "false"}

# Environment a local run adds: deterministic prices and no metrics noise on the console.
LOCAL_DEFAULTS = {
    "PRICE_SOURCE": "static",
    "POWERTOOLS_METRICS_DISABLED": "true",
}

AWS_LOCAL_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",  # moto accepts any credentials
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class LocalStack:
    template: Template = field(default_factory=lambda: Template.load(parameters=LOCAL_PARAMETERS))
    moto_port: int = 0
    overrides: Mapping[str, str] = field(default_factory=dict)
    seed: bool = True
    # Fills the fresh resources before the demo seeding (``make run``'s saved state); when it is given,
    # the demo accounts are not seeded (they are in what it restores).
    restore: Callable[[Template, Resolver], None] | None = None
    functions: dict[str, LocalFunction] = field(default_factory=dict)
    router: Router = field(default_factory=lambda: Router([], {}))
    resolver: Resolver | None = None
    environment: dict[str, str] = field(default_factory=dict)
    _moto: ThreadedMotoServer | None = None

    @property
    def moto_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    def start(self) -> LocalStack:
        self.start_moto()
        return self.deploy()

    def start_moto(self) -> None:
        """The moto server alone, this process's AWS clients pointed at it: what must exist before the
        template's resources (the venue's secret, whose ARN is a template parameter) is made here."""
        make_moto_faithful()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request otherwise
        self.moto_port = self.moto_port or free_port()
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
        self._moto.start()
        os.environ.pop("AWS_PROFILE", None)
        os.environ.update({**AWS_LOCAL_ENVIRONMENT, "AWS_ENDPOINT_URL": self.moto_endpoint})

    def deploy(self) -> LocalStack:
        """The template's resources on the running moto, the restored state or the demo accounts, the
        functions' environment."""
        from orders_common.wiring import reset_services, services

        self.resolver = create_resources(self.template)
        self.environment = {**function_environment(self.template, self.resolver), **LOCAL_DEFAULTS, **self.overrides}
        os.environ.update(self.environment)
        reset_services()
        if self.restore is not None:
            self.restore(self.template, self.resolver)
        elif self.seed:
            seed_demo_accounts(services().open_account, services().adjust_position)
        self.functions = load_functions(self.template)
        self.router = Router(self.template.http_routes(), self.functions, **self.authorization())
        return self

    @property
    def auth_enabled(self) -> bool:
        return self.template.parameters().get("AuthEnabled") == "true"

    def authorization(self) -> dict[str, Any]:
        """The local JWT authorizer and the routes it guards, when authentication is on."""
        if not self.auth_enabled or self.resolver is None:
            return {}
        return {
            "authorizer": issuer_for(self.template.parameters()),
            "secured": self.template.secured_route_keys(self.resolver),
        }

    def stop(self) -> None:
        if self._moto is not None:
            self._moto.stop()
            self._moto = None
