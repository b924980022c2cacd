"""Workspace relations: a branch workspace and its base (List, Create and Delete Workspace
Relation).

One relation joins a base and a branch; each side lists it under the same id, the base seeing
the other side as its ``Branch`` and the branch seeing it as its ``Base``. A branch workspace
has one base; a base may have many branches; no workspace is its own base, however far up
(docs/git-integration-rules.md).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fabric_git.emulator import errors
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend.git.access import ADMIN, CONTRIBUTOR
from fabric_git.emulator.backend.git_errors import git_error
from fabric_git.emulator.backend.workspaces import require_role
from fabric_git.emulator.ids import new_id

if TYPE_CHECKING:
    from fabric_git.emulator.state import EmulatorState

__all__ = [
    "BASE",
    "BRANCH",
    "Relation",
    "create_relation",
    "delete_relation",
    "list_relations",
    "remove_relations",
]

BASE = "Base"
BRANCH = "Branch"
VIEWER = "Viewer"


@dataclass(frozen=True)
class Relation:
    """A relation as one workspace sees it."""

    id: str
    workspace_id: str
    related_workspace_id: str
    relation_type: str  # "Base" | "Branch"


def _seen_from(workspace_id: str, row: sqlite3.Row | tuple[str, str, str]) -> Relation:
    relation_id, base, branch = str(row[0]), str(row[1]), str(row[2])
    if workspace_id == branch:
        return Relation(relation_id, workspace_id, base, BASE)
    return Relation(relation_id, workspace_id, branch, BRANCH)


def _relations_of(conn: sqlite3.Connection, workspace_id: str) -> list[Relation]:
    rows = conn.execute(
        "SELECT id, base_workspace_id, branch_workspace_id FROM workspace_relations"
        " WHERE base_workspace_id = ? OR branch_workspace_id = ? ORDER BY created_at, id",
        (workspace_id, workspace_id),
    ).fetchall()
    return [_seen_from(workspace_id, row) for row in rows]


def list_relations(state: EmulatorState, principal: Principal, workspace_id: str) -> list[Relation]:
    with state.store.read() as conn:
        require_role(conn, workspace_id, principal, VIEWER)
        return _relations_of(conn, workspace_id)


def _base_of(conn: sqlite3.Connection, workspace_id: str) -> str | None:
    row = conn.execute(
        "SELECT base_workspace_id FROM workspace_relations WHERE branch_workspace_id = ?",
        (workspace_id,),
    ).fetchone()
    return None if row is None else str(row[0])


def create_relation(
    state: EmulatorState,
    principal: Principal,
    workspace_id: str,
    related_workspace_id: str,
    relation_type: str,
) -> Relation:
    """Admin on the branch workspace, Contributor or above on the base (the spec's
    Permissions text)."""
    base, branch = (
        (related_workspace_id, workspace_id)
        if relation_type == BASE
        else (workspace_id, related_workspace_id)
    )
    with state.store.write() as conn:
        require_role(
            conn, workspace_id, principal, ADMIN if branch == workspace_id else CONTRIBUTOR
        )
        if related_workspace_id == workspace_id:
            raise errors.invalid_input(
                "relatedWorkspaceId", "A workspace cannot be related to itself"
            )
        require_role(conn, branch, principal, ADMIN)
        require_role(conn, base, principal, CONTRIBUTOR)
        current = _base_of(conn, branch)
        if current is not None:
            raise git_error(
                "BranchWorkspaceAlreadyHasBase",
                f"The workspace {branch} is already a branch workspace of {current}; a branch "
                "workspace has one base. Delete that relation first.",
            )
        ancestor: str | None = base
        while ancestor is not None:
            if ancestor == branch:
                raise git_error(
                    "WorkspaceRelationCycle",
                    f"The workspace {branch} is a base of {base}, so it cannot be its branch.",
                )
            ancestor = _base_of(conn, ancestor)
        relation_id = new_id()
        conn.execute(
            "INSERT INTO workspace_relations (id, base_workspace_id, branch_workspace_id,"
            " created_at) VALUES (?, ?, ?, ?)",
            (relation_id, base, branch, state.clock.now()),
        )
    return _seen_from(workspace_id, (relation_id, base, branch))


def delete_relation(
    state: EmulatorState, principal: Principal, workspace_id: str, relation_id: str
) -> None:
    """Admin on the workspace named in the path, which must be a side of the relation."""
    with state.store.write() as conn:
        require_role(conn, workspace_id, principal, ADMIN)
        deleted = conn.execute(
            "DELETE FROM workspace_relations WHERE id = ?"
            " AND (base_workspace_id = ? OR branch_workspace_id = ?)",
            (relation_id, workspace_id, workspace_id),
        ).rowcount
        if deleted == 0:
            raise errors.EmulatorError(
                404,
                "WorkspaceRelationNotFound",
                "The workspace relation was not found for this workspace",
            )


def remove_relations(conn: sqlite3.Connection, workspace_id: str) -> None:
    """Every relation of the workspace, as its Git connection goes."""
    conn.execute(
        "DELETE FROM workspace_relations WHERE base_workspace_id = ? OR branch_workspace_id = ?",
        (workspace_id, workspace_id),
    )
