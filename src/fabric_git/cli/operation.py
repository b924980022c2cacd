"""``operation show|wait``: any long-running operation by id (for example one a timed-out
command printed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.render import View

if TYPE_CHECKING:
    from fabric_git.models.operations import OperationState

__all__ = ["operation", "operation_json"]


def operation_json(operation_id: str, state: OperationState) -> dict[str, Any]:
    error = state.error
    return {
        "id": operation_id,
        "status": str(state.status),
        "percentComplete": state.percent_complete,
        "createdTimeUtc": state.created_time_utc,
        "lastUpdatedTimeUtc": state.last_updated_time_utc,
        "error": None
        if error is None
        else {
            "errorCode": error.error_code,
            "message": error.message,
            "requestId": error.request_id,
        },
    }


def _view(operation_id: str, state: OperationState) -> View:
    percent = "" if state.percent_complete is None else f" ({state.percent_complete}%)"
    lines = [f"Operation {operation_id}: {state.status}{percent}"]
    if state.error is not None:
        lines.append(f"Error: {state.error.error_code}: {state.error.message}")
    return View(data=operation_json(operation_id, state), lines=tuple(lines))


@click.group()
def operation() -> None:
    """Show or wait for a long-running operation."""


@operation.command("show")
@click.argument("operation_id", metavar="ID")
@pass_app
def show(app: AppContext, operation_id: str) -> None:
    """Show an operation's status and progress (no waiting)."""
    state = app.client().operations.get_state(operation_id)
    app.show(_view(operation_id, state))


@operation.command("wait")
@click.argument("operation_id", metavar="ID")
@pass_app
def wait(app: AppContext, operation_id: str) -> None:
    """Wait for an operation to end.

    Exit 0 when it succeeded, 5 when it failed, 6 when it still runs after --timeout seconds.
    """
    from fabric_git.workflows.events import Reporter

    with app.progress() as progress:
        hook = Reporter(operation_id, progress).operation("wait")
        state = app.client().wait_for_operation(
            operation_id, timeout=app.options.timeout, progress=hook
        )
    app.show(_view(operation_id, state))
