"""Feature workspaces: a workspace per branch of a base workspace, made to match it and removed
when the branch is done.

A feature workspace is known as one by the workspace relation the service keeps (the base's
``Branch`` relation to it) or, where relations are unavailable, by the marker line written into
its description on creation. Nothing else is ever touched: a workspace of the chosen name that is
neither is refused. Every step is safe to re-run after any failure.

One module because ``feature up``, ``down`` and ``list`` share the one rule that says what
a feature workspace is (the base's relation to it, or its marker) and the base it is made
from; apart, each would import the others' private helpers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fabric_git.errors import ApiError, BadRequestError, ForbiddenError, NotFoundError
from fabric_git.models.git import AzureDevOpsDetails, GitConnectionState
from fabric_git.workflows.branches import AZURE_DEVOPS_SCOPE, GitRemote, repository_url
from fabric_git.workflows.connection import (
    _credentials_in_use,
    connection_state,
    describe_provider,
)
from fabric_git.workflows.errors import WorkflowError
from fabric_git.workflows.events import ProgressCallback, Reporter
from fabric_git.workflows.results import Change, SyncResult, WorkspaceRef
from fabric_git.workflows.status import read_status, resolve_workspace

if TYPE_CHECKING:
    from fabric_git.client import FabricClient
    from fabric_git.models.git import GitProviderDetails, WorkspaceRelation
    from fabric_git.models.workspaces import Workspace

__all__ = [
    "DEFAULT_NAME",
    "FeatureDownResult",
    "FeatureError",
    "FeatureList",
    "FeatureUpResult",
    "FeatureWorkspace",
    "feature_down",
    "feature_name",
    "feature_up",
    "list_features",
    "marker",
]

DEFAULT_NAME = "{base} [{branch}]"
_MARKER = re.compile(r"^fabric-git:feature base=(?P<base>\S+) branch=(?P<branch>.*)$", re.M)
# Added by ``down`` once the workspace was checked and is being removed: a re-run after a failed
# deletion does not take the items of the (by then disconnected) workspace for unsaved work.
REMOVING = "fabric-git:feature-removing"


class FeatureError(WorkflowError):
    """A feature workspace step refused to go on; ``code`` says why."""

    def __init__(self, code: str, message: str, *, workspace_id: str | None = None) -> None:
        super().__init__(message, workspace_id=workspace_id)
        self.code = code


def marker(base_id: str, branch: str) -> str:
    """The line a feature workspace's description carries (where relations are unavailable)."""
    return f"fabric-git:feature base={base_id} branch={branch}"


def _marked(workspace: Workspace) -> tuple[str, str] | None:
    found = _MARKER.search(workspace.description or "")
    return (found["base"], found["branch"]) if found else None


def feature_name(template: str, base: str, branch: str) -> str:
    """``template`` with ``{base}`` and ``{branch}`` filled in (nothing else is expanded)."""
    name = template.replace("{base}", base).replace("{branch}", branch).strip()
    if not name:
        raise FeatureError("InvalidName", f"the name {template!r} gives an empty workspace name")
    return name


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeatureUpResult:
    base: WorkspaceRef
    workspace: WorkspaceRef
    branch: str
    created_workspace: bool
    created_branch: bool
    relation: str  # "created", "exists" or "unavailable" (the marker stands for it)
    roles_copied: tuple[str, ...]
    sync: SyncResult

    @property
    def head(self) -> str | None:
        return self.sync.status.workspace_head if self.sync.status else None

    @property
    def noop(self) -> bool:
        return not (
            self.created_workspace
            or self.created_branch
            or self.relation == "created"
            or self.roles_copied
            or self.sync.actions
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "base": self.base.to_json(),
            "workspace": self.workspace.to_json(),
            "branch": self.branch,
            "head": self.head,
            "noop": self.noop,
            "createdWorkspace": self.created_workspace,
            "createdBranch": self.created_branch,
            "relation": self.relation,
            "rolesCopied": list(self.roles_copied),
            "sync": self.sync.to_json(),
        }


