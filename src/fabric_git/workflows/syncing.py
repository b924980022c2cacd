"""Sync: connect if needed, initialize, act on the required action, report the status.

Safe to re-run. On a connection that is already initialized, sync converges instead of
initializing again: incoming Git changes are applied (conflicts settled by the strategy), and
workspace changes are committed only when the strategy is ``PreferWorkspace``. When no item
differs, nothing runs and the result is a no-op (even if the branch moved outside the workspace's
directory, as it does when several workspaces share a repository).

One module because sync is one flow (connect, initialize, act on the required action,
converge, retried when the branch moves) whose steps share its options, its reporter and the
result they build. ``sync_many`` runs it for many workspaces through ``workflows.batch``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fabric_git.errors import (
    ApiError,
    OperationFailedError,
)
from fabric_git.models.git import (
    CommitMode,
    GitConnectionState,
    InitializationStrategy,
    RequiredAction,
    WorkspaceConflictResolution,
)
from fabric_git.workflows.batch import DEFAULT_CONCURRENCY, run_batch
from fabric_git.workflows.committing import commit_from_status
from fabric_git.workflows.connection import (
    check_connection_scope,
    connect,
    connection_state,
    describe_provider,
    for_workspace,
    same_provider,
)
from fabric_git.workflows.errors import (
    ConflictsNeedPolicyError,
    ConnectionMismatchError,
    NotConnectedError,
    check_comment,
)
from fabric_git.workflows.events import ProgressCallback, Reporter
from fabric_git.workflows.results import (
    BatchSyncResult,
    Change,
    SyncResult,
    WorkspaceRef,
)
from fabric_git.workflows.status import read_status, resolve_workspace
from fabric_git.workflows.updating import OVERRIDE_BLOCK, update_from_status

if TYPE_CHECKING:
    from fabric_git._clock import Clock
    from fabric_git.client import FabricClient
    from fabric_git.models.git import (
        GitCredentials,
        GitProviderDetails,
        InitializeGitConnectionResponse,
    )

__all__ = [
    "DEFAULT_CONCURRENCY",
    "SyncOptions",
    "normalize_strategy",
    "run_batch",
    "sync",
    "sync_many",
]

# Codes meaning "the branch moved since you looked": another commit won the race (workspaces
# sharing a branch). Sync reads the status again and retries, a few times.
_BRANCH_RACE = frozenset({"WorkspaceUpdateRequired", "RemoteCommitHashMismatch"})
_RACE_ATTEMPTS = 4
_STRATEGIES = {s.value.casefold(): s for s in InitializationStrategy} | {
    "prefer-remote": InitializationStrategy.PREFER_REMOTE,
    "prefer-workspace": InitializationStrategy.PREFER_WORKSPACE,
}


def normalize_strategy(strategy: str | None) -> InitializationStrategy | None:
    """``PreferRemote``/``prefer-remote`` (any case), ``PreferWorkspace``, ``None``."""
    if strategy is None:
        return None
    try:
        return _STRATEGIES[strategy.strip().casefold()]
    except KeyError:
        from fabric_git.errors import ConfigurationError

        raise ConfigurationError(
            f"unknown strategy {strategy!r}; use prefer-remote, prefer-workspace or none "
            "(or the Fabric spellings PreferRemote, PreferWorkspace, None)"
        ) from None


@dataclass(frozen=True, kw_only=True)
class SyncOptions:
    """How to sync. ``provider`` (and ``credentials``) are needed only to connect; a
    ``{workspace}`` in its directory becomes each workspace's display name."""

    provider: GitProviderDetails | None = None
    credentials: GitCredentials | None = None
    strategy: str | None = None
    reconnect: bool = False
    allow_override_items: bool = False
    comment: str | None = None
    dry_run: bool = False
    timeout: float | None = None


def sync(
    client: FabricClient,
    workspace: str | WorkspaceRef,
    options: SyncOptions | None = None,
    *,
    progress: ProgressCallback | None = None,
) -> SyncResult:
    opts = options or SyncOptions()
    strategy = normalize_strategy(opts.strategy)
    check_comment(opts.comment)
    ws = workspace if isinstance(workspace, WorkspaceRef) else resolve_workspace(client, workspace)
    reporter = Reporter(ws.name, progress)
    reporter.step("connection", "Reading the Git connection")
    current = client.git.get_connection(ws.id)
    state = connection_state(current)
    actions: list[str] = []
    provider = for_workspace(opts.provider, ws) if opts.provider is not None else None

    if state == GitConnectionState.NOT_CONNECTED or current.git_provider_details is None:
        if provider is None:
            raise NotConnectedError(
                f"workspace {ws.name} ({ws.id}) is not connected to Git and no repository "
                "details were given to connect it",
                workspace_id=ws.id,
            )
        actions.append("Connect")
    elif provider is not None and not same_provider(current.git_provider_details, provider):
        if not opts.reconnect:
            raise ConnectionMismatchError(
                workspace_id=ws.id,
                current=describe_provider(current.git_provider_details),
                requested=describe_provider(provider),
            )
        actions += ["Disconnect", "Connect"]

    if actions:
        if opts.dry_run:
            assert provider is not None
            # What the real connect would be refused for, as far as the API tells beforehand.
            check_connection_scope(client, ws, provider, opts.credentials)
            notes = ["the action after initialization is known only once connected"]
            if current.git_provider_details is not None and "Disconnect" in actions:
                notes.insert(0, f"connected to {describe_provider(current.git_provider_details)}")
            return SyncResult(
                ws,
                dry_run=True,
                actions=(*actions, "InitializeConnection"),
                notes=tuple(notes),
            )
        assert provider is not None
        connect(
            client,
            ws,
            provider,
            credentials=opts.credentials,
            reconnect=opts.reconnect,
            progress=progress,
        )
        state = GitConnectionState.CONNECTED

    if state != GitConnectionState.CONNECTED_AND_INITIALIZED:
        return _initialize_and_act(client, ws, opts, strategy, actions, reporter)
    return _converge_retrying(client, ws, opts, strategy, actions, reporter)


