"""Workspace and capacity types (``platform/definitions/platform.json``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fabric_git.models._base import FabricModel, OpenEnum
from fabric_git.models.common import AppliedTag, PaginatedResponse, Principal

__all__ = [
    "AddWorkspaceRoleAssignmentRequest",
    "AssignWorkspaceToCapacityRequest",
    "Capacities",
    "Capacity",
    "CapacityAssignmentProgress",
    "CapacityState",
    "CreateWorkspaceRequest",
    "DefaultAction",
    "NetworkRules",
    "OneLakeEndpoints",
    "UpdateWorkspaceRoleAssignmentRequest",
    "Workspace",
    "WorkspaceIdentity",
    "WorkspaceInfo",
    "WorkspaceRole",
    "WorkspaceRoleAssignment",
    "WorkspaceRoleAssignments",
    "WorkspaceType",
    "Workspaces",
]


class WorkspaceType(StrEnum):
    PERSONAL = "Personal"
    WORKSPACE = "Workspace"
    ADMIN_WORKSPACE = "AdminWorkspace"


class CapacityState(StrEnum):
    ACTIVE = "Active"
    INACTIVE = "Inactive"


class CapacityAssignmentProgress(StrEnum):
    COMPLETED = "Completed"
    FAILED = "Failed"
    IN_PROGRESS = "InProgress"


class WorkspaceRole(StrEnum):
    ADMIN = "Admin"
    MEMBER = "Member"
    CONTRIBUTOR = "Contributor"
    VIEWER = "Viewer"


class DefaultAction(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


WorkspaceTypeValue = Annotated[WorkspaceType | str, OpenEnum(WorkspaceType)]
CapacityStateValue = Annotated[CapacityState | str, OpenEnum(CapacityState)]
WorkspaceRoleValue = Annotated[WorkspaceRole | str, OpenEnum(WorkspaceRole)]
DefaultActionValue = Annotated[DefaultAction | str, OpenEnum(DefaultAction)]
CapacityAssignmentProgressValue = Annotated[
    CapacityAssignmentProgress | str, OpenEnum(CapacityAssignmentProgress)
]


class Workspace(FabricModel):
    """A workspace as listed. ``capacity_region`` is a free string (the spec's region list keeps
    growing)."""

    id: str
    display_name: str
    description: str | None = None
    type: WorkspaceTypeValue | None = None
    capacity_id: str | None = None
    api_endpoint: str | None = None
    domain_id: str | None = None
    tags: list[AppliedTag] | None = None
    capacity_region: str | None = None


class WorkspaceIdentity(FabricModel):
    application_id: str
    service_principal_id: str


class OneLakeEndpoints(FabricModel):
    blob_endpoint: str | None = None
    dfs_endpoint: str | None = None


class WorkspaceInfo(Workspace):
    """A workspace as Get Workspace returns it: a ``Workspace`` with a few more details."""

    capacity_assignment_progress: CapacityAssignmentProgressValue | None = None
    workspace_identity: WorkspaceIdentity | None = None
    one_lake_endpoints: OneLakeEndpoints | None = None


class Workspaces(PaginatedResponse):
    value: list[Workspace]


class CreateWorkspaceRequest(FabricModel):
    """Body of Create Workspace."""

    display_name: str
    description: str | None = None
    capacity_id: str | None = None
    domain_id: str | None = None


class UpdateWorkspaceRequest(FabricModel):
    """Body of Update Workspace: only the fields given change."""

    display_name: str | None = None
    description: str | None = None


class Capacity(FabricModel):
    """A capacity the caller can use."""

    id: str
    display_name: str
    sku: str
    region: str
    state: CapacityStateValue


class Capacities(PaginatedResponse):
    value: list[Capacity]


class AssignWorkspaceToCapacityRequest(FabricModel):
    """Body of Assign To Capacity."""

    capacity_id: str


# --- role assignments ---------------------------------------------------------------------------


class WorkspaceRoleAssignment(FabricModel):
    """A principal's role in a workspace."""

    id: str
    principal: Principal
    role: WorkspaceRoleValue


class WorkspaceRoleAssignments(PaginatedResponse):
    value: list[WorkspaceRoleAssignment]


class AddWorkspaceRoleAssignmentRequest(FabricModel):
    """Body of Add Workspace Role Assignment."""

    principal: Principal
    role: WorkspaceRoleValue


class UpdateWorkspaceRoleAssignmentRequest(FabricModel):
    """Body of Update Workspace Role Assignment."""

    role: WorkspaceRoleValue


# --- networking ---------------------------------------------------------------------------------


class NetworkRules(FabricModel):
    """A workspace communication policy, such as the Git outbound policy: ``Deny`` blocks the
    workspace's outbound Git traffic, ``Allow`` permits it."""

    default_action: DefaultActionValue | None = None
