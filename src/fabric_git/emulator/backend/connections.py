"""Connections: the GitHub source-control connection (and other cloud connections) with a
credential whose secret is never returned.

The secret (a PAT, or a password) is sealed by :class:`SecretSealer`: AES-256-GCM
(``cryptography``'s ``AESGCM``), a fresh 96-bit nonce per secret and the connection id as
associated data. The key is not in the database: a persistent emulator keeps it in
``connection.key`` beside it (created once, mode 0600); an in-memory one holds it in memory
only. So a copy of the database alone (a backup, a file attached to a bug report, a test
artifact) reveals no secret, and a sealed value altered or moved to another connection fails
to unseal instead of yielding a wrong secret. It does not protect against anyone who can read
the data directory's key file too, or the emulator's memory: the emulator must use the secret
to reach a repository, so whoever runs it can recover it. :func:`get_connection_secret` is the
only reader.
"""

from __future__ import annotations

import base64
import json
import secrets
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fabric_git.emulator import errors
from fabric_git.emulator.auth import Principal, load_or_create_secret
from fabric_git.emulator.ids import new_id

GITHUB_SOURCE_CONTROL = "GitHubSourceControl"
AZURE_DEVOPS_SOURCE_CONTROL = "AzureDevOpsSourceControl"
SERVICE_PRINCIPAL = "ServicePrincipal"
SUPPORTED_CONNECTIVITY = ("ShareableCloud", "PersonalCloud")
SUPPORTED_CREDENTIALS = ("Key", "Basic", "Anonymous", SERVICE_PRINCIPAL)
_NONCE_BYTES = 12


class SecretSealer:
    """Seals and unseals connection secrets under one AES-256-GCM key (see the module)."""

    def __init__(self, key: bytes) -> None:
        self._cipher = AESGCM(key)

    def __repr__(self) -> str:
        return "SecretSealer(key=<hidden>)"

    @classmethod
    def in_memory(cls) -> SecretSealer:
        """A sealer whose key lives only in this process (for an in-memory database)."""
        return cls(AESGCM.generate_key(bit_length=256))

    @classmethod
    def from_key_file(cls, path: Path) -> SecretSealer:
        """The sealer of a data directory: its key file, created once with mode 0600."""
        encoded = load_or_create_secret(path, make=_new_key_text)
        return cls(base64.urlsafe_b64decode(encoded))

    def seal(self, secret: str, connection_id: str) -> bytes:
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = self._cipher.encrypt(nonce, secret.encode("utf-8"), connection_id.encode())
        return nonce + sealed

    def unseal(self, sealed: bytes, connection_id: str) -> str | None:
        """The secret, or None when the value was not sealed for this connection under this
        key (altered, moved, or sealed under a key since lost)."""
        nonce, body = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:]
        try:
            return self._cipher.decrypt(nonce, body, connection_id.encode()).decode("utf-8")
        except InvalidTag:
            return None


def _new_key_text() -> str:
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode("ascii")


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


def get_connection_secret(
    conn: sqlite3.Connection, connection_id: str, sealer: SecretSealer
) -> str | None:
    """The connection's secret (the PAT of a Key credential), or None when it has none (or
    none this emulator's key can unseal)."""
    row = conn.execute(
        "SELECT sealed_secret FROM connections WHERE id = ?", (connection_id,)
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return sealer.unseal(bytes(row[0]), connection_id)


@dataclass(frozen=True)
class ServicePrincipalCredential:
    """A ``ServicePrincipal`` credential: all three sealed together, as one secret."""

    tenant_id: str
    client_id: str
    secret: str = field(repr=False)

    def sealable(self) -> str:
        return json.dumps(
            {"tenant": self.tenant_id, "client": self.client_id, "secret": self.secret}
        )

    @classmethod
    def unsealed(cls, text: str) -> ServicePrincipalCredential | None:
        try:
            data = json.loads(text)
            return cls(str(data["tenant"]), str(data["client"]), str(data["secret"]))
        except (ValueError, KeyError, TypeError):
            return None


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
    sealer: SecretSealer,
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
    sealed = None if secret is None else sealer.seal(secret, connection_id)
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
    sealer: SecretSealer,
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
        sealed = None if secret is None else sealer.seal(secret, connection_id)
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
