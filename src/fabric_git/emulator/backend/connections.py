"""Connections: the GitHub source-control connection (and other cloud connections) with a
credential whose secret is never returned.

The secret (a PAT, or a password) is kept sealed: XORed with an HMAC-SHA256 keystream under a
per-database random key and a per-secret nonce, so it never sits in the database in clear.
:func:`get_connection_secret` is its only reader.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any

from fabric_git.emulator import errors
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.ids import new_id

GITHUB_SOURCE_CONTROL = "GitHubSourceControl"
SUPPORTED_CONNECTIVITY = ("ShareableCloud", "PersonalCloud")
SUPPORTED_CREDENTIALS = ("Key", "Basic", "Anonymous")
_NONCE_BYTES = 16


@dataclass(frozen=True)
class ConnectionRecord:
    id: str
    display_name: str
    connectivity_type: str
    type: str
    creation_method: str
    url: str | None
    owner_id: str
    privacy_level: str = "Organizational"
    credential_type: str = "Key"
    created_at: float = 0.0


def _record(row: sqlite3.Row) -> ConnectionRecord:
    return ConnectionRecord(
        id=row["id"],
        display_name=row["display_name"],
        connectivity_type=row["connectivity_type"],
        type=row["type"],
        creation_method=row["creation_method"],
        url=row["url"],
        owner_id=row["owner_id"],
        privacy_level=row["privacy_level"],
        credential_type=row["credential_type"],
        created_at=float(row["created_at"]),
    )


def get_connection_record(conn: sqlite3.Connection, connection_id: str) -> ConnectionRecord | None:
    row = conn.execute("SELECT * FROM connections WHERE id = ?", (connection_id,)).fetchone()
    return None if row is None else _record(row)


def get_connection_secret(conn: sqlite3.Connection, connection_id: str) -> str | None:
    """The connection's secret (the PAT of a Key credential), or None when it has none."""
    row = conn.execute(
        "SELECT sealed_secret FROM connections WHERE id = ?", (connection_id,)
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return _unseal(_sealing_key(conn), bytes(row[0]))


def require_connection(
    conn: sqlite3.Connection, connection_id: str, principal: Principal
) -> ConnectionRecord:
    """The connection if ``principal`` owns it: 404 when it does not exist, else 403."""
    record = get_connection_record(conn, connection_id)
    if record is None:
        raise errors.connection_not_found(connection_id)
    if record.owner_id != principal.id:
        raise errors.insufficient_privileges("The caller has no permission on this connection")
    return record


def list_connections(conn: sqlite3.Connection, principal: Principal) -> list[ConnectionRecord]:
    rows = conn.execute(
        "SELECT * FROM connections WHERE owner_id = ? ORDER BY created_at, rowid", (principal.id,)
    ).fetchall()
    return [_record(row) for row in rows]


def _check_name_free(conn: sqlite3.Connection, name: str, exclude_id: str | None = None) -> None:
    row = conn.execute(
        "SELECT 1 FROM connections WHERE lower(display_name) = lower(?) AND id IS NOT ?",
        (name, exclude_id),
    ).fetchone()
    if row is not None:
        raise errors.duplicate_connection_name(name)


def create_connection(
    conn: sqlite3.Connection,
    principal: Principal,
    *,
    display_name: str,
    connectivity_type: str,
    type: str,
    creation_method: str,
    url: str | None,
    credential_type: str,
    secret: str | None,
    privacy_level: str,
    now: float,
) -> ConnectionRecord:
    _check_name_free(conn, display_name)
    connection_id = new_id()
    sealed = None if secret is None else _seal(_sealing_key(conn), secret)
    conn.execute(
        "INSERT INTO connections (id, display_name, connectivity_type, type, creation_method,"
        " url, privacy_level, credential_type, sealed_secret, owner_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            connection_id,
            display_name,
            connectivity_type,
            type,
            creation_method,
            url,
            privacy_level,
            credential_type,
            sealed,
            principal.id,
            now,
        ),
    )
    record = get_connection_record(conn, connection_id)
    assert record is not None
    return record


def update_connection(
    conn: sqlite3.Connection,
    connection_id: str,
    *,
    display_name: str | None = None,
    privacy_level: str | None = None,
    credential: tuple[str, str | None] | None = None,
) -> ConnectionRecord:
    """Apply the given changes; ``credential`` is (credential type, new secret)."""
    if display_name is not None:
        _check_name_free(conn, display_name, exclude_id=connection_id)
        conn.execute(
            "UPDATE connections SET display_name = ? WHERE id = ?", (display_name, connection_id)
        )
    if privacy_level is not None:
        conn.execute(
            "UPDATE connections SET privacy_level = ? WHERE id = ?", (privacy_level, connection_id)
        )
    if credential is not None:
        credential_type, secret = credential
        sealed = None if secret is None else _seal(_sealing_key(conn), secret)
        conn.execute(
            "UPDATE connections SET credential_type = ?, sealed_secret = ? WHERE id = ?",
            (credential_type, sealed, connection_id),
        )
    record = get_connection_record(conn, connection_id)
    if record is None:
        raise errors.connection_not_found(connection_id)
    return record


def delete_connection(conn: sqlite3.Connection, connection_id: str) -> None:
    conn.execute("DELETE FROM connections WHERE id = ?", (connection_id,))


# --- sealing ---------------------------------------------------------------------------------


def _sealing_key(conn: sqlite3.Connection) -> bytes:
    row = conn.execute("SELECT value FROM meta WHERE key = 'connection_key'").fetchone()
    if row is not None:
        return bytes.fromhex(str(row[0]))
    key = secrets.token_bytes(32)
    conn.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('connection_key', ?)", (key.hex(),)
    )
    row = conn.execute("SELECT value FROM meta WHERE key = 'connection_key'").fetchone()
    return bytes.fromhex(str(row[0]))


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks: list[bytes] = []
    counter = 0
    while sum(len(b) for b in blocks) < length:
        blocks.append(hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest())
        counter += 1
    return b"".join(blocks)[:length]


def _seal(key: bytes, secret: str) -> bytes:
    data = secret.encode("utf-8")
    nonce = secrets.token_bytes(_NONCE_BYTES)
    stream = _keystream(key, nonce, len(data))
    return nonce + bytes(a ^ b for a, b in zip(data, stream, strict=True))


def _unseal(key: bytes, sealed: bytes) -> str:
    nonce, body = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
    stream = _keystream(key, nonce, len(body))
    return bytes(a ^ b for a, b in zip(body, stream, strict=True)).decode("utf-8")


def connection_json(record: ConnectionRecord) -> dict[str, Any]:
    """The spec's ``Connection`` shape; the credential's secret is never part of it."""
    details: dict[str, Any] = {"type": record.type, "path": record.url or ""}
    return {
        "id": record.id,
        "displayName": record.display_name,
        "connectivityType": record.connectivity_type,
        "connectionDetails": details,
        "privacyLevel": record.privacy_level,
        "credentialDetails": {
            "credentialType": record.credential_type,
            "singleSignOnType": "None",
            "connectionEncryption": "NotEncrypted",
            "skipTestConnection": False,
        },
    }
