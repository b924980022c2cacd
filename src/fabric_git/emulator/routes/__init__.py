"""The route table: every route module's ``ROUTES``, the Fabric API under ``/v1``.

Each route is named after its spec operationId (``Git_CommitToGit``); fault rules and logs use
that name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute, Match, Mount

from fabric_git.emulator.routes import (
    admin,
    capacities,
    connections,
    folders,
    git,
    item_types,
    items,
    operations,
    workspaces,
)

# The item-type paths (~330 routes, each under its own literal collection) come last, so that
# matching the Git, operation and core routes does not walk past them.
_API_MODULES = (workspaces, capacities, items, folders, connections, operations, git, item_types)


def api_routes() -> list[BaseRoute]:
    routes = [route for module in _API_MODULES for route in module.ROUTES]
    return routes + item_types.FALLBACK_ROUTES


def admin_routes() -> list[BaseRoute]:
    return list(admin.ROUTES)


def find_route_name(routes: Sequence[BaseRoute], scope: dict[str, Any]) -> str:
    """The name of the route that would serve ``scope`` ("" when none), without calling it."""
    for route in routes:
        match, child = route.matches(scope)
        if match == Match.NONE:
            continue
        if isinstance(route, Mount):
            name = find_route_name(route.routes, {**scope, **child})
            if name:
                return name
            continue
        name = getattr(route, "name", "")
        return name if isinstance(name, str) else ""
    return ""
