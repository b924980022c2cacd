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


# --- roles ---------------------------------------------------------------------------------

# A connection role: User may see and use the connection, UserWithReshare may also share it
# (grant User or UserWithReshare), Owner may also change, share and delete it.
CONNECTION_ROLE_RANK = {"User": 1, "UserWithReshare": 2, "Owner": 3}
CONNECTION_ROLES = tuple(CONNECTION_ROLE_RANK)
USER = "User"
OWNER = "Owner"


@dataclass(frozen=True)
class ConnectionRoleAssignment:
    id: str  # the principal's id, as Fabric names role assignments
    principal_id: str
    principal_type: str
    role: str
    principal_name: str | None


def connection_role_of(
    conn: sqlite3.Connection, connection_id: str, principal_id: str
) -> str | None:
    row = conn.execute(
        "SELECT role FROM connection_roles WHERE connection_id = ? AND principal_id = ?",
        (connection_id, principal_id),
    ).fetchone()
    return None if row is None else str(row[0])


def require_connection(
    conn: sqlite3.Connection, connection_id: str, principal: Principal, minimum: str = USER
) -> ConnectionRecord:
    """The connection if ``principal`` holds at least ``minimum`` on it: 404
    ``ConnectionNotFound`` when it does not exist or the caller has no role on it (a connection
    nobody shared with the caller is invisible, as in Fabric), 403 when the role is too low."""
    record = get_connection_record(conn, connection_id)
    role = None if record is None else connection_role_of(conn, connection_id, principal.id)
    if record is None or role is None:
        raise errors.connection_not_found(connection_id)
    if CONNECTION_ROLE_RANK[role] < CONNECTION_ROLE_RANK[minimum]:
        raise errors.insufficient_privileges(
            f"The caller's role on the connection ({role}) does not allow this; {minimum} or"
            " higher is required"
        )
    return record


def list_connections(conn: sqlite3.Connection, principal: Principal) -> list[ConnectionRecord]:
    """The connections on which ``principal`` has a role."""
    rows = conn.execute(
        "SELECT c.* FROM connections c JOIN connection_roles r ON r.connection_id = c.id"
        " AND r.principal_id = ? ORDER BY c.created_at, c.rowid",
        (principal.id,),
    ).fetchall()
    return [_record(row) for row in rows]


_ASSIGNMENT_QUERY = (
    "SELECT r.*, p.name AS name FROM connection_roles r LEFT JOIN principals p"
    " ON p.id = r.principal_id"
)


def _assignment(row: sqlite3.Row) -> ConnectionRoleAssignment:
    return ConnectionRoleAssignment(
        id=row["principal_id"],
        principal_id=row["principal_id"],
        principal_type=row["principal_type"],
        role=row["role"],
        principal_name=row["name"],
    )


def list_role_assignments(
    conn: sqlite3.Connection, connection_id: str
) -> list[ConnectionRoleAssignment]:
    rows = conn.execute(
        f"{_ASSIGNMENT_QUERY} WHERE r.connection_id = ? ORDER BY r.rowid", (connection_id,)
    ).fetchall()
    return [_assignment(row) for row in rows]


def get_role_assignment(
    conn: sqlite3.Connection, connection_id: str, assignment_id: str
) -> ConnectionRoleAssignment:
    row = conn.execute(
        f"{_ASSIGNMENT_QUERY} WHERE r.connection_id = ? AND r.principal_id = ?",
        (connection_id, assignment_id),
    ).fetchone()
    if row is None:
        raise errors.connection_role_assignment_not_found()
    return _assignment(row)


def add_role_assignment(
    conn: sqlite3.Connection,
    connection_id: str,
    *,
    principal_id: str,
    principal_type: str,
    role: str,
    caller_role: str,
) -> ConnectionRoleAssignment:
    # A UserWithReshare shares at most its own role; only an Owner makes another Owner.
    if CONNECTION_ROLE_RANK[role] > CONNECTION_ROLE_RANK[caller_role]:
        raise errors.insufficient_privileges("The caller cannot grant a role above its own")
    if connection_role_of(conn, connection_id, principal_id) is not None:
        raise errors.principal_already_has_connection_role()
    conn.execute(
        "INSERT INTO connection_roles (connection_id, principal_id, principal_type, role)"
        " VALUES (?, ?, ?, ?)",
        (connection_id, principal_id, principal_type, role),
    )
    return get_role_assignment(conn, connection_id, principal_id)


def update_role_assignment(
    conn: sqlite3.Connection, connection_id: str, assignment_id: str, role: str
) -> ConnectionRoleAssignment:
    current = get_role_assignment(conn, connection_id, assignment_id)
    if current.role == OWNER and role != OWNER:
        _check_not_last_owner(conn, connection_id)
    conn.execute(
        "UPDATE connection_roles SET role = ? WHERE connection_id = ? AND principal_id = ?",
        (role, connection_id, current.principal_id),
    )
    return get_role_assignment(conn, connection_id, assignment_id)


def delete_role_assignment(
    conn: sqlite3.Connection, connection_id: str, assignment_id: str
) -> None:
    current = get_role_assignment(conn, connection_id, assignment_id)
    if current.role == OWNER:
        _check_not_last_owner(conn, connection_id)
    conn.execute(
        "DELETE FROM connection_roles WHERE connection_id = ? AND principal_id = ?",
        (connection_id, current.principal_id),
    )


def _check_not_last_owner(conn: sqlite3.Connection, connection_id: str) -> None:
    (owners,) = conn.execute(
        "SELECT COUNT(*) FROM connection_roles WHERE connection_id = ? AND role = 'Owner'",
        (connection_id,),
    ).fetchone()
    if owners <= 1:
        raise errors.last_connection_owner()


# --- connections ---------------------------------------------------------------------------


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
    conn.execute(
        "INSERT INTO connection_roles (connection_id, principal_id, principal_type, role)"
        " VALUES (?, ?, ?, 'Owner')",
        (connection_id, principal.id, principal.type),
    )
    conn.execute(
        "INSERT OR IGNORE INTO principals (id, name, type) VALUES (?, ?, ?)",
        (principal.id, principal.name, principal.type),
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
    conn.execute("DELETE FROM connection_roles WHERE connection_id = ?", (connection_id,))
    conn.execute("DELETE FROM connections WHERE id = ?", (connection_id,))