@dataclass(frozen=True)
class FeatureDownResult:
    base: WorkspaceRef
    branch: str
    workspace: WorkspaceRef | None
    disconnected: bool = False
    deleted: bool = False
    relation_deleted: bool = False
    branch_deleted: bool = False
    discarded: tuple[Change, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def noop(self) -> bool:
        return not (
            self.disconnected or self.deleted or self.relation_deleted or self.branch_deleted
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "base": self.base.to_json(),
            "branch": self.branch,
            "workspace": self.workspace.to_json() if self.workspace else None,
            "noop": self.noop,
            "disconnected": self.disconnected,
            "deleted": self.deleted,
            "relationDeleted": self.relation_deleted,
            "branchDeleted": self.branch_deleted,
            "discarded": [c.to_json() for c in self.discarded],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class FeatureWorkspace:
    workspace: WorkspaceRef
    branch: str | None
    state: str
    head: str | None
    remote_commit_hash: str | None
    in_sync: bool | None
    known_by: str  # "relation" or "marker"

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace.to_json(),
            "branch": self.branch,
            "connectionState": self.state,
            "head": self.head,
            "remoteCommitHash": self.remote_commit_hash,
            "inSync": self.in_sync,
            "knownBy": self.known_by,
        }


@dataclass(frozen=True)
class FeatureList:
    base: WorkspaceRef
    features: tuple[FeatureWorkspace, ...]
    relations_available: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "base": self.base.to_json(),
            "relationsAvailable": self.relations_available,
            "features": [f.to_json() for f in self.features],
        }


# --- relations --------------------------------------------------------------------------------


def _unavailable(error: ApiError) -> bool:
    """The service has no workspace relations here (an API it does not offer)."""
    return (
        isinstance(error, NotFoundError)
        or error.status in (404, 405, 501)
        or error.error_code in ("UnsupportedOperation", "FeatureNotAvailable", "NotSupported")
    )


def _relations(client: FabricClient, base: WorkspaceRef) -> list[WorkspaceRelation] | None:
    """The base's relations; None where the service offers none."""
    try:
        return client.git.list_workspace_relations(base.id)
    except ApiError as error:
        # Not offered, or not to this caller: the marker is what tells a feature workspace.
        if _unavailable(error) or isinstance(error, ForbiddenError):
            return None
        raise


def _related(relations: list[WorkspaceRelation] | None, base_id: str) -> dict[str, str]:
    """Branch workspaces of the base, by id, with the relation's id."""
    found: dict[str, str] = {}
    for relation in relations or ():
        kind = str(relation.relation_type)
        if relation.workspace_id == base_id and kind == "Branch":
            found[relation.related_workspace_id] = relation.id
        elif relation.related_workspace_id == base_id and kind == "Base":
            found[relation.workspace_id] = relation.id
    return found


# --- the base ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Base:
    ref: WorkspaceRef
    provider: GitProviderDetails
    capacity_id: str | None


def _base(client: FabricClient, base: str | WorkspaceRef) -> _Base:
    ref = base if isinstance(base, WorkspaceRef) else resolve_workspace(client, base)
    connection = client.git.get_connection(ref.id)
    details = connection.git_provider_details
    if connection_state(connection) == GitConnectionState.NOT_CONNECTED or details is None:
        raise FeatureError(
            "BaseNotConnected",
            f"the base workspace {ref.name} ({ref.id}) is not connected to Git; connect it "
            "first (fabric-git sync)",
            workspace_id=ref.id,
        )
    info = client.workspaces.get(ref.id)
    return _Base(ref, details, info.capacity_id)


def _remote(
    client: FabricClient, provider: GitProviderDetails, github_pat: str | None
) -> GitRemote:
    """The repository for ``git``: GitHub with the PAT, Azure DevOps with an Entra token of the
    signed-in principal (a GitHub PAT is never sent elsewhere)."""
    url = repository_url(provider)
    if isinstance(provider, AzureDevOpsDetails):
        return GitRemote.bearer(url, client.access_token(AZURE_DEVOPS_SCOPE))
    return GitRemote.github(url, github_pat)


def _on_branch(provider: GitProviderDetails, branch: str) -> GitProviderDetails:
    return provider.model_copy(update={"branch_name": branch})


