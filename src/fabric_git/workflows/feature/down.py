"""``feature down``: disconnect and delete a feature workspace (only one that is), after its
uncommitted changes are saved or given up; a second run is a reported no-op."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_git.errors import ApiError, NotFoundError
from fabric_git.models.git import GitConnectionState
from fabric_git.workflows.branches import GitAccess
from fabric_git.workflows.connection import connection_state
from fabric_git.workflows.events import ProgressCallback, Reporter
from fabric_git.workflows.feature.identity import (
    DEFAULT_NAME,
    REMOVING,
    Base,
    FeatureError,
    branch_workspaces,
    feature_name,
    find_feature,
    not_ours,
    read_base,
    read_status_or_why,
    valid_branch,
)
from fabric_git.workflows.feature.results import FeatureDownResult
from fabric_git.workflows.results import Change, WorkspaceRef

if TYPE_CHECKING:
    from fabric_git.client import FabricClient
    from fabric_git.models.workspaces import Workspace

__all__ = ["feature_down"]


def feature_down(
    client: FabricClient,
    base: str | WorkspaceRef,
    branch: str,
    *,
    name: str | None = None,
    discard_changes: bool = False,
    delete_branch: bool = False,
    github_pat: str | None = None,
    azure_devops_token: str | None = None,
    timeout: float | None = None,
    progress: ProgressCallback | None = None,
) -> FeatureDownResult:
    """Disconnect and delete the feature workspace of ``branch``, only one that is (see
    ``feature.identity``). Uncommitted workspace changes refuse it unless ``discard_changes``.
    No feature workspace: a reported no-op. ``delete_branch`` also deletes the branch, only
    together with its feature workspace: a mistyped branch name deletes nothing."""
    branch = valid_branch(branch)
    access = GitAccess(github_pat, azure_devops_token, timeout)
    the_base = read_base(client, base)
    if delete_branch and branch == the_base.provider.branch_name:
        raise FeatureError(
            "SameBranch",
            f"{branch!r} is the base workspace's own branch; it is never deleted",
            workspace_id=the_base.ref.id,
        )
    reporter = Reporter(the_base.ref.name, progress)
    related = branch_workspaces(client, the_base.ref)
    title = feature_name(DEFAULT_NAME if name is None else name, the_base.ref.name, branch)
    found, passed_over = _find_feature(
        client, the_base, branch, title, related, named_only=name is not None
    )
    notes = list(passed_over)
    if found is None:
        notes.append(f"no feature workspace of {the_base.ref.name} for branch {branch!r}")
        if delete_branch:
            notes.append(f"the branch {branch!r} was left as it is (it has no feature workspace)")
        return FeatureDownResult(
            base=the_base.ref, branch=branch, workspace=None, notes=tuple(notes)
        )
    # Asked before anything changes: the credential for the branch.
    remote = access.remote(client, the_base.provider) if delete_branch else None
    feature = WorkspaceRef(found.id, found.display_name)
    description = found.description or ""
    removing = REMOVING in description.splitlines()
    connection = client.git.get_connection(feature.id)
    connected = connection_state(connection) != GitConnectionState.NOT_CONNECTED
    discarded: tuple[Change, ...] = ()
    if connected or not removing:
        discarded, unknown = _uncommitted(client, feature, discard_changes, timeout, reporter)
        if unknown is not None:
            notes.append(f"its uncommitted changes were unknown and given up ({unknown})")
    if not removing:
        client.workspaces.update(feature.id, description=f"{description}\n{REMOVING}".strip())
    disconnected = False
    if connected:
        reporter.step("disconnect", f"Disconnecting {feature.name}")
        client.git.disconnect(feature.id)
        disconnected = True
    # The branch goes before the workspace: a run that fails in between finds the workspace
    # (marked as being removed) again and finishes both.
    branch_deleted = False
    if remote is not None:
        if remote.tip(branch) is not None:
            reporter.step("branch", f"Deleting branch {branch}")
            remote.delete_branch(branch)
            branch_deleted = True
        else:
            notes.append(f"the branch {branch!r} does not exist")
    # The relation stays until the workspace is gone: it is what a re-run knows it by.
    reporter.step("delete", f"Deleting workspace {feature.name}")
    client.workspaces.delete(feature.id)
    relation_deleted = False
    relation_id = (related or {}).get(feature.id)
    if relation_id is not None:
        try:
            client.git.delete_workspace_relation(the_base.ref.id, relation_id)
        except NotFoundError:
            relation_deleted = True  # gone with the workspace
        except ApiError as error:
            notes.append(f"the workspace relation was left ({error.error_code})")
        else:
            relation_deleted = True
    return FeatureDownResult(
        base=the_base.ref,
        branch=branch,
        workspace=feature,
        disconnected=disconnected,
        deleted=True,
        relation_deleted=relation_deleted,
        branch_deleted=branch_deleted,
        discarded=discarded,
        notes=tuple(notes),
    )


def _find_feature(
    client: FabricClient,
    base: Base,
    branch: str,
    title: str,
    related: dict[str, str] | None,
    *,
    named_only: bool,
) -> tuple[Workspace | None, list[str]]:
    """The feature workspace of ``base`` for ``branch`` (the one of that name when it is one,
    else one the relation or, without relations, the marker points to), and a note for a
    workspace of that name that is not one (it is left alone). ``named_only`` (a name the
    caller chose): that workspace or none, and one that is not the feature workspace refuses."""
    workspaces = client.workspaces.list()
    named = next((w for w in workspaces if w.display_name.casefold() == title.casefold()), None)
    notes: list[str] = []
    if named is not None:
        reason = not_ours(client, named, base, branch, related, removing_ok=True)
        if reason is None:
            return named, notes
        if named_only:
            raise FeatureError(
                "NotAFeatureWorkspace",
                f"workspace {named.display_name} ({named.id}) is not the feature workspace of "
                f"{base.ref.name} for branch {branch!r}: {reason}; nothing was deleted",
                workspace_id=named.id,
            )
        notes.append(f"workspace {named.display_name} ({named.id}) was left alone: {reason}")
    elif named_only:
        notes.append(f"no workspace is named {title}")
        return None, notes
    others = [w for w in workspaces if w is not named]
    return find_feature(client, others, base, branch, related, removing_ok=True), notes


def _uncommitted(
    client: FabricClient,
    feature: WorkspaceRef,
    discard: bool,
    timeout: float | None,
    reporter: Reporter,
) -> tuple[tuple[Change, ...], str | None]:
    """The workspace changes deleting the workspace would lose, refused unless ``discard``;
    and why they are unknown when its status cannot be read (also refused unless
    ``discard``)."""
    state = connection_state(client.git.get_connection(feature.id))
    if state == GitConnectionState.CONNECTED_AND_INITIALIZED:
        reporter.step("status", "Reading the Git status")
        status, why = read_status_or_why(client, feature, timeout=timeout, reporter=reporter)
        if status is None:
            if not discard:
                raise FeatureError(
                    "StatusUnknown",
                    f"the Git status of workspace {feature.name} cannot be read ({why}), so "
                    "whether it holds uncommitted changes is unknown; pass --discard-changes "
                    "to delete it anyway",
                    workspace_id=feature.id,
                )
            return (), why
        changes = status.outgoing
        lost = [c.name for c in changes]
    else:
        # Never synced: every item it holds exists nowhere else.
        changes = ()
        lost = [f"{i.display_name}.{i.type}" for i in client.items.list(feature.id)]
    if lost and not discard:
        raise FeatureError(
            "UncommittedChanges",
            f"workspace {feature.name} has {len(lost)} uncommitted change(s) "
            f"({', '.join(lost)}); commit them, or pass --discard-changes to delete it anyway",
            workspace_id=feature.id,
        )
    return changes, None
