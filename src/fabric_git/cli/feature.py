"""``feature up|down|list``: a workspace per feature branch of a base workspace."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.constants import WORKSPACE_META, EnvVars
from fabric_git.cli.options import read_pat
from fabric_git.cli.render import Table, View

if TYPE_CHECKING:
    from fabric_git.workflows.feature import FeatureDownResult, FeatureUpResult

__all__ = ["feature"]

F = TypeVar("F", bound=Callable[..., Any])


def _remember(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
    if isinstance(value, str) and value.strip():
        ctx.meta[WORKSPACE_META] = value
    return value


def _branch_name(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """A name Git takes for a branch; anything else is a usage error before anything is made."""
    from fabric_git.workflows.branches import BranchError, check_branch_name

    try:
        check_branch_name(value)
    except BranchError as error:
        raise click.BadParameter(str(error)) from None
    return value


def _not_blank(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise click.BadParameter("the name is empty; leave --name out for the default name")
    return value


def _base_and_branch(function: F) -> F:
    function = click.option(
        "--branch",
        required=True,
        metavar="BRANCH",
        callback=_branch_name,
        help="The feature branch (a branch of the base's repository).",
    )(function)
    return click.option(
        "--base",
        "-b",
        required=True,
        metavar="NAME|ID",
        callback=_remember,
        help="The base workspace (connected to Git), by display name or id.",
    )(function)


def _name_option(function: F) -> F:
    return click.option(
        "--name",
        metavar="NAME",
        callback=_not_blank,
        help="The feature workspace's name; {base} and {branch} are filled in. "
        "[default: {base} [{branch}]]",
    )(function)


def _pat_options(function: F) -> F:
    function = click.option(
        "--pat-stdin",
        is_flag=True,
        help="Read the GitHub personal access token (for the branch) from stdin.",
    )(function)
    return click.option(
        "--pat-env",
        metavar="VAR",
        default=EnvVars.PAT_DEFAULT,
        show_default=True,
        help="Environment variable holding the GitHub personal access token, used to check, "
        "create or delete the branch (Azure DevOps: the signed-in principal's Entra token, or "
        f"one in {EnvVars.AZURE_DEVOPS_TOKEN}).",
    )(function)


def _azure_devops_token() -> str | None:
    return os.environ.get(EnvVars.AZURE_DEVOPS_TOKEN, "").strip() or None


@click.group()
def feature() -> None:
    """A workspace per feature branch: create and sync it, list them, remove it.

    A feature workspace is connected to the base workspace's repository and directory on its
    own branch, with the base's Git credentials. It is known as one by the workspace relation
    (or, where relations are unavailable, by a marker in its description): a workspace that is
    neither is never touched.
    """


@feature.command("up")
@_base_and_branch
@_name_option
@click.option(
    "--create-branch",
    is_flag=True,
    help="Create BRANCH from the tip of the base's branch when it does not exist.",
)
@click.option(
    "--capacity",
    "capacity_id",
    metavar="ID",
    help="Capacity of a new workspace [default: the base's].",
)
@click.option("--copy-roles", is_flag=True, help="Give it the base workspace's role assignments.")
@_pat_options
@pass_app
def up(
    app: AppContext,
    base: str,
    branch: str,
    name: str | None,
    create_branch: bool,
    capacity_id: str | None,
    copy_roles: bool,
    pat_env: str,
    pat_stdin: bool,
) -> None:
    """Create (if needed), connect, initialize preferring Git and update the feature workspace.

    Safe to re-run: a no-op when it is in sync, an update when the branch moved.
    """
    from fabric_git.workflows.feature import feature_up

    # Also without --create-branch: with it git checks the branch exists before anything is made.
    token = read_pat(pat_env, pat_stdin)
    with app.progress() as progress:
        result = feature_up(
            app.client(),
            base,
            branch,
            name=name,
            capacity_id=capacity_id,
            copy_roles=copy_roles,
            create_branch=create_branch,
            github_pat=token,
            azure_devops_token=_azure_devops_token(),
            timeout=app.options.timeout,
            progress=progress,
        )
    app.show(
        View(data=result.to_json(), lines=_up_lines(result), summary_title="fabric-git feature up")
    )


def _up_lines(result: FeatureUpResult) -> tuple[str, ...]:
    ws = f"{result.workspace.name} ({result.workspace.id})"
    lines: list[str] = []
    if result.created_branch:
        lines.append(f"Created branch {result.branch} from the base's branch.")
    if result.created_workspace:
        lines.append(f"Created workspace {ws}.")
    if result.relation == "created":
        lines.append(f"Registered it as a branch workspace of {result.base.name}.")
    if result.roles_copied:
        lines.append(f"Copied {len(result.roles_copied)} role assignment(s) from the base.")
    if result.sync.actions:
        lines.append(f"Synced: {', '.join(result.sync.actions)}.")
    head = (result.head or "")[:12] or "none"
    if result.noop:
        lines.append(
            f"Feature workspace {ws} is in sync with {result.branch} ({head}); nothing to do."
        )
    else:
        lines.append(f"Feature workspace {ws} is on {result.branch} at {head}.")
    return tuple(lines)


@feature.command("down")
@_base_and_branch
@_name_option
@click.option(
    "--discard-changes",
    is_flag=True,
    help="Delete it even though it holds uncommitted workspace changes (they are lost).",
)
@click.option("--delete-branch", is_flag=True, help="Also delete BRANCH from the repository.")
@_pat_options
@pass_app
def down(
    app: AppContext,
    base: str,
    branch: str,
    name: str | None,
    discard_changes: bool,
    delete_branch: bool,
    pat_env: str,
    pat_stdin: bool,
) -> None:
    """Disconnect and delete the feature workspace of BRANCH.

    Only a workspace the relation or the marker shows to be one; uncommitted workspace changes
    refuse it unless --discard-changes. A second run is a reported no-op.
    """
    from fabric_git.workflows.feature import feature_down

    token = read_pat(pat_env, pat_stdin) if delete_branch else None
    with app.progress() as progress:
        result = feature_down(
            app.client(),
            base,
            branch,
            name=name,
            discard_changes=discard_changes,
            delete_branch=delete_branch,
            github_pat=token,
            azure_devops_token=_azure_devops_token() if delete_branch else None,
            timeout=app.options.timeout,
            progress=progress,
        )
    app.show(
        View(
            data=result.to_json(),
            lines=_down_lines(result),
            summary_title="fabric-git feature down",
        )
    )


def _down_lines(result: FeatureDownResult) -> tuple[str, ...]:
    lines: list[str] = []
    if result.workspace is not None:
        ws = f"{result.workspace.name} ({result.workspace.id})"
        if result.discarded:
            lines.append(f"Discarded {len(result.discarded)} uncommitted change(s).")
        lines.append(f"Deleted feature workspace {ws}.")
    if result.branch_deleted:
        lines.append(f"Deleted branch {result.branch}.")
    lines.extend(f"Note: {note}." for note in result.notes)
    if result.noop:
        lines.append("Nothing to do.")
    return tuple(lines)


@feature.command("list")
@click.option(
    "--base",
    "-b",
    required=True,
    metavar="NAME|ID",
    callback=_remember,
    help="The base workspace, by display name or id.",
)
@pass_app
def list_(app: AppContext, base: str) -> None:
    """The feature workspaces of a base workspace: branch, sync state and head."""
    from fabric_git.workflows.feature import list_features

    found = list_features(app.client(), base, timeout=app.options.timeout)
    rows = tuple(
        (
            f.workspace.name,
            f.branch or "",
            f.state,
            "yes" if f.in_sync else ("no" if f.in_sync is False else "unknown"),
            (f.head or "")[:12],
        )
        for f in found.features
    )
    table = Table(
        columns=("Workspace", "Branch", "Connection", "In sync", "Head"),
        rows=rows,
        title=f"Feature workspaces of {found.base.name}",
    )
    notes = tuple(
        f"Not listed: {ws.name} ({ws.id}) is related to the base but no feature workspace: {why}."
        for ws, why in found.passed_over
    )
    app.show(View(data=found.to_json(), lines=notes, tables=(table,)))
