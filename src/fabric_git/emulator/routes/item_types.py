"""Item-type paths (``/workspaces/{id}/notebooks``, ...): views of the items ``/items`` serves.

The table of types and paths is generated from the spec (``emulator/item_types.py``); each path
runs the ``/items`` handler of the same kind on a :class:`~routes.items.View` of one type, so
an item is one item reachable both ways, with the same roles, errors and long-running
behaviour. Environment's staging and publish paths live in ``environments``.
"""

from __future__ import annotations

from functools import partial
from typing import Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from fabric_git.emulator.item_types import ITEM_TYPES, ItemTypePaths
from fabric_git.emulator.routes import items
from fabric_git.emulator.routes._http import route


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


def view_of(paths: ItemTypePaths) -> items.View:
    return items.View(
        paths.type, paths.id_param, paths.collection, paths.update_definition_returns_item
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


ROUTES: list[BaseRoute] = [r for paths in ITEM_TYPES for r in type_routes(paths)]