def _initialize_and_act(
    client: FabricClient,
    ws: WorkspaceRef,
    opts: SyncOptions,
    strategy: InitializationStrategy | None,
    actions: list[str],
    reporter: Reporter,
) -> SyncResult:
    if opts.dry_run:
        return SyncResult(
            ws,
            dry_run=True,
            actions=(*actions, "InitializeConnection"),
            notes=("the action after initialization is known only once initialized",),
        )
    reporter.step("initialize", f"Initializing (strategy {strategy or 'None'})")
    init = client.git.initialize_connection(
        ws.id, strategy, timeout=opts.timeout, progress=reporter.operation("initialize")
    )
    actions.append("InitializeConnection")
    required = str(init.required_action or RequiredAction.NONE)
    changes: tuple[Change, ...] = ()
    notes: list[str] = []
    act = required in (RequiredAction.UPDATE_FROM_GIT, RequiredAction.COMMIT_TO_GIT)
    if required != RequiredAction.NONE:
        # What the required action will move, item by item, for the result.
        pending = read_status(
            client,
            ws,
            timeout=opts.timeout,
            reporter=reporter,
            step_of="sync",
            done="the initialization",
        )
        moving = pending.incoming if required == RequiredAction.UPDATE_FROM_GIT else None
        changes = moving if moving is not None else pending.outgoing
        if required == RequiredAction.COMMIT_TO_GIT and not pending.changes:
            # Git already holds exactly the workspace's items (a workspace reconnected to its
            # own directory): the commit asked for would have nothing to commit.
            act = False
            reporter.step("commit", "Nothing to commit: Git already holds the workspace's items")
            notes.append(
                "initialization asked for a commit, but Git already holds exactly the "
                "workspace's items: nothing to commit"
            )
    if act:
        if _act_on_required(client, ws, opts, strategy, required, init, reporter):
            actions.append(required)
        else:
            notes.append("nothing to commit after initialization")
    reporter.step("status", "Reading the Git status")
    after = read_status(
        client, ws, timeout=opts.timeout, reporter=reporter, step_of="sync", done="the sync"
    )
    return SyncResult(
        ws,
        dry_run=False,
        actions=tuple(actions),
        required_action=required,
        changes=changes if act else (),
        status=after,
        notes=tuple(notes),
    )


def _act_on_required(
    client: FabricClient,
    ws: WorkspaceRef,
    opts: SyncOptions,
    strategy: InitializationStrategy | None,
    required: str,
    init: InitializeGitConnectionResponse,
    reporter: Reporter,
) -> bool:
    """Run the action initialization asked for. When another commit moved the branch meanwhile
    (workspaces sharing a branch), read the status and try again on the new tip. False: a commit
    the service found nothing to commit for (nothing was done)."""
    remote = init.remote_commit_hash
    for attempt in range(1, _RACE_ATTEMPTS + 1):
        try:
            if required == RequiredAction.UPDATE_FROM_GIT:
                if remote is None:
                    raise NotConnectedError(
                        "initialization asked for an update but gave no remote commit",
                        workspace_id=ws.id,
                    )
                reporter.step("update", f"Updating from Git to {remote[:12]}")
                policy = _policy_for(strategy)
                client.git.update_from_git(
                    ws.id,
                    remote_commit_hash=remote,
                    workspace_head=init.workspace_head,
                    conflict_resolution=(
                        WorkspaceConflictResolution(conflict_resolution_policy=policy)
                        if policy
                        else None
                    ),
                    allow_override_items=True if opts.allow_override_items else None,
                    timeout=opts.timeout,
                    progress=reporter.operation("update"),
                )
            else:
                reporter.step("commit", "Committing the workspace to Git")
                client.git.commit_to_git(
                    ws.id,
                    mode=str(CommitMode.ALL),
                    workspace_head=init.workspace_head,
                    comment=opts.comment,
                    timeout=opts.timeout,
                    progress=reporter.operation("commit"),
                )
            return True
        except (OperationFailedError, ApiError) as error:
            if required == RequiredAction.COMMIT_TO_GIT and _nothing_to_commit(error):
                return False
            if not _branch_moved(error) or attempt == _RACE_ATTEMPTS:
                raise
            fresh = read_status(
                client,
                ws,
                timeout=opts.timeout,
                reporter=reporter,
                step_of="sync",
                done="the initialization",
            )
            if required == RequiredAction.COMMIT_TO_GIT and fresh.incoming:
                raise  # real changes to apply first, not a race
            remote = fresh.remote_commit_hash
            reporter.step("sync", "The branch moved meanwhile; trying again on its new tip")
    raise AssertionError("unreachable")  # pragma: no cover


