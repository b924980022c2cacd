"""Workspaces, workspace roles and the emulated capacity."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from fabric_git.emulator import errors
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.ids import new_id

ROLE_RANK = {"Viewer": 1, "Contributor": 2, "Member": 3, "Admin": 4}
ROLES = tuple(ROLE_RANK)
PRINCIPAL_TYPES = ("User", "ServicePrincipal", "Group", "ServicePrincipalProfile")
MAX_NAME_LENGTH = 256


@dataclass(frozen=True)
class WorkspaceRecord:
    id: str
    display_name: str
    description: str
    capacity_id: str | None
    type: str


@dataclass(frozen=True)
class RoleAssignment:
    id: str
    workspace_id: str
    principal_id: str
    principal_type: str
    role: str
    principal_name: str | None


@dataclass(frozen=True)
class CapacityRecord:
    id: str
    display_name: str
    sku: str
    region: str
    state: str


def _workspace(row: sqlite3.Row) -> WorkspaceRecord:
    return WorkspaceRecord(
        id=row["id"],
        display_name=row["display_name"],
        description=row["description"],
        capacity_id=row["capacity_id"],
        type=row["type"],
    )


def find_workspace(conn: sqlite3.Connection, workspace_id: str) -> WorkspaceRecord | None:
    row = conn.execute("SELECT * FROM workspaces WHERE id = ?", (workspace_id,)).fetchone()
    return None if row is None else _workspace(row)


def get_workspace(conn: sqlite3.Connection, workspace_id: str) -> WorkspaceRecord:
    record = find_workspace(conn, workspace_id)
    if record is None:
        raise errors.workspace_not_found(workspace_id)
    return record


def role_of(conn: sqlite3.Connection, workspace_id: str, principal: Principal) -> str | None:
    row = conn.execute(
        "SELECT role FROM workspace_roles WHERE workspace_id = ? AND principal_id = ?",
        (workspace_id, principal.id),
    ).fetchone()
    return None if row is None else str(row[0])


def require_role(
    conn: sqlite3.Connection, workspace_id: str, principal: Principal, minimum: str
) -> WorkspaceRecord:
    """The workspace, if ``principal`` holds at least ``minimum`` on it.

    404 ``WorkspaceNotFound`` when it does not exist; 403 ``InsufficientPrivileges`` when the
    caller has no role or a lower one (Fabric answers 403 for a workspace the caller cannot see).
    """
    record = get_workspace(conn, workspace_id)
    role = role_of(conn, workspace_id, principal)
    if role is None or ROLE_RANK[role] < ROLE_RANK[minimum]:
        raise errors.insufficient_privileges()
    return record


def list_workspaces(
    conn: sqlite3.Connection, principal: Principal, roles: frozenset[str] | None = None
) -> list[WorkspaceRecord]:
    """Workspaces on which ``principal`` has a role (optionally one of ``roles``)."""
    rows = conn.execute(
        "SELECT w.*, r.role AS my_role FROM workspaces w JOIN workspace_roles r"
        " ON r.workspace_id = w.id AND r.principal_id = ? ORDER BY w.created_at, w.rowid",
        (principal.id,),
    ).fetchall()
    return [_workspace(row) for row in rows if roles is None or row["my_role"] in roles]


def _check_name_free(conn: sqlite3.Connection, name: str, exclude_id: str | None = None) -> None:
    row = conn.execute(
        "SELECT id FROM workspaces WHERE lower(display_name) = lower(?) AND id IS NOT ?",
        (name, exclude_id),
    ).fetchone()
    if row is not None:
        raise errors.workspace_name_already_exists(name)


def create_workspace(
    conn: sqlite3.Connection,
    principal: Principal,
    *,
    display_name: str,
    description: str = "",
    capacity_id: str | None = None,
    now: float,
) -> WorkspaceRecord:
    """A new workspace whose creator is its Admin."""
    _check_name_free(conn, display_name)
    if capacity_id is not None:
        get_capacity(conn, capacity_id)
    workspace_id = new_id()
    conn.execute(
        "INSERT INTO workspaces (id, display_name, description, type, capacity_id, created_at)"
        " VALUES (?, ?, ?, 'Workspace', ?, ?)",
        (workspace_id, display_name, description, capacity_id, now),
    )
    _remember(conn, principal)
    conn.execute(
        "INSERT INTO workspace_roles (id, workspace_id, principal_id, principal_type, role)"
        " VALUES (?, ?, ?, ?, 'Admin')",
        (f"{workspace_id}:{principal.id}", workspace_id, principal.id, principal.type),
    )
    return get_workspace(conn, workspace_id)


def update_workspace(
    conn: sqlite3.Connection,
    workspace_id: str,
    *,
    display_name: str | None = None,
    description: str | None = None,
) -> WorkspaceRecord:
    if display_name is not None:
        _check_name_free(conn, display_name, exclude_id=workspace_id)
        conn.execute(
            "UPDATE workspaces SET display_name = ? WHERE id = ?", (display_name, workspace_id)
        )
    if description is not None:
        conn.execute(
            "UPDATE workspaces SET description = ? WHERE id = ?", (description, workspace_id)
        )
    return get_workspace(conn, workspace_id)


def delete_workspace(conn: sqlite3.Connection, workspace_id: str) -> None:
    # Items first: they reference folders, which the workspace delete cascades to.
    conn.execute("DELETE FROM items WHERE workspace_id = ?", (workspace_id,))
    conn.execute("DELETE FROM workspaces WHERE id = ?", (workspace_id,))


def set_capacity(conn: sqlite3.Connection, workspace_id: str, capacity_id: str | None) -> None:
    if capacity_id is not None:
        get_capacity(conn, capacity_id)
    conn.execute("UPDATE workspaces SET capacity_id = ? WHERE id = ?", (capacity_id, workspace_id))


# --- role assignments ------------------------------------------------------------------------


def _assignment(row: sqlite3.Row) -> RoleAssignment:
    # Fabric names a role assignment by its principal's id.
    return RoleAssignment(
        id=row["principal_id"],
        workspace_id=row["workspace_id"],
        principal_id=row["principal_id"],
        principal_type=row["principal_type"],
        role=row["role"],
        principal_name=row["name"],
    )


_ASSIGNMENT_QUERY = (
    "SELECT r.*, p.name AS name FROM workspace_roles r LEFT JOIN principals p"
    " ON p.id = r.principal_id"
)


def list_role_assignments(conn: sqlite3.Connection, workspace_id: str) -> list[RoleAssignment]:
    rows = conn.execute(
        f"{_ASSIGNMENT_QUERY} WHERE r.workspace_id = ? ORDER BY r.rowid", (workspace_id,)
    ).fetchall()
    return [_assignment(row) for row in rows]


def get_role_assignment(
    conn: sqlite3.Connection, workspace_id: str, assignment_id: str
) -> RoleAssignment:
    row = conn.execute(
        f"{_ASSIGNMENT_QUERY} WHERE r.workspace_id = ? AND r.principal_id = ?",
        (workspace_id, assignment_id),
    ).fetchone()
    if row is None:
        raise errors.workspace_role_assignment_not_found()
    return _assignment(row)


def add_role_assignment(
    conn: sqlite3.Connection,
    workspace_id: str,
    *,
    principal_id: str,
    principal_type: str,
    role: str,
    caller_role: str,
) -> RoleAssignment:
    # Members may grant Member or lower; only Admins grant Admin.
    if ROLE_RANK[role] > ROLE_RANK[caller_role]:
        raise errors.insufficient_privileges("The caller cannot grant a role above its own")
    exists = conn.execute(
        "SELECT 1 FROM workspace_roles WHERE workspace_id = ? AND principal_id = ?",
        (workspace_id, principal_id),
    ).fetchone()
    if exists is not None:
        raise errors.principal_already_has_workspace_role_assigned()
    conn.execute(
        "INSERT INTO workspace_roles (id, workspace_id, principal_id, principal_type, role)"
        " VALUES (?, ?, ?, ?, ?)",
        (f"{workspace_id}:{principal_id}", workspace_id, principal_id, principal_type, role),
    )
    return get_role_assignment(conn, workspace_id, principal_id)


def update_role_assignment(
    conn: sqlite3.Connection, workspace_id: str, assignment_id: str, role: str
) -> RoleAssignment:
    current = get_role_assignment(conn, workspace_id, assignment_id)
    if current.role == "Admin" and role != "Admin":
        _check_not_last_admin(conn, workspace_id)
    conn.execute(
        "UPDATE workspace_roles SET role = ? WHERE workspace_id = ? AND principal_id = ?",
        (role, workspace_id, current.principal_id),
    )
    return get_role_assignment(conn, workspace_id, assignment_id)


def delete_role_assignment(conn: sqlite3.Connection, workspace_id: str, assignment_id: str) -> None:
    current = get_role_assignment(conn, workspace_id, assignment_id)
    if current.role == "Admin":
        _check_not_last_admin(conn, workspace_id)
    conn.execute(
        "DELETE FROM workspace_roles WHERE workspace_id = ? AND principal_id = ?",
        (workspace_id, current.principal_id),
    )


def _check_not_last_admin(conn: sqlite3.Connection, workspace_id: str) -> None:
    (admins,) = conn.execute(
        "SELECT COUNT(*) FROM workspace_roles WHERE workspace_id = ? AND role = 'Admin'",
        (workspace_id,),
    ).fetchone()
    if admins <= 1:
        raise errors.last_workspace_admin()


def _remember(conn: sqlite3.Connection, principal: Principal) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO principals (id, name, type) VALUES (?, ?, ?)",
        (principal.id, principal.name, principal.type),
    )


# --- capacities ------------------------------------------------------------------------------


def list_capacities(conn: sqlite3.Connection) -> list[CapacityRecord]:
    rows = conn.execute("SELECT * FROM capacities ORDER BY rowid").fetchall()
    return [
        CapacityRecord(r["id"], r["display_name"], r["sku"], r["region"], r["state"]) for r in rows
    ]


def add_capacity(
    conn: sqlite3.Connection, display_name: str, sku: str, region: str
) -> CapacityRecord:
    """Another active capacity (the admin endpoint's: a test that needs two capacities)."""
    record = CapacityRecord(new_id(), display_name, sku, region, "Active")
    conn.execute(
        "INSERT INTO capacities (id, display_name, sku, region, state) VALUES (?, ?, ?, ?, ?)",
        (record.id, record.display_name, record.sku, record.region, record.state),
    )
    return record


def get_capacity(conn: sqlite3.Connection, capacity_id: str) -> CapacityRecord:
    row = conn.execute("SELECT * FROM capacities WHERE id = ?", (capacity_id,)).fetchone()
    if row is None:
        raise errors.capacity_not_found(capacity_id)
    return CapacityRecord(row["id"], row["display_name"], row["sku"], row["region"], row["state"])
