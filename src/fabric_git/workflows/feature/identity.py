"""What a feature workspace is: the one rule ``feature up``, ``down`` and ``list`` share.

A workspace is the feature workspace of a base and a branch when the base's ``Branch`` relation
points to it and it is connected to the base's repository and directory on that branch, or, not
connected (yet, or any more), carries the marker line written into its description on creation
for that base and branch. Where the service offers no workspace relations, the marker alone
tells. Nothing else is ever touched: a workspace of the chosen name that is not one is refused.
Also here: the base a feature workspace is made from, and the branch name it is made for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fabric_git.errors import ApiError, NotFoundError, OperationError
from fabric_git.models.git import GitConnectionState
from fabric_git.workflows.branches import BranchError, GitTimeoutError, check_branch_name
from fabric_git.workflows.connection import connection_state, describe_provider, same_provider
from fabric_git.workflows.errors import WorkflowError
from fabric_git.workflows.results import WorkspaceRef
from fabric_git.workflows.status import read_status, resolve_workspace

if TYPE_CHECKING:
    from fabric_git.client import FabricClient
    from fabric_git.models.git import GitProviderDetails, WorkspaceRelation
    from fabric_git.models.workspaces import Workspace
    from fabric_git.workflows.events import Reporter
    from fabric_git.workflows.results import StatusReport

__all__ = [
    "DEFAULT_NAME",
    "REMOVING",
    "Base",
    "FeatureError",
    "branch_workspaces",
    "feature_name",
    "find_feature",
    "marked",
    "marker",
    "not_ours",
    "on_branch",
    "read_base",
    "read_status_or_why",
    "relations_unavailable",
    "valid_branch",
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


def marked(workspace: Workspace) -> tuple[str, str] | None:
    """The (base id, branch) a workspace's marker names, or None."""
    found = _MARKER.search(workspace.description or "")
    return (found["base"], found["branch"]) if found else None


def feature_name(template: str, base: str, branch: str) -> str:
    """``template`` with ``{base}`` and ``{branch}`` filled in (nothing else is expanded)."""
    name = template.replace("{base}", base).replace("{branch}", branch).strip()
    if not name:
        raise FeatureError("InvalidName", f"the name {template!r} gives an empty workspace name")
    return name


# --- relations --------------------------------------------------------------------------------


def relations_unavailable(error: ApiError) -> bool:
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
        if relations_unavailable(error):
            return None
        raise


def branch_workspaces(client: FabricClient, base: WorkspaceRef) -> dict[str, str] | None:
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
class Base:
    """The base workspace: its repository and directory, and its capacity."""

    ref: WorkspaceRef
    provider: GitProviderDetails
    capacity_id: str | None


def read_base(client: FabricClient, base: str | WorkspaceRef) -> Base:
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
    return Base(ref, details, info.capacity_id)


def on_branch(provider: GitProviderDetails, branch: str) -> GitProviderDetails:
    return provider.model_copy(update={"branch_name": branch})


# --- what a feature workspace is ---------------------------------------------------------------


def valid_branch(branch: str) -> str:
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


def not_ours(
    client: FabricClient,
    workspace: Workspace,
    base: Base,
    branch: str,
    related: dict[str, str] | None,
    *,
    removing_ok: bool = False,
) -> str | None:
    """Why ``workspace`` is not the feature workspace of ``base`` and ``branch``; None when it
    is (the rule of this module's docstring). ``removing_ok``: also one that ``down`` marked
    as being removed (disconnecting it took its relation) and carries the marker."""
    mark = marked(workspace)
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
        if same_provider(details, on_branch(base.provider, branch)):
            return None
        return f"it is connected to {describe_provider(details)}"
    if mark is None:
        return "it is not connected to Git and carries no feature marker for this branch"
    return None


def find_feature(
    client: FabricClient,
    workspaces: list[Workspace],
    base: Base,
    branch: str,
    related: dict[str, str] | None,
    *,
    removing_ok: bool = False,
) -> Workspace | None:
    """The feature workspace of ``base`` for ``branch`` among ``workspaces``, whatever its
    name: one the relation or, without relations, the marker points to, that is one."""
    for workspace in workspaces:
        mark = marked(workspace)
        if mark is not None and mark != (base.ref.id, branch):
            continue
        if workspace.id not in (related or {}) and mark is None:
            continue
        if not_ours(client, workspace, base, branch, related, removing_ok=removing_ok) is None:
            return workspace
    return None


def read_status_or_why(
    client: FabricClient,
    workspace: WorkspaceRef,
    *,
    timeout: float | None = None,
    reporter: Reporter | None = None,
) -> tuple[StatusReport | None, str | None]:
    """The workspace's Git status, or None and why it could not be read (its branch deleted,
    as a host does when a pull request merges, say): the status is then unknown."""
    try:
        return read_status(client, workspace, timeout=timeout, reporter=reporter), None
    except (ApiError, OperationError, WorkflowError) as error:
        return None, f"{error.code}: {' '.join(error.message.split())}"