# --- up ---------------------------------------------------------------------------------------


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
    timeout: float | None = None,
    progress: ProgressCallback | None = None,
) -> FeatureUpResult:
    """The feature workspace for ``branch`` of ``base``, created if needed, connected to the
    base's repository and directory on ``branch`` with the base's Git credentials, initialized
    preferring Git and updated. A re-run is a no-op when in sync, an update when the branch
    moved.

    ``name`` may use ``{base}`` and ``{branch}`` (default ``{base} [{branch}]``). With
    ``create_branch`` a missing branch is made from the tip of the base's branch with ``git``
    over HTTPS: with ``github_pat`` for GitHub, with an Entra token of the signed-in principal
    for Azure DevOps.
    """
    from fabric_git.workflows.syncing import SyncOptions, sync

    branch = branch.strip()
    if not branch:
        raise FeatureError("InvalidBranch", "give the feature branch's name")
    the_base = _base(client, base)
    if branch == the_base.provider.branch_name:
        raise FeatureError(
            "SameBranch",
            f"{branch!r} is the base workspace's own branch; a feature workspace needs another",
            workspace_id=the_base.ref.id,
        )
    reporter = Reporter(the_base.ref.name, progress)
    title = feature_name(name or DEFAULT_NAME, the_base.ref.name, branch)
    relations = _relations(client, the_base.ref)
    related = _related(relations, the_base.ref.id)

    existing = _by_name(client, title)
    if existing is not None:
        _check_ours(client, existing, the_base.ref, branch, related)

    created_branch = False
    if create_branch:
        remote = _remote(client, the_base.provider, github_pat)
        if remote.tip(branch) is None:
            source = the_base.provider.branch_name
            reporter.step("branch", f"Creating branch {branch} from the tip of {source}")
            remote.create_branch(branch, source)
            created_branch = True

    created_workspace = False
    if existing is None:
        capacity = capacity_id or the_base.capacity_id
        if not capacity:
            raise FeatureError(
                "NoCapacity",
                f"the base workspace {the_base.ref.name} has no capacity and none was given; "
                "pass a capacity id (--capacity)",
                workspace_id=the_base.ref.id,
            )
        reporter.step("workspace", f"Creating workspace {title}")
        made = client.workspaces.create(
            title, capacity_id=capacity, description=marker(the_base.ref.id, branch)
        )
        existing = made
        created_workspace = True
    feature = WorkspaceRef(existing.id, existing.display_name)

    relation = "unavailable"
    if relations is not None:
        relation = "exists" if feature.id in related else _relate(client, the_base.ref, feature)

    copied: tuple[str, ...] = ()
    if copy_roles:
        copied = _copy_roles(client, the_base.ref, feature, reporter)

    credentials = _credentials_in_use(client, the_base.ref)
    options = SyncOptions(
        provider=_on_branch(the_base.provider, branch),
        credentials=credentials,
        strategy="PreferRemote",
        timeout=timeout,
    )
    try:
        synced = sync(client, feature, options, progress=progress)
    except ApiError as error:
        if error.error_code == "GitProviderResourceNotFound" and "branch" in error.message.lower():
            raise FeatureError(
                "BranchNotFound",
                f"the branch {branch!r} does not exist in "
                f"{describe_provider(the_base.provider).split('@')[0]}; push it, or pass "
                "--create-branch to make it from the base's branch",
                workspace_id=feature.id,
            ) from error
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


def _by_name(client: FabricClient, title: str) -> Workspace | None:
    wanted = title.casefold()
    return next((w for w in client.workspaces.list() if w.display_name.casefold() == wanted), None)


