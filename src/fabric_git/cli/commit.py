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
    "--file",
    "files",
    multiple=True,
    metavar="ITEM:PATH",
    help="Commit only this file of an item (repeatable): 'Sales.Notebook:notebook-content.py'.",
)
@click.option(
    "--message", "-m", "comment", metavar="MESSAGE", help="Commit message (at most 300 characters)."
)
@dry_run_option
@pass_app
def commit(
    app: AppContext,
    workspace: str,
    items: tuple[str, ...],
    files: tuple[str, ...],
    comment: str | None,
    dry_run: bool,
) -> None:
    """Commit all workspace changes, or only the ITEMs named, or single files of items.

    An ITEM is a display name, Name.Type (e.g. Sales.Report), an item type (every changed item
    of it), a glob (e.g. 'Sales*'), an object id or a logical id; deleted items count too.
    Nothing to commit is a no-op (exit 0).

    --file ITEM:PATH commits one changed file of one item (PATH relative to the item's folder,
    as `fabric-git status --files` lists it; split at the last colon); the item's other changes
    stay pending. With --file, ITEMs named alone are committed whole (mode FileLevelSelective).
    """
    from fabric_git.workflows import commit as commit_workflow
    from fabric_git.workflows.errors import check_comment

    check_comment(comment)  # before the client exists: a bad comment never reaches the service
    for text in files:
        _check_file_selector(text)
    with app.progress() as progress:
        result = commit_workflow(
            app.client(),
            workspace,
            selectors=items,
            files=files,
            comment=comment,
            dry_run=dry_run,
            timeout=app.options.timeout,
            progress=progress,
        )
    app.show(commit_view(result))


def _check_file_selector(text: str) -> None:
    from fabric_git.workflows.selection import parse_file_selector

    try:
        parse_file_selector(text)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--file") from None
