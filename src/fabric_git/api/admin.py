"""The admin API (``/admin/...``) as far as Git needs it."""

from __future__ import annotations

from fabric_git.api._base import ApiGroup
from fabric_git.models.admin import GitConnectionDetails

__all__ = ["AdminApi"]


class AdminApi(ApiGroup):
    """``client.admin``: tenant-wide calls; the caller must be a Fabric administrator (or a
    service principal allowed to use the admin APIs)."""

    def discover_git_connections(self) -> list[GitConnectionDetails]:
        """Every workspace of the tenant connected to Git and where it is connected, across all
        pages."""
        return [
            GitConnectionDetails.model_validate(raw)
            for raw in self._transport.paginate("/admin/workspaces/discoverGitConnections")
        ]
