"""``doctor``: what a Git automation of a workspace needs, checked for the signed-in identity."""

from __future__ import annotations

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.constants import ExitCode
from fabric_git.cli.options import workspace_option
from fabric_git.cli.render import Table, View

__all__ = ["doctor"]


@click.command()
@workspace_option
@pass_app
def doctor(app: AppContext, workspace: str) -> None:
    """Check everything a Git automation of the workspace needs, as the signed-in identity.

    The API and the token, your role and what it allows, the capacity, the connection, your Git
    credentials (a service principal cannot use Automatic), the configured connection, a status
    read, and that no operation runs. Each check says what is missing and how to fix it. Exit 0
    only when nothing blocks, 1 otherwise. Reads only.
    """
    from fabric_git.workflows.doctor import doctor as run

    report = run(app.client(), workspace, timeout=app.options.timeout)
    rows = tuple((c.name, c.result, c.detail, c.fix or "") for c in report.checks)
    who = f"{report.identity.type} {report.identity.id or '(id unknown)'}"
    verdict = "Nothing blocks." if report.ok else "Something blocks: see the fixes above."
    app.show(
        View(
            data=report.to_json(),
            tables=(
                Table(columns=("Check", "Result", "Detail", "Fix"), rows=rows, title=f"As {who}"),
            ),
            lines=(verdict,),
        )
    )
    if not report.ok:
        raise click.exceptions.Exit(int(ExitCode.ERROR))
