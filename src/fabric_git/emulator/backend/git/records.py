"""SQLite rows of Git integration: connections, credentials and intents
(``schema/010_git.sql``), and the ``.platform`` metadata items carry from Git
(``schema/011_git_platform_metadata.sql``)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Credentials",
    "GitConnectionRecord",
    "Intent",
    "delete_connection",
    "delete_intent",
    "extra_metadata_of",
    "get_connection",
    "get_credentials",
    "insert_connection",
    "list_connections",
    "list_intents",
    "put_credentials",
    "put_extra_metadata",
    "put_intent",
    "set_sync",
]

CONNECTED = "Connected"
INITIALIZED = "ConnectedAndInitialized"


@dataclass(frozen=True)
class GitConnectionRecord:
    workspace_id: str
    provider_type: str  # "GitHub" | "AzureDevOps"
    owner_name: str | None
    organization_name: str | None
    project_name: str | None
    custom_domain_name: str | None
    repository_name: str
    branch_name: str
    directory_name: str  # as the caller gave it; see context.normalise_directory
    state: str
    connection_type: str = "Full"
    workspace_head: str | None = None
    last_sync_time: float | None = None
    pending_initial: str | None = None


_COLUMNS = (
    "workspace_id, provider_type, owner_name, organization_name, project_name,"
    " custom_domain_name, repository_name, branch_name, directory_name, state,"
    " connection_type, workspace_head, last_sync_time, pending_initial"
)


def get_connection(conn: sqlite3.Connection, workspace_id: str) -> GitConnectionRecord | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM git_connections WHERE workspace_id = ?", (workspace_id,)
    ).fetchone()
    return GitConnectionRecord(*row) if row else None


def list_connections(conn: sqlite3.Connection) -> list[GitConnectionRecord]:
    """Every workspace's connection, in workspace id order (a stable order to page by)."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM git_connections ORDER BY workspace_id")
    return [GitConnectionRecord(*row) for row in rows.fetchall()]


def insert_connection(conn: sqlite3.Connection, record: GitConnectionRecord) -> None:
    conn.execute(
        f"INSERT INTO git_connections ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            record.workspace_id,
            record.provider_type,
            record.owner_name,
            record.organization_name,
            record.project_name,
            record.custom_domain_name,
            record.repository_name,
            record.branch_name,
            record.directory_name,
            record.state,
            record.connection_type,
            record.workspace_head,
            record.last_sync_time,
            record.pending_initial,
        ),
    )


def set_sync(
    conn: sqlite3.Connection,
    workspace_id: str,
    *,
    expected_head: str | None,
    head: str | None,
    last_sync_time: float | None,
    state: str = INITIALIZED,
    pending_initial: str | None = None,
) -> bool:
    """Move the workspace head from ``expected_head``; False when another writer moved it."""
    cursor = conn.execute(
        "UPDATE git_connections SET workspace_head = ?, last_sync_time = ?, state = ?,"
        " pending_initial = ? WHERE workspace_id = ? AND workspace_head IS ?",
        (head, last_sync_time, state, pending_initial, workspace_id, expected_head),
    )
    return cursor.rowcount == 1


def delete_connection(conn: sqlite3.Connection, workspace_id: str) -> None:
    conn.execute("DELETE FROM git_connections WHERE workspace_id = ?", (workspace_id,))
    conn.execute("DELETE FROM git_credentials WHERE workspace_id = ?", (workspace_id,))


@dataclass(frozen=True)
class Credentials:
    source: str  # "Automatic" | "ConfiguredConnection" | "None"
    connection_id: str | None = None


def get_credentials(
    conn: sqlite3.Connection, workspace_id: str, principal_id: str
) -> Credentials | None:
    row = conn.execute(
        "SELECT source, connection_id FROM git_credentials"
        " WHERE workspace_id = ? AND principal_id = ?",
        (workspace_id, principal_id),
    ).fetchone()
    return Credentials(row[0], row[1]) if row else None


def put_credentials(
    conn: sqlite3.Connection, workspace_id: str, principal_id: str, credentials: Credentials
) -> None:
    conn.execute(
        "INSERT INTO git_credentials (workspace_id, principal_id, source, connection_id)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (workspace_id, principal_id)"
        " DO UPDATE SET source = excluded.source, connection_id = excluded.connection_id",
        (workspace_id, principal_id, credentials.source, credentials.connection_id),
    )


@dataclass(frozen=True)
class Intent:
    """A commit about to move a branch ref: what start-up needs to finish or drop it."""

    id: str
    workspace_id: str
    expected_tip: str | None
    expected_head: str | None
    digest: dict[str, str | None]
    logical_ids: dict[str, str]
    created_at: float


def put_intent(conn: sqlite3.Connection, intent: Intent) -> None:
    conn.execute(
        "INSERT INTO git_intents (id, workspace_id, expected_tip, expected_head, digest,"
        " logical_ids, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            intent.id,
            intent.workspace_id,
            intent.expected_tip,
            intent.expected_head,
            json.dumps(intent.digest, sort_keys=True),
            json.dumps(intent.logical_ids, sort_keys=True),
            intent.created_at,
        ),
    )


def list_intents(conn: sqlite3.Connection) -> list[Intent]:
    rows = conn.execute(
        "SELECT id, workspace_id, expected_tip, expected_head, digest, logical_ids, created_at"
        " FROM git_intents ORDER BY created_at"
    ).fetchall()
    return [Intent(r[0], r[1], r[2], r[3], json.loads(r[4]), json.loads(r[5]), r[6]) for r in rows]


def delete_intent(conn: sqlite3.Connection, intent_id: str) -> None:
    conn.execute("DELETE FROM git_intents WHERE id = ?", (intent_id,))


def extra_metadata_of(conn: sqlite3.Connection, workspace_id: str) -> dict[str, dict[str, Any]]:
    """The extra ``.platform`` metadata of the workspace's items that have any, by item id."""
    rows = conn.execute(
        "SELECT m.item_id, m.metadata FROM git_item_metadata m JOIN items i ON i.id = m.item_id"
        " WHERE i.workspace_id = ?",
        (workspace_id,),
    ).fetchall()
    return {str(r[0]): json.loads(r[1]) for r in rows}


def put_extra_metadata(conn: sqlite3.Connection, item_id: str, metadata: Mapping[str, Any]) -> None:
    """Store an item's extra ``.platform`` metadata (key order kept); empty removes it."""
    if not metadata:
        conn.execute("DELETE FROM git_item_metadata WHERE item_id = ?", (item_id,))
        return
    conn.execute(
        "INSERT INTO git_item_metadata (item_id, metadata) VALUES (?, ?)"
        " ON CONFLICT (item_id) DO UPDATE SET metadata = excluded.metadata",
        (item_id, json.dumps(dict(metadata), ensure_ascii=False)),
    )
