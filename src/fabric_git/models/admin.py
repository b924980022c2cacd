"""Admin API types (``admin/definitions.json``) used for Git: the tenant's Git connections."""

from __future__ import annotations

from fabric_git.models._base import FabricModel
from fabric_git.models.common import PaginatedResponse
from fabric_git.models.git import AnyGitProviderDetails

__all__ = ["GitConnectionDetails", "GitConnections"]


class GitConnectionDetails(FabricModel):
    """One workspace of the tenant connected to Git, and where it is connected."""

    workspace_id: str
    git_provider_details: AnyGitProviderDetails


class GitConnections(PaginatedResponse):
    value: list[GitConnectionDetails]
