"""Fixtures of the third-party client tests (``make conformance``; not part of ``make test``):
a tenant with a workspace, a hosted GitHub repository and its connection; sign-in as each
client's users do it; a URL-rewrite shim for clients that hard-code Fabric's host."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fabric_git.testing import Sandbox
from thirdparty.thirdparty_support import (
    FABRIC_HOST,
    EmulatorCredential,
    GitTenant,
    emulator_settings,
    install_azure_cli,
)


@pytest.fixture
def tenant(fabric_emulator: Sandbox) -> GitTenant:
    suffix = uuid.uuid4().hex[:8]
    workspace_id = fabric_emulator.create_workspace(f"Third party {suffix}")
    owner, repo, pat = f"contoso-{suffix}", "fabric", f"ghp_{uuid.uuid4().hex}"
    # The directory the tests connect to exists, as Connect needs (docs/emulator.md).
    fabric_emulator.create_repo(owner, repo, pat=pat, directories=["fabric"])
    connection_id = fabric_emulator.create_github_connection(
        f"GitHub {suffix}", fabric_emulator.repo_url(owner, repo), pat
    )
    return GitTenant(fabric_emulator, workspace_id, owner, repo, pat, connection_id)


@pytest.fixture
def credential(fabric_emulator: Sandbox) -> EmulatorCredential:
    return EmulatorCredential(fabric_emulator.token)


@pytest.fixture
def azure_cli(fabric_emulator: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Azure CLI signed in as the emulator's admin, first on ``PATH``."""
    bin_dir = tmp_path / "az-bin"
    install_azure_cli(bin_dir, fabric_emulator.token)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


@pytest.fixture
def fabric_host_to_emulator(fabric_emulator: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """For clients that hard-code ``https://api.fabric.microsoft.com``: requests' transport
    adapter sends what is addressed to Fabric's host to the emulator instead, path and query
    unchanged. Nothing else is rewritten (the emulator's own URLs, e.g. ``Location``, pass)."""
    from requests.adapters import HTTPAdapter

    send = HTTPAdapter.send
    target = fabric_emulator.running.base  # http://HOST:PORT, no /v1

    def rewriting_send(self: HTTPAdapter, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.url.startswith(FABRIC_HOST + "/"):
            request.url = target + request.url[len(FABRIC_HOST) :]
        return send(self, request, *args, **kwargs)

    monkeypatch.setattr(HTTPAdapter, "send", rewriting_send)


@pytest.fixture
def synchronous_git(fabric_emulator: Sandbox) -> Iterator[None]:
    """Long-running operations answered at once (200) for this test, as Fabric answers Get Status
    and Initialize for a small workspace; the emulator's settings are restored afterwards."""
    with emulator_settings(fabric_emulator, lroMode="sync"):
        yield


@pytest.fixture
def retry_after_one_second(fabric_emulator: Sandbox) -> Iterator[None]:
    """``Retry-After: 1`` on long-running operations (the session's emulator sends 0), for
    clients that read 0 as "no header" and fall back to a long default."""
    with emulator_settings(fabric_emulator, retryAfter=1):
        yield
