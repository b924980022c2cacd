"""Update Item Logical Id: give a workspace item another logical id, to resolve a logical-id
conflict (such as two items that took the same one after a copy between branches)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_git.emulator import errors
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend import items
from fabric_git.emulator.backend.git.access import CONTRIBUTOR, require_workspace

if TYPE_CHECKING:
    from fabric_git.emulator.state import EmulatorState

__all__ = ["EMPTY_GUID", "update_logical_id"]

EMPTY_GUID = "00000000-0000-0000-0000-000000000000"


def update_logical_id(
    state: EmulatorState, principal: Principal, workspace_id: str, item_id: str, logical_id: str
) -> str:
    """Learn's limitations: not the empty GUID, unique in the workspace, and not while a Git
    (CI/CD) operation runs there: checked in the transaction that writes it, so an operation
    that starts later sees the new id."""
    if logical_id == EMPTY_GUID:
        raise errors.invalid_input("logicalId", "The logical id cannot be the empty GUID")
    with state.store.write() as conn:
        require_workspace(conn, workspace_id, principal, CONTRIBUTOR)
        item = items.get_item(conn, workspace_id, item_id)
        if state.operations.workspace_busy(conn, workspace_id):
            raise errors.workspace_previous_operation_in_progress()
        if item.logical_id != logical_id:
            # update_item refuses an id another item of the workspace holds (DuplicateLogicalId).
            items.update_item(conn, item_id, logical_id=logical_id)
    return logical_id
