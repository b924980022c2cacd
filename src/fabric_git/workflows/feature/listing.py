"""``feature list``: the feature workspaces of a base, with branch, sync state and head."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_git.models.git import GitConnectionState
from fabric_git.workflows.connection import connection_state
from fabric_git.workflows.feature.identity import branch_workspaces, marked, read_status_or_why
from fabric_git.workflows.feature.results import FeatureList, FeatureWorkspace
from fabric_git.workflows.results import WorkspaceRef
from fabric_git.workflows.status import resolve_workspace

if TYPE_CHECKING:
    from fabric_git.client import FabricClient
    from fabric_git.models.workspaces import Workspace

__all__ = ["list_features"]


def list_features(
    client: FabricClient,
    base: str | WorkspaceRef,
    *,
    timeout: float | None = None,
) -> FeatureList:
    """The feature workspaces of ``base``: branch, connection state, head and whether in sync
    (None when the status could not be read)."""
    ref = base if isinstance(base, WorkspaceRef) else resolve_workspace(client, base)
    related = branch_workspaces(client, ref)
    features: list[FeatureWorkspace] = []
    for workspace in client.workspaces.list():
        if related is not None:
            if workspace.id not in related:
                continue
            known_by = "relation"
        elif (mark := marked(workspace)) is not None and mark[0] == ref.id:
            known_by = "marker"
        else:
            continue
        features.append(_describe(client, workspace, known_by, timeout))
    return FeatureList(ref, tuple(features), relations_available=related is not None)


def _describe(
    client: FabricClient, workspace: Workspace, known_by: str, timeout: float | None
) -> FeatureWorkspace:
    ref = WorkspaceRef(workspace.id, workspace.display_name)
    connection = client.git.get_connection(workspace.id)
    state = connection_state(connection)
    details = connection.git_provider_details
    head = connection.git_sync_details.head if connection.git_sync_details else None
    remote: str | None = None
    in_sync: bool | None = None
    unknown: str | None = None
    if state == GitConnectionState.CONNECTED_AND_INITIALIZED:
        # One workspace whose status cannot be read (its branch deleted) hides no other.
        status, unknown = read_status_or_why(client, ref, timeout=timeout)
        if status is not None:
            head, remote = status.workspace_head, status.remote_commit_hash
            in_sync = status.in_sync
    mark = marked(workspace)
    branch = details.branch_name if details else (mark[1] if mark else None)
    return FeatureWorkspace(ref, branch, state, head, remote, in_sync, known_by, unknown)
