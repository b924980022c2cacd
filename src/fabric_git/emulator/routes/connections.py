"""Connections: create, list, get, update, delete; test; role assignments; supported connection
types.

The credential's secret is write-only: no response carries it. The role-assignment routes are
``routes/_roles.py``'s, configured here with the connection's roles and document.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from fabric_git.emulator import errors
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend import connections as backend
from fabric_git.emulator.backend.connections import (
    AZURE_DEVOPS_SOURCE_CONTROL,
    GITHUB_SOURCE_CONTROL,
    SERVICE_PRINCIPAL,
    ConnectionRecord,
    ConnectionRoleAssignment,
    ServicePrincipalCredential,
)
from fabric_git.emulator.backend.git.connection_status import (
    ConnectionProblem,
    connection_problems,
)
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
from fabric_git.emulator.routes._lro import run_operation
from fabric_git.emulator.routes._roles import RoleAssignments

PRIVACY_LEVELS = ("None", "Private", "Organizational", "Public")
NAME_LIMIT = 200


def connection_json(record: ConnectionRecord) -> dict[str, Any]:
    """The spec's ``Connection`` shape; the credential's secret is never part of it."""
    details: dict[str, Any] = {"type": record.type, "path": record.url or ""}
    return {
        "id": record.id,
        "displayName": record.display_name,
        "connectivityType": record.connectivity_type,
        "connectionDetails": details,
        "privacyLevel": record.privacy_level,
        "credentialDetails": {
            "credentialType": record.credential_type,
            "singleSignOnType": "None",
            "connectionEncryption": "NotEncrypted",
            "skipTestConnection": False,
        },
    }


@dataclass(frozen=True)
class Credential:
    type: str  # "Key" | "Basic" | "Anonymous" | "ServicePrincipal"
    secret: str | None = field(repr=False)  # a service principal's: all of it, sealable


@dataclass(frozen=True, kw_only=True)
class CreateConnection:
    connectivity_type: str
    display_name: str
    type: str
    creation_method: str
    url: str | None
    credential: Credential
    privacy_level: str


@dataclass(frozen=True, kw_only=True)
class UpdateConnection:
    connectivity_type: str
    display_name: str | None
    privacy_level: str | None
    credential: Credential | None


def _credential(body: Body) -> Credential:
    """The credential type and secret of ``credentialDetails``."""
    credentials = body.object("credentials", required=True, wrong="The field is required")
    assert credentials is not None
    kind = credentials.required_choice("credentialType", backend.SUPPORTED_CREDENTIALS)
    if kind == "Key":
        return Credential("Key", credentials.required_text("key", allow_empty=False))
    if kind == "Basic":
        credentials.required_text("username")
        return Credential("Basic", credentials.required_text("password"))
    if kind == SERVICE_PRINCIPAL:
        tenant = credentials.guid("tenantId", required=True)
        client = credentials.guid("servicePrincipalClientId", required=True)
        secret = credentials.required_text("servicePrincipalSecret", allow_empty=False)
        assert tenant is not None and client is not None
        sealed = ServicePrincipalCredential(tenant, client, secret).sealable()
        return Credential(SERVICE_PRINCIPAL, sealed)
    return Credential("Anonymous", None)


def _url_parameter(details: Body) -> str | None:
    parameters = details.raw("parameters")
    if parameters is None:
        return None
    if not isinstance(parameters, list):
        raise details.invalid("parameters", "The value must be an array")
    values: list[str] = []
    url: str | None = None
    for index, parameter in enumerate(parameters):
        if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str):
            raise details.invalid(f"parameters[{index}]", "Each parameter needs a name and value")
        value = parameter.get("value")
        if not isinstance(value, str):
            raise details.invalid(f"parameters[{index}].value", "The value must be a string")
        if parameter["name"] == "url":
            url = value
        values.append(value)
    return url if url is not None else (";".join(values) or None)


def parse_create(body: Body) -> CreateConnection:
    connectivity = body.required_choice("connectivityType", backend.SUPPORTED_CONNECTIVITY)
    name = body.required_text("displayName", max_length=NAME_LIMIT, allow_empty=False)
    details = body.object("connectionDetails", required=True, wrong="The field is required")
    assert details is not None
    conn_type = details.required_text("type", allow_empty=False)
    method = details.text("creationMethod") or conn_type
    url = _url_parameter(details)
    if conn_type in (GITHUB_SOURCE_CONTROL, AZURE_DEVOPS_SOURCE_CONTROL) and url is not None:
        url = _check_url(url)
    credential = body.object("credentialDetails", required=True, wrong="The field is required")
    assert credential is not None
    return CreateConnection(
        connectivity_type=connectivity,
        display_name=name,
        type=conn_type,
        creation_method=method,
        url=url,
        credential=_credential(credential),
        privacy_level=body.choice("privacyLevel", PRIVACY_LEVELS) or "Organizational",
    )


def parse_update(body: Body) -> UpdateConnection:
    connectivity = body.required_choice("connectivityType", backend.SUPPORTED_CONNECTIVITY)
    name = body.text("displayName", max_length=NAME_LIMIT, allow_empty=False)
    privacy = body.choice("privacyLevel", PRIVACY_LEVELS)
    credential = body.object("credentialDetails", wrong="The field is required")
    return UpdateConnection(
        connectivity_type=connectivity,
        display_name=name,
        privacy_level=privacy,
        credential=_credential(credential) if credential is not None else None,
    )


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise errors.invalid_input(
            "connectionDetails.parameters.url", "The value must be an http(s) URL"
        )
    return url.rstrip("/")


def list_connections(request: Request) -> Response:
    with emulator_state(request).store.read() as conn:
        records = backend.list_connections(conn, principal_of(request))
    return page_response(request, [connection_json(r) for r in records])


def create_connection(request: Request) -> Response:
    create = parse_create(read_body(request))
    state = emulator_state(request)
    with state.store.write() as conn:
        record = backend.create_connection(
            conn,
            principal_of(request),
            state.sealer,
            display_name=create.display_name,
            connectivity_type=create.connectivity_type,
            type=create.type,
            creation_method=create.creation_method,
            url=create.url,
            credential_type=create.credential.type,
            secret=create.credential.secret,
            privacy_level=create.privacy_level,
            now=state.clock.now(),
        )
    location = absolute_url(request, f"/v1/connections/{record.id}")
    return json_response(connection_json(record), 201, headers={"Location": location})


def _connection_id(request: Request) -> str:
    return path_guid(request, "connectionId", errors.connection_not_found)


def get_connection(request: Request) -> Response:
    connection_id = _connection_id(request)
    with emulator_state(request).store.read() as conn:
        record = backend.require_connection(conn, connection_id, principal_of(request))
    return json_response(connection_json(record))


def update_connection(request: Request) -> Response:
    connection_id = _connection_id(request)
    update = parse_update(read_body(request))
    credential = update.credential
    state = emulator_state(request)
    with state.store.write() as conn:
        current = backend.require_connection(
            conn, connection_id, principal_of(request), backend.OWNER
        )
        if current.connectivity_type != update.connectivity_type:
            raise errors.invalid_input(
                "connectivityType", "The connectivity type of a connection cannot change"
            )
        record = backend.update_connection(
            conn,
            connection_id,
            state.sealer,
            display_name=update.display_name,
            privacy_level=update.privacy_level,
            credential=None if credential is None else (credential.type, credential.secret),
        )
    return json_response(connection_json(record))


def delete_connection(request: Request) -> Response:
    connection_id = _connection_id(request)
    with emulator_state(request).store.write() as conn:
        backend.require_connection(conn, connection_id, principal_of(request), backend.OWNER)
        backend.delete_connection(conn, connection_id)
    return empty_response()


def connection_status_json(problems: tuple[ConnectionProblem, ...]) -> dict[str, Any]:
    """The spec's ``ConnectionStatusResponse``."""
    return {
        "status": "Offline" if problems else "Online",
        "errors": [{"errorCode": p.error_code, "message": p.message} for p in problems],
    }


