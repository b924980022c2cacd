"""Identities: JWT bearer tokens (HS256) signed with a per-data-dir secret.

A token names one principal: a user or a service principal. Its ``sub`` is the principal's
stable id (a UUIDv5 of type and name), so the same name is the same principal after a restart.
Verified tokens are cached by token string: the hot path is a dict lookup and an expiry check.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from fabric_git.emulator import errors
from fabric_git.emulator.ids import principal_id

PrincipalType = Literal["User", "ServicePrincipal"]

AUDIENCE = "https://api.fabric.microsoft.com"
# The Azure DevOps resource: an Entra token for it is what Azure DevOps takes for Git over HTTPS
# (``aud`` is the resource's application id, as in Entra's v1 tokens for it).
AZURE_DEVOPS_AUDIENCE = "499b84ac-1321-427f-aa17-267ca6975798"
AUDIENCES = (AUDIENCE, AZURE_DEVOPS_AUDIENCE)
ISSUER = "https://emulator.fabric-git.local/"
ADMIN_USER = "admin@emulator.local"
DEFAULT_LIFETIME = 24 * 3600
# The Entra role template id of "Fabric Administrator": a tenant admin's token lists it in
# ``wids``, as Entra's tokens list the directory roles of their subject.
FABRIC_ADMINISTRATOR_ROLE = "a9ea8996-122f-4c74-9520-8edcd192826c"
_CACHE_LIMIT = 4096


@dataclass(frozen=True)
class Principal:
    id: str
    name: str
    type: str  # "User" | "ServicePrincipal"
    # A Fabric administrator of the tenant (the admin APIs); a property of the token, not of
    # the identity, so it takes no part in equality.
    tenant_admin: bool = field(default=False, compare=False)

    @classmethod
    def named(
        cls, name: str, principal_type: PrincipalType = "User", *, tenant_admin: bool = False
    ) -> Principal:
        return cls(
            id=principal_id(name, principal_type),
            name=name,
            type=principal_type,
            tenant_admin=tenant_admin,
        )


ADMIN = Principal.named(ADMIN_USER, tenant_admin=True)


def load_or_create_secret(path: Path, make: Callable[[], str] | None = None) -> str:
    """A secret of a data dir (the token signing secret unless ``make`` makes another kind):
    created once, readable only by its owner."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    value = make() if make is not None else secrets.token_urlsafe(48)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value)
    return value


class TokenAuthority:
    """Issues and verifies the emulator's tokens."""

    def __init__(self, secret: str, now: Any) -> None:
        self._secret = secret
        self._now = now  # () -> float, the emulator clock
        self._cache: dict[tuple[str, str], tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return "TokenAuthority(secret=<hidden>)"

    def issue(
        self, principal: Principal, *, lifetime: int = DEFAULT_LIFETIME, audience: str = AUDIENCE
    ) -> str:
        """A token naming ``principal`` for ``audience`` (the Fabric API unless another)."""
        import jwt

        issued = int(self._now())
        claims: dict[str, object] = {
            "sub": principal.id,
            "oid": principal.id,
            "name": principal.name,
            "idtyp": "app" if principal.type == "ServicePrincipal" else "user",
            "typ": principal.type,
            "aud": audience,
            "iss": ISSUER,
            "iat": issued,
            "nbf": issued,
            "exp": issued + lifetime,
        }
        if principal.tenant_admin:
            claims["wids"] = [FABRIC_ADMINISTRATOR_ROLE]
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def verify(self, token: str, *, audience: str = AUDIENCE) -> Principal:
        """The principal a token for ``audience`` names; 401 errors for invalid or expired
        tokens and for a token issued for another audience."""
        cached = self._cache.get((audience, token))
        now = self._now()
        if cached is not None:
            principal, expires = cached
            if now < expires:
                return principal
            raise errors.token_expired()
        principal, expires = self._decode(token, now, audience)
        with self._lock:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[(audience, token)] = (principal, expires)
        return principal

    def _decode(self, token: str, now: float, audience: str) -> tuple[Principal, float]:
        import jwt

        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                audience=audience,
                issuer=ISSUER,
                options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
                leeway=0,
            )
        except jwt.PyJWTError:
            raise errors.invalid_token() from None
        try:
            expires = float(claims["exp"])
            name = str(claims["name"])
            kind = str(claims["typ"])
            subject = str(claims["sub"])
        except (KeyError, TypeError, ValueError):
            raise errors.invalid_token() from None
        if kind not in ("User", "ServicePrincipal") or subject != principal_id(name, kind):
            raise errors.invalid_token()
        if now >= expires:
            raise errors.token_expired()
        not_before = claims.get("nbf")
        if not_before is not None:
            if not isinstance(not_before, int | float) or now < float(not_before):
                raise errors.invalid_token()
        roles = claims.get("wids")
        admin = isinstance(roles, list) and FABRIC_ADMINISTRATOR_ROLE in roles
        return Principal(id=subject, name=name, type=kind, tenant_admin=admin), expires


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer ...`` header; 401 when absent or malformed."""
    if not authorization:
        raise errors.unauthorized()
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.unauthorized("The Authorization header must carry a bearer token")
    return token.strip()
