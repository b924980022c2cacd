"""Plan and apply a fleet: what ``sync`` would do for each workspace of the file, then doing it.

Both are ``sync`` underneath (a dry run for the plan), one workspace per task of the batch runner
``sync_many`` uses: bounded concurrency, a throttled workspace tried again after ``Retry-After``,
one workspace's failure recorded without stopping the others. Nothing here prints. The
credentials the entries name are checked and ensured by ``fleet.credentials``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from fabric_git.errors import ResolutionError
from fabric_git.fleet import DEFAULT_CONCURRENCY
from fabric_git.fleet.credentials import CredentialResolver, CredentialSpec, github_url
from fabric_git.models.git import GitConnectionState, InitializationStrategy
from fabric_git.workflows.connection import WORKSPACE_PLACEHOLDER, connection_state, same_provider
from fabric_git.workflows.errors import ConnectionMismatchError, WorkflowError
from fabric_git.workflows.results import BatchEntry, StatusReport, SyncResult, WorkspaceRef
from fabric_git.workflows.syncing import SyncOptions, normalize_strategy, run_batch, sync

if TYPE_CHECKING:
    from fabric_git._clock import Clock
    from fabric_git.client import FabricClient
    from fabric_git.models.workspaces import Workspace
    from fabric_git.workflows.events import ProgressCallback

__all__ = [
    "BlockedError",
    "CredentialResolver",
    "CredentialSpec",
    "Target",
    "WorkspacePlan",
    "apply_fleet",
    "match_workspaces",
    "github_url",
    "plan_fleet",
]

# Strategies that settle conflicts (the others leave them to the user).
_POLICIES = (InitializationStrategy.PREFER_REMOTE, InitializationStrategy.PREFER_WORKSPACE)


class BlockedError(WorkflowError):
    """Apply cannot do what the file asks for this workspace, for a reason the user can fix."""

    code = "Blocked"


@dataclass(frozen=True)
class Target:
    """One entry of the file as sync inputs; ``{workspace}`` still in its values."""

    workspace: str
    line: int
    options: SyncOptions
    credentials: CredentialSpec | None = None


@dataclass(frozen=True)
class WorkspacePlan:
    """What apply would do for one workspace: ``steps`` in order (connect or reconnect,
    initialize, update, commit), or why it cannot (``blocked``), or the error reading it."""

    target: Target
    workspace: WorkspaceRef | None
    steps: tuple[str, ...] = ()
    update_items: int = 0
    commit_items: int = 0
    conflicts: int = 0
    blocked: str | None = None
    notes: tuple[str, ...] = ()
    error: BaseException | None = field(default=None, compare=False)

    @property
    def changes(self) -> bool:
        """Anything to change (or blocked from changing): a difference from the file."""
        return bool(self.steps) or self.blocked is not None

    def describe(self) -> str:
        """``nothing``, ``connect, initialize``, ``update 3 items, commit 1 item``, ``blocked``."""
        if self.error is not None:
            return "failed to read"
        if self.blocked is not None:
            return "blocked"
        if not self.steps:
            return "nothing"
        words = []
        for step in self.steps:
            if step == "update":
                words.append(f"update {_items(self.update_items)}")
            elif step == "commit":
                words.append(f"commit {_items(self.commit_items)}")
            else:
                words.append(step)
        return ", ".join(words)

    def to_json(self) -> dict[str, Any]:
        return {
            "workspace": self.target.workspace,
            "line": self.target.line,
            "id": self.workspace.id if self.workspace else None,
            "plan": self.describe(),
            "steps": list(self.steps),
            "items": {
                "update": self.update_items,
                "commit": self.commit_items,
                "conflicts": self.conflicts,
            },
            "blocked": self.blocked,
            "notes": list(self.notes),
        }


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def match_workspaces(listed: Sequence[Workspace], wanted: str) -> list[Workspace]:
    """Workspaces ``wanted`` names: an id, a display name (exact, then ignoring case) or a glob
    (``Sales *``) on display names."""
    text = wanted.strip()
    by_id = [w for w in listed if w.id.casefold() == text.casefold()]
    if by_id:
        return by_id
    exact = [w for w in listed if w.display_name == text]
    if exact:
        return exact
    folded = [w for w in listed if w.display_name.casefold() == text.casefold()]
    if folded or not any(c in text for c in "*?["):
        return folded
    return [w for w in listed if fnmatch.fnmatchcase(w.display_name.casefold(), text.casefold())]


def _resolve(
    listed: Sequence[Workspace], targets: Sequence[Target]
) -> dict[str, Workspace | ResolutionError]:
    """Each target's workspace from one listing, by the client's rules for a name or an id."""
    from fabric_git.client import _resolve as resolve_name

    found: dict[str, Workspace | ResolutionError] = {}
    for target in targets:
        wanted = target.workspace.strip()
        by_id = [w for w in listed if w.id.casefold() == wanted.casefold()]
        try:
            found[target.workspace] = (
                by_id[0]
                if by_id
                else resolve_name(
                    "workspace", wanted, listed, lambda w: w.display_name, lambda w: w.id
                )
            )
        except ResolutionError as error:
            found[target.workspace] = error
    return found


def _placed(value: str | None, name: str) -> str | None:
    return value.replace(WORKSPACE_PLACEHOLDER, name) if value else value


def _for(target: Target, ws: WorkspaceRef) -> tuple[SyncOptions, CredentialSpec | None]:
    """The target's options and credentials with ``{workspace}`` replaced by the name."""
    options = target.options
    provider = options.provider
    if provider is not None:
        fields = {
            key: value.replace(WORKSPACE_PLACEHOLDER, ws.name)
            for key, value in provider.model_dump().items()
            if isinstance(value, str) and WORKSPACE_PLACEHOLDER in value
        }
        provider = provider.model_copy(update=fields) if fields else provider
    options = replace(options, provider=provider, comment=_placed(options.comment, ws.name))
    spec = target.credentials
    if spec is not None:
        spec = replace(
            spec,
            connection=_placed(spec.connection, ws.name),
            connection_name=_placed(spec.connection_name, ws.name),
            repository_url=_placed(spec.repository_url, ws.name),
        )
    return options, spec


