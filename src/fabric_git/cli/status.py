"""``status``: what differs between a workspace and its branch."""

from __future__ import annotations

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.constants import ExitCode
from fabric_git.cli.options import workspace_option
from fabric_git.cli.views import status_view

__all__ = ["status"]


@click.command()
@workspace_option
@click.option("--files", is_flag=True, help="Also show the changed files of each item.")
@click.option(
    "--exit-code",
    is_flag=True,
    help=f"Exit {int(ExitCode.DIFFERENCES_FOUND)} when the workspace is not in sync with its "
    "branch (0 when it is).",
)
@pass_app
def status(app: AppContext, workspace: str, files: bool, exit_code: bool) -> None:
    """Show the workspace head, the remote commit and every changed item.

    With --files, each changed item lists its changed files (paths relative to the item's
    folder), the ones `fabric-git commit --file ITEM:PATH` can commit alone.
    """
    from fabric_git.workflows import read_status, resolve_workspace
    from fabric_git.workflows.events import Reporter

    client = app.client()
    ws = resolve_workspace(client, workspace)
    with app.progress() as progress:
        report = read_status(
            client,
            ws,
            timeout=app.options.timeout,
            reporter=Reporter(ws.name, progress),
            files=files,
        )
    app.show(status_view(report))
    if exit_code and not report.in_sync:
        raise click.exceptions.Exit(int(ExitCode.DIFFERENCES_FOUND))
