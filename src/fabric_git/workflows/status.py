"""Reading where a workspace stands: its Git status as plain result objects."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from fabric_git.workflows.events import Reporter
from fabric_git.workflows.results import Change, FileChange, StatusReport, WorkspaceRef

if TYPE_CHECKING:
    from fabric_git.client import FabricClient
    from fabric_git.models.git import GitStatusResponse, ItemChange
    from fabric_git.models.workspaces import Workspace

__all__ = ["change_from_model", "read_status", "resolve_workspace", "status_from_model"]


def resolve_workspace(client: FabricClient, workspace: str) -> WorkspaceRef:
    """A workspace by display name or id."""
    found: Workspace = client.resolve_workspace(workspace)
    return WorkspaceRef(id=found.id, name=found.display_name)


def change_from_model(change: ItemChange) -> Change:
    metadata = change.item_metadata
    identifier = metadata.item_identifier
    return Change(
        display_name=metadata.display_name,
        item_type=str(metadata.item_type),
        object_id=identifier.object_id,
        logical_id=identifier.logical_id,
        workspace_change=_text(change.workspace_change),
        remote_change=_text(change.remote_change),
        conflict_type=str(change.conflict_type),
        files=None
        if change.file_changes is None
        else tuple(
            FileChange(
                path=f.path,
                workspace_change=_text(f.workspace_change),
                remote_change=_text(f.remote_change),
                conflict_type=str(f.conflict_type),
            )
            for f in change.file_changes
        ),
    )


def _text(value: object | None) -> str | None:
    return None if value is None else str(value)


def status_from_model(
    workspace: WorkspaceRef, status: GitStatusResponse, *, files: bool = False
) -> StatusReport:
    """``files``: per-file details were asked for, so every change has a list of files (empty
    when the service listed none for it)."""
    changes = tuple(change_from_model(c) for c in status.changes)
    if files:
        changes = tuple(c if c.files is not None else replace(c, files=()) for c in changes)
    return StatusReport(
        workspace=workspace,
        # A never-synced workspace may report an empty head; it means "none".
        workspace_head=status.workspace_head or None,
        remote_commit_hash=status.remote_commit_hash or None,
        changes=changes,
    )


def read_status(
    client: FabricClient,
    workspace: WorkspaceRef,
    *,
    timeout: float | None = None,
    reporter: Reporter | None = None,
    step_of: str | None = None,
    done: str | None = None,
    files: bool = False,
) -> StatusReport:
    """Get Status (a long-running operation) for an already resolved workspace.

    On its own, a wait that runs out raises the library's ``OperationTimeoutError`` (resume the
    ``GetStatus`` operation). ``files`` asks for each change's changed files too.
    As a step of the flow ``step_of`` (``done``: what that flow has
    already changed, if anything) it raises ``StatusTimeoutError`` instead: resuming the status
    operation would not finish the flow, re-running it does.
    """
    from fabric_git.errors import (
        OperationInterrupted,
        OperationTimeoutError,
        OperationWaitLostError,
    )

    hook = reporter.operation("status") if reporter else None
    try:
        # Per-file details only when asked for: they cost the service a comparison per file.
        extra = {"include_files_details": True} if files else {}
        response = client.git.get_status(workspace.id, timeout=timeout, progress=hook, **extra)
    except OperationInterrupted as interrupt:
        if step_of is None:
            raise
        # Not an operation to resume: the flow's own change (if any) is done; re-run it.
        raise KeyboardInterrupt(_after(done, "was interrupted")) from interrupt
    except OperationWaitLostError as lost:
        if step_of is None or not isinstance(lost.__cause__, Exception):
            raise
        lost.__cause__.add_note(_after(done, "lost its connection"))
        raise lost.__cause__ from None
    except OperationTimeoutError as error:
        if step_of is None:
            raise
        from fabric_git.workflows.errors import StatusTimeoutError

        raise StatusTimeoutError(
            workspace_id=workspace.id,
            operation_id=error.operation_id,
            waited=error.waited,
            done=done,
        ) from error
    return status_from_model(workspace, response, files=files)


def _after(done: str | None, what: str) -> str:
    if done is None:
        return f"Reading the Git status {what}; nothing was changed."
    return f"{done[0].upper()}{done[1:]} finished; reading the Git status afterwards {what}."
