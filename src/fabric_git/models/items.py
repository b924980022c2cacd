"""Item types (``common/definitions.json#/definitions/Item``)."""

from __future__ import annotations

from fabric_git.models._base import FabricModel
from fabric_git.models.common import AppliedTag, ItemTypeValue, PaginatedResponse, Principal

__all__ = ["CreateItemRequest", "Item", "Items", "SensitivityLabel"]


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


class CreateItemRequest(FabricModel):
    """Body of Create Item (used to read the spec examples; item creation is not wrapped)."""

    display_name: str
    type: ItemTypeValue
    description: str | None = None
    folder_id: str | None = None
