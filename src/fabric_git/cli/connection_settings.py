"""``connection-settings``: who, beyond workspace admins, may change a workspace's branch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.choices import BRANCH_ROLES, KebabChoice
from fabric_git.cli.options import workspace_option
from fabric_git.cli.render import View

if TYPE_CHECKING:
    from fabric_git.models.git import GitConnectionSettings

__all__ = ["connection_settings"]


def _roles(settings: GitConnectionSettings) -> str | None:
    value = settings.additional_roles_authorized_to_change_branch
    return None if value is None else str(value)


@click.command("connection-settings")
@workspace_option
@click.option(
    "--branch-changers",
    type=KebabChoice(BRANCH_ROLES),
    metavar="ROLES",
    help="Set who besides admins may change the branch: member-and-contributor, or none.",
)
@pass_app
def connection_settings(app: AppContext, workspace: str, branch_changers: str | None) -> None:
    """Show a connected workspace's Git connection settings, or set them.

    Admins may always change (check out) the workspace's branch; with --branch-changers
    member-and-contributor, Members and Contributors may too. Reading needs Contributor,
    setting needs Admin. Setting the value in force already is a no-op (exit 0).
    """
    client = app.client()
    ws = client.resolve_workspace(workspace)
    current = client.git.get_connection_settings(ws.id)
    before = _roles(current)
    changed = False
    if branch_changers is not None and branch_changers != before:
        changed = True
        current = client.git.update_connection_settings(ws.id, branch_changers)
    roles = _roles(current)
    data: dict[str, Any] = {
        "workspace": {"id": ws.id, "name": ws.display_name},
        "additionalRolesAuthorizedToChangeBranch": roles,
        "changed": changed,
    }
    who = "admins, members and contributors" if roles == "MemberAndContributor" else "admins"
    if changed:
        line = f"{ws.display_name}: the branch may now be changed by {who} (was {before})."
    elif branch_changers is not None:
        line = f"{ws.display_name}: the branch may be changed by {who} already; nothing to do."
    else:
        line = f"{ws.display_name}: the branch may be changed by {who} ({roles})."
    app.show(View(data=data, lines=(line,)))
