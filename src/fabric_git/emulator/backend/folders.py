"""Workspace folders: a tree of named folders per workspace (at most 10 levels deep).

Name rules follow the Fabric workspace-folder documentation (``repoformat.paths``, shared with
``fabric-git lint``): no control characters, no leading or trailing spaces, none of
``~ " # . & * : < > ? / \\ { | }``, not a reserved recycle-bin name, at most 255 characters;
unique among siblings. Empty folders are kept (Fabric does not delete them automatically).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from fabric_git.emulator import errors
from fabric_git.emulator.ids import new_id
from fabric_git.repoformat.paths import MAX_FOLDER_DEPTH, folder_name_problem

MAX_DEPTH = MAX_FOLDER_DEPTH


@dataclass(frozen=True)
class FolderRecord:
    id: str
    workspace_id: str
    display_name: str
    parent_id: str | None


def _record(row: sqlite3.Row) -> FolderRecord:
    return FolderRecord(row["id"], row["workspace_id"], row["display_name"], row["parent_id"])


def validate_folder_name(name: str) -> None:
    problem = folder_name_problem(name)
    if problem is not None:
        raise errors.invalid_folder_name(problem)


def find_folder(conn: sqlite3.Connection, workspace_id: str, folder_id: str) -> FolderRecord | None:
    row = conn.execute(
        "SELECT * FROM folders WHERE id = ? AND workspace_id = ?", (folder_id, workspace_id)
    ).fetchone()
    return None if row is None else _record(row)


def get_folder(conn: sqlite3.Connection, workspace_id: str, folder_id: str) -> FolderRecord:
    record = find_folder(conn, workspace_id, folder_id)
    if record is None:
        raise errors.folder_not_found(folder_id)
    return record


def list_folders(conn: sqlite3.Connection, workspace_id: str) -> list[FolderRecord]:
    """Every folder of the workspace, parents before children."""
    rows = conn.execute(
        "SELECT * FROM folders WHERE workspace_id = ? ORDER BY rowid", (workspace_id,)
    ).fetchall()
    by_parent: dict[str | None, list[FolderRecord]] = {}
    for row in rows:
        record = _record(row)
        by_parent.setdefault(record.parent_id, []).append(record)
    ordered: list[FolderRecord] = []
    pending = list(reversed(by_parent.get(None, [])))
    while pending:
        folder = pending.pop()
        ordered.append(folder)
        pending.extend(reversed(by_parent.get(folder.id, [])))
    return ordered


def subtree_ids(conn: sqlite3.Connection, workspace_id: str, folder_id: str) -> list[str]:
    """``folder_id`` and the ids of every folder below it."""
    rows = conn.execute(
        "WITH RECURSIVE tree(id) AS (SELECT ? UNION ALL"
        " SELECT f.id FROM folders f JOIN tree t ON f.parent_id = t.id WHERE f.workspace_id = ?)"
        " SELECT id FROM tree",
        (folder_id, workspace_id),
    ).fetchall()
    return [str(row[0]) for row in rows]


def folder_path(conn: sqlite3.Connection, folder_id: str | None) -> tuple[str, ...]:
    """Names from the workspace root down to ``folder_id``; ``()`` for the root."""
    names: list[str] = []
    current = folder_id
    while current is not None:
        row = conn.execute(
            "SELECT display_name, parent_id FROM folders WHERE id = ?", (current,)
        ).fetchone()
        if row is None:
            raise errors.folder_not_found(current)
        names.append(str(row["display_name"]))
        current = row["parent_id"]
    return tuple(reversed(names))


def _depth_below(conn: sqlite3.Connection, workspace_id: str, folder_id: str) -> int:
    """Levels in the subtree of ``folder_id``, counting the folder itself (1 for a leaf)."""
    row = conn.execute(
        "WITH RECURSIVE tree(id, depth) AS (SELECT ?, 1 UNION ALL"
        " SELECT f.id, t.depth + 1 FROM folders f JOIN tree t ON f.parent_id = t.id"
        " WHERE f.workspace_id = ?) SELECT MAX(depth) FROM tree",
        (folder_id, workspace_id),
    ).fetchone()
    return int(row[0])


def _check_sibling_free(
    conn: sqlite3.Connection,
    workspace_id: str,
    parent_id: str | None,
    name: str,
    exclude_id: str | None = None,
) -> None:
    row = conn.execute(
        "SELECT id FROM folders WHERE workspace_id = ? AND parent_id IS ?"
        " AND lower(display_name) = lower(?) AND id IS NOT ?",
        (workspace_id, parent_id, name, exclude_id),
    ).fetchone()
    if row is not None:
        raise errors.folder_display_name_already_in_use(name)


def create_folder(
    conn: sqlite3.Connection, workspace_id: str, display_name: str, parent_id: str | None = None
) -> FolderRecord:
    validate_folder_name(display_name)
    if parent_id is not None:
        get_folder(conn, workspace_id, parent_id)
        if len(folder_path(conn, parent_id)) >= MAX_DEPTH:
            raise errors.folder_depth_exceeded(MAX_DEPTH)
    _check_sibling_free(conn, workspace_id, parent_id, display_name)
    folder_id = new_id()
    conn.execute(
        "INSERT INTO folders (id, workspace_id, display_name, parent_id) VALUES (?, ?, ?, ?)",
        (folder_id, workspace_id, display_name, parent_id),
    )
    return get_folder(conn, workspace_id, folder_id)


def rename_folder(
    conn: sqlite3.Connection, workspace_id: str, folder_id: str, display_name: str
) -> FolderRecord:
    folder = get_folder(conn, workspace_id, folder_id)
    validate_folder_name(display_name)
    _check_sibling_free(conn, workspace_id, folder.parent_id, display_name, exclude_id=folder_id)
    conn.execute("UPDATE folders SET display_name = ? WHERE id = ?", (display_name, folder_id))
    return get_folder(conn, workspace_id, folder_id)


def move_folder(
    conn: sqlite3.Connection, workspace_id: str, folder_id: str, target_id: str | None
) -> FolderRecord:
    """Move a folder (and everything in it) under ``target_id``, or to the root when None."""
    folder = get_folder(conn, workspace_id, folder_id)
    if target_id is not None:
        get_folder(conn, workspace_id, target_id)
        if target_id in subtree_ids(conn, workspace_id, folder_id):
            raise errors.invalid_folder_move()
        target_depth = len(folder_path(conn, target_id))
    else:
        target_depth = 0
    if target_depth + _depth_below(conn, workspace_id, folder_id) > MAX_DEPTH:
        raise errors.folder_depth_exceeded(MAX_DEPTH)
    _check_sibling_free(conn, workspace_id, target_id, folder.display_name, exclude_id=folder_id)
    conn.execute("UPDATE folders SET parent_id = ? WHERE id = ?", (target_id, folder_id))
    return get_folder(conn, workspace_id, folder_id)


def delete_folder(conn: sqlite3.Connection, workspace_id: str, folder_id: str) -> None:
    """Delete an empty folder; Fabric refuses folders that hold items or folders."""
    get_folder(conn, workspace_id, folder_id)
    has_child = conn.execute(
        "SELECT 1 FROM folders WHERE parent_id = ? LIMIT 1", (folder_id,)
    ).fetchone()
    has_item = conn.execute(
        "SELECT 1 FROM items WHERE folder_id = ? LIMIT 1", (folder_id,)
    ).fetchone()
    if has_child is not None or has_item is not None:
        raise errors.folder_not_empty()
    conn.execute("DELETE FROM folders WHERE id = ?", (folder_id,))


def ensure_folder_path(
    conn: sqlite3.Connection, workspace_id: str, path: tuple[str, ...]
) -> str | None:
    """The id of the folder at ``path``, creating missing folders; None for ``()`` (root)."""
    parent: str | None = None
    for name in path:
        row = conn.execute(
            "SELECT id FROM folders WHERE workspace_id = ? AND parent_id IS ? AND display_name = ?",
            (workspace_id, parent, name),
        ).fetchone()
        parent = (
            str(row[0]) if row is not None else create_folder(conn, workspace_id, name, parent).id
        )
    return parent
