"""Who is signed in: the identity the token names (its object id and whether it is a user or
a service principal), as ``doctor`` reports it and hints name it in commands to run."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fabric_git.errors import FabricGitError

if TYPE_CHECKING:
    from fabric_git.client import FabricClient

__all__ = ["Identity", "signed_in"]


@dataclass(frozen=True)
class Identity:
    id: str | None
    type: str  # "User", "ServicePrincipal" or "Unknown"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type}

    @property
    def options(self) -> str:
        """``--principal ID --principal-type TYPE`` naming this identity in a command to run
        (the type always spelled out: commands' defaults differ)."""
        kind = {"User": "user", "ServicePrincipal": "service-principal"}.get(
            self.type, "user|service-principal"
        )
        return f"--principal {self.id or 'YOUR-ID'} --principal-type {kind}"


def signed_in(client: FabricClient) -> Identity:
    """Who the token says the caller is (its claims, read without verifying: the service
    verifies it)."""
    from fabric_git.auth import FABRIC_SCOPE

    try:
        token = client.access_token(FABRIC_SCOPE)
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (FabricGitError, IndexError, ValueError):
        return Identity(None, "Unknown")
    if not isinstance(claims, dict):
        return Identity(None, "Unknown")
    oid = claims.get("oid")
    kind = claims.get("idtyp")
    if kind is None:  # older tokens: an app has no user name
        kind = "user" if ("upn" in claims or "unique_name" in claims) else "app"
    return Identity(
        oid if isinstance(oid, str) else None, "ServicePrincipal" if kind == "app" else "User"
    )
