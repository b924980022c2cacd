"""Workspaces and capacities."""

from __future__ import annotations

import builtins
from typing import Any

from fabric_git.api._base import ApiGroup, identifier, principal, required, segment
from fabric_git.errors import ConfigurationError
from fabric_git.models.common import PrincipalType
from fabric_git.models.workspaces import (
    AddWorkspaceRoleAssignmentRequest,
    AssignWorkspaceToCapacityRequest,
    Capacity,
    CreateWorkspaceRequest,
    DefaultAction,
    NetworkRules,
    UpdateWorkspaceRequest,
    UpdateWorkspaceRoleAssignmentRequest,
    Workspace,
    WorkspaceInfo,
    WorkspaceRole,
    WorkspaceRoleAssignment,
)

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

    def update(
        self,
        workspace_id: str | Workspace,
        *,
        display_name: str | None = None,
        description: str | None = None,
    ) -> Workspace:
        """Rename a workspace or change its description (only what is given changes)."""
        if display_name is None and description is None:
            raise ConfigurationError("Give a new display name or description.")
        fields: dict[str, Any] = {}
        if display_name is not None:
            fields["display_name"] = display_name
        if description is not None:
            fields["description"] = description
        request = UpdateWorkspaceRequest(**fields)
        body = self._transport.request_json("PATCH", self._ws(workspace_id), json=request.to_wire())
        return Workspace.model_validate(body)

    def delete(self, workspace_id: str | Workspace) -> None:
        """Delete a workspace and its items (needs Admin). Disconnect it from Git first to keep
        the repository as it is; the repository is never changed by the deletion."""
        self._transport.request("DELETE", self._ws(workspace_id))

    # --- capacity -------------------------------------------------------------------------------

    def assign_to_capacity(self, workspace_id: str | Workspace, capacity_id: str) -> None:
        """Assign the workspace to a capacity (Git integration needs one). The service accepts
        at once and finishes in the background: ``get(...).capacity_assignment_progress``
        tells when it is done."""
        request = AssignWorkspaceToCapacityRequest(capacity_id=identifier(capacity_id, "capacity"))
        self._transport.request(
            "POST", self._ws(workspace_id, "/assignToCapacity"), json=request.to_wire()
        )

    def unassign_from_capacity(self, workspace_id: str | Workspace) -> None:
        """Take the workspace off its capacity (it keeps its items; Git operations stop
        working until it is assigned again)."""
        self._transport.request("POST", self._ws(workspace_id, "/unassignFromCapacity"))

    # --- role assignments -----------------------------------------------------------------------

    def list_role_assignments(
        self, workspace_id: str | Workspace
    ) -> builtins.list[WorkspaceRoleAssignment]:
        """Who has which role in the workspace, across all pages."""
        return [
            WorkspaceRoleAssignment.model_validate(raw)
            for raw in self._transport.paginate(self._ws(workspace_id, "/roleAssignments"))
        ]

    def add_role_assignment(
        self,
        workspace_id: str | Workspace,
        principal_id: str,
        principal_type: PrincipalType | str,
        role: WorkspaceRole | str,
    ) -> WorkspaceRoleAssignment:
        """Give a user, group or service principal (``principal_type``: ``User``, ``Group``,
        ``ServicePrincipal``, ``ServicePrincipalProfile``) a role: ``Admin``, ``Member``,
        ``Contributor`` or ``Viewer``."""
        request = AddWorkspaceRoleAssignmentRequest(
            principal=principal(principal_id, principal_type),
            role=required(role, _ROLE_NEEDED),
        )
        body = self._transport.request_json(
            "POST", self._ws(workspace_id, "/roleAssignments"), json=request.to_wire()
        )
        return WorkspaceRoleAssignment.model_validate(body)

    def get_role_assignment(
        self, workspace_id: str | Workspace, assignment_id: str
    ) -> WorkspaceRoleAssignment:
        """One role assignment by id (the id is the principal's id)."""
        body = self._transport.request_json("GET", self._assignment(workspace_id, assignment_id))
        return WorkspaceRoleAssignment.model_validate(body)

    def update_role_assignment(
        self, workspace_id: str | Workspace, assignment_id: str, role: WorkspaceRole | str
    ) -> WorkspaceRoleAssignment:
        """Change the role of a role assignment."""
        request = UpdateWorkspaceRoleAssignmentRequest(role=required(role, _ROLE_NEEDED))
        body = self._transport.request_json(
            "PATCH", self._assignment(workspace_id, assignment_id), json=request.to_wire()
        )
        return WorkspaceRoleAssignment.model_validate(body)

    def delete_role_assignment(self, workspace_id: str | Workspace, assignment_id: str) -> None:
        """Remove a role assignment: the principal loses its access to the workspace."""
        self._transport.request("DELETE", self._assignment(workspace_id, assignment_id))

    # --- Git outbound policy --------------------------------------------------------------------

    def get_git_outbound_policy(self, workspace_id: str | Workspace) -> NetworkRules:
        """The workspace's Git outbound policy: ``default_action`` ``Allow`` or ``Deny``."""
        body = self._transport.request_json("GET", self._ws(workspace_id, _GIT_OUTBOUND))
        return NetworkRules.model_validate(body or {})

    def set_git_outbound_policy(
        self, workspace_id: str | Workspace, default_action: DefaultAction | str
    ) -> None:
        """Allow or deny the workspace's outbound Git traffic (``"Allow"`` or ``"Deny"``);
        with ``Deny``, Git integration of the workspace stops reaching the provider."""
        if not str(default_action).strip():
            raise ConfigurationError("Give the default action: Allow or Deny.")
        request = NetworkRules(default_action=default_action)
        self._transport.request(
            "PUT", self._ws(workspace_id, _GIT_OUTBOUND), json=request.to_wire()
        )

    def _ws(self, workspace_id: str | Workspace, tail: str = "") -> str:
        return f"/workspaces/{segment(workspace_id, 'workspace')}{tail}"

    def _assignment(self, workspace_id: str | Workspace, assignment_id: str) -> str:
        return self._ws(
            workspace_id, f"/roleAssignments/{segment(assignment_id, 'role assignment')}"
        )


_ROLE_NEEDED = "Give a role: Admin, Member, Contributor or Viewer."
_GIT_OUTBOUND = "/networking/communicationPolicy/outbound/git"


class CapacitiesApi(ApiGroup):
    """``client.capacities``."""

    def list(self) -> list[Capacity]:
        """Every capacity the caller can use, across all pages."""
        return [Capacity.model_validate(raw) for raw in self._transport.paginate("/capacities")]