def _nothing_to_commit(error: Exception) -> bool:
    return getattr(error, "error_code", None) == "NoChangesToCommit"


def _branch_moved(error: Exception) -> bool:
    return getattr(error, "error_code", None) in _BRANCH_RACE


def _converge_retrying(
    client: FabricClient,
    ws: WorkspaceRef,
    opts: SyncOptions,
    strategy: InitializationStrategy | None,
    actions: list[str],
    reporter: Reporter,
) -> SyncResult:
    """``_converge``, started again from a fresh status when the branch moved under it."""
    for attempt in range(1, _RACE_ATTEMPTS + 1):
        try:
            return _converge(client, ws, opts, strategy, list(actions), reporter)
        except (OperationFailedError, ApiError) as error:
            if not _branch_moved(error) or attempt == _RACE_ATTEMPTS:
                raise
            reporter.step("sync", "The branch moved meanwhile; reading the status again")
    raise AssertionError("unreachable")  # pragma: no cover


def _converge(
    client: FabricClient,
    ws: WorkspaceRef,
    opts: SyncOptions,
    strategy: InitializationStrategy | None,
    actions: list[str],
    reporter: Reporter,
) -> SyncResult:
    reporter.step("status", "Reading the Git status")
    status = read_status(
        client,
        ws,
        timeout=opts.timeout,
        reporter=reporter,
        step_of="sync",
    )
    policy = _policy_for(strategy)
    applied: list[Change] = []
    notes: list[str] = []
    # Only item changes call for an update: a branch that moved outside this workspace's
    # directory (other workspaces sharing the repository) leaves nothing to apply.
    if status.incoming:
        if status.conflicts and policy is None and not opts.dry_run:
            raise ConflictsNeedPolicyError(
                workspace_id=ws.id,
                conflicts=[c.name for c in status.conflicts],
                what="the sync (--strategy)",
            )
        updated = update_from_status(
            client,
            status,
            conflict_policy=str(policy) if policy else None,
            allow_override_items=opts.allow_override_items,
            dry_run=opts.dry_run,
            timeout=opts.timeout,
            reporter=reporter,
        )
        if updated.blocked_by:
            option = (
                "--allow-override-items" if updated.blocked_by == OVERRIDE_BLOCK else "--strategy"
            )
            notes.append(f"the update is blocked: {updated.blocked_by} (give {option})")
        actions.append("UpdateFromGit")
        applied.extend(updated.changes)
        status = updated.status
    if strategy is InitializationStrategy.PREFER_WORKSPACE and status.outgoing:
        if opts.dry_run and actions:
            notes.append("workspace changes are committed after the update")
            actions.append("CommitToGit")
            applied.extend(status.outgoing)
        else:
            committed = commit_from_status(
                client,
                status,
                selectors=(),
                comment=opts.comment,
                dry_run=opts.dry_run,
                timeout=opts.timeout,
                reporter=reporter,
            )
            actions.append("CommitToGit")
            applied.extend(committed.items)
            status = committed.status
    elif status.outgoing:
        notes.append(
            f"{len(status.outgoing)} workspace change(s) left uncommitted "
            "(sync commits them only with --strategy prefer-workspace)"
        )
    if not actions:
        reporter.step("sync", "Nothing to do: already in sync")
    return SyncResult(
        ws,
        dry_run=opts.dry_run,
        actions=tuple(actions),
        changes=tuple(applied),
        status=status,
        notes=tuple(notes),
    )


def _policy_for(strategy: InitializationStrategy | None) -> str | None:
    if strategy is InitializationStrategy.PREFER_REMOTE:
        return "PreferRemote"
    if strategy is InitializationStrategy.PREFER_WORKSPACE:
        return "PreferWorkspace"
    return None


def sync_many(
    client: FabricClient,
    workspaces: Sequence[str],
    options: SyncOptions | None = None,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    throttle_retries: int = 5,
    clock: Clock | None = None,
    progress: ProgressCallback | None = None,
) -> BatchSyncResult:
    """Sync several workspaces, at most ``concurrency`` at a time.

    A workspace whose sync ends throttled (429 after the library's own retries) is synced again
    after the service's ``Retry-After`` (or an exponential backoff), up to ``throttle_retries``
    more times: sync is safe to re-run. Other errors are recorded per workspace; the others go on.
    """
    opts = options or SyncOptions()
    return run_batch(
        workspaces,
        lambda name, guarded: sync(client, name, opts, progress=guarded),
        concurrency=concurrency,
        throttle_retries=throttle_retries,
        clock=clock,
        progress=progress,
    )
