"""One class per API group; ``FabricClient`` exposes each as an attribute."""

from __future__ import annotations

from fabric_git.api.connections import ConnectionsApi
from fabric_git.api.git import GitApi, WorkspaceRef
from fabric_git.api.items import ItemsApi
from fabric_git.api.operations import OperationsApi
from fabric_git.api.workspaces import CapacitiesApi, WorkspacesApi

__all__ = [
    "CapacitiesApi",
    "ConnectionsApi",
    "GitApi",
    "ItemsApi",
    "OperationsApi",
    "WorkspaceRef",
    "WorkspacesApi",
]
