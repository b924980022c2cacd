"""Item types (``common/definitions.json#/definitions/Item`` and the item requests and definitions
of ``platform/definitions/platform.json``)."""

from __future__ import annotations

import base64
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from fabric_git.models._base import FabricModel, OpenEnum
from fabric_git.models.common import AppliedTag, ItemTypeValue, PaginatedResponse, Principal

__all__ = [
    "CreateItemRequest",
    "Item",
    "ItemDefinition",
    "ItemDefinitionPart",
    "ItemDefinitionResponse",
    "Items",
    "LogicalIdResponse",
    "MoveItemRequest",
    "MovedItems",
    "PayloadType",
    "SensitivityLabel",
    "UpdateItemDefinitionRequest",
    "UpdateItemLogicalIdRequest",
    "UpdateItemRequest",
]


class PayloadType(StrEnum):
    INLINE_BASE64 = "InlineBase64"


PayloadTypeValue = Annotated[PayloadType | str, OpenEnum(PayloadType)]


class SensitivityLabel(FabricModel):
    id: str


class Item(FabricModel):
    """A workspace item. ``type`` is an ``ItemType`` when known, else the service's string."""

    type: ItemTypeValue
    id: str | None = None
    display_name: str | None = None
    description: str | None = None
    workspace_id: str | None = None
    folder_id: str | None = None
    tags: list[AppliedTag] | None = None
    default_identity: Principal | None = None
    sensitivity_label: SensitivityLabel | None = None


class Items(PaginatedResponse):
    value: list[Item]


class ItemDefinitionPart(FabricModel):
    """One file of an item definition: its path in the item's folder and its base64 payload."""

    _always_serialised: ClassVar[tuple[str, ...]] = ("payload_type",)

    path: str
    payload: str
    payload_type: PayloadTypeValue = PayloadType.INLINE_BASE64

    @classmethod
    def inline(cls, path: str, content: bytes | str) -> ItemDefinitionPart:
        """A part holding ``content`` (text is encoded as UTF-8) as an ``InlineBase64`` payload."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        return cls(path=path, payload=base64.b64encode(data).decode("ascii"))

    def content(self) -> bytes:
        """The decoded payload of an ``InlineBase64`` part."""
        return base64.b64decode(self.payload, validate=True)


class ItemDefinition(FabricModel):
    """An item's definition: its parts, in the item type's ``format`` when it has several."""

    parts: list[ItemDefinitionPart]
    format: str | None = None


class ItemDefinitionResponse(FabricModel):
    """Result of Get Item Definition."""

    definition: ItemDefinition


class UpdateItemDefinitionRequest(FabricModel):
    """Body of Update Item Definition."""

    definition: ItemDefinition


class CreateItemRequest(FabricModel):
    """Body of Create Item: name and type, optionally a folder, a definition or a creation
    payload."""

    display_name: str
    type: ItemTypeValue
    description: str | None = None
    folder_id: str | None = None
    definition: ItemDefinition | None = None
    creation_payload: dict[str, Any] | None = None


class UpdateItemRequest(FabricModel):
    """Body of Update Item: the fields given change, the others stay."""

    display_name: str | None = None
    description: str | None = None


class MoveItemRequest(FabricModel):
    """Body of Move Item; no ``target_folder_id`` moves the item to the workspace root."""

    target_folder_id: str | None = None


class MovedItems(FabricModel):
    """Answer of Move Item: the item and the items that moved with it."""

    value: list[Item]


class UpdateItemLogicalIdRequest(FabricModel):
    """Body of Update Item Logical Id (``PATCH .../items/{id}/logicalId``)."""

    logical_id: str


class LogicalIdResponse(FabricModel):
    """Answer of Update Item Logical Id: the logical id now in force."""

    logical_id: str
