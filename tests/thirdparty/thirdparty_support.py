"""Helpers of the tests that run third-party Fabric clients from PyPI against a real emulator on
a real socket.

Each client signs in the way its users do: a ``TokenCredential`` object where the client takes
one, the Azure CLI where that is the client's default (a stand-in ``az`` on ``PATH`` that hands
out the emulator's token), and reaches the emulator through its own base-URL setting, or a
URL-rewrite shim in its HTTP transport where it hard-codes Fabric's host. Nothing else of a
client is touched. Run with ``make conformance`` (these tests are not part of ``make test``).
"""

from __future__ import annotations

import base64
import json
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azure.core.credentials import AccessToken

from fabric_git.testing import Sandbox

FABRIC_HOST = "https://api.fabric.microsoft.com"
NOTEBOOK = "# Fabric notebook source\n\n# CELL ********************\n\nprint('{name}')\n"


def token_expiry(token: str) -> int:
    """The ``exp`` claim of a JWT (read, not verified: the emulator verifies it)."""
    claims = token.split(".")[1]
    return int(json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["exp"])


class EmulatorCredential:
    """An ``azure.core.credentials.TokenCredential`` holding a token the emulator issued."""

    def __init__(self, token: str) -> None:
        self._token = token
        self.scopes: list[str] = []

    def get_token(self, *scopes: str, **_: Any) -> AccessToken:
        self.scopes.extend(scopes)
        return AccessToken(self._token, token_expiry(self._token))


def install_azure_cli(bin_dir: Path, token: str) -> None:
    """A stand-in ``az`` answering ``az account get-access-token`` with the emulator's token, as
    a signed-in Azure CLI does (azure-identity's ``AzureCliCredential`` runs it)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    answer = {"accessToken": token, "expires_on": token_expiry(token), "tokenType": "Bearer"}
    (bin_dir / "token.json").write_text(json.dumps(answer))
    az = bin_dir / "az"
    az.write_text('#!/bin/sh\ncat "$(dirname "$0")/token.json"\n')
    az.chmod(az.stat().st_mode | stat.S_IXUSR)


@dataclass(frozen=True)
class GitTenant:
    """What a tenant holds before a client runs: a workspace, a hosted GitHub repository that
    takes a PAT, and a connection holding that PAT."""

    sandbox: Sandbox
    workspace_id: str
    owner: str
    repo: str
    pat: str
    connection_id: str

    def provider_details(self, directory: str = "/fabric") -> dict[str, str]:
        return {
            "gitProviderType": "GitHub",
            "ownerName": self.owner,
            "repositoryName": self.repo,
            "branchName": "main",
            "directoryName": directory,
        }

    def credentials(self) -> dict[str, str]:
        return {"source": "ConfiguredConnection", "connectionId": self.connection_id}

    def clone(self, into: Path) -> Any:
        return self.sandbox.clone(self.owner, self.repo, pat=self.pat, into=into)


def items_by_name(sandbox: Sandbox, workspace_id: str) -> dict[str, dict[str, Any]]:
    """The workspace's items as ``Name.Type`` -> item, read with plain REST."""
    response = sandbox.http().get(f"/v1/workspaces/{workspace_id}/items")
    response.raise_for_status()
    return {f"{i['displayName']}.{i['type']}": i for i in response.json()["value"]}


def rest(sandbox: Sandbox, method: str, path: str, body: Any = None) -> Any:
    """A plain REST call as the admin; a 202 operation is waited for. The JSON answer, if any."""
    response = sandbox.http().request(method, f"/v1{path}", json=body)
    if response.status_code >= 400:
        raise AssertionError(f"{method} {path}: {response.status_code} {response.text}")
    if response.status_code == 202:
        sandbox.client().wait_for_operation(response.headers["x-ms-operation-id"])
        return None
    return response.json() if response.content else None


@contextmanager
def emulator_settings(sandbox: Sandbox, **values: Any) -> Iterator[None]:
    """The emulator's run-time settings changed for a block, then restored."""
    before = sandbox.admin("GET", "/settings")
    sandbox.settings(**values)
    try:
        yield
    finally:
        sandbox.settings(**{name: before[name] for name in values})


def sdk_client(tenant: GitTenant, credential: EmulatorCredential) -> Any:
    """Microsoft's SDK (``microsoft-fabric-api``) at the emulator, signed in with ``credential``.

    azure-core sends a bearer token over HTTPS only; the emulator listens on plain HTTP on
    127.0.0.1, so the client gets azure-core's own bearer policy told so (its public
    ``authentication_policy`` setting). Nothing else of the SDK is touched."""
    from azure.core.pipeline.policies import BearerTokenCredentialPolicy
    from microsoft_fabric_api import FabricClient

    class PlainHttpBearerPolicy(BearerTokenCredentialPolicy):
        def on_request(self, request: Any) -> None:
            request.context["enforce_https"] = False  # a local service on plain HTTP
            super().on_request(request)

    scope = "https://api.fabric.microsoft.com/.default"
    return FabricClient(
        credential,
        base_url=tenant.sandbox.running.base + "/",
        authentication_policy=PlainHttpBearerPolicy(credential, scope),
        polling_interval=0.01,
    )
