"""Who is calling, and what they may do.

With authentication on, API Gateway's JWT authorizer has already verified the token (signature,
issuer, audience, expiry) before a function runs; the function reads the claims it passes in the event
and enforces ownership: a caller acts only on the accounts and orders of their own user id, and
needs the admin scope or group for what spans every account (an admin also reads any account's
fills). With authentication off (local runs), every caller may do everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from orders_common.errors import Forbidden

if TYPE_CHECKING:
    from orders_common.config import Settings


class Caller(NamedTuple):
    user_id: int | None
    is_admin: bool
    unrestricted: bool = False  # authentication is off

    @classmethod
    def anyone(cls) -> Caller:
        return cls(user_id=None, is_admin=True, unrestricted=True)

    def may_act_for(self, user_id: int) -> bool:
        return self.unrestricted or self.user_id == user_id

    def require_user(self, user_id: int, what: str) -> None:
        if not self.may_act_for(user_id):
            raise Forbidden(f"You may not access {what}: it belongs to another user.")

    def require_user_or_admin(self, user_id: int, what: str) -> None:
        """For what an operator may read of any account (its ledger, fills, an order's timeline); anyone
        else only of their own."""
        if not (self.is_admin or self.may_act_for(user_id)):
            raise Forbidden(f"You may not access {what}: it belongs to another user.")

    def require_admin(self, what: str) -> None:
        if not (self.unrestricted or self.is_admin):
            raise Forbidden(f"{what} needs the admin scope or group.")


def caller_from_event(event: Mapping[str, Any], settings: Settings) -> Caller:
    if not settings.auth_enabled:
        return Caller.anyone()
    jwt = ((event.get("requestContext") or {}).get("authorizer") or {}).get("jwt") or {}
    claims: Mapping[str, Any] = jwt.get("claims") or {}
    scopes = set(_as_list(jwt.get("scopes"))) | set(_as_list(claims.get("scope")))
    groups = set(_as_list(claims.get("cognito:groups"))) | set(_as_list(claims.get("groups")))
    return Caller(
        user_id=_as_user_id(claims.get(settings.user_id_claim)),
        is_admin=settings.admin_scope in scopes or settings.admin_group in groups,
    )


def _as_list(value: Any) -> list[str]:
    """Claims arrive as lists, or (from API Gateway) as strings like ``"[admin ops]"`` or ``"a b"``."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    return str(value).strip("[]").replace(",", " ").split()


def _as_user_id(value: Any) -> int | None:
    text = str(value) if value is not None else ""
    return int(text) if text.isdigit() and 0 < int(text) < 2**63 else None