def _check_ours(
    client: FabricClient,
    workspace: Workspace,
    base: WorkspaceRef,
    branch: str,
    related: dict[str, str],
) -> None:
    """Refuse a workspace that is not the feature workspace of ``base`` and ``branch``."""
    ours = _marked(workspace) == (base.id, branch)
    if not ours and workspace.id in related:
        details = client.git.get_connection(workspace.id).git_provider_details
        ours = details is None or details.branch_name == branch
    if not ours:
        raise FeatureError(
            "NotAFeatureWorkspace",
            f"workspace {workspace.display_name} ({workspace.id}) is not the feature workspace "
            f"of {base.name} for branch {branch!r}; nothing was changed (choose another --name)",
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
        if _unavailable(error):
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


# --- down -------------------------------------------------------------------------------------


def feature_down(
    client: FabricClient,
    base: str | WorkspaceRef,
    branch: str,
    *,
    name: str | None = None,
    discard_changes: bool = False,
    delete_branch: bool = False,
    github_pat: str | None = None,
    timeout: float | None = None,
    progress: ProgressCallback | None = None,
) -> FeatureDownResult:
    """Disconnect and delete the feature workspace of ``branch``, only if the relation or the
    marker shows it is one. Uncommitted workspace changes refuse it unless ``discard_changes``.
    No feature workspace: a reported no-op. ``delete_branch`` also deletes the branch."""
    branch = branch.strip()
    the_base = _base(client, base)
    if delete_branch and branch == the_base.provider.branch_name:
        raise FeatureError(
            "SameBranch",
            f"{branch!r} is the base workspace's own branch; it is never deleted",
            workspace_id=the_base.ref.id,
        )
    reporter = Reporter(the_base.ref.name, progress)
    relations = _relations(client, the_base.ref)
    related = _related(relations, the_base.ref.id)
    title = feature_name(name or DEFAULT_NAME, the_base.ref.name, branch)
    found = _find_feature(client, the_base.ref, branch, title, related)
    notes: list[str] = []
    disconnected = deleted = relation_deleted = False
    discarded: tuple[Change, ...] = ()
    feature: WorkspaceRef | None = None
    if found is None:
        notes.append(f"no feature workspace of {the_base.ref.name} for branch {branch!r}")
    else:
        feature = WorkspaceRef(found.id, found.display_name)
        description = found.description or ""
        connection = client.git.get_connection(feature.id)
        connected = connection_state(connection) != GitConnectionState.NOT_CONNECTED
        if connected or REMOVING not in description.splitlines():
            discarded = _uncommitted(client, feature, discard_changes, timeout, reporter)
        if REMOVING not in description.splitlines():
            client.workspaces.update(feature.id, description=f"{description}\n{REMOVING}".strip())
        if connected:
            reporter.step("disconnect", f"Disconnecting {feature.name}")
            client.git.disconnect(feature.id)
            disconnected = True
        relation_id = related.get(feature.id)
        if relation_id is not None:
            try:
                client.git.delete_workspace_relation(the_base.ref.id, relation_id)
                relation_deleted = True
            except ApiError as error:  # the deletion below removes it with the workspace
                notes.append(
                    f"the workspace relation was left to the deletion ({error.error_code})"
                )
        reporter.step("delete", f"Deleting workspace {feature.name}")
        client.workspaces.delete(feature.id)
        deleted = True
    branch_deleted = False
    if delete_branch:
        remote = _remote(client, the_base.provider, github_pat)
        if remote.tip(branch) is not None:
            reporter.step("branch", f"Deleting branch {branch}")
            remote.delete_branch(branch)
            branch_deleted = True
        else:
            notes.append(f"the branch {branch!r} does not exist")
    return FeatureDownResult(
        base=the_base.ref,
        branch=branch,
        workspace=feature,
        disconnected=disconnected,
        deleted=deleted,
        relation_deleted=relation_deleted,
        branch_deleted=branch_deleted,
        discarded=discarded,
        notes=tuple(notes),
    )


def _find_feature(
    client: FabricClient,
    base: WorkspaceRef,
    branch: str,
    title: str,
    related: dict[str, str],
) -> Workspace | None:
    """The feature workspace of ``base`` for ``branch``: the one of that name when it is one,
    else one whose marker names them. A workspace of that name that is not one is left alone."""
    workspaces = client.workspaces.list()
    named = next((w for w in workspaces if w.display_name.casefold() == title.casefold()), None)
    if named is not None:
        try:
            _check_ours(client, named, base, branch, related)
        except FeatureError:
            named = None
        else:
            return named
    return next((w for w in workspaces if _marked(w) == (base.id, branch)), None)


def _uncommitted(
    client: FabricClient,
    feature: WorkspaceRef,
    discard: bool,
    timeout: float | None,
    reporter: Reporter,
) -> tuple[Change, ...]:
    """The workspace changes deleting the workspace would lose; refused unless ``discard``."""
    state = connection_state(client.git.get_connection(feature.id))
    if state == GitConnectionState.CONNECTED_AND_INITIALIZED:
        reporter.step("status", "Reading the Git status")
        changes = read_status(client, feature, timeout=timeout, reporter=reporter).outgoing
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
    return changes


# --- list -------------------------------------------------------------------------------------


def list_features(
    client: FabricClient,
    base: str | WorkspaceRef,
    *,
    timeout: float | None = None,
) -> FeatureList:
    """The feature workspaces of ``base``: branch, connection state, head and whether in sync
    (None when the status could not be read)."""
    ref = base if isinstance(base, WorkspaceRef) else resolve_workspace(client, base)
    relations = _relations(client, ref)
    related = _related(relations, ref.id)
    features: list[FeatureWorkspace] = []
    for workspace in client.workspaces.list():
        if workspace.id in related:
            known_by = "relation"
        elif (mark := _marked(workspace)) is not None and mark[0] == ref.id:
            known_by = "marker"
        else:
            continue
        features.append(_describe(client, workspace, known_by, timeout))
    return FeatureList(ref, tuple(features), relations_available=relations is not None)


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
    if state == GitConnectionState.CONNECTED_AND_INITIALIZED:
        try:
            status = read_status(client, ref, timeout=timeout)
        except (ApiError, WorkflowError):
            pass
        else:
            head, remote = status.workspace_head, status.remote_commit_hash
            in_sync = status.in_sync
    mark = _marked(workspace)
    branch = details.branch_name if details else (mark[1] if mark else None)
    return FeatureWorkspace(ref, branch, state, head, remote, in_sync, known_by)
