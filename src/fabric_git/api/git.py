"""Git integration: ``/workspaces/{id}/git/...``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ConfigDict, TypeAdapter

from fabric_git.api._base import ApiGroup, segment
from fabric_git.errors import ConfigurationError
from fabric_git.lro import OperationPoller, ProgressCallback
from fabric_git.models.git import (
    AnyGitCredentialsConfigurationResponse,
    CommitMode,
    CommitToGitRequest,
    ConflictResolutionPolicy,
    GitConnection,
    GitConnectRequest,
    GitCredentials,
    GitCredentialsConfigurationResponse,
    GitCredentialsSource,
    GitProviderDetails,
    GitStatusResponse,
    InitializationStrategy,
    InitializeGitConnectionRequest,
    InitializeGitConnectionResponse,
    ItemChange,
    ItemIdentifier,
    UpdateFromGitRequest,
    UpdateGitCredentialsRequest,
    UpdateGitCredentialsToAutomaticRequest,
    UpdateGitCredentialsToConfiguredConnectionRequest,
    UpdateGitCredentialsToNoneRequest,
    UpdateOptions,
    WorkspaceConflictResolution,
)
from fabric_git.models.operations import OperationState
from fabric_git.models.workspaces import Workspace

__all__ = ["GitApi", "WorkspaceRef"]

WorkspaceRef = str | Workspace
"""A workspace id, or a ``Workspace`` (its ``id`` is used)."""

# Built on first use, like the models (see ``FabricModel``).
_CREDENTIALS_RESPONSE: TypeAdapter[GitCredentialsConfigurationResponse] = TypeAdapter(
    AnyGitCredentialsConfigurationResponse, config=ConfigDict(defer_build=True)
)
_COMMENT_MAX = 300


def _nothing(_: Any) -> None:
    return None


def _no_result(poller: OperationPoller[None], state: OperationState) -> None:
    return None


def _initialize_result(
    poller: OperationPoller[InitializeGitConnectionResponse], state: OperationState
) -> InitializeGitConnectionResponse:
    return InitializeGitConnectionResponse.model_validate(poller.fetch_result() or {})


def _status_result(
    poller: OperationPoller[GitStatusResponse], state: OperationState
) -> GitStatusResponse:
    return GitStatusResponse.model_validate(poller.fetch_result())


def _identifier(item: ItemIdentifier | ItemChange | str) -> ItemIdentifier:
    if isinstance(item, ItemIdentifier):
        return item
    if isinstance(item, ItemChange):
        return item.item_metadata.item_identifier
    if isinstance(item, str) and item.strip():
        return ItemIdentifier(object_id=item.strip())
    raise ConfigurationError(f"Not an item identifier: {item!r}")


class GitApi(ApiGroup):
    """``client.git``: connect a workspace to Git, read its status, commit and update.

    Methods that may run long (``initialize_connection``, ``get_status``, ``commit_to_git``,
    ``update_from_git``) wait for the operation; their ``begin_*`` twins return an
    ``OperationPoller`` at once.
    """

    def _path(self, workspace: WorkspaceRef, tail: str) -> str:
        return f"/workspaces/{segment(workspace, 'workspace')}/git/{tail}"

    # --- connection -----------------------------------------------------------------------------

    def get_connection(self, workspace: WorkspaceRef) -> GitConnection:
        """The workspace's Git connection (state ``NotConnected`` when there is none)."""
        body = self._transport.request_json("GET", self._path(workspace, "connection"))
        return GitConnection.model_validate(body or {})

    def connect(
        self,
        workspace: WorkspaceRef,
        provider: GitProviderDetails,
        credentials: GitCredentials | None = None,
    ) -> None:
        """Connect the workspace to a repository, branch and directory. Nothing is synced yet:
        call ``initialize_connection`` next. GitHub needs ``credentials`` (a configured
        connection); Azure DevOps defaults to automatic credentials."""
        fields: dict[str, Any] = {"git_provider_details": provider}
        if credentials is not None:
            fields["my_git_credentials"] = credentials
        request = GitConnectRequest(**fields)
        self._transport.request("POST", self._path(workspace, "connect"), json=request.to_wire())

    def disconnect(self, workspace: WorkspaceRef) -> None:
        """Disconnect the workspace from Git (workspace items stay)."""
        self._transport.request("POST", self._path(workspace, "disconnect"))

    def begin_initialize_connection(
        self,
        workspace: WorkspaceRef,
        strategy: InitializationStrategy | str | None = None,
    ) -> OperationPoller[InitializeGitConnectionResponse]:
        """Start Initialize Connection; the poller's outcome says what to do next
        (``required_action``) and carries both commit hashes."""
        body = (
            InitializeGitConnectionRequest(initialization_strategy=strategy).to_wire()
            if strategy is not None
            else None
        )
        response = self._transport.request(
            "POST", self._path(workspace, "initializeConnection"), json=body
        )
        return OperationPoller.from_response(
            self._transport,
            response,
            policy=self._poll,
            immediate=lambda data: InitializeGitConnectionResponse.model_validate(data or {}),
            finish=_initialize_result,
            description="initialize connection",
            kind="InitializeConnection",
        )

    def initialize_connection(
        self,
        workspace: WorkspaceRef,
        strategy: InitializationStrategy | str | None = None,
        *,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> InitializeGitConnectionResponse:
        """Initialize the connection and wait (see ``begin_initialize_connection``)."""
        return self.begin_initialize_connection(workspace, strategy).wait(timeout, progress)

    # --- status ---------------------------------------------------------------------------------

    def begin_get_status(self, workspace: WorkspaceRef) -> OperationPoller[GitStatusResponse]:
        """Start Get Status; the poller's outcome is the workspace and remote heads and the list
        of changed items."""
        response = self._transport.request("GET", self._path(workspace, "status"))
        return OperationPoller.from_response(
            self._transport,
            response,
            policy=self._poll,
            immediate=GitStatusResponse.model_validate,
            finish=_status_result,
            description="get status",
            kind="GetStatus",
        )

    def get_status(
        self,
        workspace: WorkspaceRef,
        *,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> GitStatusResponse:
        """The Git status of the workspace, waiting if the service computes it as an operation."""
        return self.begin_get_status(workspace).wait(timeout, progress)

    # --- commit ---------------------------------------------------------------------------------

    def begin_commit_to_git(
        self,
        workspace: WorkspaceRef,
        *,
        mode: CommitMode | str = CommitMode.ALL,
        workspace_head: str | None = None,
        comment: str | None = None,
        items: Iterable[ItemIdentifier | ItemChange | str] = (),
    ) -> OperationPoller[None]:
        """Start Commit To Git. ``mode="All"`` commits every change; ``"Selective"`` commits
        ``items`` (identifiers, ``ItemChange``s from ``get_status``, or object ids)."""
        identifiers = [_identifier(item) for item in items]
        if str(mode) == CommitMode.SELECTIVE and not identifiers:
            raise ConfigurationError("A selective commit needs at least one item.")
        if str(mode) == CommitMode.ALL and identifiers:
            raise ConfigurationError("Items can be chosen only with mode='Selective'.")
        if comment is not None and len(comment) > _COMMENT_MAX:
            raise ConfigurationError(
                f"The commit comment has {len(comment)} characters; the limit is {_COMMENT_MAX}."
            )
        fields: dict[str, Any] = {"mode": mode}
        if workspace_head is not None:
            fields["workspace_head"] = workspace_head
        if comment is not None:
            fields["comment"] = comment
        if identifiers:
            fields["items"] = identifiers
        request = CommitToGitRequest(**fields)
        response = self._transport.request(
            "POST", self._path(workspace, "commitToGit"), json=request.to_wire()
        )
        return OperationPoller.from_response(
            self._transport,
            response,
            policy=self._poll,
            immediate=_nothing,
            finish=_no_result,
            description="commit to Git",
            kind="CommitToGit",
        )

    def commit_to_git(
        self,
        workspace: WorkspaceRef,
        *,
        mode: CommitMode | str = CommitMode.ALL,
        workspace_head: str | None = None,
        comment: str | None = None,
        items: Iterable[ItemIdentifier | ItemChange | str] = (),
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        """Commit workspace changes to the connected branch and wait (see
        ``begin_commit_to_git``)."""
        self.begin_commit_to_git(
            workspace, mode=mode, workspace_head=workspace_head, comment=comment, items=items
        ).wait(timeout, progress)

    # --- update ---------------------------------------------------------------------------------

    def begin_update_from_git(
        self,
        workspace: WorkspaceRef,
        *,
        remote_commit_hash: str,
        workspace_head: str | None = None,
        conflict_resolution: ConflictResolutionPolicy
        | str
        | WorkspaceConflictResolution
        | None = None,
        allow_override_items: bool | None = None,
    ) -> OperationPoller[None]:
        """Start Update From Git to ``remote_commit_hash``. ``conflict_resolution``
        (``"PreferRemote"``/``"PreferWorkspace"``) is required by the service when items
        conflict; ``allow_override_items`` consents to overwriting incoming items."""
        if not remote_commit_hash:
            raise ConfigurationError("update_from_git needs remote_commit_hash (from get_status).")
        fields: dict[str, Any] = {"remote_commit_hash": remote_commit_hash}
        if workspace_head is not None:
            fields["workspace_head"] = workspace_head
        if isinstance(conflict_resolution, WorkspaceConflictResolution):
            fields["conflict_resolution"] = conflict_resolution
        elif conflict_resolution is not None:
            fields["conflict_resolution"] = WorkspaceConflictResolution(
                conflict_resolution_policy=conflict_resolution
            )
        if allow_override_items is not None:
            fields["options"] = UpdateOptions(allow_override_items=allow_override_items)
        request = UpdateFromGitRequest(**fields)
        response = self._transport.request(
            "POST", self._path(workspace, "updateFromGit"), json=request.to_wire()
        )
        return OperationPoller.from_response(
            self._transport,
            response,
            policy=self._poll,
            immediate=_nothing,
            finish=_no_result,
            description="update from Git",
            kind="UpdateFromGit",
        )

    def update_from_git(
        self,
        workspace: WorkspaceRef,
        *,
        remote_commit_hash: str,
        workspace_head: str | None = None,
        conflict_resolution: ConflictResolutionPolicy
        | str
        | WorkspaceConflictResolution
        | None = None,
        allow_override_items: bool | None = None,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        """Update the workspace from the connected branch and wait (see
        ``begin_update_from_git``)."""
        self.begin_update_from_git(
            workspace,
            remote_commit_hash=remote_commit_hash,
            workspace_head=workspace_head,
            conflict_resolution=conflict_resolution,
            allow_override_items=allow_override_items,
        ).wait(timeout, progress)

    # --- my Git credentials ---------------------------------------------------------------------

    def get_my_git_credentials(
        self, workspace: WorkspaceRef
    ) -> GitCredentialsConfigurationResponse:
        """The caller's Git credentials for this workspace (``Automatic``,
        ``ConfiguredConnection`` with a ``connection_id``, or ``None``)."""
        body = self._transport.request_json("GET", self._path(workspace, "myGitCredentials"))
        return _CREDENTIALS_RESPONSE.validate_python(body)

    def update_my_git_credentials(
        self,
        workspace: WorkspaceRef,
        source: GitCredentialsSource | str,
        connection_id: str | None = None,
    ) -> GitCredentialsConfigurationResponse:
        """Set the caller's Git credentials. ``ConfiguredConnection`` needs ``connection_id``
        (for example the id of a GitHub connection from ``connections.create_github``)."""
        request: UpdateGitCredentialsRequest
        if source == GitCredentialsSource.CONFIGURED_CONNECTION:
            if not connection_id:
                raise ConfigurationError("source='ConfiguredConnection' needs a connection_id.")
            request = UpdateGitCredentialsToConfiguredConnectionRequest(connection_id=connection_id)
        elif connection_id is not None:
            raise ConfigurationError(
                "connection_id is only valid with source='ConfiguredConnection'."
            )
        elif source == GitCredentialsSource.AUTOMATIC:
            request = UpdateGitCredentialsToAutomaticRequest()
        elif source == GitCredentialsSource.NONE:
            request = UpdateGitCredentialsToNoneRequest()
        else:
            request = UpdateGitCredentialsRequest(source=source)
        body = self._transport.request_json(
            "PATCH", self._path(workspace, "myGitCredentials"), json=request.to_wire()
        )
        return _CREDENTIALS_RESPONSE.validate_python(body)
