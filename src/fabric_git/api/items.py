"""Workspace items."""

from __future__ import annotations

from fabric_git.api._base import ApiGroup, segment
from fabric_git.api.git import WorkspaceRef
from fabric_git.models.common import ItemType
from fabric_git.models.items import Item

__all__ = ["ItemsApi"]


class ItemsApi(ApiGroup):
    """``client.items``."""

    def list(self, workspace: WorkspaceRef, type: ItemType | str | None = None) -> list[Item]:
        """Every item of the workspace across all pages, only of ``type`` when given."""
        params = {"type": str(type)} if type else None
        path = f"/workspaces/{segment(workspace, 'workspace')}/items"
        return [Item.model_validate(raw) for raw in self._transport.paginate(path, params=params)]

    def get(self, workspace: WorkspaceRef, item_id: str) -> Item:
        """One item by id."""
        body = self._transport.request_json(
            "GET",
            f"/workspaces/{segment(workspace, 'workspace')}/items/{segment(item_id, 'item')}",
        )
        return Item.model_validate(body)
