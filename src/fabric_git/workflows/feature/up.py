"""``feature up``: the feature workspace of a branch, made if needed, connected to the base's
repository on that branch, related to the base and kept in sync; safe to re-run after any
failure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_git.errors import ApiError, BadRequestError
from fabric_git.workflows.branches import GitAccess
from fabric_git.workflows.connection import _credentials_in_use, describe_provider
from fabric_git.workflows.events import ProgressCallback, Reporter
from fabric_git.workflows.feature.identity import (
    DEFAULT_NAME,
    Base,
    FeatureError,
    branch_workspaces,
    feature_name,
    find_feature,
    marker,
    not_ours,
    on_branch,
    read_base,
    relations_unavailable,
    valid_branch,
)
from fabric_git.workflows.feature.results import FeatureUpResult
from fabric_git.workflows.results import WorkspaceRef

if TYPE_CHECKING:
    from fabric_git.client import FabricClient
    from fabric_git.models.workspaces import Workspace

__all__ = ["feature_up"]


def feature_up(
    client: FabricClient,
    base: str | WorkspaceRef,
    branch: str,
    *,
    name: str | None = None,
    capacity_id: str | None = None,
    copy_roles: bool = False,
    create_branch: bool = False,
    github_pat: str | None = None,
    azure_devops_token: str | None = None,
    timeout: float | None = None,
    progress: ProgressCallback | None = None,
) -> FeatureUpResult:
    """The feature workspace for ``branch`` of ``base``, created if needed, connected to the
    base's repository and directory on ``branch`` with the base's Git credentials, initialized
    preferring Git and updated. A re-run is a no-op when in sync, an update when the branch
    moved.

    ``name`` may use ``{base}`` and ``{branch}`` (default ``{base} [{branch}]``). With
    ``create_branch`` a missing branch is made from the tip of the base's branch with ``git``
    over HTTPS: with ``github_pat`` for GitHub; for Azure DevOps with ``azure_devops_token`` or
    else an Entra token of the signed-in principal. Without it, a missing branch is refused
    before anything is made: ``git`` asks the host when a credential is given, otherwise the
    service's answer decides and the workspace this run made is removed again. ``timeout``
    bounds each wait and each ``git`` run.
    """
    from fabric_git.workflows.syncing import SyncOptions, sync

    branch = valid_branch(branch)
    access = GitAccess(github_pat, azure_devops_token, timeout)
    the_base = read_base(client, base)
    if branch == the_base.provider.branch_name:
        raise FeatureError(
            "SameBranch",
            f"{branch!r} is the base workspace's own branch; a feature workspace needs another",
            workspace_id=the_base.ref.id,
        )
    reporter = Reporter(the_base.ref.name, progress)
    title = feature_name(DEFAULT_NAME if name is None else name, the_base.ref.name, branch)
    related = branch_workspaces(client, the_base.ref)

    existing = _existing(client, the_base, branch, title, related, named=name is not None)

    # Everything that can refuse is asked before anything is made.
    capacity = capacity_id or the_base.capacity_id
    if existing is None and not capacity:
        raise FeatureError(
            "NoCapacity",
            f"the base workspace {the_base.ref.name} has no capacity and none was given; "
            "pass a capacity id (--capacity)",
            workspace_id=the_base.ref.id,
        )
    created_branch = False
    if create_branch:
        remote = access.remote(client, the_base.provider)
        if remote.tip(branch) is None:
            source = the_base.provider.branch_name
            reporter.step("branch", f"Creating branch {branch} from the tip of {source}")
            remote.create_branch(branch, source)
            created_branch = True
    elif existing is None and access.at_hand(the_base.provider):
        if access.remote(client, the_base.provider).tip(branch) is None:
            raise _branch_not_found(the_base, branch)

    created_workspace = False
    relation = "unavailable"
    if existing is None:
        reporter.step("workspace", f"Creating workspace {title}")
        existing = client.workspaces.create(
            title, capacity_id=capacity, description=marker(the_base.ref.id, branch)
        )
        created_workspace = True
    feature = WorkspaceRef(existing.id, existing.display_name)
    if related is not None:
        if feature.id in related:
            relation = "exists"
        else:
            try:
                relation = _relate(client, the_base.ref, feature)
            except Exception as error:
                # Without its relation a re-run would not know it: it goes again.
                if created_workspace:
                    _remove_made(client, feature, error)
                raise

    copied: tuple[str, ...] = ()
    if copy_roles:
        copied = _copy_roles(client, the_base.ref, feature, reporter)

    credentials = _credentials_in_use(client, the_base.ref)
    options = SyncOptions(
        provider=on_branch(the_base.provider, branch),
        credentials=credentials,
        strategy="PreferRemote",
        timeout=timeout,
    )
    try:
        synced = sync(client, feature, options, progress=progress)
    except ApiError as error:
        if error.error_code == "GitProviderResourceNotFound" and "branch" in error.message.lower():
            missing = _branch_not_found(the_base, branch, feature.id)
            if created_workspace:  # nothing a re-run could finish: it goes again
                _remove_made(client, feature, missing)
            raise missing from error
        raise
    return FeatureUpResult(
        base=the_base.ref,
        workspace=feature,
        branch=branch,
        created_workspace=created_workspace,
        created_branch=created_branch,
        relation=relation,
        roles_copied=copied,
        sync=synced,
    )


def _branch_not_found(base: Base, branch: str, workspace_id: str | None = None) -> FeatureError:
    where = describe_provider(base.provider).split("@")[0]
    return FeatureError(
        "BranchNotFound",
        f"the branch {branch!r} does not exist in {where}; push it, or pass --create-branch to "
        "make it from the base's branch",
        workspace_id=workspace_id,
    )


def _remove_made(client: FabricClient, feature: WorkspaceRef, error: BaseException) -> None:
    """Delete the workspace this run created, as ``error`` stops the run before anything knows
    it as a feature workspace; when that fails too, ``error`` says what is left."""
    try:
        client.workspaces.delete(feature.id)
    except ApiError:
        error.add_note(
            f"The workspace {feature.name} ({feature.id}) made for it is left; delete it."
        )


def _existing(
    client: FabricClient,
    base: Base,
    branch: str,
    title: str,
    related: dict[str, str] | None,
    *,
    named: bool,
) -> Workspace | None:
    """The branch's feature workspace to bring up, None to make one: the workspace called
    ``title`` when it is the one; else the branch's feature workspace by another name (renamed,
    say), which a ``title`` the caller chose may not stand beside (one branch, one feature
    workspace). A workspace called ``title`` that is not the one is refused."""
    workspaces = client.workspaces.list()
    wanted = title.casefold()
    by_name = next((w for w in workspaces if w.display_name.casefold() == wanted), None)
    if by_name is not None and not_ours(client, by_name, base, branch, related) is None:
        return by_name
    others = [w for w in workspaces if w is not by_name]
    current = find_feature(client, others, base, branch, related)
    if current is not None:
        if named:
            raise FeatureError(
                "FeatureWorkspaceExists",
                f"branch {branch!r} of {base.ref.name} already has its feature workspace "
                f"{current.display_name} ({current.id}); nothing was changed (pass that name "
                "as --name, or leave --name out)",
                workspace_id=current.id,
            )
        return current
    if by_name is not None:
        _check_ours(client, by_name, base, branch, related)
    return None


def _check_ours(
    client: FabricClient,
    workspace: Workspace,
    base: Base,
    branch: str,
    related: dict[str, str] | None,
) -> None:
    """Refuse a workspace that is not the feature workspace of ``base`` and ``branch``."""
    reason = not_ours(client, workspace, base, branch, related)
    if reason is not None:
        raise FeatureError(
            "NotAFeatureWorkspace",
            f"workspace {workspace.display_name} ({workspace.id}) is not the feature workspace "
            f"of {base.ref.name} for branch {branch!r}: {reason}; nothing was changed (choose "
            "another --name)",
            workspace_id=workspace.id,
        )


def _relate(client: FabricClient, base: WorkspaceRef, feature: WorkspaceRef) -> str:
    """Register the feature workspace as a branch workspace of the base (the base's ``Branch``
    relation; a service that takes it only from the other side gets the feature's ``Base``)."""
    try:
        client.git.create_workspace_relation(base.id, feature.id, "Branch")
    except BadRequestError as error:
        try:
            client.git.create_workspace_relation(feature.id, base.id, "Base")
        except ApiError:
            raise error from None
    except ApiError as error:
        if relations_unavailable(error):
            return "unavailable"
        raise
    return "created"


def _copy_roles(
    client: FabricClient, base: WorkspaceRef, feature: WorkspaceRef, reporter: Reporter
) -> tuple[str, ...]:
    """Give the feature workspace the base's role assignments it lacks (roles it has already
    are left as they are)."""
    present = {a.principal.id for a in client.workspaces.list_role_assignments(feature.id)}
    copied: list[str] = []
    for assignment in client.workspaces.list_role_assignments(base.id):
        if assignment.principal.id in present:
            continue
        reporter.step("roles", f"Giving {assignment.principal.id} the role {assignment.role}")
        client.workspaces.add_role_assignment(
            feature.id,
            assignment.principal.id,
            str(assignment.principal.type),
            str(assignment.role),
        )
        copied.append(assignment.principal.id)
    return tuple(copied)
