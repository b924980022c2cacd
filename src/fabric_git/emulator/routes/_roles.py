"""Role assignments of a shared resource (a workspace, a connection): the five routes both serve.

What differs between the two (the backend, the roles, who may share and who may change, the
document) is a ``RoleAssignments`` value; the handlers, the request parsing and the route table
are written once here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend.workspaces import PRINCIPAL_TYPES
from fabric_git.emulator.errors import EmulatorError
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

A = TypeVar("A")


class AssignmentStore(Protocol[A]):
    """The role-assignment functions of a backend module (``backend.workspaces``,
    ``backend.connections``), on the resource with the given id."""

    def list_role_assignments(self, conn: sqlite3.Connection, resource_id: str, /) -> list[A]: ...

    def get_role_assignment(
        self, conn: sqlite3.Connection, resource_id: str, assignment_id: str, /
    ) -> A: ...

    def add_role_assignment(
        self,
        conn: sqlite3.Connection,
        resource_id: str,
        /,
        *,
        principal_id: str,
        principal_type: str,
        role: str,
        caller_role: str,
    ) -> A: ...

    def update_role_assignment(
        self, conn: sqlite3.Connection, resource_id: str, assignment_id: str, role: str, /
    ) -> A: ...

    def delete_role_assignment(
        self, conn: sqlite3.Connection, resource_id: str, assignment_id: str, /
    ) -> None: ...


@dataclass(frozen=True)
class NewRoleAssignment:
    principal_id: str
    principal_type: str
    role: str


def parse_role_assignment(body: Body, roles: Sequence[str]) -> NewRoleAssignment:
    principal = body.object("principal", required=True, wrong="The field is required")
    assert principal is not None
    if "id" not in principal:
        raise principal.invalid("id", "The value must be a GUID")
    principal_id = principal.guid("id")
    assert principal_id is not None
    return NewRoleAssignment(
        principal_id=principal_id,
        principal_type=principal.required_choice("type", PRINCIPAL_TYPES),
        role=body.required_choice("role", roles),
    )


@dataclass(frozen=True)
class RoleAssignments(Generic[A]):
    """The role assignments of one kind of resource, at ``/{collection}/{id}/roleAssignments``.

    ``reader`` may list and read them, ``sharer`` may add one (up to its own role, which
    ``caller_role`` gives), ``manager`` may change or delete one. With ``access_first`` the
    caller's permission is checked before the body is read (a caller without it learns nothing
    from the body); otherwise the body's fields are checked first, as everywhere else.
    """

    collection: str
    resource_param: str
    resource_not_found: Callable[[], EmulatorError]
    assignment_param: str
    assignment_not_found: Callable[[], EmulatorError]
    store: AssignmentStore[A]
    require: Callable[[sqlite3.Connection, str, Principal, str], object]
    caller_role: Callable[[sqlite3.Connection, str, Principal], str]
    roles: Sequence[str]
    reader: str
    sharer: str
    manager: str
    access_first: bool
    to_json: Callable[[A], dict[str, Any]]

    def _resource_id(self, request: Request) -> str:
        return path_guid(request, self.resource_param, self.resource_not_found)

    def _assignment_id(self, request: Request) -> str:
        return path_guid(request, self.assignment_param, self.assignment_not_found)

    def _check_first(self, request: Request, resource_id: str, minimum: str) -> None:
        if self.access_first:
            with emulator_state(request).store.read() as conn:
                self.require(conn, resource_id, principal_of(request), minimum)

    def list_all(self, request: Request) -> Response:
        resource_id = self._resource_id(request)
        with emulator_state(request).store.read() as conn:
            self.require(conn, resource_id, principal_of(request), self.reader)
            values = [self.to_json(a) for a in self.store.list_role_assignments(conn, resource_id)]
        return page_response(request, values)

    def add(self, request: Request) -> Response:
        resource_id = self._resource_id(request)
        caller = principal_of(request)
        self._check_first(request, resource_id, self.sharer)
        new = parse_role_assignment(read_body(request), self.roles)
        with emulator_state(request).store.write() as conn:
            self.require(conn, resource_id, caller, self.sharer)
            assignment = self.store.add_role_assignment(
                conn,
                resource_id,
                principal_id=new.principal_id,
                principal_type=new.principal_type,
                role=new.role,
                caller_role=self.caller_role(conn, resource_id, caller),
            )
        body = self.to_json(assignment)
        location = absolute_url(
            request, f"/v1/{self.collection}/{resource_id}/roleAssignments/{body['id']}"
        )
        return json_response(body, 201, headers={"Location": location})

    def get(self, request: Request) -> Response:
        resource_id = self._resource_id(request)
        assignment_id = self._assignment_id(request)
        with emulator_state(request).store.read() as conn:
            self.require(conn, resource_id, principal_of(request), self.reader)
            assignment = self.store.get_role_assignment(conn, resource_id, assignment_id)
        return json_response(self.to_json(assignment))

    def update(self, request: Request) -> Response:
        resource_id = self._resource_id(request)
        assignment_id = self._assignment_id(request)
        self._check_first(request, resource_id, self.manager)
        role = read_body(request).required_choice("role", self.roles)
        with emulator_state(request).store.write() as conn:
            self.require(conn, resource_id, principal_of(request), self.manager)
            assignment = self.store.update_role_assignment(conn, resource_id, assignment_id, role)
        return json_response(self.to_json(assignment))

    def delete(self, request: Request) -> Response:
        resource_id = self._resource_id(request)
        assignment_id = self._assignment_id(request)
        with emulator_state(request).store.write() as conn:
            self.require(conn, resource_id, principal_of(request), self.manager)
            self.store.delete_role_assignment(conn, resource_id, assignment_id)
        return empty_response()

    def routes(self, group: str, noun: str) -> list[Route]:
        """The five routes, named as the spec names them: ``{group}_Add{noun}RoleAssignment``."""
        many = f"/{self.collection}/{{{self.resource_param}}}/roleAssignments"
        one = f"{many}/{{{self.assignment_param}}}"
        return [
            route(many, self.list_all, "GET", f"{group}_List{noun}RoleAssignments"),
            route(many, self.add, "POST", f"{group}_Add{noun}RoleAssignment"),
            route(one, self.get, "GET", f"{group}_Get{noun}RoleAssignment"),
            route(one, self.update, "PATCH", f"{group}_Update{noun}RoleAssignment"),
            route(one, self.delete, "DELETE", f"{group}_Delete{noun}RoleAssignment"),
        ]
