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


_NO_RESULT = object()


def _view(operation_id: str, state: OperationState, result: Any = _NO_RESULT) -> View:
    percent = "" if state.percent_complete is None else f" ({state.percent_complete}%)"
    lines = [f"Operation {operation_id}: {state.status}{percent}"]
    if state.error is not None:
        lines.append(f"Error: {state.error.error_code}: {state.error.message}")
    data = operation_json(operation_id, state)
    if result is not _NO_RESULT:  # ``wait`` always reports it: null for operations without one
        data["result"] = result
        if result is not None:
            lines.extend(_result_lines(result))
    return View(data=data, lines=tuple(lines))


def _result_lines(result: Any) -> list[str]:
    """The result of a Get Status or Initialize Connection operation, in words."""
    if not isinstance(result, dict):
        return [f"Result: {result}"]
    lines: list[str] = []
    if "requiredAction" in result:
        lines.append(f"Required action: {result.get('requiredAction')}")
    for key, label in (("workspaceHead", "Workspace head"), ("remoteCommitHash", "Remote commit")):
        if key in result:
            lines.append(f"{label}: {result.get(key) or '(none)'}")
    changes = result.get("changes")
    if isinstance(changes, list):
        lines.append(f"Changes: {len(changes)}")
        lines.extend(f"  {_change_text(c)}" for c in changes if isinstance(c, dict))
    return lines


def _change_text(change: dict[str, Any]) -> str:
    meta = change.get("itemMetadata") or {}
    sides = [
        f"{side} {change[key]}"
        for side, key in (("workspace", "workspaceChange"), ("Git", "remoteChange"))
        if change.get(key)
    ]
    if change.get("conflictType") not in (None, "None"):
        sides.append(str(change["conflictType"]))
    return f"{meta.get('displayName')}.{meta.get('itemType')}: {', '.join(sides) or 'changed'}"


def _result_of(app: AppContext, operation_id: str) -> Any:
    """The operation's result, for the kinds that have one (Get Status, Initialize)."""
    from fabric_git.errors import ApiError

    try:
        return app.client().operations.get_result(operation_id)
    except ApiError as error:
        # Commits, updates and most other operations have no result.
        if error.error_code == "OperationHasNoResult" or error.status == 404:
            return None
        raise


@click.group()
def operation() -> None:
    """Show or wait for a long-running operation."""


def _operation_id(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from fabric_git.client import is_guid

    if not is_guid(value):
        raise click.BadParameter(
            f"{value!r} is not an operation id (a GUID such as "
            "1d0b3b4a-5c6d-4e7f-8091-a2b3c4d5e6f7, as a timed-out command prints it)."
        )
    return value.strip()


@operation.command("show")
@click.argument("operation_id", metavar="ID", callback=_operation_id)
@pass_app
def show(app: AppContext, operation_id: str) -> None:
    """Show an operation's status and progress (no waiting)."""
    state = app.client().operations.get_state(operation_id)
    app.show(_view(operation_id, state))


@operation.command("wait")
@click.argument("operation_id", metavar="ID", callback=_operation_id)
@pass_app
def wait(app: AppContext, operation_id: str) -> None:
    """Wait for an operation to end, and show its result if it has one.

    A status or an initialization has a result; a commit or an update has none. Exit 0 when it
    succeeded, 5 when it failed, 6 when it still runs after --timeout seconds.
    """
    from fabric_git.workflows.events import Reporter

    with app.progress() as progress:
        hook = Reporter(operation_id, progress).operation("wait")
        state = app.client().wait_for_operation(
            operation_id, timeout=app.options.timeout, progress=hook
        )
    app.show(_view(operation_id, state, _result_of(app, operation_id)))