def _no_capacity(workspace: Workspace) -> str | None:
    if workspace.capacity_id:
        return None
    return "no capacity: Git integration needs the workspace on a Fabric capacity; assign one"


@dataclass(frozen=True)
class _Run:
    client: FabricClient
    targets: Sequence[Target]
    resolved: dict[str, Workspace | ResolutionError]
    concurrency: int
    clock: Clock | None

    def each(self, run: Callable[[Target, WorkspaceRef], SyncResult]) -> dict[str, BatchEntry]:
        by_name = {t.workspace: t for t in self.targets}
        runnable = [t.workspace for t in self.targets if not self._error(t)]

        def one(name: str, _progress: ProgressCallback) -> SyncResult:
            workspace = self.resolved[name]
            assert not isinstance(workspace, BaseException)
            ref = WorkspaceRef(id=workspace.id, name=workspace.display_name)
            blocked = _no_capacity(workspace)
            if blocked:
                raise BlockedError(blocked, workspace_id=workspace.id)
            return run(by_name[name], ref)

        batch = run_batch(runnable, one, concurrency=self.concurrency, clock=self.clock)
        entries = {entry.workspace: entry for entry in batch.entries}
        for target in self.targets:
            error = self._error(target)
            if error is not None:
                entries[target.workspace] = BatchEntry(target.workspace, error=error)
        return entries

    def _error(self, target: Target) -> ResolutionError | None:
        found = self.resolved[target.workspace]
        return found if isinstance(found, ResolutionError) else None

    def ref(self, target: Target) -> WorkspaceRef | None:
        found = self.resolved[target.workspace]
        if isinstance(found, BaseException):
            return None
        return WorkspaceRef(id=found.id, name=found.display_name)


def _start(
    client: FabricClient, targets: Sequence[Target], concurrency: int, clock: Clock | None
) -> _Run:
    listed = client.workspaces.list()
    resolved = _resolve(listed, targets)
    seen: dict[str, Target] = {}
    for target in targets:
        found = resolved[target.workspace]
        if isinstance(found, BaseException):
            continue
        first = seen.setdefault(found.id, target)
        if first is not target:
            from fabric_git.errors import ConfigurationError

            raise ConfigurationError(
                f"line {target.line}: {target.workspace!r} is the workspace of line {first.line} "
                f"({first.workspace!r}, id {found.id}); list each workspace once"
            )
    return _Run(client, targets, resolved, concurrency, clock)


