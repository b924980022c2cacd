"""Workspaces and workspace role assignments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fabric_git.emulator import errors
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


@dataclass(frozen=True)
class NewRoleAssignment:
    principal_id: str
    principal_type: str
    role: str


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


def parse_role_assignment(body: Body) -> NewRoleAssignment:
    principal = body.object("principal", required=True, wrong="The field is required")
    assert principal is not None
    if "id" not in principal:
        raise principal.invalid("id", "The value must be a GUID")
    principal_id = principal.guid("id")
    assert principal_id is not None
    return NewRoleAssignment(
        principal_id=principal_id,
        principal_type=principal.required_choice("type", backend.PRINCIPAL_TYPES),
        role=body.required_choice("role", backend.ROLES),
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


def _assignment_id(request: Request) -> str:
    return path_guid(
        request, "workspaceRoleAssignmentId", errors.workspace_role_assignment_not_found
    )


def list_role_assignments(request: Request) -> Response:
    workspace_id = _workspace_id(request)
    with emulator_state(request).store.read() as conn:
        backend.require_role(conn, workspace_id, principal_of(request), "Member")
        values = [assignment_json(a) for a in backend.list_role_assignments(conn, workspace_id)]
    return page_response(request, values)


def add_role_assignment(request: Request) -> Response:
    workspace_id = _workspace_id(request)
    new = parse_role_assignment(read_body(request))
    caller = principal_of(request)
    with emulator_state(request).store.write() as conn:
        backend.require_role(conn, workspace_id, caller, "Member")
        caller_role = backend.role_of(conn, workspace_id, caller) or "Viewer"
        assignment = backend.add_role_assignment(
            conn,
            workspace_id,
            principal_id=new.principal_id,
            principal_type=new.principal_type,
            role=new.role,
            caller_role=caller_role,
        )
    location = absolute_url(
        request, f"/v1/workspaces/{workspace_id}/roleAssignments/{assignment.id}"
    )
    return json_response(assignment_json(assignment), 201, headers={"Location": location})


def get_role_assignment(request: Request) -> Response:
    workspace_id = _workspace_id(request)
    assignment_id = _assignment_id(request)
    with emulator_state(request).store.read() as conn:
        backend.require_role(conn, workspace_id, principal_of(request), "Member")
        assignment = backend.get_role_assignment(conn, workspace_id, assignment_id)
    return json_response(assignment_json(assignment))


def update_role_assignment(request: Request) -> Response:
    workspace_id = _workspace_id(request)
    assignment_id = _assignment_id(request)
    role = read_body(request).required_choice("role", backend.ROLES)
    with emulator_state(request).store.write() as conn:
        backend.require_role(conn, workspace_id, principal_of(request), "Admin")
        assignment = backend.update_role_assignment(conn, workspace_id, assignment_id, role)
    return json_response(assignment_json(assignment))


def delete_role_assignment(request: Request) -> Response:
    workspace_id = _workspace_id(request)
    assignment_id = _assignment_id(request)
    with emulator_state(request).store.write() as conn:
        backend.require_role(conn, workspace_id, principal_of(request), "Admin")
        backend.delete_role_assignment(conn, workspace_id, assignment_id)
    return empty_response()


_WS = "/workspaces/{workspaceId}"
_RA = _WS + "/roleAssignments/{workspaceRoleAssignmentId}"

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
    route(
        _WS + "/roleAssignments",
        list_role_assignments,
        "GET",
        "Workspaces_ListWorkspaceRoleAssignments",
    ),
    route(
        _WS + "/roleAssignments",
        add_role_assignment,
        "POST",
        "Workspaces_AddWorkspaceRoleAssignment",
    ),
    route(_RA, get_role_assignment, "GET", "Workspaces_GetWorkspaceRoleAssignment"),
    route(_RA, update_role_assignment, "PATCH", "Workspaces_UpdateWorkspaceRoleAssignment"),
    route(_RA, delete_role_assignment, "DELETE", "Workspaces_DeleteWorkspaceRoleAssignment"),
]
