"""``items list|set-logical-id``: a workspace's items, and repairing an item's logical id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.options import workspace_option
from fabric_git.cli.render import Table, View

if TYPE_CHECKING:
    from fabric_git.client import FabricClient
    from fabric_git.models.items import Item

__all__ = ["item_json", "items"]


def item_json(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "displayName": item.display_name,
        "type": str(item.type),
        "description": item.description,
        "folderId": item.folder_id,
    }


def resolve_item(client: FabricClient, workspace_id: str, wanted: str) -> Item:
    """An item of the workspace by id, ``Name.Type`` or display name (exact, then ignoring
    case); several of that name (of different types) is ambiguous: name the type too."""
    from fabric_git.client import _resolve

    found = client.items.list(workspace_id)
    text = wanted.strip()
    by_id = [i for i in found if (i.id or "").casefold() == text.casefold()]
    if by_id:
        return by_id[0]
    name, dot, kind = text.rpartition(".")
    typed = [
        i
        for i in found
        if dot and i.display_name == name and str(i.type).casefold() == kind.casefold()
    ]
    if len(typed) == 1:
        return typed[0]
    return _resolve(
        "item",
        text,
        typed or found,
        lambda i: i.display_name or "",
        lambda i: f"{i.id} ({i.type})",
    )


@click.group()
def items() -> None:
    """List a workspace's items; repair an item's logical id."""


@items.command("list")
@workspace_option
@click.option("--type", "item_type", metavar="TYPE", help="Only items of this type (Notebook).")
@pass_app
def list_(app: AppContext, workspace: str, item_type: str | None) -> None:
    """List the workspace's items."""
    client = app.client()
    ws = client.resolve_workspace(workspace)
    found = [item_json(i) for i in client.items.list(ws.id, type=item_type)]
    rows = tuple((i["displayName"] or "", i["type"], i["id"] or "") for i in found)
    app.show(
        View(
            data={"workspace": {"id": ws.id, "name": ws.display_name}, "items": found},
            tables=(Table(columns=("Name", "Type", "Id"), rows=rows),),
        )
    )


def _logical_id(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from fabric_git.client import is_guid

    if not is_guid(value) or value.strip().strip("0-") == "":
        raise click.BadParameter(
            f"{value!r} is not a logical id: give a GUID other than the all-zero one (the "
            "logicalId of the item's .platform file in Git)."
        )
    return value.strip()


@items.command("set-logical-id")
@workspace_option
@click.argument("item", metavar="ITEM")
@click.argument("logical_id", metavar="LOGICAL_ID", callback=_logical_id)
@pass_app
def set_logical_id(app: AppContext, workspace: str, item: str, logical_id: str) -> None:
    """Repair the logical id of an item.

    ITEM is its id, Name.Type or display name. The logical id ties an item to its folder in
    Git; repair it when, say, a copy between branches left two items with the same one. The
    service refuses it while a Git operation runs."""
    client = app.client()
    ws = client.resolve_workspace(workspace)
    found = resolve_item(client, ws.id, item)
    assert found.id is not None
    now = client.items.update_logical_id(ws.id, found.id, logical_id)
    app.show(
        View(
            data={
                "workspace": {"id": ws.id, "name": ws.display_name},
                "item": item_json(found),
                "logicalId": now,
            },
            lines=(f"{found.display_name}.{found.type} ({found.id}) now has logical id {now}.",),
        )
    )
