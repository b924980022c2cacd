"""``capacities list``, and finding a capacity by id or name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from fabric_git.cli.app import AppContext, pass_app
from fabric_git.cli.render import Table, View

if TYPE_CHECKING:
    from fabric_git.client import FabricClient
    from fabric_git.models.workspaces import Capacity

__all__ = ["capacities", "capacity_json", "resolve_capacity"]


def capacity_json(capacity: Capacity) -> dict[str, Any]:
    return {
        "id": capacity.id,
        "displayName": capacity.display_name,
        "sku": capacity.sku,
        "region": capacity.region,
        "state": str(capacity.state),
    }


def resolve_capacity(client: FabricClient, name_or_id: str) -> Capacity:
    """A capacity you can see, by id or display name (exact, then ignoring case), resolved and
    refused as workspaces and connections are (``ResolutionError``)."""
    from fabric_git.client import _resolve

    found = client.capacities.list()
    wanted = name_or_id.strip().casefold()
    by_id = [c for c in found if c.id.casefold() == wanted]
    if by_id:
        return by_id[0]
    return _resolve("capacity", name_or_id, found, lambda c: c.display_name, lambda c: c.id)


@click.group()
def capacities() -> None:
    """List the capacities you can assign workspaces to."""


@capacities.command("list")
@pass_app
def list_(app: AppContext) -> None:
    """List the capacities you can see."""
    found = [capacity_json(c) for c in app.client().capacities.list()]
    rows = tuple((c["displayName"], c["id"], c["sku"], c["region"], c["state"]) for c in found)
    app.show(
        View(
            data={"capacities": found},
            tables=(Table(columns=("Name", "Id", "SKU", "Region", "State"), rows=rows),),
        )
    )
