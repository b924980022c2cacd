"""The route table: every route module's ``ROUTES``, the Fabric API under ``/v1``.

Each route is named after its spec operationId (``Git_CommitToGit``); fault rules and logs use
that name.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute, Match, Mount

_API_MODULES = (
    "workspaces",
    "capacities",
    "items",
    "folders",
    "connections",
    "operations",
)
# Owned by the Git integration layer; included once it exists.
_OPTIONAL_API_MODULES = ("git",)


def api_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for name in _API_MODULES:
        routes.extend(_module_routes(name, optional=False))
    for name in _OPTIONAL_API_MODULES:
        routes.extend(_module_routes(name, optional=True))
    return routes


def admin_routes() -> list[BaseRoute]:
    return list(_module_routes("admin", optional=False))


def _module_routes(name: str, *, optional: bool) -> Sequence[BaseRoute]:
    qualified = f"{__name__}.{name}"
    try:
        module = importlib.import_module(qualified)
    except ModuleNotFoundError as exc:
        if optional and exc.name == qualified:
            return []
        raise
    routes: Sequence[BaseRoute] = module.ROUTES
    return routes


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
