"""Items: CRUD, move, and definitions (get and update are long-running operations)."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import posixpath
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fabric_git.emulator import errors
from fabric_git.emulator.backend import definition_formats as formats
from fabric_git.emulator.backend import folders as folder_backend
from fabric_git.emulator.backend import items as backend
from fabric_git.emulator.backend.items import PLATFORM_FILE, ItemRecord
from fabric_git.emulator.backend.workspaces import require_role
from fabric_git.emulator.routes._body import Body, read_body
from fabric_git.emulator.routes._http import (
    absolute_url,
    empty_response,
    emulator_state,
    json_response,
    page_response,
    path_guid,
    principal_of,
    query_bool,
    query_guid,
    route,
)
from fabric_git.emulator.routes._lro import run_operation

DESCRIPTION_LIMIT = 256


def item_json(record: ItemRecord) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": record.id,
        "type": record.type,
        "displayName": record.display_name,
        "description": record.description,
        "workspaceId": record.workspace_id,
    }
    if record.folder_id is not None:
        body["folderId"] = record.folder_id
    return body


@dataclass(frozen=True, kw_only=True)
class CreateItem:
    display_name: str
    type: str
    description: str
    folder_id: str | None
    parts: dict[str, bytes] | None  # None: created without a definition
    definition_format: str | None = None


@dataclass(frozen=True)
class ItemChanges:
    display_name: str | None
    description: str | None


def parse_create(body: Body, item_type: str | None = None) -> CreateItem:
    """A create request; an item-type path (``item_type``) names the type, ``/items`` the body."""
    name = body.required_text("displayName", allow_empty=False)
    item_type = item_type or body.required_text("type")
    description = body.text("description", max_length=DESCRIPTION_LIMIT) or ""
    folder_id = body.folder_guid("folderId")
    parts = parse_definition(body.raw("definition")) if "definition" in body else None
    if parts is not None and "creationPayload" in body:
        raise body.invalid("definition", "Use either creationPayload or definition")
    return CreateItem(
        display_name=name,
        type=item_type,
        description=description,
        folder_id=folder_id,
        parts=parts,
        definition_format=parse_definition_format(body.raw("definition")),
    )


def parse_changes(body: Body) -> ItemChanges:
    return ItemChanges(
        display_name=body.text("displayName", allow_empty=False),
        description=body.text("description", max_length=DESCRIPTION_LIMIT),
    )


def parse_definition(value: object, field: str = "definition") -> dict[str, bytes]:
    """``{parts: [{path, payload, payloadType: InlineBase64}]}`` -> {path: bytes}."""
    if not isinstance(value, dict):
        raise errors.invalid_input(field, "The value must be an object")
    parts = value.get("parts")
    if not isinstance(parts, list):
        raise errors.invalid_input(f"{field}.parts", "The field is required")
    result: dict[str, bytes] = {}
    for index, part in enumerate(parts):
        where = f"{field}.parts[{index}]"
        if not isinstance(part, dict):
            raise errors.invalid_input(where, "The value must be an object")
        path = part.get("path")
        if not isinstance(path, str) or not _is_relative_file_path(path):
            raise errors.invalid_input(f"{where}.path", "The value must be a relative file path")
        if part.get("payloadType") != "InlineBase64":
            raise errors.invalid_input(f"{where}.payloadType", "The value must be InlineBase64")
        payload = part.get("payload")
        if not isinstance(payload, str):
            raise errors.invalid_input(f"{where}.payload", "The field is required")
        try:
            data = base64.b64decode(payload + "=" * (-len(payload) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise errors.invalid_input(f"{where}.payload", "The value is not base64") from None
        if path in result:
            raise errors.invalid_input(f"{where}.path", "The path appears twice")
        result[path] = data
    return result


def parse_definition_format(value: object, field: str = "definition") -> str | None:
    """The definition's optional ``format`` (``ipynb``, ``fabricGitSource``, ``TMDL``...)."""
    found = value.get("format") if isinstance(value, dict) else None
    if found is not None and not isinstance(found, str):
        raise errors.invalid_input(f"{field}.format", "The value must be a string")
    return found or None


def _is_relative_file_path(path: str) -> bool:
    if not path or path.startswith("/") or "\\" in path or path.endswith("/"):
        return False
    normal = posixpath.normpath(path)
    return normal == path and not normal.startswith("..") and "\x00" not in path


def definition_json(parts: dict[str, bytes]) -> dict[str, Any]:
    return {
        "definition": {
            "parts": [
                {
                    "path": path,
                    "payload": base64.b64encode(data).decode("ascii"),
                    "payloadType": "InlineBase64",
                }
                for path, data in parts.items()
            ]
        }
    }


