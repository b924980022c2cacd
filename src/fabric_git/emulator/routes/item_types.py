"""Item-type paths (``/workspaces/{id}/notebooks``, ...): views of the items ``/items`` serves.

The table of types and paths is generated from the spec (``emulator/item_types.py``); each path
runs the ``/items`` handler of the same kind on a :class:`~routes.items.View` of one type, so
an item is one item reachable both ways, with the same roles, errors and long-running
behaviour. Environment's publish lives in ``environments``; every other path below a served
type's collection answers ``OperationNotSupportedForItem``.
"""

from __future__ import annotations

from functools import partial
from typing import Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from fabric_git.emulator import errors
from fabric_git.emulator.backend.workspaces import require_role
from fabric_git.emulator.item_types import ITEM_TYPES, ItemTypePaths
from fabric_git.emulator.routes import environments, items
from fabric_git.emulator.routes._http import (
    Handler,
    emulator_state,
    path_guid,
    principal_of,
    route,
)


class _ViewHandler(Protocol):
    def __call__(self, request: Request, view: items.View = ...) -> Response: ...


# kind -> (path below the collection, method, handler)
_KINDS: dict[str, tuple[str, str, _ViewHandler]] = {
    "list": ("", "GET", items.list_items),
    "create": ("", "POST", items.create_item),
    "get": ("/{id}", "GET", items.get_item),
    "update": ("/{id}", "PATCH", items.update_item),
    "delete": ("/{id}", "DELETE", items.delete_item),
    "getDefinition": ("/{id}/getDefinition", "POST", items.get_definition),
    "updateDefinition": ("/{id}/updateDefinition", "POST", items.update_definition),
}


# Types whose items carry ``properties`` of their own on their paths.
_PROPERTIES = {environments.ENVIRONMENT: environments.properties_json}


def view_of(paths: ItemTypePaths) -> items.View:
    return items.View(
        paths.type,
        paths.id_param,
        paths.collection,
        paths.update_definition_returns_item,
        _PROPERTIES.get(paths.type),
    )


def type_routes(paths: ItemTypePaths) -> list[BaseRoute]:
    view = view_of(paths)
    collection = f"/workspaces/{{workspaceId}}/{paths.collection}"
    routes: list[BaseRoute] = []
    for kind, operation_id in paths.operations.items():
        below, method, handler = _KINDS[kind]
        path = collection + below.replace("{id}", f"{{{paths.id_param}}}")
        routes.append(route(path, partial(handler, view=view), method, operation_id))
    return routes


def _not_served(paths: ItemTypePaths) -> Handler:
    # Paths below an item that the table or ``environments`` serve with another method.
    served_below = {"getDefinition", "updateDefinition", "staging/publish"}

    def not_served(request: Request) -> Response:
        """Any other path below the type's collection: jobs, tables, staging settings..."""
        workspace_id = path_guid(request, "workspaceId", errors.workspace_not_found)
        if request.path_params["rest"] in served_below:
            raise errors.method_not_allowed(request.method)
        with emulator_state(request).store.read() as conn:
            require_role(conn, workspace_id, principal_of(request), "Viewer")
        raise errors.operation_not_supported_for_item(
            f"The emulator does not serve {request.method} {request.url.path} for a"
            f" {paths.type} (see DEVIATIONS.md)"
        )

    return not_served


ROUTES: list[BaseRoute] = [
    *(r for paths in ITEM_TYPES for r in type_routes(paths)),
    *environments.ROUTES,
]
# Served after every other route (routes/__init__.py): the rest of each type's spec.
FALLBACK_ROUTES: list[BaseRoute] = [
    route(
        f"/workspaces/{{workspaceId}}/{paths.collection}/{{first}}/{{rest:path}}",
        _not_served(paths),
        ["GET", "POST", "PUT", "PATCH", "DELETE"],
        f"{paths.type}_NotServed",
    )
    for paths in ITEM_TYPES
]