def run_connection_test(request: Request) -> Response:
    connection_id = _connection_id(request)
    state = emulator_state(request)
    principal = principal_of(request)
    with state.store.read() as conn:  # refused before an operation starts
        backend.require_connection(conn, connection_id, principal)

    def run_test() -> dict[str, Any]:
        with state.store.read() as conn:
            problems = connection_problems(
                conn, state.repos, state.sealer, principal, connection_id
            )
        return connection_status_json(problems)

    return run_operation(
        request,
        workspace_id=None,
        kind="TestConnection",
        work=run_test,
        has_result=True,
        access="none",
    )


# --- role assignments ------------------------------------------------------------------------


def role_assignment_json(assignment: ConnectionRoleAssignment) -> dict[str, Any]:
    principal: dict[str, Any] = {"id": assignment.principal_id, "type": assignment.principal_type}
    if assignment.principal_name is not None:
        principal["displayName"] = assignment.principal_name
    return {"id": assignment.id, "principal": principal, "role": assignment.role}


def _caller_role(conn: sqlite3.Connection, connection_id: str, caller: Principal) -> str:
    return backend.connection_role_of(conn, connection_id, caller.id) or backend.USER


# Sharing is checked before the body: a caller the connection is not shared with learns nothing.
ROLE_ASSIGNMENTS = RoleAssignments(
    collection="connections",
    resource_param="connectionId",
    resource_not_found=errors.connection_not_found,
    assignment_param="connectionRoleAssignmentId",
    assignment_not_found=errors.connection_role_assignment_not_found,
    store=backend,
    require=backend.require_connection,
    caller_role=_caller_role,
    roles=backend.CONNECTION_ROLES,
    reader=backend.USER,
    sharer="UserWithReshare",
    manager=backend.OWNER,
    access_first=True,
    to_json=role_assignment_json,
)


