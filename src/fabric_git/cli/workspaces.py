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
