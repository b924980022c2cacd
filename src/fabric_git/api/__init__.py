"""One class per API group; ``FabricClient`` exposes each as an attribute.

Each name loads its module on first use, so a command pays only for the groups (and the models)
it calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fabric_git._lazy import lazy_attributes

if TYPE_CHECKING:
    from fabric_git.api.admin import AdminApi
    from fabric_git.api.connections import ConnectionsApi
    from fabric_git.api.folders import FoldersApi
    from fabric_git.api.git import GitApi, WorkspaceRef
    from fabric_git.api.items import ItemsApi
    from fabric_git.api.operations import OperationsApi
    from fabric_git.api.workspaces import CapacitiesApi, WorkspacesApi

_EXPORTS: dict[str, str] = {
    "AdminApi": "fabric_git.api.admin",
    "CapacitiesApi": "fabric_git.api.workspaces",
    "ConnectionsApi": "fabric_git.api.connections",
    "FoldersApi": "fabric_git.api.folders",
    "GitApi": "fabric_git.api.git",
    "ItemsApi": "fabric_git.api.items",
    "OperationsApi": "fabric_git.api.operations",
    "WorkspaceRef": "fabric_git.api.git",
    "WorkspacesApi": "fabric_git.api.workspaces",
}


__all__ = [
    "AdminApi",
    "CapacitiesApi",
    "ConnectionsApi",
    "FoldersApi",
    "GitApi",
    "ItemsApi",
    "OperationsApi",
    "WorkspaceRef",
    "WorkspacesApi",
]

__getattr__, __dir__ = lazy_attributes(__name__, _EXPORTS, __all__)
