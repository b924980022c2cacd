"""Connecting a workspace to Git: idempotent connect, disconnect and initialize."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_git.models.git import (
    AzureDevOpsDetails,
    GitConnectionState,
    GitHubDetails,
    GitProviderDetails,
    RequiredAction,
)
from fabric_git.workflows.errors import ConnectionMismatchError
from fabric_git.workflows.events import ProgressCallback, Reporter
from fabric_git.workflows.results import (
    ConnectResult,
    DisconnectResult,
    InitializeResult,
    WorkspaceRef,
)
from fabric_git.workflows.status import resolve_workspace

if TYPE_CHECKING:
    from fabric_git.client import FabricClient
    from fabric_git.models.git import GitConnection, GitCredentials

__all__ = [
    "WORKSPACE_PLACEHOLDER",
    "connect",
    "connection_state",
    "describe_provider",
    "disconnect",
    "for_workspace",
    "initialize",
    "same_provider",
]

WORKSPACE_PLACEHOLDER = "{workspace}"
"""In a directory name, replaced by the workspace's display name (one directory per workspace)."""


def describe_provider(details: GitProviderDetails) -> str:
    """``GitHub owner/repo@branch:/dir`` or ``AzureDevOps org/project/repo@branch:/dir``."""
    directory = "/" + details.directory_name.strip("/")
    if isinstance(details, GitHubDetails):
        where = f"{details.owner_name}/{details.repository_name}"
    elif isinstance(details, AzureDevOpsDetails):
        where = f"{details.organization_name}/{details.project_name}/{details.repository_name}"
    else:
        where = details.repository_name
    return f"{details.git_provider_type} {where}@{details.branch_name}:{directory}"


def same_provider(current: GitProviderDetails, wanted: GitProviderDetails) -> bool:
    """Same place in Git? Names compare case-insensitively, branch exactly, directories with
    surrounding slashes ignored."""

    def key(details: GitProviderDetails) -> tuple[str, ...]:
        owner: tuple[str, ...] = ()
        if isinstance(details, GitHubDetails):
            owner = (details.owner_name.casefold(), (details.custom_domain_name or "").casefold())
        elif isinstance(details, AzureDevOpsDetails):
            owner = (details.organization_name.casefold(), details.project_name.casefold())
        return (
            str(details.git_provider_type).casefold(),
            *owner,
            details.repository_name.casefold(),
            details.branch_name,
            details.directory_name.strip("/"),
        )

    return key(current) == key(wanted)


def for_workspace(details: GitProviderDetails, workspace: WorkspaceRef) -> GitProviderDetails:
    """``details`` with ``{workspace}`` in the directory replaced by the workspace's name."""
    if WORKSPACE_PLACEHOLDER not in details.directory_name:
        return details
    directory = details.directory_name.replace(WORKSPACE_PLACEHOLDER, workspace.name)
    return details.model_copy(update={"directory_name": directory})


def connection_state(connection: GitConnection) -> str:
    if connection.git_provider_details is None or connection.git_connection_state is None:
        return str(GitConnectionState.NOT_CONNECTED)
    return str(connection.git_connection_state)


def connect(
    client: FabricClient,
    workspace: str | WorkspaceRef,
    provider: GitProviderDetails,
    *,
    credentials: GitCredentials | None = None,
    reconnect: bool = False,
    progress: ProgressCallback | None = None,
) -> ConnectResult:
    """Connect ``workspace`` to ``provider``; a no-op when it is already connected there.

    Connected elsewhere: ``ConnectionMismatchError`` unless ``reconnect`` (then disconnect first).
    """
    ws = workspace if isinstance(workspace, WorkspaceRef) else resolve_workspace(client, workspace)
    reporter = Reporter(ws.name, progress)
    provider = for_workspace(provider, ws)
    wanted = describe_provider(provider)
    connection_id = getattr(credentials, "connection_id", None)
    current = client.git.get_connection(ws.id)
    reconnected = False
    if connection_state(current) != GitConnectionState.NOT_CONNECTED:
        details = current.git_provider_details
        assert details is not None  # connection_state says so
        if same_provider(details, provider):
            return ConnectResult(ws, wanted, connected=False, connection_id=connection_id)
        if not reconnect:
            raise ConnectionMismatchError(
                workspace_id=ws.id, current=describe_provider(details), requested=wanted
            )
        reporter.step("disconnect", f"Disconnecting from {describe_provider(details)}")
        client.git.disconnect(ws.id)
        reconnected = True
    reporter.step("connect", f"Connecting to {wanted}")
    client.git.connect(ws.id, provider, credentials)
    return ConnectResult(
        ws, wanted, connected=True, reconnected=reconnected, connection_id=connection_id
    )


def disconnect(client: FabricClient, workspace: str | WorkspaceRef) -> DisconnectResult:
    """Disconnect; a no-op when the workspace is not connected."""
    ws = workspace if isinstance(workspace, WorkspaceRef) else resolve_workspace(client, workspace)
    current = client.git.get_connection(ws.id)
    if connection_state(current) == GitConnectionState.NOT_CONNECTED:
        return DisconnectResult(ws, None, disconnected=False)
    details = current.git_provider_details
    client.git.disconnect(ws.id)
    return DisconnectResult(
        ws, describe_provider(details) if details is not None else None, disconnected=True
    )


def initialize(
    client: FabricClient,
    workspace: str | WorkspaceRef,
    *,
    strategy: str | None = None,
    timeout: float | None = None,
    progress: ProgressCallback | None = None,
) -> InitializeResult:
    """Initialize Connection and report the action the service asks for next. ``strategy`` is
    ``PreferRemote``/``prefer-remote`` (any case), ``PreferWorkspace`` or ``None``."""
    from fabric_git.workflows.syncing import normalize_strategy

    chosen = normalize_strategy(strategy)
    ws = workspace if isinstance(workspace, WorkspaceRef) else resolve_workspace(client, workspace)
    reporter = Reporter(ws.name, progress)
    reporter.step("initialize", f"Initializing the connection (strategy {chosen or 'None'})")
    response = client.git.initialize_connection(
        ws.id, chosen, timeout=timeout, progress=reporter.operation("initialize")
    )
    return InitializeResult(
        ws,
        strategy=None if chosen is None else str(chosen),
        required_action=str(response.required_action or RequiredAction.NONE),
        workspace_head=response.workspace_head,
        remote_commit_hash=response.remote_commit_hash,
    )
