"""Git integration: ``/workspaces/{id}/git/...``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ConfigDict, TypeAdapter

from fabric_git.api._base import ApiGroup, identifier, segment
from fabric_git.api._git_requests import (
    FileSelection,
    ItemOptionsSelection,
    ItemRef,
    commit_request,
    selected_file_problem,
    update_request,
)
from fabric_git.errors import ConfigurationError
from fabric_git.lro import OperationPoller, ProgressCallback
from fabric_git.models.git import (
    AnyGitCredentialsConfigurationResponse,
    CommitMode,
    ConflictResolutionPolicy,
    CreateWorkspaceRelationRequest,
    GitAdditionalBranchChangingRoles,
    GitConnection,
    GitConnectionSettings,
    GitConnectRequest,
    GitCredentials,
    GitCredentialsConfigurationResponse,
    GitCredentialsSource,
    GitProviderDetails,
    GitStatusResponse,
    InitializationStrategy,
    InitializeGitConnectionRequest,
    InitializeGitConnectionResponse,
    UpdateGitConnectionSettingsRequest,
    UpdateGitCredentialsRequest,
    UpdateGitCredentialsToAutomaticRequest,
    UpdateGitCredentialsToConfiguredConnectionRequest,
    UpdateGitCredentialsToNoneRequest,
    WorkspaceConflictResolution,
    WorkspaceRelation,
    WorkspaceRelationType,
)
from fabric_git.models.workspaces import Workspace

__all__ = [
    "FileSelection",
    "GitApi",
    "ItemOptionsSelection",
    "ItemRef",
    "WorkspaceRef",
    "selected_file_problem",
]

WorkspaceRef = str | Workspace
"""A workspace id, or a ``Workspace`` (its ``id`` is used)."""

# Built on first use, like the models (see ``FabricModel``).
_CREDENTIALS_RESPONSE: TypeAdapter[GitCredentialsConfigurationResponse] = TypeAdapter(
    AnyGitCredentialsConfigurationResponse, config=ConfigDict(defer_build=True)
)


def _initialize_response(data: Any) -> InitializeGitConnectionResponse:
    return InitializeGitConnectionResponse.model_validate(data or {})


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
        return self._operation(
            response, "InitializeConnection", "initialize connection", _initialize_response
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

    def begin_get_status(
        self, workspace: WorkspaceRef, *, include_files_details: bool = False
    ) -> OperationPoller[GitStatusResponse]:
        """Start Get Status; the poller's outcome is the workspace and remote heads and the list
        of changed items. With ``include_files_details`` each change also lists its changed files
        (``ItemChange.file_changes``)."""
        params = {"includeFilesDetails": "true"} if include_files_details else None
        response = self._transport.request("GET", self._path(workspace, "status"), params=params)
        return self._operation(
            response, "GetStatus", "get status", GitStatusResponse.model_validate
        )

    def get_status(
        self,
        workspace: WorkspaceRef,
        *,
        include_files_details: bool = False,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> GitStatusResponse:
        """The Git status of the workspace, waiting if the service computes it as an operation
        (see ``begin_get_status``)."""
        return self.begin_get_status(workspace, include_files_details=include_files_details).wait(
            timeout, progress
        )

    # --- commit ---------------------------------------------------------------------------------

    def begin_commit_to_git(
        self,
        workspace: WorkspaceRef,
        *,
        mode: CommitMode | str = CommitMode.ALL,
        workspace_head: str | None = None,
        comment: str | None = None,
        items: Iterable[ItemRef] = (),
        files: FileSelection = (),
    ) -> OperationPoller[None]:
        """Start Commit To Git. ``mode="All"`` commits every change; ``"Selective"`` commits
        ``items`` (identifiers, ``ItemChange``s from ``get_status``, or object ids);
        ``"FileLevelSelective"`` commits the chosen files of each item in ``files``: a mapping
        of object id to file paths, or ``(item, paths)`` pairs, or
        ``ItemIdentifierWithFileSelection``s. Paths are relative to the item's folder with
        forward slashes; ``None`` or no paths means every file of the item."""
        request = commit_request(
            mode=mode, workspace_head=workspace_head, comment=comment, items=items, files=files
        )
        response = self._transport.request(
            "POST", self._path(workspace, "commitToGit"), json=request.to_wire()
        )
        return self._operation(response, "CommitToGit", "commit to Git")

    def commit_to_git(
        self,
        workspace: WorkspaceRef,
        *,
        mode: CommitMode | str = CommitMode.ALL,
        workspace_head: str | None = None,
        comment: str | None = None,
        items: Iterable[ItemRef] = (),
        files: FileSelection = (),
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        """Commit workspace changes to the connected branch and wait (see
        ``begin_commit_to_git``)."""
        self.begin_commit_to_git(
            workspace,
            mode=mode,
            workspace_head=workspace_head,
            comment=comment,
            items=items,
            files=files,
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
        item_options: ItemOptionsSelection | None = None,
    ) -> OperationPoller[None]:
        """Start Update From Git to ``remote_commit_hash``. ``conflict_resolution``
        (``"PreferRemote"``/``"PreferWorkspace"``) is required by the service when items
        conflict; ``allow_override_items`` consents to overwriting incoming items;
        ``item_options`` sets per-item update options (``itemOptionsByLogicalId``): a mapping of
        logical id to an options object valid for that item's type, or ``ItemOptions``."""
        request = update_request(
            remote_commit_hash=remote_commit_hash,
            workspace_head=workspace_head,
            conflict_resolution=conflict_resolution,
            allow_override_items=allow_override_items,
            item_options=item_options,
        )
        response = self._transport.request(
            "POST", self._path(workspace, "updateFromGit"), json=request.to_wire()
        )
        return self._operation(response, "UpdateFromGit", "update from Git")

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
        item_options: ItemOptionsSelection | None = None,
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
            item_options=item_options,
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

    # --- connection settings (preview) ----------------------------------------------------------

    def get_connection_settings(self, workspace: WorkspaceRef) -> GitConnectionSettings:
        """The Git connection settings of a connected workspace: which roles besides Admin may
        change the connected branch. Needs Contributor or above."""
        body = self._transport.request_json("GET", self._path(workspace, "connectionSettings"))
        return GitConnectionSettings.model_validate(body or {})

    def update_connection_settings(
        self,
        workspace: WorkspaceRef,
        additional_roles_authorized_to_change_branch: GitAdditionalBranchChangingRoles | str,
    ) -> GitConnectionSettings:
        """Set which roles besides Admin may change the connected branch (``"None"`` or
        ``"MemberAndContributor"``); returns the settings now in force. Needs Admin."""
        if not str(additional_roles_authorized_to_change_branch).strip():
            raise ConfigurationError("Give the additional roles (None or MemberAndContributor).")
        request = UpdateGitConnectionSettingsRequest(
            additional_roles_authorized_to_change_branch=additional_roles_authorized_to_change_branch
        )
        body = self._transport.request_json(
            "PATCH", self._path(workspace, "connectionSettings"), json=request.to_wire()
        )
        return GitConnectionSettings.model_validate(body or {})

    # --- workspace relations (preview) ----------------------------------------------------------

    def list_workspace_relations(self, workspace: WorkspaceRef) -> list[WorkspaceRelation]:
        """The workspace's relations (its base workspace, its branch workspaces), across all
        pages."""
        return [
            WorkspaceRelation.model_validate(raw)
            for raw in self._transport.paginate(self._path(workspace, "workspaceRelations"))
        ]

    def create_workspace_relation(
        self,
        workspace: WorkspaceRef,
        related_workspace: WorkspaceRef,
        relation_type: WorkspaceRelationType | str,
    ) -> WorkspaceRelation:
        """Relate two workspaces: ``"Branch"`` makes ``related_workspace`` a branch workspace of
        ``workspace``; ``"Base"`` makes it ``workspace``'s base. Only these two types can be
        created."""
        if str(relation_type) not in (WorkspaceRelationType.BASE, WorkspaceRelationType.BRANCH):
            raise ConfigurationError(
                f"A workspace relation is created as 'Base' or 'Branch', not {relation_type!r}."
            )
        request = CreateWorkspaceRelationRequest(
            related_workspace_id=identifier(related_workspace, "related workspace"),
            relation_type=relation_type,
        )
        body = self._transport.request_json(
            "POST", self._path(workspace, "workspaceRelations"), json=request.to_wire()
        )
        return WorkspaceRelation.model_validate(body)

    def delete_workspace_relation(self, workspace: WorkspaceRef, relation_id: str) -> None:
        """Delete a workspace relation by id (from ``list_workspace_relations``)."""
        self._transport.request(
            "DELETE",
            self._path(
                workspace, f"workspaceRelations/{segment(relation_id, 'workspace relation')}"
            ),
        )
