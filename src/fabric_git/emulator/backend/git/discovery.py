"""Discover Git Connections (admin API): every Git-connected workspace of the tenant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_git.emulator import errors
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend.git.records import GitConnectionRecord, list_connections

if TYPE_CHECKING:
    from fabric_git.emulator.state import EmulatorState

__all__ = ["discover_git_connections"]


def discover_git_connections(
    state: EmulatorState, principal: Principal
) -> list[GitConnectionRecord]:
    """The caller must be a Fabric administrator or a service principal (the spec's
    Permissions text), whatever its workspace roles."""
    if not principal.tenant_admin and principal.type != "ServicePrincipal":
        raise errors.insufficient_privileges(
            "Only a Fabric administrator or a service principal may discover the tenant's Git "
            "connections."
        )
    with state.store.read() as conn:
        return list_connections(conn)
