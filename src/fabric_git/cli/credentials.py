"""``credentials show|set``: the caller's Git credentials for a workspace."""

from __future__ import annotations

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.choices import CREDENTIAL_SOURCES, KebabChoice
from fabric_git.cli.options import workspace_option
from fabric_git.cli.views import credentials_view

__all__ = ["credentials"]


@click.group()
def credentials() -> None:
    """Show or set your Git credentials for a workspace."""


@credentials.command("show")
@workspace_option
@pass_app
def show(app: AppContext, workspace: str) -> None:
    """Show the source of your Git credentials (and the connection, if one is used)."""
    from fabric_git.workflows import show_credentials

    app.show(credentials_view(show_credentials(app.client(), workspace)))


@credentials.command("set")
@workspace_option
@click.option(
    "--source",
    type=KebabChoice(CREDENTIAL_SOURCES),
    required=True,
    help="Where your Git credentials come from.",
)
@click.option("--connection", metavar="NAME|ID", help="The connection, for configured-connection.")
@pass_app
def set_(app: AppContext, workspace: str, source: str, connection: str | None) -> None:
    """Set your Git credentials (a no-op when they are already so)."""
    from fabric_git.workflows import set_credentials

    configured = source == CREDENTIAL_SOURCES["configured-connection"]
    if configured and not connection:
        raise click.UsageError("--source configured-connection needs --connection NAME|ID.")
    if connection and not configured:
        raise click.UsageError("--connection applies only to --source configured-connection.")
    result = set_credentials(app.client(), workspace, source=source, connection=connection)
    app.show(credentials_view(result))
