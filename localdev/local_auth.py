"""API Gateway's JWT authorizer, emulated for local runs with authentication on.

A local RSA key (kept in ``.cache/localdev/``) signs tokens for any user; the local gateway verifies
them the way the deployed JWT authorizer does (RS256 signature, issuer, audience, expiry) and passes
the claims to the function in ``requestContext.authorizer.jwt``. Mint a token with
``python -m localdev.token --user 1 [--admin]``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from localdev.template import ROOT

KEY_PATH = ROOT / ".cache" / "localdev" / "jwt-signing-key.pem"
LOCAL_ISSUER = "https://local.hyperoru.invalid/issuer"


def _load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if isinstance(key, rsa.RSAPrivateKey):
            return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return key


@dataclass
class LocalIssuer:
    issuer: str
    audience: str
    user_id_claim: str = "user_id"
    admin_scope: str = "orders/admin"
    key_path: Path = KEY_PATH

    def __post_init__(self) -> None:
        self._key = _load_or_create_key(self.key_path)

    def mint(self, user: int, *, admin: bool = False, ttl_seconds: int = 3600, **extra: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": f"local-user-{user}",
            self.user_id_claim: str(user),
            "iat": now,
            "exp": now + ttl_seconds,
            **({"scope": self.admin_scope} if admin else {}),
            **extra,
        }
        return jwt.encode(claims, self._key, algorithm="RS256")

    def verify(self, authorization: str | None) -> dict[str, Any] | None:
        """The authorizer's context for a valid ``Bearer`` token, or None (API Gateway answers 401)."""
        if not authorization or not authorization.startswith("Bearer "):
            return None
        try:
            claims: dict[str, Any] = jwt.decode(
                authorization.removeprefix("Bearer ").strip(),
                self._key.public_key(),
                algorithms=["RS256"],
                issuer=self.issuer,
                audience=self.audience,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError:
            return None
        # API Gateway hands every claim to the function as a string, and the scopes as a list.
        return {
            "jwt": {
                "claims": {name: _as_text(value) for name, value in claims.items()},
                "scopes": str(claims.get("scope", "")).split() or None,
            }
        }


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return "[" + " ".join(str(item) for item in value) + "]"
    return str(value)


def issuer_for(parameters: Mapping[str, str]) -> LocalIssuer:
    """The local stand-in for the issuer and audience the template is configured with."""
    audience = (parameters.get("JwtAudience") or "orders-api").split(",")[0]
    return LocalIssuer(
        issuer=parameters.get("JwtIssuer") or LOCAL_ISSUER,
        audience=audience,
        user_id_claim=parameters.get("UserIdClaim") or "user_id",
        admin_scope=parameters.get("AdminScope") or "orders/admin",
    )