def plan_fleet(
    client: FabricClient,
    targets: Sequence[Target],
    *,
    pat: Callable[[str], str | None],
    concurrency: int = DEFAULT_CONCURRENCY,
    clock: Clock | None = None,
    progress: ProgressCallback | None = None,
) -> list[WorkspacePlan]:
    """What apply would do for each target, in file order; changes nothing."""
    run = _start(client, targets, concurrency, clock)
    credentials = CredentialResolver(client, pat)

    def plan_one(target: Target, ws: WorkspaceRef) -> SyncResult:
        options, spec = _for(target, ws)
        result = sync(client, ws, replace(options, dry_run=True), progress=progress)
        if "Connect" in result.actions and spec is not None:
            problem = credentials.problem(spec)
            if problem:
                raise BlockedError(f"cannot connect: {problem}", workspace_id=ws.id)
        return result

    entries = run.each(plan_one)
    return [_plan_of(t, run.ref(t), entries[t.workspace]) for t in targets]


def _plan_of(target: Target, ws: WorkspaceRef | None, entry: BatchEntry) -> WorkspacePlan:
    if entry.error is not None:
        error = entry.error
        if isinstance(error, ConnectionMismatchError):
            return WorkspacePlan(
                target,
                ws,
                blocked=f"connected to {error.current}, not {error.requested}; "
                "set `reconnect: true` to reconnect",
            )
        if isinstance(error, BlockedError):
            return WorkspacePlan(target, ws, blocked=str(error))
        return WorkspacePlan(target, ws, error=error)
    result = entry.result
    assert result is not None
    steps: list[str] = []
    if "Disconnect" in result.actions:
        steps.append("reconnect")
    elif "Connect" in result.actions:
        steps.append("connect")
    if "InitializeConnection" in result.actions:
        steps.append("initialize")
    status: StatusReport | None = result.status
    update = commit = conflicts = 0
    notes = [n for n in result.notes if "is known only once" not in n]
    notes = [n for n in notes if not n.startswith("the update is blocked")]
    if status is not None:
        conflicts = len(status.conflicts)
        if "UpdateFromGit" in result.actions:
            steps.append("update")
            update = len(status.incoming)
        if "CommitToGit" in result.actions:
            steps.append("commit")
            commit = len(status.outgoing)
    blocked = None
    settles = normalize_strategy(target.options.strategy) in _POLICIES
    if "update" in steps and conflicts and not settles:
        blocked = (
            f"{conflicts} item(s) changed in both the workspace and Git and no strategy says "
            "which wins; set `strategy: prefer-remote` or `prefer-workspace`"
        )
    return WorkspacePlan(
        target,
        ws,
        steps=tuple(steps),
        update_items=update,
        commit_items=commit,
        conflicts=conflicts,
        blocked=blocked,
        notes=tuple(notes),
    )


def apply_fleet(
    client: FabricClient,
    targets: Sequence[Target],
    *,
    pat: Callable[[str], str | None],
    concurrency: int = DEFAULT_CONCURRENCY,
    clock: Clock | None = None,
    progress: ProgressCallback | None = None,
) -> list[BatchEntry]:
    """Sync every target as its entry says, in file order; one failure stops no other."""
    run = _start(client, targets, concurrency, clock)
    credentials = CredentialResolver(client, pat)

    def apply_one(target: Target, ws: WorkspaceRef) -> SyncResult:
        options, spec = _for(target, ws)
        if options.provider is not None and spec is not None:
            current = client.git.get_connection(ws.id)
            details = current.git_provider_details
            connects = (
                connection_state(current) == GitConnectionState.NOT_CONNECTED
                or details is None
                or (options.reconnect and not same_provider(details, options.provider))
            )
            if connects:
                options = replace(options, credentials=credentials.ensure(spec))
        return sync(client, ws, options, progress=progress)

    entries = run.each(apply_one)
    return [entries[t.workspace] for t in targets]
