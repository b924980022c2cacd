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
from fabric_git.workflows.errors import ConnectionMismatchError, ConnectionScopeError
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
    "check_connection_scope",
    "connect",
    "connection_state",
    "describe_provider",
    "directory_segment",
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


# What Fabric refuses in a connected directory's name (besides '/', which separates them).
_FORBIDDEN_IN_DIRECTORY = frozenset('"/:<>\\*?|')


def directory_segment(name: str) -> str:
    """``name`` as one valid directory name: the characters Fabric refuses (``" / : < > \\ * ?
    |``, and control characters such as tabs) become ``_``, so do spaces at either end, and a
    name of dots only (``.``, ``..``) is all underscores."""
    text = "".join("_" if c in _FORBIDDEN_IN_DIRECTORY or c < " " else c for c in name)
    core = text.strip(" ")
    if core:
        lead, trail = len(text) - len(text.lstrip(" ")), len(text) - len(text.rstrip(" "))
        text = "_" * lead + core + "_" * trail
    if not text.strip(". "):  # "", ".", "..": no directory of its own
        return "_" * max(len(text), 1)
    return text


def for_workspace(details: GitProviderDetails, workspace: WorkspaceRef) -> GitProviderDetails:
    """``details`` with ``{workspace}`` in the directory replaced by the workspace's name, made
    a valid directory name (``directory_segment``)."""
    if WORKSPACE_PLACEHOLDER not in details.directory_name:
        return details
    directory = details.directory_name.replace(
        WORKSPACE_PLACEHOLDER, directory_segment(workspace.name)
    )
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

    Connected elsewhere: ``ConnectionMismatchError`` unless ``reconnect``. A reconnect first
    checks what the API lets it check (a configured connection exists, is of the provider's type
    and is scoped to the repository), keeps the credentials in use when none are given, then
    disconnects and connects. When that connect fails (a branch that does not exist can only be
    found out so), the old target is connected again and the error says so (a note): the
    workspace is then ``Connected``, not initialized.
    """
    ws = workspace if isinstance(workspace, WorkspaceRef) else resolve_workspace(client, workspace)
    reporter = Reporter(ws.name, progress)
    given = provider.directory_name
    provider = for_workspace(provider, ws)
    wanted = describe_provider(provider)
    current = client.git.get_connection(ws.id)
    old: GitProviderDetails | None = None
    old_credentials: GitCredentials | None = None
    if connection_state(current) != GitConnectionState.NOT_CONNECTED:
        old = current.git_provider_details
        assert old is not None  # connection_state says so
        if same_provider(old, provider):
            connection_id = getattr(credentials, "connection_id", None)
            return ConnectResult(ws, wanted, connected=False, connection_id=connection_id)
        if not reconnect:
            raise ConnectionMismatchError(
                workspace_id=ws.id, current=describe_provider(old), requested=wanted
            )
        old_credentials = _credentials_in_use(client, ws)
        if credentials is None and type(old) is type(provider):
            credentials = old_credentials
        check_connection_scope(client, ws, provider, credentials)
        reporter.step("disconnect", f"Disconnecting from {describe_provider(old)}")
        client.git.disconnect(ws.id)
    reporter.step("connect", f"Connecting to {wanted}")
    try:
        client.git.connect(ws.id, provider, credentials)
    except Exception as error:
        # Which provider refused: what to do about rejected credentials depends on it.
        error.git_provider = str(provider.git_provider_type)  # type: ignore[attr-defined]
        if provider.directory_name != given:
            error.add_note(
                f"The directory was {provider.directory_name!r} ({given!r} for workspace "
                f"{ws.name!r})."
            )
        if old is not None:
            error.add_note(_restore(client, ws, old, old_credentials, reporter))
        raise
    return ConnectResult(
        ws,
        wanted,
        connected=True,
        reconnected=old is not None,
        connection_id=getattr(credentials, "connection_id", None),
    )


def _credentials_in_use(client: FabricClient, ws: WorkspaceRef) -> GitCredentials | None:
    """The caller's Git credentials for the connected workspace, as connect takes them."""
    from fabric_git.models.git import AutomaticGitCredentials, ConfiguredConnectionGitCredentials

    mine = client.git.get_my_git_credentials(ws.id)
    connection_id = getattr(mine, "connection_id", None)
    if isinstance(connection_id, str):
        return ConfiguredConnectionGitCredentials(connection_id=connection_id)
    if str(mine.source) == "Automatic":
        return AutomaticGitCredentials()
    return None


