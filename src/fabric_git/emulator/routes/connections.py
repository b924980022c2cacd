"""Connections: create, list, get, update, delete; supported connection types.

The credential's secret is write-only: no response carries it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fabric_git.emulator import errors
from fabric_git.emulator.backend import connections as backend
from fabric_git.emulator.backend.connections import GITHUB_SOURCE_CONTROL, connection_json
from fabric_git.emulator.routes._http import (
    absolute_url,
    choice,
    empty_response,
    emulator_state,
    json_response,
    optional_str,
    page_response,
    path_guid,
    principal_of,
    read_json,
    required_str,
)

PRIVACY_LEVELS = ("None", "Private", "Organizational", "Public")
NAME_LIMIT = 200


def _credential(details: Any, field: str) -> tuple[str, str | None]:
    """(credential type, secret) from ``credentialDetails``."""
    if not isinstance(details, dict):
        raise errors.invalid_input(field, "The field is required")
    credentials = details.get("credentials")
    if not isinstance(credentials, dict):
        raise errors.invalid_input(f"{field}.credentials", "The field is required")
    kind = choice(credentials, "credentialType", backend.SUPPORTED_CREDENTIALS, required=True)
    if kind == "Key":
        return "Key", required_str(credentials, "key", allow_empty=False)
    if kind == "Basic":
        required_str(credentials, "username")
        return "Basic", required_str(credentials, "password")
    return "Anonymous", None


def _url_parameter(details: dict[str, Any]) -> str | None:
    parameters = details.get("parameters")
    if parameters is None:
        return None
    if not isinstance(parameters, list):
        raise errors.invalid_input("connectionDetails.parameters", "The value must be an array")
    values: list[str] = []
    url: str | None = None
    for index, parameter in enumerate(parameters):
        if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str):
            raise errors.invalid_input(
                f"connectionDetails.parameters[{index}]", "Each parameter needs a name and value"
            )
        value = parameter.get("value")
        if not isinstance(value, str):
            raise errors.invalid_input(
                f"connectionDetails.parameters[{index}].value", "The value must be a string"
            )
        if parameter["name"] == "url":
            url = value
        values.append(value)
    return url if url is not None else (";".join(values) or None)


def _check_github_url(url: str) -> str:
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
    data = read_json(request)
    connectivity = choice(data, "connectivityType", backend.SUPPORTED_CONNECTIVITY, required=True)
    name = required_str(data, "displayName", max_length=NAME_LIMIT, allow_empty=False)
    details = data.get("connectionDetails")
    if not isinstance(details, dict):
        raise errors.invalid_input("connectionDetails", "The field is required")
    conn_type = required_str(details, "type", allow_empty=False)
    method = optional_str(details, "creationMethod") or conn_type
    url = _url_parameter(details)
    if conn_type == GITHUB_SOURCE_CONTROL and url is not None:
        url = _check_github_url(url)
    credential_type, secret = _credential(data.get("credentialDetails"), "credentialDetails")
    privacy = choice(data, "privacyLevel", PRIVACY_LEVELS, required=False) or "Organizational"
    assert connectivity is not None
    state = emulator_state(request)
    with state.store.write() as conn:
        record = backend.create_connection(
            conn,
            principal_of(request),
            display_name=name,
            connectivity_type=connectivity,
            type=conn_type,
            creation_method=method,
            url=url,
            credential_type=credential_type,
            secret=secret,
            privacy_level=privacy,
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
    data = read_json(request)
    choice(data, "connectivityType", backend.SUPPORTED_CONNECTIVITY, required=True)
    name = optional_str(data, "displayName", max_length=NAME_LIMIT, allow_empty=False)
    privacy = choice(data, "privacyLevel", PRIVACY_LEVELS, required=False)
    credential = None
    if data.get("credentialDetails") is not None:
        credential = _credential(data["credentialDetails"], "credentialDetails")
    with emulator_state(request).store.write() as conn:
        current = backend.require_connection(conn, connection_id, principal_of(request))
        if current.connectivity_type != data["connectivityType"]:
            raise errors.invalid_input(
                "connectivityType", "The connectivity type of a connection cannot change"
            )
        record = backend.update_connection(
            conn, connection_id, display_name=name, privacy_level=privacy, credential=credential
        )
    return json_response(connection_json(record))


def delete_connection(request: Request) -> Response:
    connection_id = _connection_id(request)
    with emulator_state(request).store.write() as conn:
        backend.require_connection(conn, connection_id, principal_of(request))
        backend.delete_connection(conn, connection_id)
    return empty_response()


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
    return page_response(request, [github])


ROUTES = [
    Route("/connections", list_connections, methods=["GET"], name="Connections_ListConnections"),
    Route("/connections", create_connection, methods=["POST"], name="Connections_CreateConnection"),
    Route(
        "/connections/supportedConnectionTypes",
        list_supported_connection_types,
        methods=["GET"],
        name="Connections_ListSupportedConnectionTypes",
    ),
    Route(
        "/connections/{connectionId}",
        get_connection,
        methods=["GET"],
        name="Connections_GetConnection",
    ),
    Route(
        "/connections/{connectionId}",
        update_connection,
        methods=["PATCH"],
        name="Connections_UpdateConnection",
    ),
    Route(
        "/connections/{connectionId}",
        delete_connection,
        methods=["DELETE"],
        name="Connections_DeleteConnection",
    ),
]
