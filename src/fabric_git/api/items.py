"""Workspace items: ``/workspaces/{id}/items/...``."""

from __future__ import annotations

import builtins
from typing import Any

from fabric_git.api._base import ApiGroup, identifier, segment
from fabric_git.api.git import WorkspaceRef
from fabric_git.errors import ConfigurationError
from fabric_git.lro import OperationPoller, ProgressCallback
from fabric_git.models.common import ItemType
from fabric_git.models.items import (
    CreateItemRequest,
    Item,
    ItemDefinition,
    ItemDefinitionResponse,
    LogicalIdResponse,
    MovedItems,
    MoveItemRequest,
    UpdateItemDefinitionRequest,
    UpdateItemLogicalIdRequest,
    UpdateItemRequest,
)

__all__ = ["ItemsApi"]

_EMPTY_GUID = "00000000-0000-0000-0000-000000000000"


def _definition(data: Any) -> ItemDefinition:
    return ItemDefinitionResponse.model_validate(data).definition


class ItemsApi(ApiGroup):
    """``client.items``: list, create, change, move and delete items, and read or replace their
    definitions. ``create``, ``get_definition`` and ``update_definition`` may run as an
    operation; they wait for it, and their ``begin_*`` twins return an ``OperationPoller``."""

    def _path(self, workspace: WorkspaceRef, item_id: str | None = None, tail: str = "") -> str:
        path = f"/workspaces/{segment(workspace, 'workspace')}/items"
        if item_id is not None:
            path += f"/{segment(item_id, 'item')}"
        return path + tail

    def list(self, workspace: WorkspaceRef, type: ItemType | str | None = None) -> list[Item]:
        """Every item of the workspace across all pages, only of ``type`` when given."""
        params = {"type": str(type)} if type else None
        return [
            Item.model_validate(raw)
            for raw in self._transport.paginate(self._path(workspace), params=params)
        ]

    def get(self, workspace: WorkspaceRef, item_id: str) -> Item:
        """One item by id."""
        return Item.model_validate(
            self._transport.request_json("GET", self._path(workspace, item_id))
        )

    # --- create, update, delete -----------------------------------------------------------------

    def begin_create(
        self,
        workspace: WorkspaceRef,
        display_name: str,
        type: ItemType | str,
        *,
        description: str | None = None,
        folder_id: str | None = None,
        definition: ItemDefinition | None = None,
        creation_payload: dict[str, Any] | None = None,
    ) -> OperationPoller[Item]:
        """Start Create Item: an item of ``type`` named ``display_name``, in ``folder_id`` when
        given (else the workspace root), from ``definition`` when given (else empty). The
        poller's outcome is the new item."""
        if not display_name or not display_name.strip():
            raise ConfigurationError("An item needs a display name.")
        if not str(type).strip():
            raise ConfigurationError("An item needs a type, for example 'Notebook'.")
        fields: dict[str, Any] = {"display_name": display_name, "type": type}
        if description is not None:
            fields["description"] = description
        if folder_id is not None:
            fields["folder_id"] = folder_id
        if definition is not None:
            fields["definition"] = definition
        if creation_payload is not None:
            fields["creation_payload"] = creation_payload
        request = CreateItemRequest(**fields)
        response = self._transport.request("POST", self._path(workspace), json=request.to_wire())
        return self._operation(response, "CreateItem", "create item", Item.model_validate)

    def create(
        self,
        workspace: WorkspaceRef,
        display_name: str,
        type: ItemType | str,
        *,
        description: str | None = None,
        folder_id: str | None = None,
        definition: ItemDefinition | None = None,
        creation_payload: dict[str, Any] | None = None,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> Item:
        """Create an item and wait for it (see ``begin_create``)."""
        return self.begin_create(
            workspace,
            display_name,
            type,
            description=description,
            folder_id=folder_id,
            definition=definition,
            creation_payload=creation_payload,
        ).wait(timeout, progress)

    def update(
        self,
        workspace: WorkspaceRef,
        item_id: str,
        *,
        display_name: str | None = None,
        description: str | None = None,
    ) -> Item:
        """Rename an item and/or change its description; fields not given stay as they are."""
        if display_name is None and description is None:
            raise ConfigurationError(
                "Nothing to update: give a display name, a description, or both."
            )
        if display_name is not None and not display_name.strip():
            raise ConfigurationError("An item needs a display name.")
        fields: dict[str, Any] = {}
        if display_name is not None:
            fields["display_name"] = display_name
        if description is not None:
            fields["description"] = description
        body = self._transport.request_json(
            "PATCH", self._path(workspace, item_id), json=UpdateItemRequest(**fields).to_wire()
        )
        return Item.model_validate(body)

    def delete(self, workspace: WorkspaceRef, item_id: str, *, hard_delete: bool = False) -> None:
        """Delete an item; ``hard_delete`` skips the workspace's recycle bin where it has one."""
        params = {"hardDelete": "true"} if hard_delete else None
        self._transport.request("DELETE", self._path(workspace, item_id), params=params)

    def move(
        self, workspace: WorkspaceRef, item_id: str, target_folder_id: str | None = None
    ) -> builtins.list[Item]:
        """Move an item into ``target_folder_id`` (the workspace root when ``None``); returns
        the items that moved (the item and any items that move with it)."""
        fields: dict[str, Any] = {}
        if target_folder_id is not None:
            fields["target_folder_id"] = identifier(target_folder_id, "target folder")
        body = self._transport.request_json(
            "POST",
            self._path(workspace, item_id, "/move"),
            json=MoveItemRequest(**fields).to_wire(),
        )
        return MovedItems.model_validate(body).value

    def update_logical_id(self, workspace: WorkspaceRef, item_id: str, logical_id: str) -> str:
        """Give an item a new logical id, to resolve a logical-id conflict (such as duplicates
        after copying items between branches); returns the logical id now in force. The
        service refuses it while a Git operation runs in the workspace."""
        logical_id = identifier(logical_id, "logical")
        if logical_id == _EMPTY_GUID:
            raise ConfigurationError("The logical id cannot be the empty GUID.")
        body = self._transport.request_json(
            "PATCH",
            self._path(workspace, item_id, "/logicalId"),
            json=UpdateItemLogicalIdRequest(logical_id=logical_id).to_wire(),
        )
        return LogicalIdResponse.model_validate(body).logical_id

    # --- definitions ----------------------------------------------------------------------------

    def begin_get_definition(
        self, workspace: WorkspaceRef, item_id: str, *, format: str | None = None
    ) -> OperationPoller[ItemDefinition]:
        """Start Get Item Definition (in ``format`` when the item type has several); the
        poller's outcome is the definition, its parts base64-encoded."""
        params = {"format": format} if format else None
        response = self._transport.request(
            "POST", self._path(workspace, item_id, "/getDefinition"), params=params
        )
        return self._operation(response, "GetItemDefinition", "get item definition", _definition)

    def get_definition(
        self,
        workspace: WorkspaceRef,
        item_id: str,
        *,
        format: str | None = None,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> ItemDefinition:
        """An item's definition, waiting if the service builds it as an operation (see
        ``begin_get_definition``). ``ItemDefinitionPart.content()`` decodes a part."""
        return self.begin_get_definition(workspace, item_id, format=format).wait(timeout, progress)

    def begin_update_definition(
        self,
        workspace: WorkspaceRef,
        item_id: str,
        definition: ItemDefinition,
        *,
        update_metadata: bool = False,
    ) -> OperationPoller[None]:
        """Start Update Item Definition: replace the item's definition with ``definition``;
        ``update_metadata`` also applies the ``.platform`` part's name and description."""
        if not definition.parts:
            raise ConfigurationError("A definition needs at least one part.")
        params = {"updateMetadata": "true"} if update_metadata else None
        request = UpdateItemDefinitionRequest(definition=definition)
        response = self._transport.request(
            "POST",
            self._path(workspace, item_id, "/updateDefinition"),
            params=params,
            json=request.to_wire(),
        )
        return self._operation(response, "UpdateItemDefinition", "update item definition")

    def update_definition(
        self,
        workspace: WorkspaceRef,
        item_id: str,
        definition: ItemDefinition,
        *,
        update_metadata: bool = False,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        """Replace an item's definition and wait (see ``begin_update_definition``)."""
        self.begin_update_definition(
            workspace, item_id, definition, update_metadata=update_metadata
        ).wait(timeout, progress)
