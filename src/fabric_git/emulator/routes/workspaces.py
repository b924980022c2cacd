"""Workspaces and workspace role assignments."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fabric_git.emulator import errors
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend import workspaces as backend
from fabric_git.emulator.backend.workspaces import RoleAssignment, WorkspaceRecord
from fabric_git.emulator.routes._body import Body, read_body
from fabric_git.emulator.routes._http import (
    absolute_url,
    empty_response,
    emulator_state,
    json_response,
    page_response,
    path_guid,
    principal_of,
    route,
)
from fabric_git.emulator.routes._roles import RoleAssignments

NAME_LIMIT = backend.MAX_NAME_LENGTH
DESCRIPTION_LIMIT = 4000


def workspace_json(record: WorkspaceRecord, region: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": record.id,
        "displayName": record.display_name,
        "description": record.description,
        "type": record.type,
    }
    if record.capacity_id is not None:
        body["capacityId"] = record.capacity_id
        body["capacityAssignmentProgress"] = "Completed"
        if region is not None:
            body["capacityRegion"] = region
    return body


def assignment_json(assignment: RoleAssignment) -> dict[str, Any]:
    principal: dict[str, Any] = {"id": assignment.principal_id, "type": assignment.principal_type}
    if assignment.principal_name is not None:
        principal["displayName"] = assignment.principal_name
        if assignment.principal_type == "User":
            principal["userDetails"] = {"userPrincipalName": assignment.principal_name}
        elif assignment.principal_type == "ServicePrincipal":
            principal["servicePrincipalDetails"] = {"aadAppId": assignment.principal_id}
    return {"id": assignment.id, "principal": principal, "role": assignment.role}


@dataclass(frozen=True)
class NewWorkspace:
    display_name: str
    description: str
    capacity_id: str | None


@dataclass(frozen=True)
class WorkspaceChanges:
    display_name: str | None
    description: str | None


def parse_new_workspace(body: Body) -> NewWorkspace:
    return NewWorkspace(
        display_name=body.required_text("displayName", max_length=NAME_LIMIT, allow_empty=False),
        description=body.text("description", max_length=DESCRIPTION_LIMIT) or "",
        capacity_id=body.guid("capacityId"),
    )


def parse_changes(body: Body) -> WorkspaceChanges:
    return WorkspaceChanges(
        display_name=body.text("displayName", max_length=NAME_LIMIT, allow_empty=False),
        description=body.text("description", max_length=DESCRIPTION_LIMIT),
    )


def _workspace_id(request: Request) -> str:
    return path_guid(request, "workspaceId", errors.workspace_not_found)


def _region(conn: Any, record: WorkspaceRecord) -> str | None:
    if record.capacity_id is None:
        return None
    return backend.get_capacity(conn, record.capacity_id).region


def list_workspaces(request: Request) -> Response:
    roles_param = request.query_params.get("roles")
    roles: frozenset[str] | None = None
    if roles_param:
        roles = frozenset(part.strip() for part in roles_param.split(",") if part.strip())
        unknown = roles - set(backend.ROLES)
        if unknown:
            raise errors.invalid_input("roles", f"Unknown role {sorted(unknown)[0]!r}")
    state = emulator_state(request)
    with state.store.read() as conn:
        records = backend.list_workspaces(conn, principal_of(request), roles)
        values = [workspace_json(r, _region(conn, r)) for r in records]
    return page_response(request, values)


def create_workspace(request: Request) -> Response:
    new = parse_new_workspace(read_body(request))
    state = emulator_state(request)
    with state.store.write() as conn:
        record = backend.create_workspace(
            conn,
            principal_of(request),
            display_name=new.display_name,
            description=new.description,
            capacity_id=new.capacity_id,
            now=state.clock.now(),
        )
        body = workspace_json(record, _region(conn, record))
    location = absolute_url(request, f"/v1/workspaces/{record.id}")
    return json_response(body, 201, headers={"Location": location})


def get_workspace(request: Request) -> Response:
    workspace_id = _workspace_id(request)
    with emulator_state(request).store.read() as conn:
        record = backend.require_role(conn, workspace_id, principal_of(request), "Viewer")
        return json_response(workspace_json(record, _region(conn, record)))


def update_workspace(request: Request) -> Response:
    workspace_id = _workspace_id(request)
    changes = parse_changes(read_body(request))
    with emulator_state(request).store.write() as conn:
        backend.require_role(conn, workspace_id, principal_of(request), "Admin")
        record = backend.update_workspace(
            conn,
            workspace_id,
            display_name=changes.display_name,
            description=changes.description,
        )
        return json_response(workspace_json(record, _region(conn, record)))


def delete_workspace(request: Request) -> Response:
    workspace_id = _workspace_id(request)
    with emulator_state(request).store.write() as conn:
        backend.require_role(conn, workspace_id, principal_of(request), "Admin")
        backend.delete_workspace(conn, workspace_id)
    return empty_response()


def assign_to_capacity(request: Request) -> Response:
    workspace_id = _workspace_id(request)
    capacity_id = read_body(request).guid("capacityId", required=True)
    assert capacity_id is not None
    with emulator_state(request).store.write() as conn:
        backend.require_role(conn, workspace_id, principal_of(request), "Admin")
        backend.set_capacity(conn, workspace_id, capacity_id)
    return empty_response(202)


def unassign_from_capacity(request: Request) -> Response:
    workspace_id = _workspace_id(request)
    with emulator_state(request).store.write() as conn:
        backend.require_role(conn, workspace_id, principal_of(request), "Admin")
        backend.set_capacity(conn, workspace_id, None)
    return empty_response(202)


# --- role assignments ------------------------------------------------------------------------


def _caller_role(conn: sqlite3.Connection, workspace_id: str, caller: Principal) -> str:
    return backend.role_of(conn, workspace_id, caller) or "Viewer"


ROLE_ASSIGNMENTS = RoleAssignments(
    collection="workspaces",
    resource_param="workspaceId",
    resource_not_found=errors.workspace_not_found,
    assignment_param="workspaceRoleAssignmentId",
    assignment_not_found=errors.workspace_role_assignment_not_found,
    store=backend,
    require=backend.require_role,
    caller_role=_caller_role,
    roles=backend.ROLES,
    reader="Member",
    sharer="Member",
    manager="Admin",
    access_first=False,
    to_json=assignment_json,
)


_WS = "/workspaces/{workspaceId}"

ROUTES = [
    route("/workspaces", list_workspaces, "GET", "Workspaces_ListWorkspaces"),
    route("/workspaces", create_workspace, "POST", "Workspaces_CreateWorkspace"),
    route(_WS, get_workspace, "GET", "Workspaces_GetWorkspace"),
    route(_WS, update_workspace, "PATCH", "Workspaces_UpdateWorkspace"),
    route(_WS, delete_workspace, "DELETE", "Workspaces_DeleteWorkspace"),
    route(_WS + "/assignToCapacity", assign_to_capacity, "POST", "Workspaces_AssignToCapacity"),
    route(
        _WS + "/unassignFromCapacity",
        unassign_from_capacity,
        "POST",
        "Workspaces_UnassignFromCapacity",
    ),
    *ROLE_ASSIGNMENTS.routes("Workspaces", "Workspace"),
]
