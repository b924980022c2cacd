"""The workspace's Git outbound policy (Get/Set Git Outbound Policy), and the check every
Git operation that reaches the provider makes against it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend.git_errors import git_error
from fabric_git.emulator.backend.workspaces import require_role
from fabric_git.emulator.errors import EmulatorError
from fabric_git.emulator.ids import new_id

if TYPE_CHECKING:
    from fabric_git.emulator.state import EmulatorState

__all__ = ["OutboundPolicy", "check_outbound", "get_policy", "set_policy"]

ADMIN = "Admin"
ALLOW = "Allow"
DENY = "Deny"
VIEWER = "Viewer"


@dataclass(frozen=True)
class OutboundPolicy:
    default_action: str  # "Allow" | "Deny"
    etag: str


def _stored(conn: sqlite3.Connection, workspace_id: str) -> OutboundPolicy:
    row = conn.execute(
        "SELECT default_action, etag FROM workspace_git_outbound WHERE workspace_id = ?",
        (workspace_id,),
    ).fetchone()
    if row is None:
        return OutboundPolicy(ALLOW, '"initial"')
    return OutboundPolicy(str(row[0]), str(row[1]))


def get_policy(state: EmulatorState, principal: Principal, workspace_id: str) -> OutboundPolicy:
    with state.store.read() as conn:
        require_role(conn, workspace_id, principal, VIEWER)
        return _stored(conn, workspace_id)


def set_policy(
    state: EmulatorState,
    principal: Principal,
    workspace_id: str,
    default_action: str | None,
    if_match: str | None,
) -> OutboundPolicy:
    """Overwrite the policy (an omitted default action is ``Allow``, as the spec says);
    ``If-Match`` must name the current ETag when given."""
    with state.store.write() as conn:
        require_role(conn, workspace_id, principal, ADMIN)
        current = _stored(conn, workspace_id)
        if if_match is not None and if_match not in (current.etag, "*"):
            raise EmulatorError(
                412,
                "PreconditionFailed",
                "The policy changed since it was read (If-Match does not match its ETag).",
            )
        policy = OutboundPolicy(default_action or ALLOW, f'"{new_id()}"')
        conn.execute(
            "INSERT OR REPLACE INTO workspace_git_outbound (workspace_id, default_action, etag)"
            " VALUES (?, ?, ?)",
            (workspace_id, policy.default_action, policy.etag),
        )
    return policy


def check_outbound(conn: sqlite3.Connection, workspace_id: str) -> None:
    """A workspace whose Git outbound policy denies access cannot reach its Git provider."""
    if _stored(conn, workspace_id).default_action == DENY:
        raise git_error(
            "GitOutboundAccessDenied",
            "The workspace's Git outbound policy denies access to Git providers; a workspace "
            "admin can allow it (Set Git Outbound Policy).",
        )
