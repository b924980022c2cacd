"""Workspace folders."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fabric_git.emulator import errors
from fabric_git.emulator.backend import folders as backend
from fabric_git.emulator.backend.folders import FolderRecord
from fabric_git.emulator.backend.workspaces import require_role
from fabric_git.emulator.routes._http import (
    absolute_url,
    empty_response,
    emulator_state,
    json_response,
    optional_guid,
    page_response,
    path_guid,
    principal_of,
    query_bool,
    read_json,
    required_str,
)


def folder_json(record: FolderRecord) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": record.id,
        "displayName": record.display_name,
        "workspaceId": record.workspace_id,
    }
    if record.parent_id is not None:
        body["parentFolderId"] = record.parent_id
    return body


def _ids(request: Request) -> tuple[str, str]:
    workspace_id = path_guid(request, "workspaceId", errors.workspace_not_found)
    folder_id = path_guid(request, "folderId", errors.folder_not_found)
    return workspace_id, folder_id


def list_folders(request: Request) -> Response:
    workspace_id = path_guid(request, "workspaceId", errors.workspace_not_found)
    recursive = query_bool(request, "recursive") is not False
    root_id = optional_guid(dict(request.query_params), "rootFolderId")
    with emulator_state(request).store.read() as conn:
        require_role(conn, workspace_id, principal_of(request), "Viewer")
        records = backend.list_folders(conn, workspace_id)
        if root_id is not None:
            backend.get_folder(conn, workspace_id, root_id)
            below = set(backend.subtree_ids(conn, workspace_id, root_id)) - {root_id}
            records = [r for r in records if r.id in below]
        if not recursive:
            records = [r for r in records if r.parent_id == root_id]
    return page_response(request, [folder_json(r) for r in records])


def create_folder(request: Request) -> Response:
    workspace_id = path_guid(request, "workspaceId", errors.workspace_not_found)
    data = read_json(request)
    name = required_str(data, "displayName")
    parent_id = optional_guid(data, "parentFolderId")
    with emulator_state(request).store.write() as conn:
        require_role(conn, workspace_id, principal_of(request), "Contributor")
        record = backend.create_folder(conn, workspace_id, name, parent_id)
    location = absolute_url(request, f"/v1/workspaces/{workspace_id}/folders/{record.id}")
    return json_response(folder_json(record), 201, headers={"Location": location})


def get_folder(request: Request) -> Response:
    workspace_id, folder_id = _ids(request)
    with emulator_state(request).store.read() as conn:
        require_role(conn, workspace_id, principal_of(request), "Viewer")
        return json_response(folder_json(backend.get_folder(conn, workspace_id, folder_id)))


def update_folder(request: Request) -> Response:
    workspace_id, folder_id = _ids(request)
    name = required_str(read_json(request), "displayName")
    with emulator_state(request).store.write() as conn:
        require_role(conn, workspace_id, principal_of(request), "Contributor")
        record = backend.rename_folder(conn, workspace_id, folder_id, name)
    return json_response(folder_json(record))


def delete_folder(request: Request) -> Response:
    workspace_id, folder_id = _ids(request)
    with emulator_state(request).store.write() as conn:
        require_role(conn, workspace_id, principal_of(request), "Contributor")
        backend.delete_folder(conn, workspace_id, folder_id)
    return empty_response()


def move_folder(request: Request) -> Response:
    workspace_id, folder_id = _ids(request)
    target = optional_guid(read_json(request, optional=True), "targetFolderId")
    with emulator_state(request).store.write() as conn:
        require_role(conn, workspace_id, principal_of(request), "Contributor")
        record = backend.move_folder(conn, workspace_id, folder_id, target)
    return json_response(folder_json(record))


_FOLDERS = "/workspaces/{workspaceId}/folders"
_FOLDER = _FOLDERS + "/{folderId}"

ROUTES = [
    Route(_FOLDERS, list_folders, methods=["GET"], name="Folders_ListFolders"),
    Route(_FOLDERS, create_folder, methods=["POST"], name="Folders_CreateFolder"),
    Route(_FOLDER, get_folder, methods=["GET"], name="Folders_GetFolder"),
    Route(_FOLDER, update_folder, methods=["PATCH"], name="Folders_UpdateFolder"),
    Route(_FOLDER, delete_folder, methods=["DELETE"], name="Folders_DeleteFolder"),
    Route(_FOLDER + "/move", move_folder, methods=["POST"], name="Folders_MoveFolder"),
]