@dataclass(frozen=True)
class View:
    """Which items a path serves: all of them (``/items``), or one type's
    (``/notebooks/{notebookId}``: the same items, only those of that type)."""

    item_type: str | None = None
    id_param: str = "itemId"
    collection: str = "items"
    update_definition_returns_item: bool = False
    # The type's own ``properties`` (an Environment's publishDetails), on its own paths only.
    properties: Callable[[sqlite3.Connection, ItemRecord, float], dict[str, Any]] | None = None

    def item_json(self, conn: sqlite3.Connection, record: ItemRecord, now: float) -> dict[str, Any]:
        body = item_json(record)
        if self.properties is not None:
            body["properties"] = self.properties(conn, record, now)
        return body


ALL_ITEMS = View()


def _ids(request: Request, view: View) -> tuple[str, str]:
    workspace_id = path_guid(request, "workspaceId", errors.workspace_not_found)
    item_id = path_guid(request, view.id_param, errors.item_not_found)
    return workspace_id, item_id


def _folder_ids_under(
    conn: sqlite3.Connection, ws: str, root: str | None, recursive: bool
) -> set[str | None]:
    if root is None:
        if recursive:
            return {None, *(f.id for f in folder_backend.list_folders(conn, ws))}
        return {None}
    folder_backend.get_folder(conn, ws, root)
    if recursive:
        return set(folder_backend.subtree_ids(conn, ws, root))
    return {root}


def list_items(request: Request, view: View = ALL_ITEMS) -> Response:
    workspace_id = path_guid(request, "workspaceId", errors.workspace_not_found)
    item_type = view.item_type or request.query_params.get("type")
    recursive = query_bool(request, "recursive")
    root = request.query_params.get("rootFolderId")
    with emulator_state(request).store.read() as conn:
        require_role(conn, workspace_id, principal_of(request), "Viewer")
        records = backend.list_items(conn, workspace_id, item_type)
        if root is not None or recursive is False:
            root_id = query_guid(request, "rootFolderId")
            allowed = _folder_ids_under(conn, workspace_id, root_id, recursive is not False)
            records = [r for r in records if r.folder_id in allowed]
        now = emulator_state(request).clock.now()
        values = [view.item_json(conn, r, now) for r in records]
    return page_response(request, values)


def create_item(request: Request, view: View = ALL_ITEMS) -> Response:
    workspace_id = path_guid(request, "workspaceId", errors.workspace_not_found)
    new = parse_create(read_body(request), view.item_type)
    if new.parts is not None:
        parts = formats.import_parts(new.type, new.parts, new.definition_format)
        new = dataclasses.replace(new, parts=parts)
    state = emulator_state(request)
    principal = principal_of(request)
    with state.store.read() as conn:
        require_role(conn, workspace_id, principal, "Contributor")
        backend.check_can_create(
            conn,
            workspace_id,
            type=new.type,
            display_name=new.display_name,
            folder_id=new.folder_id,
        )

    def create() -> dict[str, Any]:
        with state.store.write() as conn:
            require_role(conn, workspace_id, principal, "Contributor")
            record = backend.create_item(
                conn,
                workspace_id,
                type=new.type,
                display_name=new.display_name,
                description=new.description,
                folder_id=new.folder_id,
                parts=_apply_platform_on_create(new.parts),
                now=state.clock.now(),
            )
            return view.item_json(conn, record, state.clock.now())

    if state.settings.lro_mode == "async":
        return run_operation(
            request,
            workspace_id=workspace_id,
            kind="CreateItem",
            work=create,
            has_result=True,
            access="none",
        )
    body = create()
    location = absolute_url(
        request, f"/v1/workspaces/{workspace_id}/{view.collection}/{body['id']}"
    )
    return json_response(body, 201, headers={"Location": location})


def _apply_platform_on_create(parts: dict[str, bytes] | None) -> dict[str, bytes] | None:
    if parts is None:
        return None
    return {path: data for path, data in parts.items() if path != PLATFORM_FILE}


def get_item(request: Request, view: View = ALL_ITEMS) -> Response:
    workspace_id, item_id = _ids(request, view)
    with emulator_state(request).store.read() as conn:
        require_role(conn, workspace_id, principal_of(request), "Viewer")
        record = backend.get_item(conn, workspace_id, item_id, view.item_type)
        now = emulator_state(request).clock.now()
        return json_response(view.item_json(conn, record, now))


