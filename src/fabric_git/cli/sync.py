"""``sync``: connect if needed, initialize, act on the required action; one or many workspaces."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.choices import STRATEGIES, KebabChoice
from fabric_git.cli.constants import WORKSPACE_META, EnvVars, ExitCode
from fabric_git.cli.options import (
    credential_options,
    credentials_from_options,
    dry_run_option,
    noting_connection,
    provider_args,
    provider_options,
)
from fabric_git.cli.render import Table, View
from fabric_git.cli.views import changes_table, sync_lines

if TYPE_CHECKING:
    from fabric_git.workflows import BatchSyncResult, Change, ConnectionResult

__all__ = ["read_workspaces_file", "sync"]


def read_workspaces_file(path: Path) -> list[str]:
    """One workspace (name or id) per line; blank lines and ``#`` comments are skipped."""
    names: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            names.append(line)
    return names


@click.command()
@click.option(
    "--workspace",
    "-w",
    "workspaces",
    multiple=True,
    metavar="NAME|ID",
    help=f"A workspace, by display name or id; repeat for several. [env: {EnvVars.WORKSPACE}, "
    "when none is given]",
)
@click.option(
    "--workspaces-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file listing workspaces, one per line (# comments allowed).",
)
@provider_options
@credential_options
@click.option(
    "--strategy",
    type=KebabChoice(STRATEGIES),
    help="Which side wins when both have content or items conflict; prefer-workspace also "
    "commits workspace changes on later runs.",
)
@click.option(
    "--reconnect",
    is_flag=True,
    help="If connected to another repository, branch or directory, disconnect first.",
)
@click.option(
    "--allow-override-items",
    is_flag=True,
    help="Let incoming items replace workspace items with the same name and type.",
)
@click.option(
    "--message",
    "-m",
    "comment",
    metavar="MESSAGE",
    help="Message of any commit sync makes (at most 300 characters).",
)
@click.option(
    "--concurrency",
    metavar="N",
    type=click.IntRange(min=1, max=64),
    default=16,
    show_default=True,
    help="Workspaces synced at the same time.",
)
@dry_run_option
@pass_app
def sync(
    app: AppContext,
    workspaces: tuple[str, ...],
    workspaces_file: Path | None,
    strategy: str | None,
    reconnect: bool,
    allow_override_items: bool,
    comment: str | None,
    concurrency: int,
    dry_run: bool,
    **kwargs: Any,
) -> None:
    """Connect (if not yet), initialize, then update or commit as required; report the status.

    Safe to re-run: a second run with nothing changed does nothing. On an initialized
    connection, incoming Git changes are applied and, with --strategy prefer-workspace, workspace
    changes are committed. Several workspaces (--workspace repeated, --workspaces-file) run
    concurrently; throttled ones are retried after the service's Retry-After.
    """
    from fabric_git.workflows import SyncOptions, sync_many
    from fabric_git.workflows import sync as sync_one
    from fabric_git.workflows.errors import check_comment

    check_comment(comment)
    names = list(workspaces)
    if workspaces_file is not None:
        names.extend(read_workspaces_file(workspaces_file))
    if not names:
        import os

        default = os.environ.get(EnvVars.WORKSPACE, "").strip()
        if not default:
            raise click.UsageError("name a workspace: --workspace or --workspaces-file.")
        names.append(default)
    if len(names) == 1:  # a failure's hint names it
        click.get_current_context().meta[WORKSPACE_META] = names[0]

    client = app.client()
    provider = provider_args(kwargs).details()
    credentials = None
    connection = None
    if provider is not None:
        # A dry run checks what the real run would refuse (no PAT for a connection to create)
        # and changes nothing.
        credentials, connection = credentials_from_options(
            client, provider, kwargs, dry_run=dry_run
        )
    elif kwargs["rotate_pat"] or kwargs["connection_name"]:
        raise click.UsageError(
            "--connection-name and --rotate-pat need the repository: --repo-url, or "
            "--repository with its owner."
        )
    options = SyncOptions(
        provider=provider,
        credentials=credentials,
        strategy=strategy,
        reconnect=reconnect,
        allow_override_items=allow_override_items,
        comment=comment,
        dry_run=dry_run,
        timeout=app.options.timeout,
    )
    with noting_connection(connection), app.progress() as progress:
        if len(names) == 1:
            from fabric_git.workflows import BatchEntry, BatchSyncResult

            result = sync_one(client, names[0], options, progress=progress)
            batch = BatchSyncResult((BatchEntry(names[0], result=result),))
        else:
            batch = sync_many(client, names, options, concurrency=concurrency, progress=progress)
    _report(app, batch, connection, dry_run=dry_run)


def _report(
    app: AppContext,
    batch: BatchSyncResult,
    connection: ConnectionResult | None,
    *,
    dry_run: bool,
) -> None:
    from fabric_git.cli.failures import classify

    entries: list[dict[str, Any]] = []
    lines: list[str] = [] if connection is None else [connection.describe(dry_run=dry_run)]
    rows: list[tuple[str, ...]] = []
    exit_codes: set[ExitCode] = set()
    changes: list[Change] = []
    for entry in batch.entries:
        if entry.result is not None:
            result = entry.result
            entries.append(
                {
                    "workspace": entry.workspace,
                    "ok": True,
                    "attempts": entry.attempts,
                    "result": result.to_json(),
                }
            )
            lines.extend(sync_lines(result))
            changes.extend(result.changes)
            rows.append((result.workspace.name, "ok", ", ".join(result.actions) or "nothing to do"))
            continue
        assert entry.error is not None
        failure = classify(entry.error, command="sync", workspace=entry.workspace)
        exit_codes.add(failure.exit_code)
        app.terminal.error(f"{entry.workspace}: {failure.line()}", title="fabric-git sync")
        entries.append(
            {
                "workspace": entry.workspace,
                "ok": False,
                "attempts": entry.attempts,
                "error": {
                    "code": failure.code,
                    "message": failure.message,
                    "exitCode": int(failure.exit_code),
                    "operationId": failure.operation_id,
                    "requestId": failure.request_id,
                },
            }
        )
        rows.append((entry.workspace, "failed", failure.code))
    data: dict[str, Any] = {
        "results": entries,
        "summary": {
            "total": len(batch.entries),
            "succeeded": len(batch.succeeded),
            "failed": len(batch.failed),
            "noop": sum(1 for e in batch.succeeded if e.result is not None and e.result.noop),
        },
    }
    if connection is not None:
        data["connection"] = connection.to_json()
    tables = []
    if len(batch.entries) > 1:
        tables.append(Table(columns=("Workspace", "Result", "Actions"), rows=tuple(rows)))
    if changes:
        tables.append(changes_table(changes, title="Changes applied"))
    app.show(
        View(data=data, lines=tuple(lines), tables=tuple(tables), summary_title="fabric-git sync")
    )
    if exit_codes:
        code = exit_codes.pop() if len(exit_codes) == 1 else ExitCode.ERROR
        raise click.exceptions.Exit(int(code))
