"""``update``: bring a workspace to the tip of its branch."""

from __future__ import annotations

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.choices import CONFLICT_POLICIES, KebabChoice
from fabric_git.cli.options import dry_run_option, workspace_option
from fabric_git.cli.views import update_view

__all__ = ["update"]


@click.command()
@workspace_option
@click.option(
    "--conflict-policy",
    type=KebabChoice(CONFLICT_POLICIES),
    help="Which side wins for items changed on both sides (else conflicts stop with exit 4).",
)
@click.option(
    "--allow-override-items",
    is_flag=True,
    help="Let incoming items replace workspace items with the same name and type.",
)
@dry_run_option
@pass_app
def update(
    app: AppContext,
    workspace: str,
    conflict_policy: str | None,
    allow_override_items: bool,
    dry_run: bool,
) -> None:
    """Update the workspace from Git to the branch's latest commit, then verify the head."""
    from fabric_git.workflows import update as update_workflow

    with app.progress() as progress:
        result = update_workflow(
            app.client(),
            workspace,
            conflict_policy=conflict_policy,
            allow_override_items=allow_override_items,
            dry_run=dry_run,
            timeout=app.options.timeout,
            progress=progress,
        )
    app.show(update_view(result))
