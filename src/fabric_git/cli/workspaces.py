"""``workspaces list|create``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.render import Table, View

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
    """List or create workspaces."""


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
@pass_app
def create(app: AppContext, name: str, capacity_id: str | None, description: str | None) -> None:
    """Create a workspace (Git integration needs a capacity: --capacity)."""
    created = app.client().workspaces.create(name, capacity_id=capacity_id, description=description)
    app.show(
        View(
            data=workspace_json(created),
            lines=(f"Created workspace {created.display_name} ({created.id}).",),
        )
    )
