"""``relations list|add|remove``: a workspace's base and branch (feature) workspaces."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.choices import RELATION_TYPES, KebabChoice
from fabric_git.cli.options import workspace_option
from fabric_git.cli.render import Table, View

if TYPE_CHECKING:
    from fabric_git.client import FabricClient
    from fabric_git.models.git import WorkspaceRelation
    from fabric_git.models.workspaces import Workspace

__all__ = ["relation_json", "relations"]


def relation_json(relation: WorkspaceRelation, names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": relation.id,
        "relationType": str(relation.relation_type),
        "relatedWorkspace": {
            "id": relation.related_workspace_id,
            "name": names.get(relation.related_workspace_id.casefold()),
        },
    }


def _names(client: FabricClient) -> dict[str, str]:
    """Workspace names by id (lower case), to show related workspaces by name."""
    return {w.id.casefold(): w.display_name for w in client.workspaces.list()}


def _ref(ws: Workspace) -> dict[str, str]:
    return {"id": ws.id, "name": ws.display_name}


@click.group()
def relations() -> None:
    """List, add or remove a workspace's base and branch workspaces."""


@relations.command("list")
@workspace_option
@pass_app
def list_(app: AppContext, workspace: str) -> None:
    """List the workspace's base and branch workspaces."""
    client = app.client()
    ws = client.resolve_workspace(workspace)
    found = client.git.list_workspace_relations(ws.id)
    names = _names(client) if found else {}
    listed = [relation_json(r, names) for r in found]
    rows = tuple(
        (
            r["relationType"],
            r["relatedWorkspace"]["name"] or "",
            r["relatedWorkspace"]["id"],
            r["id"],
        )
        for r in listed
    )
    app.show(
        View(
            data={"workspace": _ref(ws), "relations": listed},
            tables=(Table(columns=("Type", "Workspace", "Workspace id", "Id"), rows=rows),),
        )
    )


@relations.command("add")
@workspace_option
@click.argument("related", metavar="WORKSPACE")
@click.option(
    "--type",
    "relation_type",
    type=KebabChoice(RELATION_TYPES),
    required=True,
    help="branch: WORKSPACE is a branch (feature) workspace of -w; base: WORKSPACE is its base.",
)
@pass_app
def add(app: AppContext, workspace: str, related: str, relation_type: str) -> None:
    """Relate another WORKSPACE (name or id) to the workspace.

    The relation in place already is a no-op (exit 0)."""
    client = app.client()
    ws = client.resolve_workspace(workspace)
    other = client.resolve_workspace(related)
    existing = next(
        (
            r
            for r in client.git.list_workspace_relations(ws.id)
            if r.related_workspace_id.casefold() == other.id.casefold()
            and str(r.relation_type) == relation_type
        ),
        None,
    )
    names = {other.id.casefold(): other.display_name}
    role = "a branch workspace" if relation_type == "Branch" else "the base workspace"
    if existing is not None:
        relation, created = existing, False
        line = f"{other.display_name} is {role} of {ws.display_name} already; nothing to do."
    else:
        relation = client.git.create_workspace_relation(ws.id, other.id, relation_type)
        created = True
        line = f"{other.display_name} is now {role} of {ws.display_name}."
    app.show(
        View(
            data={
                "workspace": _ref(ws),
                "relation": relation_json(relation, names),
                "created": created,
            },
            lines=(line,),
        )
    )


@relations.command("remove")
@workspace_option
@click.argument("related", metavar="WORKSPACE|RELATION_ID")
@pass_app
def remove(app: AppContext, workspace: str, related: str) -> None:
    """Remove the relation to another workspace.

    Give its name or id, or the relation's id. No such relation is a no-op (exit 0)."""
    client = app.client()
    ws = client.resolve_workspace(workspace)
    found = client.git.list_workspace_relations(ws.id)
    wanted = related.strip().casefold()
    names = _names(client) if found else {}
    relation = next(
        (
            r
            for r in found
            if wanted
            in {
                r.id.casefold(),
                r.related_workspace_id.casefold(),
                (names.get(r.related_workspace_id.casefold()) or "").casefold(),
            }
        ),
        None,
    )
    if relation is None:
        data: dict[str, Any] = {"removed": None}
        line = f"{ws.display_name} has no relation to {related!r}; nothing to do."
    else:
        client.git.delete_workspace_relation(ws.id, relation.id)
        data = {"removed": relation_json(relation, names)}
        other = names.get(relation.related_workspace_id.casefold()) or relation.related_workspace_id
        line = f"Removed the {relation.relation_type} relation of {ws.display_name} to {other}."
    app.show(View(data={"workspace": _ref(ws), **data}, lines=(line,)))
