"""Workspace folders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fabric_git.emulator import errors
from fabric_git.emulator.backend import folders as backend
from fabric_git.emulator.backend.folders import FolderRecord
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


def folder_json(record: FolderRecord) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": record.id,
        "displayName": record.display_name,
        "workspaceId": record.workspace_id,
    }
    if record.parent_id is not None:
        body["parentFolderId"] = record.parent_id
    return body


@dataclass(frozen=True)
class NewFolder:
    display_name: str
    parent_id: str | None


def parse_new_folder(body: Body) -> NewFolder:
    return NewFolder(body.required_text("displayName"), body.folder_guid("parentFolderId"))


def _ids(request: Request) -> tuple[str, str]:
    workspace_id = path_guid(request, "workspaceId", errors.workspace_not_found)
    folder_id = path_guid(request, "folderId", errors.folder_not_found)
    return workspace_id, folder_id


def list_folders(request: Request) -> Response:
    workspace_id = path_guid(request, "workspaceId", errors.workspace_not_found)
    recursive = query_bool(request, "recursive") is not False
    root_id = query_guid(request, "rootFolderId")
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
    new = parse_new_folder(read_body(request))
    with emulator_state(request).store.write() as conn:
        require_role(conn, workspace_id, principal_of(request), "Contributor")
        record = backend.create_folder(conn, workspace_id, new.display_name, new.parent_id)
    location = absolute_url(request, f"/v1/workspaces/{workspace_id}/folders/{record.id}")
    return json_response(folder_json(record), 201, headers={"Location": location})


def get_folder(request: Request) -> Response:
    workspace_id, folder_id = _ids(request)
    with emulator_state(request).store.read() as conn:
        require_role(conn, workspace_id, principal_of(request), "Viewer")
        return json_response(folder_json(backend.get_folder(conn, workspace_id, folder_id)))


def update_folder(request: Request) -> Response:
    workspace_id, folder_id = _ids(request)
    name = read_body(request).required_text("displayName")
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
    target = read_body(request, optional=True).folder_guid("targetFolderId")
    with emulator_state(request).store.write() as conn:
        require_role(conn, workspace_id, principal_of(request), "Contributor")
        record = backend.move_folder(conn, workspace_id, folder_id, target)
    return json_response(folder_json(record))


_FOLDERS = "/workspaces/{workspaceId}/folders"
_FOLDER = _FOLDERS + "/{folderId}"

ROUTES = [
    route(_FOLDERS, list_folders, "GET", "Folders_ListFolders"),
    route(_FOLDERS, create_folder, "POST", "Folders_CreateFolder"),
    route(_FOLDER, get_folder, "GET", "Folders_GetFolder"),
    route(_FOLDER, update_folder, "PATCH", "Folders_UpdateFolder"),
    route(_FOLDER, delete_folder, "DELETE", "Folders_DeleteFolder"),
    route(_FOLDER + "/move", move_folder, "POST", "Folders_MoveFolder"),
]
