"""``credentials show|set|setup``: the caller's Git credentials for a workspace."""

from __future__ import annotations

import sys

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.choices import CREDENTIAL_SOURCES, PRINCIPAL_TYPES, KebabChoice
from fabric_git.cli.constants import EnvVars
from fabric_git.cli.options import read_pat, workspace_option
from fabric_git.cli.render import View
from fabric_git.cli.views import credentials_view

__all__ = ["credentials"]


@click.group()
def credentials() -> None:
    """Show, set or set up Git credentials for a workspace."""


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


@credentials.command("setup")
@workspace_option
@click.option(
    "--connection-name",
    metavar="NAME",
    required=True,
    help="The connection to create, or to reuse when one of that name exists.",
)
@click.option(
    "--principal",
    "principal_id",
    metavar="ID",
    help="Object id of the principal that runs the pipeline [default: the signed-in one].",
)
@click.option(
    "--principal-type",
    type=KebabChoice(PRINCIPAL_TYPES),
    default="service-principal",
    show_default=True,
    help="What --principal is.",
)
@click.option(
    "--pat-env",
    metavar="VAR",
    default=EnvVars.PAT_DEFAULT,
    show_default=True,
    help="GitHub: environment variable holding the personal access token.",
)
@click.option("--pat-stdin", is_flag=True, help="GitHub: read the token from stdin.")
@click.option(
    "--rotate-pat", is_flag=True, help="GitHub: the connection exists; store the given token."
)
@click.option(
    "--tenant-id",
    envvar="AZURE_TENANT_ID",
    metavar="GUID",
    help="Azure DevOps: the service principal's tenant. [env: AZURE_TENANT_ID]",
)
@click.option(
    "--client-id",
    envvar="AZURE_CLIENT_ID",
    metavar="GUID",
    help="Azure DevOps: the service principal's client id. [env: AZURE_CLIENT_ID]",
)
@click.option(
    "--secret-env",
    metavar="VAR",
    default="AZURE_CLIENT_SECRET",
    show_default=True,
    help="Azure DevOps: environment variable holding the client secret.",
)
@click.option("--secret-stdin", is_flag=True, help="Azure DevOps: read the secret from stdin.")
@pass_app
def setup(
    app: AppContext,
    workspace: str,
    connection_name: str,
    principal_id: str | None,
    principal_type: str,
    pat_env: str,
    pat_stdin: bool,
    rotate_pat: bool,
    tenant_id: str | None,
    client_id: str | None,
    secret_env: str,
    secret_stdin: bool,
) -> None:
    """Set up a connected workspace's Git credentials for the principal that runs a pipeline.

    Creates the connection (GitHub: a PAT connection; Azure DevOps: one holding the service
    principal's credentials), or reuses the one of that name as it is (a GitHub PAT replaces its
    key only with --rotate-pat); shares it with --principal when that is not you; and, when run as
    that principal, sets its Git credentials on the workspace to the connection. Secrets come
    from environment variables or stdin, never from arguments. Safe to re-run.
    """
    import os

    from fabric_git.workflows.principal import AzureServicePrincipal, setup_principal

    pat = read_pat(pat_env, pat_stdin)
    secret = None
    if secret_stdin:
        secret = sys.stdin.readline().strip() or None
    else:
        secret = os.environ.get(secret_env, "").strip() or None
    azure = AzureServicePrincipal(tenant_id, client_id, secret) if tenant_id and client_id else None
    result = setup_principal(
        app.client(),
        workspace,
        connection_name=connection_name,
        principal_id=principal_id,
        principal_type=principal_type,
        github_pat=pat,
        rotate_pat=rotate_pat,
        azure=azure,
    )
    from fabric_git.workflows.credentials import describe_differences

    if warning := describe_differences(connection_name, result.connection.differs):
        app.terminal.warning(warning)
    lines = [result.connection.describe()]
    if result.shared == "added":
        lines.append(f"Shared it with {result.principal_id}.")
    if result.credentials is not None:
        verb = "Set" if result.credentials.changed else "Already set:"
        lines.append(f"{verb} your Git credentials on {result.workspace.name} to it.")
    lines.extend(f"Note: {note}." for note in result.notes)
    app.show(View(data=result.to_json(), lines=tuple(lines)))
