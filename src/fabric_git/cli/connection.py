"""``connect``, ``disconnect``, ``connection`` and ``init``: a workspace's link to Git."""

from __future__ import annotations

from typing import Any

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.choices import STRATEGIES, KebabChoice
from fabric_git.cli.options import (
    credential_options,
    credentials_from_options,
    noting_connection,
    provider_args,
    provider_options,
    workspace_option,
)
from fabric_git.cli.render import View
from fabric_git.cli.views import connect_view, disconnect_view, initialize_view

__all__ = ["connect", "connection", "disconnect", "init"]


@click.command()
@workspace_option
@provider_options
@credential_options
@click.option(
    "--reconnect",
    is_flag=True,
    help="If connected to another repository, branch or directory, connect there instead "
    "(the old connection is restored if the new one fails).",
)
@pass_app
def connect(app: AppContext, workspace: str, reconnect: bool, **kwargs: Any) -> None:
    """Connect a workspace to a repository, branch and directory (no-op if already there).

    GitHub needs credentials: --connection NAME|ID, or the PAT connection --connection-name
    (default fabric-git-OWNER-REPO, or the one scoped to the repository URL): reused with its
    key unchanged (--rotate-pat stores the given PAT as its key), or created from the PAT in
    --pat-env VAR / --pat-stdin.
    """
    from fabric_git.workflows import connect as connect_workflow

    provider = provider_args(kwargs).details()
    if provider is None:
        raise click.UsageError("name the repository: --repo-url, or --repository with its owner.")
    client = app.client()
    credentials, connection = credentials_from_options(client, provider, kwargs)
    with noting_connection(connection), app.progress() as progress:
        result = connect_workflow(
            client,
            workspace,
            provider,
            credentials=credentials,
            reconnect=reconnect,
            progress=progress,
        )
    app.show(connect_view(result, connection))


@click.command()
@workspace_option
@pass_app
def disconnect(app: AppContext, workspace: str) -> None:
    """Disconnect a workspace from Git (no-op if not connected). Items stay in the workspace."""
    from fabric_git.workflows import disconnect as disconnect_workflow

    app.show(disconnect_view(disconnect_workflow(app.client(), workspace)))


@click.command()
@workspace_option
@pass_app
def connection(app: AppContext, workspace: str) -> None:
    """Show a workspace's Git connection: provider, state and the synced commit."""
    from fabric_git.workflows import describe_provider, resolve_workspace
    from fabric_git.workflows.connection import connection_state

    client = app.client()
    ws = resolve_workspace(client, workspace)
    current = client.git.get_connection(ws.id)
    details = current.git_provider_details
    sync = current.git_sync_details
    state = connection_state(current)
    data = {
        "workspace": ws.to_json(),
        "state": state,
        "connectionType": None
        if current.git_connection_type is None
        else str(current.git_connection_type),
        "provider": details.model_dump(by_alias=True, mode="json") if details else None,
        "description": describe_provider(details) if details else None,
        "head": sync.head if sync else None,
        "lastSyncTime": sync.last_sync_time if sync else None,
    }
    lines = [f"Workspace:  {ws.name} ({ws.id})", f"State:      {state}"]
    if details is not None:
        lines.append(f"Connected:  {describe_provider(details)}")
    if sync is not None:
        lines.append(f"Head:       {sync.head} (synced {sync.last_sync_time})")
    app.show(View(data=data, lines=tuple(lines)))


@click.command()
@workspace_option
@click.option(
    "--strategy",
    type=KebabChoice(STRATEGIES),
    help="Which side wins when both have content.",
)
@pass_app
def init(app: AppContext, workspace: str, strategy: str | None) -> None:
    """Initialize a connected workspace and show the action required next.

    Use `fabric-git sync` to initialize and carry out that action in one go.
    """
    from fabric_git.workflows import initialize

    with app.progress() as progress:
        result = initialize(
            app.client(),
            workspace,
            strategy=strategy,
            timeout=app.options.timeout,
            progress=progress,
        )
    app.show(initialize_view(result))
