"""``commit``: workspace changes to Git, all or selected."""

from __future__ import annotations

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.options import dry_run_option, workspace_option
from fabric_git.cli.views import commit_view

__all__ = ["commit"]


@click.command()
@workspace_option
@click.argument("items", nargs=-1, metavar="[ITEM]...")
@click.option(
    "--message", "-m", "comment", metavar="MESSAGE", help="Commit message (at most 300 characters)."
)
@dry_run_option
@pass_app
def commit(
    app: AppContext, workspace: str, items: tuple[str, ...], comment: str | None, dry_run: bool
) -> None:
    """Commit all workspace changes, or only the ITEMs named.

    An ITEM is a display name, Name.Type (e.g. Sales.Report), an item type (every changed item
    of it), a glob (e.g. 'Sales*'), an object id or a logical id; deleted items count too.
    Nothing to commit is a no-op (exit 0).
    """
    from fabric_git.workflows import commit as commit_workflow
    from fabric_git.workflows.errors import check_comment

    check_comment(comment)  # before the client exists: a bad comment never reaches the service
    with app.progress() as progress:
        result = commit_workflow(
            app.client(),
            workspace,
            selectors=items,
            comment=comment,
            dry_run=dry_run,
            timeout=app.options.timeout,
            progress=progress,
        )
    app.show(commit_view(result))