def check_connection_scope(
    client: FabricClient,
    ws: WorkspaceRef,
    provider: GitProviderDetails,
    credentials: GitCredentials | None,
) -> None:
    """Refuse, before anything changes, a configured connection that cannot serve ``provider``:
    one that does not exist (the service's 404), of another provider, or scoped to another
    repository (``ConnectionMismatch``, as the service would answer the connect)."""
    connection_id = getattr(credentials, "connection_id", None)
    if not isinstance(connection_id, str):
        return
    found = client.connections.get(connection_id)
    kind = found.connection_details.type.casefold()
    wanted = "github" if isinstance(provider, GitHubDetails) else "azuredevops"
    name = f"{found.display_name or connection_id} ({connection_id})"
    if wanted not in kind.replace(" ", ""):
        raise ConnectionScopeError(
            f"connection {name} is of type {found.connection_details.type}, which "
            f"cannot reach {describe_provider(provider)}; nothing was changed",
            workspace_id=ws.id,
        )
    path = found.connection_details.path
    if path and not _scope_covers(path, provider):
        raise ConnectionScopeError(
            f"connection {name} is scoped to {path}, not to the repository of "
            f"{describe_provider(provider)}; nothing was changed",
            workspace_id=ws.id,
        )


def _scope_covers(url: str, provider: GitProviderDetails) -> bool:
    """Whether a connection URL (a repository, or only its owner or organization) covers the
    repository of ``provider``."""
    from urllib.parse import urlsplit

    segments = [s for s in urlsplit(url.strip()).path.split("/") if s and s != "_git"]
    if segments and segments[-1].casefold().endswith(".git"):
        segments[-1] = segments[-1][: -len(".git")]
    if isinstance(provider, GitHubDetails):
        repository = [provider.owner_name, provider.repository_name]
    elif isinstance(provider, AzureDevOpsDetails):
        repository = [
            provider.organization_name,
            provider.project_name,
            provider.repository_name,
        ]
    else:
        return True
    given = [s.casefold() for s in segments]
    return not given or given == [r.casefold() for r in repository][: len(given)]


def _restore(
    client: FabricClient,
    ws: WorkspaceRef,
    old: GitProviderDetails,
    credentials: GitCredentials | None,
    reporter: Reporter,
) -> str:
    """Connect the old target again after a failed reconnect; say where the workspace is."""
    from fabric_git.errors import ApiError

    where = describe_provider(old)
    reporter.step("connect", f"The connect failed; connecting to {where} again")
    try:
        client.git.connect(ws.id, old, credentials)
    except Exception as error:
        code = getattr(error, "code", type(error).__name__)
        return (
            f"The workspace is not connected to Git now: connecting it to {where} again failed "
            f"too ({code})."
        )
    # Initialize it again without touching the workspace: no policy where none is needed, else
    # PreferWorkspace, which applies nothing to the workspace (it only asks for a commit, which
    # is left to the user: what the workspace holds is kept as it is).
    try:
        try:
            init = client.git.initialize_connection(ws.id)
        except ApiError as error:
            if error.error_code != "MissingInitializationPolicy":
                raise
            init = client.git.initialize_connection(ws.id, "PreferWorkspace")
    except Exception as error:
        code = getattr(error, "code", type(error).__name__)
        return (
            f"The workspace is connected to {where} again, not initialized ({code}: a sync with "
            "--strategy initializes it)."
        )
    required = str(init.required_action or "None") if init is not None else "None"
    then = "" if required in ("None", "CommitToGit") else f"; the service asks for {required} next"
    return (
        f"The workspace is connected to {where} again and initialized, its items kept as they "
        f"were{then}."
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
    ``PreferRemote``/``prefer-remote`` (any case), ``PreferWorkspace`` or ``None``. A connection
    that is initialized already is a reported no-op (``noop``; its head is the synced commit)."""
    from fabric_git.errors import ApiError
    from fabric_git.workflows.syncing import normalize_strategy

    chosen = normalize_strategy(strategy)
    ws = workspace if isinstance(workspace, WorkspaceRef) else resolve_workspace(client, workspace)
    reporter = Reporter(ws.name, progress)

    def already() -> InitializeResult:
        reporter.step("initialize", "Nothing to do: the connection is initialized already")
        current = client.git.get_connection(ws.id)
        head = current.git_sync_details.head if current.git_sync_details else None
        return InitializeResult(
            ws,
            strategy=None if chosen is None else str(chosen),
            required_action=str(RequiredAction.NONE),
            workspace_head=head,
            remote_commit_hash=None,
            noop=True,
        )

    if connection_state(client.git.get_connection(ws.id)) == (
        GitConnectionState.CONNECTED_AND_INITIALIZED
    ):
        return already()
    reporter.step("initialize", f"Initializing the connection (strategy {chosen or 'None'})")
    try:
        response = client.git.initialize_connection(
            ws.id, chosen, timeout=timeout, progress=reporter.operation("initialize")
        )
    except ApiError as error:  # initialized meanwhile, by another run
        if error.error_code != "WorkspaceGitConnectionAlreadyInitialized":
            raise
        return already()
    return InitializeResult(
        ws,
        strategy=None if chosen is None else str(chosen),
        required_action=str(response.required_action or RequiredAction.NONE),
        workspace_head=response.workspace_head,
        remote_commit_hash=response.remote_commit_hash,
    )
