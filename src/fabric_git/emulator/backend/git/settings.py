"""Get and Update Connection Settings, and who may change the connected branch.

The REST API has no "switch branch": a branch changes by Disconnect, then Connect to the same
repository and directory on another branch. Both need Admin, or Member or Contributor when the
settings' ``additionalRolesAuthorizedToChangeBranch`` is ``MemberAndContributor``. A Disconnect
remembers the repository, the directory and the settings (``git_branch_changes``); a Connect by
such a role must name that repository and directory again, and any Connect to them carries the
settings over (docs/git-integration-rules.md).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fabric_git.emulator import errors
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend.git.access import (
    ADMIN,
    CONTRIBUTOR,
    normalise_directory,
    repo_key,
    require_connection,
    require_workspace,
)
from fabric_git.emulator.backend.git.records import GitConnectionRecord
from fabric_git.emulator.backend.workspaces import ROLE_RANK, get_workspace, role_of

if TYPE_CHECKING:
    from fabric_git.emulator.state import EmulatorState

__all__ = [
    "BRANCH_CHANGERS",
    "ConnectionSettings",
    "forget_branch_change",
    "get_settings",
    "may_change_branch",
    "remember_branch_change",
    "require_branch_change",
    "start_settings",
    "update_settings",
]

NONE = "None"
MEMBER_AND_CONTRIBUTOR = "MemberAndContributor"
BRANCH_CHANGERS = (NONE, MEMBER_AND_CONTRIBUTOR)


@dataclass(frozen=True)
class ConnectionSettings:
    additional_roles_authorized_to_change_branch: str = NONE


def _stored(conn: sqlite3.Connection, workspace_id: str) -> ConnectionSettings:
    row = conn.execute(
        "SELECT branch_changers FROM git_connection_settings WHERE workspace_id = ?",
        (workspace_id,),
    ).fetchone()
    return ConnectionSettings(str(row[0])) if row else ConnectionSettings()


def _put(conn: sqlite3.Connection, workspace_id: str, settings: ConnectionSettings) -> None:
    conn.execute(
        "INSERT INTO git_connection_settings (workspace_id, branch_changers) VALUES (?, ?)"
        " ON CONFLICT (workspace_id) DO UPDATE SET branch_changers = excluded.branch_changers",
        (workspace_id, settings.additional_roles_authorized_to_change_branch),
    )


def get_settings(
    state: EmulatorState, principal: Principal, workspace_id: str
) -> ConnectionSettings:
    with state.store.read() as conn:
        require_workspace(conn, workspace_id, principal, CONTRIBUTOR)
        require_connection(conn, workspace_id)
        return _stored(conn, workspace_id)


def update_settings(
    state: EmulatorState, principal: Principal, workspace_id: str, branch_changers: str | None
) -> ConnectionSettings:
    """Only what the request gives changes (None: keep the current value)."""
    with state.store.write() as conn:
        require_workspace(conn, workspace_id, principal, ADMIN)
        require_connection(conn, workspace_id)
        settings = _stored(conn, workspace_id)
        if branch_changers is not None:
            settings = ConnectionSettings(branch_changers)
            _put(conn, workspace_id, settings)
        return settings


# --- changing the branch ----------------------------------------------------------------


def _may_by_role(role: str | None, branch_changers: str) -> bool:
    if role is None:
        return False
    if role == ADMIN:
        return True
    return branch_changers == MEMBER_AND_CONTRIBUTOR and ROLE_RANK[role] >= ROLE_RANK[CONTRIBUTOR]


def may_change_branch(conn: sqlite3.Connection, principal: Principal, workspace_id: str) -> None:
    """Disconnect's role check: Admin, or a role the connected workspace's settings add."""
    get_workspace(conn, workspace_id)
    role = role_of(conn, workspace_id, principal)
    if not _may_by_role(
        role, _stored(conn, workspace_id).additional_roles_authorized_to_change_branch
    ):
        raise errors.insufficient_privileges()


def _where(record: GitConnectionRecord) -> tuple[str, str]:
    return str(repo_key(record)), normalise_directory(record.directory_name)


def remember_branch_change(conn: sqlite3.Connection, record: GitConnectionRecord) -> None:
    """On Disconnect: where the workspace was connected, and its settings."""
    repository, directory = _where(record)
    settings = _stored(conn, record.workspace_id)
    conn.execute(
        "INSERT OR REPLACE INTO git_branch_changes"
        " (workspace_id, repository, directory_name, branch_changers) VALUES (?, ?, ?, ?)",
        (
            record.workspace_id,
            repository,
            directory,
            settings.additional_roles_authorized_to_change_branch,
        ),
    )
    conn.execute(
        "DELETE FROM git_connection_settings WHERE workspace_id = ?", (record.workspace_id,)
    )


def _branch_change(conn: sqlite3.Connection, workspace_id: str) -> tuple[str, str, str] | None:
    row = conn.execute(
        "SELECT repository, directory_name, branch_changers FROM git_branch_changes"
        " WHERE workspace_id = ?",
        (workspace_id,),
    ).fetchone()
    return (str(row[0]), str(row[1]), str(row[2])) if row else None


def require_branch_change(
    conn: sqlite3.Connection,
    principal: Principal,
    workspace_id: str,
    record: GitConnectionRecord | None = None,
) -> None:
    """Connect's role check: Admin, or a role the settings of the workspace's last connection
    add, connecting again to that repository and directory (``record``: the connection asked
    for; None checks the role alone, before the body is read)."""
    role = role_of(conn, workspace_id, principal)
    if role == ADMIN:
        return
    change = _branch_change(conn, workspace_id)
    if change is None or not _may_by_role(role, change[2]):
        raise errors.insufficient_privileges()
    if record is not None and _where(record) != change[:2]:
        raise errors.insufficient_privileges(
            "Only an Admin may connect the workspace to another repository or directory; "
            "the settings allow this role to change the branch only."
        )


def start_settings(conn: sqlite3.Connection, record: GitConnectionRecord) -> None:
    """On Connect: the settings of the last connection carry over to the same repository and
    directory; elsewhere they start afresh."""
    change = _branch_change(conn, record.workspace_id)
    forget_branch_change(conn, record.workspace_id)
    if change is not None and _where(record) == change[:2]:
        _put(conn, record.workspace_id, ConnectionSettings(change[2]))


def forget_branch_change(conn: sqlite3.Connection, workspace_id: str) -> None:
    conn.execute("DELETE FROM git_branch_changes WHERE workspace_id = ?", (workspace_id,))
