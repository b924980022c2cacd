"""Git credentials: the GitHub PAT connection, connecting with it, and "my Git credentials"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_git.api.connections import AZURE_DEVOPS_CONNECTION_TYPE, GITHUB_CONNECTION_TYPE
from fabric_git.errors import ConfigurationError
from fabric_git.models.git import (
    ConfiguredConnectionGitCredentials,
    GitCredentialsSource,
)
from fabric_git.workflows.connection import connect
from fabric_git.workflows.errors import ConnectionScopeError
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
    "describe_differences",
    "ensure_github_connection",
    "find_github_connection",
    "github_repository_url",
    "github_url_of",
    "reuse_differences",
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


def reuse_differences(
    existing: Connection, *, connection_type: str, path: str | None
) -> tuple[tuple[str, str | None, str | None], ...]:
    """What of a connection reused by name is not what was asked for (``path`` None: any
    path): its type, or the repository its path names. The service returns no credentials, so
    a service principal's tenant and client id cannot be compared."""
    details = existing.connection_details
    differs: list[tuple[str, str | None, str | None]] = []
    if details.type.casefold() != connection_type.casefold():
        differs.append(("type", details.type, connection_type))
    if path and _normal_url(details.path) != _normal_url(path):
        differs.append(("path", details.path, path))
    return tuple(differs)


def describe_differences(
    name: str, differs: tuple[tuple[str, str | None, str | None], ...]
) -> str | None:
    """A warning line for a connection reused although it is not what was asked for."""
    if not differs:
        return None
    what = "; ".join(
        f"its {field} is {existing!r}, not {asked!r}" for field, existing, asked in differs
    )
    return (
        f"connection {name!r} was reused as it is, but {what}; it was not changed (delete it, "
        "or choose another name, to get the connection asked for)"
    )


def _as_result(
    connection: Connection,
    *,
    created: bool,
    key_updated: bool = False,
    found_by: str | None = None,
    token_unused: bool = False,
    asked_path: str | None = None,
) -> ConnectionResult:
    details = connection.connection_details
    return ConnectionResult(
        id=connection.id,
        display_name=connection.display_name,
        connection_type=details.type,
        path=details.path,
        created=created,
        key_updated=key_updated,
        found_by=found_by,
        token_unused=token_unused,
        differs=()
        if created
        else reuse_differences(connection, connection_type=GITHUB_CONNECTION_TYPE, path=asked_path),
    )


def _is_github(connection: Connection) -> bool:
    return connection.connection_details.type.casefold() == GITHUB_CONNECTION_TYPE.casefold()


def _github_connections(client: FabricClient) -> list[Connection]:
    return [c for c in client.connections.list() if _is_github(c)]


def _refuse_other_kind(connections: list[Connection], display_name: str) -> None:
    """A connection of that name that is not a GitHub one (an Azure DevOps connection holding
    a service principal's credentials, say) is named as what it is: it can never serve a GitHub
    repository, and creating another of that name would only clash with it."""
    other = next((c for c in connections if c.display_name == display_name), None)
    if other is None:
        return
    kind = other.connection_details.type
    azure_devops = kind.casefold() == AZURE_DEVOPS_CONNECTION_TYPE.casefold()
    what = "an Azure DevOps (service principal) connection" if azure_devops else f"a {kind} one"
    keep = " (it serves workspaces connected to Azure DevOps)" if azure_devops else ""
    raise ConnectionScopeError(
        f"connection {display_name!r} ({other.id}) is {what}, not a GitHub PAT connection, so "
        f"it cannot serve a GitHub repository{keep}; give the GitHub connection another name "
        "(one that does not exist is created from the PAT); nothing was changed"
    )


def find_github_connection(
    client: FabricClient, *, display_name: str | None, repository_url: str | None
) -> Connection | None:
    """A GitHub source-control connection with this display name, else one for this URL."""
    github = _github_connections(client)
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
    rotate_key: bool = False,
    reuse_by_url: bool = False,
    dry_run: bool = False,
) -> ConnectionResult:
    """The GitHub PAT connection named ``display_name``: reused when it exists, else created.

    A reused connection keeps its key: a ``token`` replaces it only with ``rotate_key`` (so a
    wrong PAT given for one workspace never breaks the others using that connection, nor loses
    the PAT they use). ``reuse_by_url``: when no connection has the name, reuse one scoped to
    ``repository_url`` (for a name the caller did not choose). ``dry_run`` changes nothing and
    reports what would be done (a connection to create has no id). A connection to create needs
    a ``token``; rotating needs one too. The token is sent to the service and never kept here.
    """
    if rotate_key and not token:
        raise ConfigurationError(
            "rotating a connection's key needs the new personal access token", code="PatRequired"
        )
    every = client.connections.list()
    github = [c for c in every if _is_github(c)]
    existing = next((c for c in github if c.display_name == display_name), None)
    if existing is None:
        _refuse_other_kind(every, display_name)
    found_by = "name"
    if existing is None and reuse_by_url and (wanted := _normal_url(repository_url)):
        existing = next(
            (c for c in github if _normal_url(c.connection_details.path) == wanted), None
        )
        found_by = "url"
    if existing is not None:
        if rotate_key:
            assert token is not None
            updated = existing if dry_run else client.connections.update(existing.id, token=token)
            return _as_result(
                updated,
                created=False,
                key_updated=True,
                found_by=found_by,
                asked_path=repository_url,
            )
        return _as_result(
            existing,
            created=False,
            found_by=found_by,
            token_unused=bool(token),
            asked_path=repository_url,
        )
    if not token:
        raise ConfigurationError(
            f"no connection named {display_name!r} exists (or is shared with you), and no "
            "personal access token was given to create it",
            code="PatRequired",
        )
    if dry_run:
        return ConnectionResult(
            id=None,
            display_name=display_name,
            connection_type=GITHUB_CONNECTION_TYPE,
            path=repository_url,
            created=True,
        )
    created = client.connections.create_github(display_name, token, repository_url)
    return _as_result(created, created=True)


def github_url_of(provider: GitProviderDetails) -> str | None:
    """``https://github.com/OWNER/REPO`` (or the Enterprise domain) of GitHub details."""
    owner = getattr(provider, "owner_name", None)
    domain = getattr(provider, "custom_domain_name", None)
    if not isinstance(owner, str):
        return None
    return github_repository_url(owner, provider.repository_name, domain=domain)


def connect_with_github_pat(
    client: FabricClient,
    workspace: str | WorkspaceRef,
    provider: GitProviderDetails,
    *,
    connection_name: str,
    token: str | None,
    rotate_key: bool = False,
    reconnect: bool = False,
    progress: ProgressCallback | None = None,
) -> tuple[ConnectionResult, ConnectResult]:
    """Create the PAT connection ``connection_name`` (or reuse it, key unchanged unless
    ``rotate_key``), then connect with it."""
    connection = ensure_github_connection(
        client,
        display_name=connection_name,
        repository_url=github_url_of(provider),
        token=token,
        rotate_key=rotate_key,
    )
    assert connection.id is not None
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
