"""Folder types (``common/definitions.json#/definitions/Folder`` and the folder requests of
``platform/definitions/platform.json``)."""

from __future__ import annotations

from fabric_git.models._base import FabricModel
from fabric_git.models.common import PaginatedResponse

__all__ = [
    "CreateFolderRequest",
    "Folder",
    "Folders",
    "MoveFolderRequest",
    "UpdateFolderRequest",
]


class Folder(FabricModel):
    """A folder of a workspace; no ``parent_folder_id`` means it sits at the workspace root."""

    id: str
    display_name: str | None = None
    workspace_id: str | None = None
    parent_folder_id: str | None = None


class Folders(PaginatedResponse):
    value: list[Folder]


class CreateFolderRequest(FabricModel):
    """Body of Create Folder."""

    display_name: str
    parent_folder_id: str | None = None


class UpdateFolderRequest(FabricModel):
    """Body of Update Folder (a rename)."""

    display_name: str


class MoveFolderRequest(FabricModel):
    """Body of Move Folder; no ``target_folder_id`` moves the folder to the workspace root."""

    target_folder_id: str | None = None
