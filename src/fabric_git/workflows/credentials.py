"""Git credentials: the GitHub PAT connection, connecting with it, and "my Git credentials"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_git.api.connections import GITHUB_CONNECTION_TYPE
from fabric_git.errors import ConfigurationError
from fabric_git.models.git import (
    ConfiguredConnectionGitCredentials,
    GitCredentialsSource,
)
from fabric_git.workflows.connection import connect
from fabric_git.workflows.events import ProgressCallback
from fabric_git.workflows.results import (
    ConnectionResult,
    ConnectResult,
    CredentialsResult,
    WorkspaceRef,
)
from fabric_git.workflows.status import resolve_workspace

if TYPE_CHECKING:
    from fabric_git.client import FabricClient
    from fabric_git.models.connections import Connection
    from fabric_git.models.git import GitProviderDetails

__all__ = [
    "GITHUB_CONNECTION_TYPE",
    "connect_with_github_pat",
    "ensure_github_connection",
    "find_github_connection",
    "github_repository_url",
    "set_credentials",
    "show_credentials",
]


def github_repository_url(owner: str, repository: str, *, domain: str | None = None) -> str:
    return f"https://{domain or 'github.com'}/{owner}/{repository}"


def _normal_url(url: str | None) -> str:
    if not url:
        return ""
    text = url.strip().rstrip("/")
    if text.endswith(".git"):
        text = text[: -len(".git")]
    return text.casefold()


def _as_result(
    connection: Connection, *, created: bool, key_updated: bool = False
) -> ConnectionResult:
    details = connection.connection_details
    return ConnectionResult(
        id=connection.id,
        display_name=connection.display_name,
        connection_type=details.type,
        path=details.path,
        created=created,
        key_updated=key_updated,
    )


def find_github_connection(
    client: FabricClient, *, display_name: str | None, repository_url: str | None
) -> Connection | None:
    """A GitHub source-control connection with this display name, else one for this URL."""
    github = [
        c
        for c in client.connections.list()
        if c.connection_details.type.casefold() == GITHUB_CONNECTION_TYPE.casefold()
    ]
    if display_name:
        for connection in github:
            if connection.display_name == display_name:
                return connection
    wanted = _normal_url(repository_url)
    if wanted:
        for connection in github:
            if _normal_url(connection.connection_details.path) == wanted:
                return connection
    return None


def ensure_github_connection(
    client: FabricClient,
    *,
    display_name: str,
    repository_url: str | None,
    token: str | None,
    update_key: bool = True,
) -> ConnectionResult:
    """Reuse the GitHub PAT connection (by display name, then by repository URL), or create it.

    When a ``token`` is given and a connection is reused, the connection's key becomes that
    token (a rotated PAT takes effect), unless ``update_key`` is false. The token is sent to the
    service and never kept here.
    """
    existing = find_github_connection(
        client, display_name=display_name, repository_url=repository_url
    )
    if existing is not None:
        if token and update_key:
            updated = client.connections.update(existing.id, token=token)
            return _as_result(updated, created=False, key_updated=True)
        return _as_result(existing, created=False)
    if not token:
        raise ConfigurationError(
            f"no connection named {display_name!r} or for {repository_url or 'that repository'} "
            "exists, and no personal access token was given to create one"
        )
    created = client.connections.create_github(display_name, token, repository_url)
    return _as_result(created, created=True)


def connect_with_github_pat(
    client: FabricClient,
    workspace: str | WorkspaceRef,
    provider: GitProviderDetails,
    *,
    connection_name: str,
    token: str | None,
    reconnect: bool = False,
    progress: ProgressCallback | None = None,
) -> tuple[ConnectionResult, ConnectResult]:
    """Create or reuse the PAT connection for ``provider``'s repository, then connect with it."""
    owner = getattr(provider, "owner_name", None)
    domain = getattr(provider, "custom_domain_name", None)
    url = (
        github_repository_url(owner, provider.repository_name, domain=domain)
        if isinstance(owner, str)
        else None
    )
    connection = ensure_github_connection(
        client, display_name=connection_name, repository_url=url, token=token
    )
    result = connect(
        client,
        workspace,
        provider,
        credentials=ConfiguredConnectionGitCredentials(connection_id=connection.id),
        reconnect=reconnect,
        progress=progress,
    )
    return connection, result


def show_credentials(client: FabricClient, workspace: str | WorkspaceRef) -> CredentialsResult:
    ws = workspace if isinstance(workspace, WorkspaceRef) else resolve_workspace(client, workspace)
    response = client.git.get_my_git_credentials(ws.id)
    return CredentialsResult(
        ws, source=str(response.source), connection_id=getattr(response, "connection_id", None)
    )


def set_credentials(
    client: FabricClient,
    workspace: str | WorkspaceRef,
    *,
    source: str,
    connection: str | None = None,
) -> CredentialsResult:
    """Set the caller's Git credentials; ``connection`` (name or id) for ConfiguredConnection."""
    ws = workspace if isinstance(workspace, WorkspaceRef) else resolve_workspace(client, workspace)
    known = {s.value.casefold(): s for s in GitCredentialsSource} | {
        "configured-connection": GitCredentialsSource.CONFIGURED_CONNECTION
    }
    chosen = known.get(source.strip().casefold())
    if chosen is None:
        raise ConfigurationError(
            f"unknown credentials source {source!r}; use Automatic, ConfiguredConnection or None"
        )
    connection_id: str | None = None
    if chosen is GitCredentialsSource.CONFIGURED_CONNECTION:
        if not connection:
            raise ConfigurationError("ConfiguredConnection needs a connection (name or id)")
        connection_id = client.resolve_connection(connection).id
    elif connection:
        raise ConfigurationError(f"a connection applies only to ConfiguredConnection, not {chosen}")
    before = client.git.get_my_git_credentials(ws.id)
    before_id = getattr(before, "connection_id", None)
    if str(before.source) == chosen.value and before_id == connection_id:
        return CredentialsResult(ws, source=chosen.value, connection_id=connection_id)
    response = client.git.update_my_git_credentials(ws.id, chosen.value, connection_id)
    return CredentialsResult(
        ws,
        source=str(response.source),
        connection_id=getattr(response, "connection_id", None),
        changed=True,
    )
