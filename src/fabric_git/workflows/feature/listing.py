"""``feature list``: the feature workspaces of a base, with branch, sync state and head."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_git.models.git import GitConnectionState
from fabric_git.workflows.connection import connection_state
from fabric_git.workflows.feature.identity import (
    Base,
    branch_workspaces,
    marked,
    not_ours,
    read_status_or_why,
)
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
    (None when the status could not be read). A workspace related to the base that the rule
    of ``feature.identity`` says is none is not listed, but named with why in ``passed_over``."""
    ref = base if isinstance(base, WorkspaceRef) else resolve_workspace(client, base)
    related = branch_workspaces(client, ref)
    details = client.git.get_connection(ref.id).git_provider_details
    the_base = Base(ref, details, None) if details is not None else None
    features: list[FeatureWorkspace] = []
    passed_over: list[tuple[WorkspaceRef, str]] = []
    for workspace in client.workspaces.list():
        if related is not None:
            if workspace.id not in related:
                continue
            known_by = "relation"
        elif (mark := marked(workspace)) is not None and mark[0] == ref.id:
            known_by = "marker"
        else:
            continue
        found, why = _describe(client, workspace, the_base, related, known_by, timeout)
        if found is not None:
            features.append(found)
        else:
            passed_over.append((WorkspaceRef(workspace.id, workspace.display_name), why))
    available = related is not None
    return FeatureList(ref, tuple(features), available, passed_over=tuple(passed_over))


def _describe(
    client: FabricClient,
    workspace: Workspace,
    base: Base | None,
    related: dict[str, str] | None,
    known_by: str,
    timeout: float | None,
) -> tuple[FeatureWorkspace | None, str]:
    """The feature workspace as listed, or None and why it is not one."""
    ref = WorkspaceRef(workspace.id, workspace.display_name)
    connection = client.git.get_connection(workspace.id)
    state = connection_state(connection)
    details = connection.git_provider_details
    mark = marked(workspace)
    connected = state != GitConnectionState.NOT_CONNECTED and details is not None
    branch = details.branch_name if connected and details else (mark[1] if mark else None)
    if branch is None:
        return None, "it is not connected to Git and carries no feature marker"
    if base is not None:
        why = not_ours(client, workspace, base, branch, related)
        if why is not None:
            return None, why
    elif connected:
        return None, "the base is not connected to Git, so no connection makes one"
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
    return FeatureWorkspace(ref, branch, state, head, remote, in_sync, known_by, unknown), ""
