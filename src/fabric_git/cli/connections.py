"""``connections list|create-github|delete``: Fabric connections (secrets are never shown)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.constants import EnvVars
from fabric_git.cli.options import read_pat
from fabric_git.cli.render import Table, View

if TYPE_CHECKING:
    from fabric_git.models.connections import Connection

__all__ = ["connection_json", "connections"]


def connection_json(connection: Connection) -> dict[str, Any]:
    credential = connection.credential_details
    return {
        "id": connection.id,
        "displayName": connection.display_name,
        "connectivityType": str(connection.connectivity_type),
        "type": connection.connection_details.type,
        "path": connection.connection_details.path,
        "credentialType": (
            str(credential.credential_type) if credential and credential.credential_type else None
        ),
    }


@click.group()
def connections() -> None:
    """List, create or delete Fabric connections."""


@connections.command("list")
@pass_app
def list_(app: AppContext) -> None:
    """List the connections you can use."""
    found = [connection_json(c) for c in app.client().connections.list()]
    rows = tuple((c["displayName"] or "", c["id"], c["type"], c["path"] or "") for c in found)
    app.show(
        View(
            data={"connections": found},
            tables=(Table(columns=("Name", "Id", "Type", "Path"), rows=rows),),
        )
    )


@connections.command("create-github")
@click.option(
    "--name", "display_name", metavar="NAME", required=True, help="Display name of the connection."
)
@click.option("--repo-url", metavar="URL", help="Scope it to https://github.com/OWNER/REPO.")
@click.option(
    "--pat-env",
    metavar="VAR",
    default=EnvVars.PAT_DEFAULT,
    show_default=True,
    help="Environment variable holding the GitHub personal access token.",
)
@click.option("--pat-stdin", is_flag=True, help="Read the GitHub personal access token from stdin.")
@click.option(
    "--rotate-pat",
    is_flag=True,
    help="The connection exists: store the given token as its key.",
)
@pass_app
def create_github(
    app: AppContext,
    display_name: str,
    repo_url: str | None,
    pat_env: str,
    pat_stdin: bool,
    rotate_pat: bool,
) -> None:
    """Create a GitHub token connection, or reuse the one of that name.

    The personal access token comes from --pat-env VAR or --pat-stdin, never from arguments.
    A connection that exists keeps its key unless --rotate-pat is given: then the token given
    becomes its key (how to rotate a PAT). Only the name counts: a connection of another name
    for the same repository is never touched.
    """
    from fabric_git.workflows import ensure_github_connection

    token = read_pat(pat_env, pat_stdin)
    result = ensure_github_connection(
        app.client(),
        display_name=display_name,
        repository_url=repo_url,
        token=token,
        rotate_key=rotate_pat,
    )
    app.show(View(data=result.to_json(), lines=(result.describe(),)))


@connections.command("delete")
@click.argument("connection", metavar="NAME|ID")
@click.option(
    "--if-exists",
    is_flag=True,
    help="A connection that does not exist is not an error: say so and exit 0.",
)
@pass_app
def delete(app: AppContext, connection: str, if_exists: bool) -> None:
    """Delete a connection. One that does not exist fails (exit 1), unless --if-exists."""
    from fabric_git.errors import NotFoundError, ResolutionError

    client = app.client()
    try:
        found = client.resolve_connection(connection)
        client.connections.delete(found.id)
    except (ResolutionError, NotFoundError) as error:
        if isinstance(error, ResolutionError) and error.code != "NotFound":
            raise  # several connections share the name: never pick one to delete
        if not if_exists:
            raise
        app.show(
            View(
                data={"deleted": None},
                lines=(f"No connection {connection!r}; nothing was deleted.",),
            )
        )
        return
    app.show(
        View(
            data={"deleted": {"id": found.id, "displayName": found.display_name}},
            lines=(f"Deleted connection {found.display_name} ({found.id}).",),
        )
    )
