"""``status``: what differs between a workspace and its branch."""

from __future__ import annotations

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.options import workspace_option
from fabric_git.cli.views import status_view

__all__ = ["status"]


@click.command()
@workspace_option
@pass_app
def status(app: AppContext, workspace: str) -> None:
    """Show the workspace head, the remote commit and every changed item."""
    from fabric_git.workflows import read_status, resolve_workspace
    from fabric_git.workflows.events import Reporter

    client = app.client()
    ws = resolve_workspace(client, workspace)
    with app.progress() as progress:
        report = read_status(
            client, ws, timeout=app.options.timeout, reporter=Reporter(ws.name, progress)
        )
    app.show(status_view(report))