def list_supported_connection_types(request: Request) -> Response:
    github = {
        "type": GITHUB_SOURCE_CONTROL,
        "creationMethods": [
            {
                "name": "GitHubSourceControl.Contents",
                "parameters": [{"name": "url", "dataType": "Text", "required": False}],
            }
        ],
        "supportedCredentialTypes": ["Key"],
        "supportedConnectionEncryptionTypes": ["NotEncrypted"],
        "supportsSkipTestConnection": False,
    }
    azure_devops = {
        "type": AZURE_DEVOPS_SOURCE_CONTROL,
        "creationMethods": [
            {
                "name": "AzureDevOpsSourceControl.Contents",
                "parameters": [{"name": "url", "dataType": "Text", "required": True}],
            }
        ],
        "supportedCredentialTypes": [SERVICE_PRINCIPAL],
        "supportedConnectionEncryptionTypes": ["NotEncrypted"],
        "supportsSkipTestConnection": False,
    }
    return page_response(request, [github, azure_devops])


ROUTES = [
    route("/connections", list_connections, "GET", "Connections_ListConnections"),
    route("/connections", create_connection, "POST", "Connections_CreateConnection"),
    route(
        "/connections/supportedConnectionTypes",
        list_supported_connection_types,
        "GET",
        "Connections_ListSupportedConnectionTypes",
    ),
    route("/connections/{connectionId}", get_connection, "GET", "Connections_GetConnection"),
    route(
        "/connections/{connectionId}", update_connection, "PATCH", "Connections_UpdateConnection"
    ),
    route(
        "/connections/{connectionId}", delete_connection, "DELETE", "Connections_DeleteConnection"
    ),
    route(
        "/connections/{connectionId}/testConnection",
        run_connection_test,
        "POST",
        "Connections_TestConnection",
    ),
    *ROLE_ASSIGNMENTS.routes("Connections", "Connection"),
]
