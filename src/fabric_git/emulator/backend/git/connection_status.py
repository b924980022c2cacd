"""Test Connection for source-control connections: does the connection's credential reach a
hosted repository it is scoped to, as a Git operation through it would?

A connection's URL scopes it to one repository, or to all repositories of an owner (GitHub) or
of an organization or project (Azure DevOps); without a URL, to every hosted repository of its
provider. The connection is ``Online`` when at least one repository in that scope lets its
credential in (:func:`access.accepts`, the check every Git operation makes), ``Offline`` with
``IncorrectCredentials`` when repositories are there but none accepts it, and ``Offline`` with
``GitProviderResourceNotFound`` when the scope holds no repository. Other connection types have
no source the emulator could reach and test ``Online`` (DEVIATIONS.md).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend import connections
from fabric_git.emulator.backend.connections import SecretSealer
from fabric_git.emulator.backend.git import access
from fabric_git.emulator.gitrepo.repos import RepositoryHost

__all__ = ["ConnectionProblem", "connection_problems"]

_PROVIDERS = {
    connections.GITHUB_SOURCE_CONTROL: access.GITHUB,
    connections.AZURE_DEVOPS_SOURCE_CONTROL: access.AZURE_DEVOPS,
}


@dataclass(frozen=True)
class ConnectionProblem:
    """Why a connection is offline: an error code and a message naming what failed."""

    error_code: str
    message: str


def connection_problems(
    conn: sqlite3.Connection,
    host: RepositoryHost,
    sealer: SecretSealer,
    principal: Principal,
    connection_id: str,
) -> tuple[ConnectionProblem, ...]:
    """What keeps the connection from working (empty: it is online). The caller needs a role on
    it: 404 ``ConnectionNotFound`` otherwise, as for reading it."""
    connection = connections.require_connection(conn, connection_id, principal)
    provider = _PROVIDERS.get(connection.type)
    if provider is None:
        return ()
    scope = access.url_scope(connection.url, provider) if connection.url else []
    keys = [
        key
        for key in host.list()
        if key.provider == provider and access.key_segments(key)[: len(scope)] == scope
    ]
    where = connection.url or f"any {provider} repository"
    if not keys:
        return (
            ConnectionProblem(
                "GitProviderResourceNotFound", f"No repository was found at {where}."
            ),
        )
    presented = access.connection_access(conn, sealer, connection)
    for key in keys:
        repo = host.get(key)
        if repo is not None and access.accepts(repo, presented):
            return ()
    return (
        ConnectionProblem(
            "IncorrectCredentials",
            f"Failed to establish connection using the credentials: {where} refused them.",
        ),
    )
