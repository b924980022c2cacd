"""Initialize Connection: the first step after Connect, which decides (by the rules table)
whether the workspace and the branch already agree or which side an update must take."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend import git_errors, items
from fabric_git.emulator.backend.git import records
from fabric_git.emulator.backend.git.access import (
    ADMIN,
    RepoAccess,
    check_access,
    connected,
    open_branch,
)
from fabric_git.emulator.backend.git.records import GitConnectionRecord
from fabric_git.emulator.backend.git.rules import (
    InitializationStrategy,
    RequiredAction,
    RuleError,
    decide_initialization,
    is_provisional,
    match_logical_ids,
)
from fabric_git.emulator.backend.git.sides import (
    GitItems,
    WorkspaceItems,
    git_items,
    workspace_items,
)

if TYPE_CHECKING:
    from fabric_git.emulator.state import EmulatorState

__all__ = ["INITIAL_UPDATE", "InitializeResult", "check_initialize", "initialize"]

INITIAL_UPDATE = "UpdateFromGit"
"""The pending step of a connection whose first update is still to come."""


@dataclass(frozen=True)
class InitializeResult:
    required_action: RequiredAction
    workspace_head: str | None  # None: the workspace waits for its first update
    remote_commit_hash: str


def check_initialize(
    state: EmulatorState,
    principal: Principal,
    workspace_id: str,
    strategy: InitializationStrategy | None,
) -> None:
    """What the request decides before the operation starts, ``MissingInitializationPolicy``
    included (the spec lists it among the request's errors); the operation checks it again."""
    with state.store.read() as conn:
        record, pat = connected(
            conn, state.sealer, principal, workspace_id, ADMIN, initialized=False
        )
        if record.state == records.INITIALIZED:
            raise git_errors.connection_already_initialized()
        _decide(state, conn, record, pat, strategy)


def _decide(
    state: EmulatorState,
    conn: sqlite3.Connection,
    record: GitConnectionRecord,
    pat: RepoAccess,
    strategy: InitializationStrategy | None,
) -> tuple[RequiredAction, str, GitItems, WorkspaceItems]:
    """The required action, the branch tip and the two sides it was decided on."""
    repo, tip = open_branch(state.repos, record)
    check_access(repo, pat)
    remote = git_items(state.commit_items, repo, tip, record.directory_name)
    entries = workspace_items(conn, record.workspace_id, state.part_cache)
    try:
        action = decide_initialization(bool(entries), bool(remote), strategy)
    except RuleError as error:
        raise git_errors.from_rule(error) from None
    return action, tip, remote, entries


def initialize(
    state: EmulatorState,
    principal: Principal,
    workspace_id: str,
    strategy: InitializationStrategy | None,
) -> InitializeResult:
    with state.store.write() as conn:
        record, pat = connected(
            conn, state.sealer, principal, workspace_id, ADMIN, initialized=False
        )
        if record.state == records.INITIALIZED:
            raise git_errors.connection_already_initialized()
        action, tip, remote, entries = _decide(state, conn, record, pat, strategy)
        adopted = match_logical_ids(
            (
                (
                    e.object_id,
                    None if is_provisional(key) else key,
                    e.state.type,
                    e.state.display_name,
                )
                for key, e in entries.items()
            ),
            remote.values(),
        )
        for object_id, logical_id in adopted.items():
            items.update_item(conn, object_id, logical_id=logical_id)
        synced = action is not RequiredAction.UPDATE_FROM_GIT
        head = tip if synced else None
        records.set_sync(
            conn,
            workspace_id,
            expected_head=record.workspace_head,
            head=head,
            last_sync_time=state.clock.now() if synced else None,
            pending_initial=None if synced else INITIAL_UPDATE,
        )
    return InitializeResult(required_action=action, workspace_head=head, remote_commit_hash=tip)
