"""Authentication on, for the API tests (the ``secured`` fixture): the stack behind API Gateway's JWT
authorizer (emulated locally), and tokens for any user, with or without the admin scope."""

from __future__ import annotations

from typing import Any

from localdev.local_auth import LocalIssuer
from tests.support.api import SEED_BODY
from tests.support.stack import Deployed


class Secured:
    def __init__(self, stack: Deployed, issuer: LocalIssuer) -> None:
        self.stack = stack
        self.issuer = issuer

    def token(self, user_id: int, *, admin: bool = False, **extra: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.issuer.mint(user_id, admin=admin, **extra)}"}

    def create(self, user_id: int, **changes: Any) -> Any:
        return self.stack.post("/api/orders/create", json={**SEED_BODY, **changes}, headers=self.token(user_id))
