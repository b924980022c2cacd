"""Workspaces and capacities."""

from __future__ import annotations

from typing import Any

from fabric_git.api._base import ApiGroup, segment
from fabric_git.models.workspaces import Capacity, CreateWorkspaceRequest, Workspace, WorkspaceInfo

__all__ = ["CapacitiesApi", "WorkspacesApi"]


class WorkspacesApi(ApiGroup):
    """``client.workspaces``."""

    def list(self) -> list[Workspace]:
        """Every workspace the caller can see, across all pages."""
        return [Workspace.model_validate(raw) for raw in self._transport.paginate("/workspaces")]

    def get(self, workspace_id: str) -> WorkspaceInfo:
        """One workspace by id."""
        body = self._transport.request_json(
            "GET", f"/workspaces/{segment(workspace_id, 'workspace')}"
        )
        return WorkspaceInfo.model_validate(body)

    def create(
        self,
        display_name: str,
        capacity_id: str | None = None,
        description: str | None = None,
    ) -> Workspace:
        """Create a workspace, on ``capacity_id`` when given (Git integration needs one)."""
        fields: dict[str, Any] = {"display_name": display_name}
        if capacity_id is not None:
            fields["capacity_id"] = capacity_id
        if description is not None:
            fields["description"] = description
        request = CreateWorkspaceRequest(**fields)
        body = self._transport.request_json("POST", "/workspaces", json=request.to_wire())
        return Workspace.model_validate(body)


class CapacitiesApi(ApiGroup):
    """``client.capacities``."""

    def list(self) -> list[Capacity]:
        """Every capacity the caller can use, across all pages."""
        return [Capacity.model_validate(raw) for raw in self._transport.paginate("/capacities")]
