"""Feature workspaces: a workspace per branch of a base workspace, made to match it and removed
when the branch is done.

A workspace is the feature workspace of a base and a branch when the base's ``Branch`` relation
points to it and it is connected to the base's repository and directory on that branch, or, not
connected (yet, or any more), carries the marker line written into its description on creation
for that base and branch. Where the service offers no workspace relations, the marker alone
tells. Nothing else is ever touched: a workspace of the chosen name that is not one is refused.
Every step is safe to re-run after any failure.

One module because ``feature up``, ``down`` and ``list`` share the one rule that says what
a feature workspace is (the base's relation to it and its connection, or its marker) and the
base it is made from; apart, each would import the others' private helpers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fabric_git.errors import (
    ApiError,
    BadRequestError,
    NotFoundError,
)
from fabric_git.models.git import GitConnectionState
from fabric_git.workflows.branches import (
    BranchError,
    GitAccess,
    GitTimeoutError,
    check_branch_name,
)
from fabric_git.workflows.connection import (
    _credentials_in_use,
    connection_state,
    describe_provider,
    same_provider,
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
        or error.error_code
        in (
            "UnsupportedOperation",
            "FeatureNotAvailable",
            "NotSupported",
            "PrincipalTypeNotSupported",
        )
    )


def _relations(client: FabricClient, base: WorkspaceRef) -> list[WorkspaceRelation] | None:
    """The base's relations; None where the service offers none."""
    try:
        return client.git.list_workspace_relations(base.id)
    except ApiError as error:
        # Not offered (here, or to this kind of principal): the marker tells a feature
        # workspace. Any other refusal (403 for want of a role, say) is no reason to trust it.
        if _unavailable(error):
            return None
        raise


def _branch_workspaces(client: FabricClient, base: WorkspaceRef) -> dict[str, str] | None:
    """The base's branch workspaces by id, with the relation's id; None where the service
    offers no relations (the marker alone then tells a feature workspace)."""
    relations = _relations(client, base)
    return None if relations is None else _related(relations, base.id)


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

    branch = _valid_branch(branch)
    access = GitAccess(github_pat, azure_devops_token, timeout)
    the_base = _base(client, base)
    if branch == the_base.provider.branch_name:
        raise FeatureError(
            "SameBranch",
            f"{branch!r} is the base workspace's own branch; a feature workspace needs another",
            workspace_id=the_base.ref.id,
        )
    reporter = Reporter(the_base.ref.name, progress)
    title = feature_name(DEFAULT_NAME if name is None else name, the_base.ref.name, branch)
    related = _branch_workspaces(client, the_base.ref)

    existing = _by_name(client, title)
    if existing is not None:
        _check_ours(client, existing, the_base, branch, related)

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
        provider=_on_branch(the_base.provider, branch),
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


def _valid_branch(branch: str) -> str:
    """The branch name, refused (nothing made) unless Git takes it as a branch's name."""
    if not branch.strip():
        raise FeatureError("InvalidBranch", "give the feature branch's name")
    try:
        check_branch_name(branch)
    except GitTimeoutError:
        raise
    except BranchError as error:
        raise FeatureError("InvalidBranch", str(error)) from None
    return branch


def _branch_not_found(base: _Base, branch: str, workspace_id: str | None = None) -> FeatureError:
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


def _by_name(client: FabricClient, title: str) -> Workspace | None:
    wanted = title.casefold()
    return next((w for w in client.workspaces.list() if w.display_name.casefold() == wanted), None)


