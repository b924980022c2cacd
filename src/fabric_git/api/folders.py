"""Workspace folders: ``/workspaces/{id}/folders/...``."""

from __future__ import annotations

import builtins
from typing import Any

from fabric_git.api._base import ApiGroup, identifier, segment
from fabric_git.api.git import WorkspaceRef
from fabric_git.errors import ConfigurationError
from fabric_git.models.folders import (
    CreateFolderRequest,
    Folder,
    MoveFolderRequest,
    UpdateFolderRequest,
)

__all__ = ["FoldersApi"]


def _display_name(display_name: str) -> str:
    if not display_name or not display_name.strip():
        raise ConfigurationError("A folder needs a display name.")
    return display_name


class FoldersApi(ApiGroup):
    """``client.folders``: the folders of a workspace."""

    def _path(self, workspace: WorkspaceRef, folder_id: str | None = None, tail: str = "") -> str:
        path = f"/workspaces/{segment(workspace, 'workspace')}/folders"
        if folder_id is not None:
            path += f"/{segment(folder_id, 'folder')}"
        return path + tail

    def list(
        self,
        workspace: WorkspaceRef,
        *,
        root_folder_id: str | None = None,
        recursive: bool = True,
    ) -> builtins.list[Folder]:
        """The workspace's folders across all pages: all of them, or those under
        ``root_folder_id``; with ``recursive=False`` only the direct children."""
        params: dict[str, str] = {}
        if root_folder_id is not None:
            params["rootFolderId"] = identifier(root_folder_id, "root folder")
        if not recursive:
            params["recursive"] = "false"
        return [
            Folder.model_validate(raw)
            for raw in self._transport.paginate(self._path(workspace), params=params or None)
        ]

    def create(
        self, workspace: WorkspaceRef, display_name: str, parent_folder_id: str | None = None
    ) -> Folder:
        """Create a folder at the workspace root, or in ``parent_folder_id``."""
        fields: dict[str, Any] = {"display_name": _display_name(display_name)}
        if parent_folder_id is not None:
            fields["parent_folder_id"] = identifier(parent_folder_id, "parent folder")
        body = self._transport.request_json(
            "POST", self._path(workspace), json=CreateFolderRequest(**fields).to_wire()
        )
        return Folder.model_validate(body)

    def get(self, workspace: WorkspaceRef, folder_id: str) -> Folder:
        """One folder by id."""
        return Folder.model_validate(
            self._transport.request_json("GET", self._path(workspace, folder_id))
        )

    def update(self, workspace: WorkspaceRef, folder_id: str, display_name: str) -> Folder:
        """Rename a folder."""
        request = UpdateFolderRequest(display_name=_display_name(display_name))
        body = self._transport.request_json(
            "PATCH", self._path(workspace, folder_id), json=request.to_wire()
        )
        return Folder.model_validate(body)

    def delete(self, workspace: WorkspaceRef, folder_id: str) -> None:
        """Delete a folder (the service refuses a folder that is not empty)."""
        self._transport.request("DELETE", self._path(workspace, folder_id))

    def move(
        self, workspace: WorkspaceRef, folder_id: str, target_folder_id: str | None = None
    ) -> Folder:
        """Move a folder into ``target_folder_id`` (the workspace root when ``None``)."""
        fields: dict[str, Any] = {}
        if target_folder_id is not None:
            fields["target_folder_id"] = identifier(target_folder_id, "target folder")
        body = self._transport.request_json(
            "POST",
            self._path(workspace, folder_id, "/move"),
            json=MoveFolderRequest(**fields).to_wire(),
        )
        return Folder.model_validate(body)
