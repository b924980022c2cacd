"""Get My Git Credentials and Update My Git Credentials: each principal's own Git credentials
for a connected workspace."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend.git import records
from fabric_git.emulator.backend.git.access import (
    CONTRIBUTOR,
    check_connection_scope,
    default_credentials,
    require_connection,
    require_workspace,
    resolve_credentials,
)
from fabric_git.emulator.backend.git.records import Credentials

if TYPE_CHECKING:
    from fabric_git.emulator.state import EmulatorState

__all__ = ["check_update_credentials", "get_my_credentials", "update_my_credentials"]


def get_my_credentials(
    state: EmulatorState, principal: Principal, workspace_id: str
) -> Credentials:
    with state.store.read() as conn:
        require_workspace(conn, workspace_id, principal, CONTRIBUTOR)
        record = require_connection(conn, workspace_id)
        stored = records.get_credentials(conn, workspace_id, principal.id)
        return stored or default_credentials(record, principal)


def check_update_credentials(state: EmulatorState, principal: Principal, workspace_id: str) -> None:
    """The caller's role and the workspace's connection, checked before the request's
    credentials are (a caller without the role learns nothing from the body)."""
    with state.store.read() as conn:
        require_workspace(conn, workspace_id, principal, CONTRIBUTOR)
        require_connection(conn, workspace_id)


def update_my_credentials(
    state: EmulatorState, principal: Principal, workspace_id: str, credentials: Credentials
) -> Credentials:
    with state.store.write() as conn:
        require_workspace(conn, workspace_id, principal, CONTRIBUTOR)
        record = require_connection(conn, workspace_id)
        if credentials.source == "Automatic":
            resolve_credentials(conn, state.sealer, record, principal, credentials)
        elif credentials.source == "ConfiguredConnection":
            check_connection_scope(conn, state.sealer, credentials.connection_id or "", record)
        records.put_credentials(conn, workspace_id, principal.id, credentials)
        return credentials
