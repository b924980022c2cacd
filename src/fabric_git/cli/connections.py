"""``connections list|create-github|create-azure-devops|delete|test|share|roles``: Fabric
connections (secrets are never shown). One module because every command shows a connection the
same way (``connection_json``) and finds it by the same NAME|ID."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.choices import CONNECTION_ROLES, KebabChoice
from fabric_git.cli.constants import EnvVars, ExitCode
from fabric_git.cli.options import github_repo_url, read_pat
from fabric_git.cli.render import Table, View
from fabric_git.cli.roles import (
    assignment_json,
    assignment_option,
    assignments_view,
    ensure_role,
    principal_options,
    remove_role,
)

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
    """List, create, test, share or delete Fabric connections."""


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
@click.option(
    "--repo-url",
    metavar="URL",
    callback=github_repo_url,
    help="Scope it to https://github.com/OWNER/REPO (or a *.ghe.com host).",
)
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
    from fabric_git.workflows.credentials import describe_differences

    token = read_pat(pat_env, pat_stdin)
    result = ensure_github_connection(
        app.client(),
        display_name=display_name,
        repository_url=repo_url,
        token=token,
        rotate_key=rotate_pat,
    )
    if warning := describe_differences(display_name, result.differs):
        app.terminal.warning(warning)
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


def _guid(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from fabric_git.client import is_guid

    if value is not None and not is_guid(value):
        raise click.BadParameter(f"{value!r} is not a GUID.")
    return None if value is None else value.strip()


def read_secret(variable: str, from_stdin: bool) -> str:
    """The client secret from stdin or the environment variable ``variable``; a usage error
    naming where it was looked for when it is not there (the secret itself is never shown)."""
    if from_stdin:
        secret = sys.stdin.readline().strip()
        if not secret:
            raise click.UsageError("--secret-stdin: nothing was read from stdin.")
        return secret
    secret = os.environ.get(variable, "").strip()
    if not secret:
        raise click.BadParameter(
            f"the environment variable {variable} is not set (or is empty); export the client "
            "secret in it, or use --secret-stdin.",
            param_hint="--secret-env",
        )
    return secret


@connections.command("create-azure-devops")
@click.option(
    "--name", "display_name", metavar="NAME", required=True, help="Display name of the connection."
)
@click.option(
    "--repo-url",
    metavar="URL",
    required=True,
    help="The repository: https://dev.azure.com/ORG/PROJECT/_git/REPO.",
)
@click.option(
    "--tenant-id",
    envvar="AZURE_TENANT_ID",
    required=True,
    metavar="GUID",
    callback=_guid,
    help="Entra tenant of the service principal. [env: AZURE_TENANT_ID]",
)
@click.option(
    "--client-id",
    envvar="AZURE_CLIENT_ID",
    required=True,
    metavar="GUID",
    callback=_guid,
    help="Application (client) id of the service principal. [env: AZURE_CLIENT_ID]",
)
@click.option(
    "--secret-env",
    metavar="VAR",
    default="AZURE_CLIENT_SECRET",
    show_default=True,
    help="Environment variable holding the service principal's client secret.",
)
@click.option("--secret-stdin", is_flag=True, help="Read the client secret from stdin.")
@pass_app
def create_azure_devops(
    app: AppContext,
    display_name: str,
    repo_url: str,
    tenant_id: str,
    client_id: str,
    secret_env: str,
    secret_stdin: bool,
) -> None:
    """Create an Azure DevOps connection for a service principal, or reuse it.

    The connection (type AzureDevOpsSourceControl) holds the service principal's credentials;
    one of that name that exists is reused, its credentials left as they are. This is how a
    service principal connects a workspace to Azure DevOps (Automatic credentials are refused
    for service principals): connect with --connection NAME. The client secret comes from
    --secret-env VAR or --secret-stdin, never from arguments.
    """
    from fabric_git.api.connections import AZURE_DEVOPS_CONNECTION_TYPE
    from fabric_git.errors import ResolutionError
    from fabric_git.workflows.credentials import describe_differences, reuse_differences
    from fabric_git.workflows.results import differs_json

    secret = read_secret(secret_env, secret_stdin)  # before any request: a missing one costs none
    client = app.client()
    try:
        existing = client.resolve_connection(display_name)
    except ResolutionError as error:
        if error.code != "NotFound":
            raise
        existing = None
    if existing is not None:
        differs = reuse_differences(
            existing, connection_type=AZURE_DEVOPS_CONNECTION_TYPE, path=repo_url
        )
        if warning := describe_differences(display_name, differs):
            app.terminal.warning(warning)
        app.show(
            View(
                data={
                    **connection_json(existing),
                    "created": False,
                    "differs": differs_json(differs),
                },
                lines=(
                    f"Connection {existing.display_name} ({existing.id}) exists already; its "
                    "credentials are unchanged (delete it to create it anew).",
                ),
            )
        )
        return
    created = client.connections.create_azure_devops(
        display_name, repo_url, tenant_id=tenant_id, client_id=client_id, client_secret=secret
    )
    app.show(
        View(
            data={**connection_json(created), "created": True, "differs": {}},
            lines=(f"Created connection {created.display_name} ({created.id}).",),
        )
    )


@connections.command("test")
@click.argument("connection", metavar="NAME|ID")
@pass_app
def test(app: AppContext, connection: str) -> None:
    """Test a connection; exit 1 when it is offline.

    Can the service reach the source with the connection's credentials? Exit 0 when it is
    Online, 1 when it is Offline (the errors the service gave are shown)."""
    client = app.client()
    found = client.resolve_connection(connection)
    result = client.connections.test(found.id, timeout=app.options.timeout)
    errors = [{"errorCode": e.error_code, "message": e.message} for e in result.errors or ()]
    lines = [f"Connection {found.display_name} ({found.id}): {result.status}"]
    lines.extend(f"  {e['errorCode']}: {e['message']}" for e in errors)
    app.show(
        View(
            data={
                "connection": {"id": found.id, "displayName": found.display_name},
                "status": str(result.status),
                "errors": errors,
            },
            lines=tuple(lines),
        )
    )
    if str(result.status) != "Online":
        raise click.exceptions.Exit(int(ExitCode.ERROR))


@connections.group("roles")
def roles() -> None:
    """List, add or remove who may use a connection."""


def _connection_ref(found: Connection) -> dict[str, Any]:
    return {"id": found.id, "displayName": found.display_name}


@roles.command("list")
@click.argument("connection", metavar="NAME|ID")
@pass_app
def roles_list(app: AppContext, connection: str) -> None:
    """List who may use, reshare or own the connection."""
    client = app.client()
    found = client.resolve_connection(connection)
    assignments = client.connections.list_role_assignments(found.id)
    app.show(assignments_view("connection", _connection_ref(found), assignments))


_ROLE_OPTION = click.option(
    "--role",
    type=KebabChoice(CONNECTION_ROLES),
    default="user",
    show_default=True,
    help="user: may use it; user-with-reshare: may also share it; owner: may change it.",
)


@roles.command("add")
@click.argument("connection", metavar="NAME|ID")
@principal_options
@_ROLE_OPTION
@pass_app
def roles_add(
    app: AppContext, connection: str, principal_id: str, principal_type: str, role: str
) -> None:
    """Share the connection with a user, group or service principal. A principal that has the
    role already is a no-op (exit 0); one with another role gets the role given."""
    _share(app, connection, principal_id, principal_type, role)


@connections.command("share")
@click.argument("connection", metavar="NAME|ID")
@principal_options
@_ROLE_OPTION
@pass_app
def share(
    app: AppContext, connection: str, principal_id: str, principal_type: str, role: str
) -> None:
    """Share the connection with a principal (as `connections roles add`).

    A service principal that connects a workspace through a connection must be able to use it,
    or the service answers ConnectionNotFound.
    """
    _share(app, connection, principal_id, principal_type, role)


def _share(
    app: AppContext, connection: str, principal_id: str, principal_type: str, role: str
) -> None:
    client = app.client()
    found = client.resolve_connection(connection)
    name = found.display_name or found.id
    assignment, changed, had = ensure_role(
        client.connections, found.id, principal_id, principal_type, role
    )
    if not changed:
        line = f"{principal_id} is {role} of connection {name} already; nothing to do."
    elif had is not None:
        line = f"{principal_id} is now {role} of connection {name} (was {had})."
    else:
        line = f"Shared connection {name} with {principal_id} as {role}."
    app.show(
        View(
            data={
                "connection": _connection_ref(found),
                "roleAssignment": assignment_json(assignment),
                "changed": changed,
            },
            lines=(line,),
        )
    )


@roles.command("remove")
@click.argument("connection", metavar="NAME|ID")
@assignment_option
@pass_app
def roles_remove(app: AppContext, connection: str, principal_id: str) -> None:
    """Stop sharing the connection with a principal. One it is not shared with is a no-op."""
    client = app.client()
    found = client.resolve_connection(connection)
    name = found.display_name or found.id
    current = remove_role(client.connections, found.id, principal_id)
    if current is None:
        data: dict[str, Any] = {"removed": None}
        line = f"Connection {name} is not shared with {principal_id}; nothing to do."
    else:
        data = {"removed": assignment_json(current)}
        line = f"Connection {name} is no longer shared with {principal_id} ({current.role})."
    app.show(View(data={"connection": _connection_ref(found), **data}, lines=(line,)))