def _not_ours(
    client: FabricClient,
    workspace: Workspace,
    base: _Base,
    branch: str,
    related: dict[str, str] | None,
    *,
    removing_ok: bool = False,
) -> str | None:
    """Why ``workspace`` is not the feature workspace of ``base`` and ``branch``; None when it
    is (see the module's docstring). ``removing_ok``: also one that ``down`` marked as being
    removed (disconnecting it took its relation) and carries the marker."""
    mark = _marked(workspace)
    if mark is not None and mark != (base.ref.id, branch):
        whose = f"branch {mark[1]!r}" if mark[0] == base.ref.id else f"base {mark[0]}"
        return f"its description marks it as the feature workspace of {whose}"
    removing = REMOVING in (workspace.description or "").splitlines()
    if related is None:
        if mark is None:
            return "the service offers no workspace relations and it carries no feature marker"
    elif workspace.id not in related and not (removing_ok and removing and mark is not None):
        if removing:
            return "it is being removed (finish with `fabric-git feature down`)"
        return f"it is not registered as a branch workspace of {base.ref.name}"
    connection = client.git.get_connection(workspace.id)
    details = connection.git_provider_details
    if connection_state(connection) != GitConnectionState.NOT_CONNECTED and details is not None:
        if same_provider(details, _on_branch(base.provider, branch)):
            return None
        return f"it is connected to {describe_provider(details)}"
    if mark is None:
        return "it is not connected to Git and carries no feature marker for this branch"
    return None


def _check_ours(
    client: FabricClient,
    workspace: Workspace,
    base: _Base,
    branch: str,
    related: dict[str, str] | None,
) -> None:
    """Refuse a workspace that is not the feature workspace of ``base`` and ``branch``."""
    reason = _not_ours(client, workspace, base, branch, related)
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
    azure_devops_token: str | None = None,
    timeout: float | None = None,
    progress: ProgressCallback | None = None,
) -> FeatureDownResult:
    """Disconnect and delete the feature workspace of ``branch``, only one that is (see the
    module's docstring). Uncommitted workspace changes refuse it unless ``discard_changes``.
    No feature workspace: a reported no-op. ``delete_branch`` also deletes the branch, only
    together with its feature workspace: a mistyped branch name deletes nothing."""
    branch = _valid_branch(branch)
    access = GitAccess(github_pat, azure_devops_token, timeout)
    the_base = _base(client, base)
    if delete_branch and branch == the_base.provider.branch_name:
        raise FeatureError(
            "SameBranch",
            f"{branch!r} is the base workspace's own branch; it is never deleted",
            workspace_id=the_base.ref.id,
        )
    reporter = Reporter(the_base.ref.name, progress)
    related = _branch_workspaces(client, the_base.ref)
    title = feature_name(DEFAULT_NAME if name is None else name, the_base.ref.name, branch)
    found, passed_over = _find_feature(client, the_base, branch, title, related)
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
        discarded = _uncommitted(client, feature, discard_changes, timeout, reporter)
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
    base: _Base,
    branch: str,
    title: str,
    related: dict[str, str] | None,
) -> tuple[Workspace | None, list[str]]:
    """The feature workspace of ``base`` for ``branch`` (the one of that name when it is one,
    else one the relation or, without relations, the marker points to), and a note for a
    workspace of that name that is not one (it is left alone)."""
    workspaces = client.workspaces.list()
    named = next((w for w in workspaces if w.display_name.casefold() == title.casefold()), None)
    notes: list[str] = []
    if named is not None:
        reason = _not_ours(client, named, base, branch, related, removing_ok=True)
        if reason is None:
            return named, notes
        notes.append(f"workspace {named.display_name} ({named.id}) was left alone: {reason}")
    for workspace in workspaces:
        if workspace is named:
            continue
        mark = _marked(workspace)
        if mark is not None and mark != (base.ref.id, branch):
            continue
        if workspace.id not in (related or {}) and mark is None:
            continue
        if _not_ours(client, workspace, base, branch, related, removing_ok=True) is None:
            return workspace, notes
    return None, notes


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
    related = _branch_workspaces(client, ref)
    features: list[FeatureWorkspace] = []
    for workspace in client.workspaces.list():
        if related is not None:
            if workspace.id not in related:
                continue
            known_by = "relation"
        elif (mark := _marked(workspace)) is not None and mark[0] == ref.id:
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
