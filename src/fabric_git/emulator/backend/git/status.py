"""Get Status: each item's change on either side since the workspace head, and conflicts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend.git.access import CONTRIBUTOR, connected
from fabric_git.emulator.backend.git.rules import ItemStatus
from fabric_git.emulator.backend.git.sides import load_sides
from fabric_git.emulator.gitrepo.fingerprints import PrintedState

if TYPE_CHECKING:
    from fabric_git.emulator.state import EmulatorState

__all__ = ["StatusResult", "check_status", "status"]


@dataclass(frozen=True)
class StatusResult:
    workspace_head: str | None  # None: never synced, waiting for its first update
    remote_commit_hash: str
    changes: tuple[ItemStatus[PrintedState], ...]


def check_status(state: EmulatorState, principal: Principal, workspace_id: str) -> None:
    """What the request alone decides, before the operation starts."""
    with state.store.read() as conn:
        connected(conn, state.sealer, principal, workspace_id, CONTRIBUTOR)


def status(state: EmulatorState, principal: Principal, workspace_id: str) -> StatusResult:
    with state.store.read() as conn:
        record, pat = connected(conn, state.sealer, principal, workspace_id, CONTRIBUTOR)
        sides = load_sides(state, record, pat, conn)
        rows = sides.status()
    return StatusResult(
        workspace_head=record.workspace_head,
        remote_commit_hash=sides.tip,
        changes=tuple(rows),
    )
