"""``workspaces list|create|assign-capacity|unassign-capacity|roles``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.choices import WORKSPACE_ROLES, KebabChoice
from fabric_git.cli.options import workspace_option
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
    from fabric_git.models.workspaces import Workspace

__all__ = ["workspace_json", "workspaces"]


def workspace_json(workspace: Workspace) -> dict[str, Any]:
    return {
        "id": workspace.id,
        "displayName": workspace.display_name,
        "description": workspace.description,
        "type": None if workspace.type is None else str(workspace.type),
        "capacityId": workspace.capacity_id,
    }


@click.group()
def workspaces() -> None:
    """List or create workspaces; assign capacities; manage who has which role."""


@workspaces.command("list")
@pass_app
def list_(app: AppContext) -> None:
    """List the workspaces you can see."""
    found = [workspace_json(w) for w in app.client().workspaces.list()]
    rows = tuple((w["displayName"], w["id"], w["type"] or "", w["capacityId"] or "") for w in found)
    app.show(
        View(
            data={"workspaces": found},
            tables=(Table(columns=("Name", "Id", "Type", "Capacity"), rows=rows),),
        )
    )


@workspaces.command("create")
@click.argument("name")
@click.option("--capacity", "capacity_id", metavar="ID", help="Capacity to assign.")
@click.option("--description", metavar="TEXT", help="Workspace description.")
@click.option(
    "--if-not-exists",
    is_flag=True,
    help="A workspace of that name exists already: say so and exit 0 (safe to re-run).",
)
@pass_app
def create(
    app: AppContext,
    name: str,
    capacity_id: str | None,
    description: str | None,
    if_not_exists: bool,
) -> None:
    """Create a workspace (Git integration needs a capacity: --capacity)."""
    client = app.client()
    if if_not_exists:
        existing = next((w for w in client.workspaces.list() if w.display_name == name), None)
        if existing is not None:
            data = {**workspace_json(existing), "created": False}
            line = (
                f"Workspace {existing.display_name} ({existing.id}) exists already; nothing to do."
            )
            if capacity_id and existing.capacity_id != capacity_id:
                line += f" Its capacity is {existing.capacity_id or 'none'}, not {capacity_id}."
            app.show(View(data=data, lines=(line,)))
            return
    created = client.workspaces.create(name, capacity_id=capacity_id, description=description)
    app.show(
        View(
            data={**workspace_json(created), "created": True},
            lines=(f"Created workspace {created.display_name} ({created.id}).",),
        )
    )


@workspaces.command("assign-capacity")
@workspace_option
@click.argument("capacity", metavar="CAPACITY")
@pass_app
def assign_capacity(app: AppContext, workspace: str, capacity: str) -> None:
    """Assign the workspace to a CAPACITY.

    CAPACITY is its id or display name (see `fabric-git capacities list`). The service finishes
    the assignment in the background."""
    from fabric_git.cli.capacities import capacity_json, resolve_capacity

    client = app.client()
    ws = client.resolve_workspace(workspace)
    found = resolve_capacity(client, capacity)
    client.workspaces.assign_to_capacity(ws.id, found.id)
    app.show(
        View(
            data={
                "workspace": {"id": ws.id, "name": ws.display_name},
                "capacity": capacity_json(found),
            },
            lines=(
                f"Assigned workspace {ws.display_name} ({ws.id}) to capacity "
                f"{found.display_name} ({found.id}).",
            ),
        )
    )


@workspaces.command("unassign-capacity")
@workspace_option
@pass_app
def unassign_capacity(app: AppContext, workspace: str) -> None:
    """Take the workspace off its capacity.

    Git integration stops working without one."""
    client = app.client()
    ws = client.resolve_workspace(workspace)
    client.workspaces.unassign_from_capacity(ws.id)
    app.show(
        View(
            data={"workspace": {"id": ws.id, "name": ws.display_name}, "capacity": None},
            lines=(f"Unassigned workspace {ws.display_name} ({ws.id}) from its capacity.",),
        )
    )


@workspaces.group("roles")
def roles() -> None:
    """List, add or remove the workspace's role assignments."""


@roles.command("list")
@workspace_option
@pass_app
def roles_list(app: AppContext, workspace: str) -> None:
    """List who has which role in the workspace."""
    client = app.client()
    ws = client.resolve_workspace(workspace)
    found = client.workspaces.list_role_assignments(ws.id)
    app.show(assignments_view("workspace", {"id": ws.id, "name": ws.display_name}, found))


@roles.command("add")
@workspace_option
@principal_options
@click.option(
    "--role",
    type=KebabChoice(WORKSPACE_ROLES),
    required=True,
    help="The role to give.",
)
@pass_app
def roles_add(
    app: AppContext, workspace: str, principal_id: str, principal_type: str, role: str
) -> None:
    """Give a user, group or service principal a role in the workspace. A principal that has
    that role already is a no-op (exit 0); one with another role gets the role given."""
    client = app.client()
    ws = client.resolve_workspace(workspace)
    assignment, changed, had = ensure_role(
        client.workspaces, ws.id, principal_id, principal_type, role
    )
    if not changed:
        line = f"{principal_id} is {role} of {ws.display_name} already; nothing to do."
    else:
        line = f"{principal_id} is now {role} of {ws.display_name}" + (
            f" (was {had})." if had is not None else "."
        )
    app.show(
        View(
            data={
                "workspace": {"id": ws.id, "name": ws.display_name},
                "roleAssignment": assignment_json(assignment),
                "changed": changed,
            },
            lines=(line,),
        )
    )


@roles.command("remove")
@workspace_option
@assignment_option
@pass_app
def roles_remove(app: AppContext, workspace: str, principal_id: str) -> None:
    """Remove a principal's role in the workspace. One without a role is a no-op (exit 0)."""
    client = app.client()
    ws = client.resolve_workspace(workspace)
    current = remove_role(client.workspaces, ws.id, principal_id)
    if current is None:
        data: dict[str, Any] = {"removed": None}
        line = f"{principal_id} has no role in {ws.display_name}; nothing to do."
    else:
        data = {"removed": assignment_json(current)}
        line = f"Removed {principal_id} ({current.role}) from {ws.display_name}."
    app.show(
        View(data={"workspace": {"id": ws.id, "name": ws.display_name}, **data}, lines=(line,))
    )
