"""``connections.update``: rename a shareable cloud connection or rotate its personal access
token with ``PATCH /connections/{id}``, as the spec's ``UpdateShareableCloudConnectionRequest``."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from fabric_git import ConfigurationError, FabricClient, NotFoundError
from fabric_git.api.connections import key_connection_update_request
from spec import definition_schema, validate
from unit.lib.lib_support import FakeService, error_body, json_response

CONN = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
CONNECTIONS = "platform/definitions/connections.json"
NEW_PAT = "ghp_rotated0000000000000000000000000000"
UPDATED = {
    "id": CONN,
    "displayName": "GitHub PAT (rotated)",
    "connectivityType": "ShareableCloud",
    "connectionDetails": {"type": "GitHubSourceControl", "path": "https://github.com/o/r"},
    "privacyLevel": "Organizational",
    "credentialDetails": {"credentialType": "Key", "skipTestConnection": False},
}


def sent(service: FakeService) -> Any:
    (request,) = service.requests
    assert request.method == "PATCH"
    assert request.url.path == f"/v1/connections/{CONN}"
    return json.loads(request.content)


def assert_valid(body: Any, definition: str) -> None:
    assert validate(body, definition_schema(CONNECTIONS, definition)) == []


def test_rotating_the_token_sends_key_credentials(
    client: FabricClient, service: FakeService
) -> None:
    service.on("PATCH", f"/connections/{CONN}", json_response(200, UPDATED))
    connection = client.connections.update(CONN, token=SecretStr(NEW_PAT))
    assert connection.id == CONN
    assert connection.credential_details is not None
    assert connection.credential_details.credential_type == "Key"
    body = sent(service)
    assert body == {
        "connectivityType": "ShareableCloud",
        "credentialDetails": {"credentials": {"credentialType": "Key", "key": NEW_PAT}},
    }
    assert_valid(body, "UpdateShareableCloudConnectionRequest")
    assert_valid(body["credentialDetails"], "UpdateCredentialDetails")
    assert_valid(body["credentialDetails"]["credentials"], "KeyCredentials")


def test_renaming_only_sends_no_credentials(client: FabricClient, service: FakeService) -> None:
    service.on("PATCH", f"/connections/{CONN}", json_response(200, UPDATED))
    client.connections.update(CONN, display_name="  GitHub PAT (rotated) ")
    body = sent(service)
    assert body == {"connectivityType": "ShareableCloud", "displayName": "GitHub PAT (rotated)"}
    assert_valid(body, "UpdateShareableCloudConnectionRequest")


def test_rename_and_rotate_together(client: FabricClient, service: FakeService) -> None:
    service.on("PATCH", f"/connections/{CONN}", json_response(200, UPDATED))
    client.connections.update(CONN, display_name="GitHub PAT (rotated)", token=NEW_PAT)
    body = sent(service)
    assert body["displayName"] == "GitHub PAT (rotated)"
    assert body["credentialDetails"]["credentials"] == {"credentialType": "Key", "key": NEW_PAT}
    assert_valid(body, "UpdateShareableCloudConnectionRequest")


@pytest.mark.parametrize(
    ("display_name", "token"),
    [(None, None), ("  ", None), (None, ""), (None, SecretStr("   ")), ("name", " ")],
)
def test_update_checks_arguments_before_sending(
    client: FabricClient,
    service: FakeService,
    display_name: str | None,
    token: str | SecretStr | None,
) -> None:
    with pytest.raises(ConfigurationError):
        client.connections.update(CONN, display_name=display_name, token=token)
    assert service.requests == []


def test_update_of_an_unknown_connection_raises_the_service_error(
    client: FabricClient, service: FakeService
) -> None:
    service.on(
        "PATCH",
        f"/connections/{CONN}",
        json_response(404, error_body("ConnectionNotFound", "no such connection")),
    )
    with pytest.raises(NotFoundError) as caught:
        client.connections.update(CONN, token=NEW_PAT)
    assert caught.value.error_code == "ConnectionNotFound"
    assert NEW_PAT not in str(caught.value) + repr(caught.value)


def test_the_new_token_stays_out_of_reprs_and_logs(
    client: FabricClient, service: FakeService, caplog: pytest.LogCaptureFixture
) -> None:
    request = key_connection_update_request("GitHub PAT", NEW_PAT)
    assert NEW_PAT not in repr(request)
    assert NEW_PAT not in str(request)
    assert NEW_PAT in json.dumps(request.to_wire())  # sent on the wire, and only there
    service.on("PATCH", f"/connections/{CONN}", json_response(200, UPDATED))
    with caplog.at_level(logging.DEBUG, logger="fabric_git"):
        client.connections.update(CONN, token=NEW_PAT)
    assert caplog.records
    logged = " ".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert NEW_PAT not in logged


def test_update_sends_the_body_as_json(client: FabricClient, service: FakeService) -> None:
    service.on("PATCH", f"/connections/{CONN}", json_response(200, UPDATED))
    client.connections.update(CONN, token=NEW_PAT)
    (request,) = service.requests
    assert request.headers["Content-Type"] == "application/json"
    assert isinstance(request, httpx.Request)