def update_item(request: Request, view: View = ALL_ITEMS) -> Response:
    workspace_id, item_id = _ids(request, view)
    changes = parse_changes(read_body(request))
    with emulator_state(request).store.write() as conn:
        require_role(conn, workspace_id, principal_of(request), "Contributor")
        backend.get_item(conn, workspace_id, item_id, view.item_type)
        record = backend.update_item(
            conn,
            item_id,
            display_name=changes.display_name,
            description=changes.description,
        )
        body = view.item_json(conn, record, emulator_state(request).clock.now())
    return json_response(body)


def delete_item(request: Request, view: View = ALL_ITEMS) -> Response:
    workspace_id, item_id = _ids(request, view)
    with emulator_state(request).store.write() as conn:
        require_role(conn, workspace_id, principal_of(request), "Contributor")
        backend.get_item(conn, workspace_id, item_id, view.item_type)
        backend.delete_item(conn, item_id)
    return empty_response()


def move_item(request: Request, view: View = ALL_ITEMS) -> Response:
    workspace_id, item_id = _ids(request, view)
    target = read_body(request, optional=True).folder_guid("targetFolderId")
    with emulator_state(request).store.write() as conn:
        require_role(conn, workspace_id, principal_of(request), "Contributor")
        backend.get_item(conn, workspace_id, item_id, view.item_type)
        record = backend.update_item(conn, item_id, folder_id=target)
    return json_response({"value": [item_json(record)]})


def get_definition(request: Request, view: View = ALL_ITEMS) -> Response:
    workspace_id, item_id = _ids(request, view)
    format = request.query_params.get("format") or None
    state = emulator_state(request)
    principal = principal_of(request)
    with state.store.read() as conn:
        require_role(conn, workspace_id, principal, "Contributor")
        item = backend.get_item(conn, workspace_id, item_id, view.item_type)
        formats.check_format(item.type, backend.get_parts(conn, item_id), format)

    def read_definition() -> dict[str, Any]:
        with state.store.read() as conn:
            item = backend.get_item(conn, workspace_id, item_id, view.item_type)
            parts = formats.export_parts(item.type, backend.get_parts(conn, item_id), format)
            parts[PLATFORM_FILE] = backend.platform_file(conn, item)
        return definition_json(parts)

    return run_operation(
        request,
        workspace_id=workspace_id,
        kind="GetItemDefinition",
        work=read_definition,
        has_result=True,
        access="none",
    )


def update_definition(request: Request, view: View = ALL_ITEMS) -> Response:
    workspace_id, item_id = _ids(request, view)
    update_metadata = query_bool(request, "updateMetadata") is True
    definition = read_body(request).raw("definition")
    parts = parse_definition(definition)
    definition_format = parse_definition_format(definition)
    metadata = None
    # The spec: "when set to true and the .platform file is provided"; without one, the
    # definition is updated and the metadata left as it is.
    if update_metadata and PLATFORM_FILE in parts:
        metadata = backend.read_platform(parts[PLATFORM_FILE])
    state = emulator_state(request)
    principal = principal_of(request)
    with state.store.read() as conn:
        require_role(conn, workspace_id, principal, "Contributor")
        item = backend.get_item(conn, workspace_id, item_id, view.item_type)
    if metadata is not None and metadata.type not in (None, item.type):
        raise errors.invalid_definition("The .platform type does not match the item's type")
    parts = formats.import_parts(item.type, parts, definition_format)

    def write_definition() -> dict[str, Any] | None:
        with state.store.write() as conn:
            backend.get_item(conn, workspace_id, item_id, view.item_type)
            if metadata is not None:
                backend.update_item(
                    conn,
                    item_id,
                    display_name=metadata.display_name,
                    description=metadata.description,
                )
            backend.set_parts(conn, item_id, parts)
            if view.update_definition_returns_item:
                item = backend.get_item(conn, workspace_id, item_id)
                return view.item_json(conn, item, state.clock.now())
        return None

    return run_operation(
        request,
        workspace_id=workspace_id,
        kind="UpdateItemDefinition",
        work=write_definition,
        has_result=view.update_definition_returns_item,
        access="none",
    )


_ITEMS = "/workspaces/{workspaceId}/items"
_ITEM = _ITEMS + "/{itemId}"

ROUTES = [
    route(_ITEMS, list_items, "GET", "Items_ListItems"),
    route(_ITEMS, create_item, "POST", "Items_CreateItem"),
    route(_ITEM, get_item, "GET", "Items_GetItem"),
    route(_ITEM, update_item, "PATCH", "Items_UpdateItem"),
    route(_ITEM, delete_item, "DELETE", "Items_DeleteItem"),
    route(_ITEM + "/move", move_item, "POST", "Items_MoveItem"),
    route(_ITEM + "/getDefinition", get_definition, "POST", "Items_GetItemDefinition"),
    route(_ITEM + "/updateDefinition", update_definition, "POST", "Items_UpdateItemDefinition"),
]
