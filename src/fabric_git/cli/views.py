"""Views of workflow results: the JSON document (stable) and the text form (for reading)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fabric_git.cli.render import Table, View

if TYPE_CHECKING:
    from fabric_git.workflows.results import (
        Change,
        CommitResult,
        ConnectionResult,
        ConnectResult,
        CredentialsResult,
        DisconnectResult,
        InitializeResult,
        StatusReport,
        SyncResult,
        UpdateResult,
    )

__all__ = [
    "changes_table",
    "commit_view",
    "connect_view",
    "credentials_view",
    "disconnect_view",
    "files_table",
    "initialize_view",
    "short",
    "status_view",
    "sync_lines",
    "update_view",
]


def short(commit: str | None) -> str:
    return commit[:12] if commit else "-"


def changes_table(changes: Sequence[Change], *, title: str | None = None) -> Table:
    return Table(
        columns=("Item", "Type", "Workspace", "Remote", "Conflict"),
        rows=tuple(
            (
                c.display_name,
                c.item_type,
                c.workspace_change or "",
                c.remote_change or "",
                "" if c.conflict_type == "None" else c.conflict_type,
            )
            for c in changes
        ),
        title=title,
        empty="no changes",
    )


def files_table(changes: Sequence[Change], *, title: str = "Files") -> Table | None:
    """The changed files of each change, when they were read (``status --files``)."""
    if all(c.files is None for c in changes):
        return None
    return Table(
        columns=("Item", "File", "Workspace", "Remote", "Conflict"),
        rows=tuple(
            (
                c.name,
                f.path,
                f.workspace_change or "",
                f.remote_change or "",
                "" if f.conflict_type == "None" else f.conflict_type,
            )
            for c in changes
            for f in c.files or ()
        ),
        title=title,
        empty="no file details",
    )


def _tables(*tables: Table | None) -> tuple[Table, ...]:
    return tuple(t for t in tables if t is not None)


def _ws(name: str, workspace_id: str) -> str:
    return f"{name} ({workspace_id})"


def status_lines(report: StatusReport) -> tuple[str, ...]:
    state = (
        "in sync" + (" (the branch moved outside its directory)" if report.remote_moved else "")
        if report.in_sync
        else f"{len(report.incoming)} incoming, {len(report.outgoing)} outgoing, "
        f"{len(report.conflicts)} conflict(s)"
    )
    return (
        f"Workspace:      {_ws(report.workspace.name, report.workspace.id)}",
        f"Workspace head: {short(report.workspace_head)}",
        f"Remote commit:  {short(report.remote_commit_hash)}",
        f"State:          {state}",
    )


def status_view(report: StatusReport) -> View:
    return View(
        data=report.to_json(),
        lines=status_lines(report),
        tables=_tables(changes_table(report.changes), files_table(report.changes)),
        summary_title=f"fabric-git status: {report.workspace.name}",
    )


def connect_view(result: ConnectResult, connection: ConnectionResult | None = None) -> View:
    if result.noop:
        line = f"{result.workspace.name} is already connected to {result.provider}; nothing to do."
    elif result.reconnected:
        line = f"Reconnected {result.workspace.name} to {result.provider}."
    else:
        line = f"Connected {result.workspace.name} to {result.provider}."
    data: dict[str, Any] = result.to_json()
    lines = [line]
    if connection is not None:
        data["connection"] = connection.to_json()
        lines.insert(0, connection.describe())
    return View(data=data, lines=tuple(lines))


def disconnect_view(result: DisconnectResult) -> View:
    line = (
        f"Disconnected {result.workspace.name} from {result.provider}."
        if result.disconnected
        else f"{result.workspace.name} is not connected; nothing to do."
    )
    return View(data=result.to_json(), lines=(line,))


def initialize_view(result: InitializeResult) -> View:
    if result.noop:
        return View(
            data=result.to_json(),
            lines=(
                f"{result.workspace.name} is initialized already; nothing to do "
                "(`fabric-git sync` brings it up to date).",
                f"Workspace head: {short(result.workspace_head)}",
            ),
        )
    return View(
        data=result.to_json(),
        lines=(
            f"Initialized {result.workspace.name}: required action {result.required_action}.",
            f"Workspace head: {short(result.workspace_head)}",
            f"Remote commit:  {short(result.remote_commit_hash)}",
        ),
    )


def commit_view(result: CommitResult) -> View:
    if result.noop:
        headline = f"Nothing to commit in {result.workspace.name}."
        if result.unchanged:
            named = ", ".join(repr(u) for u in result.unchanged)
            headline += f" No changes in {named}."
    elif result.dry_run:
        headline = f"Dry run: would commit {len(result.items)} item(s) ({result.mode})."
    else:
        headline = (
            f"Committed {len(result.items)} item(s) ({result.mode}): "
            f"{short(result.previous_head)} -> {short(result.new_head)}."
        )
        if result.unchanged:
            headline += f" No changes in {', '.join(repr(u) for u in result.unchanged)}."
    return View(
        data=result.to_json(),
        lines=(headline,),
        tables=_tables(changes_table(result.items, title="Items"), files_table(result.items))
        if result.items
        else (),
        summary_title=f"fabric-git commit: {result.workspace.name}",
    )


def update_view(result: UpdateResult) -> View:
    if result.noop:
        headline = f"{result.workspace.name} is up to date with Git; nothing to update."
    elif result.dry_run:
        headline = (
            f"Dry run: would update {short(result.from_head)} -> {short(result.to_head)} "
            f"({len(result.changes)} item(s), {len(result.conflicts)} conflict(s))."
        )
        if result.blocked_by:
            option = (
                "--allow-override-items"
                if result.blocked_by == "OverrideItemsNotAllowed"
                else "--conflict-policy"
            )
            headline += f" Blocked: {result.blocked_by} (give {option})."
    else:
        headline = (
            f"Updated {result.workspace.name}: {short(result.from_head)} -> "
            f"{short(result.to_head)} ({len(result.changes)} item(s))."
        )
        if result.conflicts:
            headline += (
                f" {len(result.conflicts)} conflict(s) resolved with {result.conflict_policy}."
            )
    tables = (changes_table(result.changes, title="Incoming"),) if result.changes else ()
    return View(
        data=result.to_json(),
        lines=(headline,),
        tables=tables,
        summary_title=f"fabric-git update: {result.workspace.name}",
    )


def sync_lines(result: SyncResult) -> tuple[str, ...]:
    name = result.workspace.name
    if result.noop:
        lines = [f"{name}: already in sync; nothing to do."]
    elif result.dry_run:
        lines = [f"{name}: dry run, would run {', '.join(result.actions)}."]
    else:
        lines = [f"{name}: ran {', '.join(result.actions)}."]
    if result.status is not None:
        status = result.status
        lines.append(
            f"{name}: head {short(status.workspace_head)}, remote "
            f"{short(status.remote_commit_hash)}, "
            + ("in sync." if status.in_sync else f"{len(status.changes)} change(s) remain.")
        )
    lines.extend(f"{name}: note: {note}" for note in result.notes)
    return tuple(lines)


def credentials_view(result: CredentialsResult) -> View:
    connection = f" (connection {result.connection_id})" if result.connection_id else ""
    verb = "set to" if result.changed else "are"
    return View(
        data=result.to_json(),
        lines=(
            f"Your Git credentials for {result.workspace.name} {verb} {result.source}{connection}.",
        ),
    )
