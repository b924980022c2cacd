"""Connections beyond GitHub (the Azure DevOps service-principal connection, sharing through
role assignments, tests, supported types) and the tenant-wide discovery of Git connections: the
exact requests, the parsing, and the service principal's secret kept out of reprs and logs."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from fabric_git import BadRequestError, ConfigurationError, FabricClient, models
from fabric_git.api.connections import azure_devops_connection_request
from spec import definition_schema, validate
from unit.lib.lib_support import FakeService, error_body, json_response

CONN = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
TENANT = "11111111-2222-4333-8444-555555555555"
CLIENT_ID = "66666666-7777-4888-8999-000000000000"
SECRET = "sp~SuperSecretClientValue.0123456789"
URL = "https://dev.azure.com/contoso/analytics/_git/fabric"
OP = "431e8d7b-4a95-4c02-8ccd-6faef5ba1bd7"
CONNECTIONS = "platform/definitions/connections.json"

CREATED = {
    "id": CONN,
    "displayName": "ADO for CI",
    "connectivityType": "ShareableCloud",
    "connectionDetails": {"type": "AzureDevOpsSourceControl", "path": URL},
    "credentialDetails": {"credentialType": "ServicePrincipal"},
}


def assert_valid(body: Any, definition: str) -> None:
    assert validate(body, definition_schema(CONNECTIONS, definition)) == []


def sent(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


def only(service: FakeService) -> httpx.Request:
    (request,) = service.requests
    return request


# --- Azure DevOps source-control connection with a service principal ----------------------------


def test_create_azure_devops_connection(client: FabricClient, service: FakeService) -> None:
    service.on("POST", "/connections", json_response(201, CREATED))
    connection = client.connections.create_azure_devops(
        "ADO for CI", URL, tenant_id=TENANT, client_id=CLIENT_ID, client_secret=SecretStr(SECRET)
    )
    body = sent(only(service))
    assert body == {
        "connectivityType": "ShareableCloud",
        "displayName": "ADO for CI",
        "connectionDetails": {
            "type": "AzureDevOpsSourceControl",
            "creationMethod": "AzureDevOpsSourceControl.Contents",
            "parameters": [{"dataType": "Text", "name": "url", "value": URL}],
        },
        "credentialDetails": {
            "credentials": {
                "credentialType": "ServicePrincipal",
                "tenantId": TENANT,
                "servicePrincipalClientId": CLIENT_ID,
                "servicePrincipalSecret": SECRET,
            }
        },
    }
    assert_valid(body, "CreateCloudConnectionRequest")
    assert_valid(body["credentialDetails"]["credentials"], "ServicePrincipalCredentials")
    assert connection.connection_details.type == "AzureDevOpsSourceControl"
    assert connection.credential_details is not None
    assert connection.credential_details.credential_type is models.CredentialType.SERVICE_PRINCIPAL


@pytest.mark.parametrize(
    ("name", "url", "tenant", "client_id", "secret"),
    [
        ("", URL, TENANT, CLIENT_ID, SECRET),
        ("n", "dev.azure.com/contoso/analytics/_git/fabric", TENANT, CLIENT_ID, SECRET),
        ("n", "https://dev.azure.com/contoso/analytics", TENANT, CLIENT_ID, SECRET),
        ("n", URL, " ", CLIENT_ID, SECRET),
        ("n", URL, TENANT, "", SECRET),
        ("n", URL, TENANT, CLIENT_ID, "  "),
    ],
)
def test_create_azure_devops_checks_arguments(
    client: FabricClient,
    service: FakeService,
    name: str,
    url: str,
    tenant: str,
    client_id: str,
    secret: str,
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        client.connections.create_azure_devops(
            name, url, tenant_id=tenant, client_id=client_id, client_secret=secret
        )
    assert service.requests == []
    assert SECRET not in str(caught.value)


def test_the_secret_stays_out_of_reprs_and_dumps() -> None:
    request = azure_devops_connection_request(
        "ADO", URL, tenant_id=TENANT, client_id=CLIENT_ID, client_secret=SECRET
    )
    credentials = request.credential_details.credentials
    assert isinstance(credentials, models.ServicePrincipalCredentials)
    assert isinstance(credentials.service_principal_secret, SecretStr)
    for shown in (
        repr(request),
        str(request),
        repr(credentials),
        json.dumps(request.model_dump(mode="json", by_alias=True)),
        request.model_dump_json(),
    ):
        assert SECRET not in shown
    # Only the wire body reveals it.
    assert SECRET in json.dumps(request.to_wire())


def test_the_secret_stays_out_of_logs_and_errors(
    client: FabricClient, service: FakeService, caplog: pytest.LogCaptureFixture
) -> None:
    service.on(
        "POST",
        "/connections",
        httpx.Response(429, headers={"Retry-After": "1"}),
        json_response(400, error_body("InvalidCredentials", "The credentials were refused")),
    )
    with (
        caplog.at_level(logging.DEBUG, logger="fabric_git"),
        pytest.raises(BadRequestError) as caught,
    ):
        client.connections.create_azure_devops(
            "ADO", URL, tenant_id=TENANT, client_id=CLIENT_ID, client_secret=SECRET
        )
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert caplog.records, "the retry is logged"
    assert SECRET not in logged
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)
    assert len(service.requests) == 2


# --- connection role assignments ----------------------------------------------------------------

ASSIGNMENT = {
    "id": "ra-1",
    "principal": {"id": CLIENT_ID, "type": "ServicePrincipal"},
    "role": "User",
}


def test_connection_role_assignments(client: FabricClient, service: FakeService) -> None:
    base = f"/connections/{CONN}/roleAssignments"
    service.on(
        "GET",
        base,
        json_response(200, {"value": [ASSIGNMENT], "continuationToken": "t2"}),
        json_response(200, {"value": [{**ASSIGNMENT, "id": "ra-2", "role": "CoOwner"}]}),
    )
    service.on("POST", base, json_response(201, ASSIGNMENT))
    service.on("GET", f"{base}/ra-1", json_response(200, ASSIGNMENT))
    service.on("PATCH", f"{base}/ra-1", json_response(200, {**ASSIGNMENT, "role": "Owner"}))
    service.on("DELETE", f"{base}/ra-1", httpx.Response(200))

    listed = client.connections.list_role_assignments(CONN)
    assert [(a.id, a.role) for a in listed] == [
        ("ra-1", models.ConnectionRole.USER),
        ("ra-2", "CoOwner"),
    ]
    assert service.requests[1].url.params["continuationToken"] == "t2"

    added = client.connections.add_role_assignment(CONN, CLIENT_ID, "ServicePrincipal")
    body = sent(service.requests[2])
    assert body == {"principal": {"id": CLIENT_ID, "type": "ServicePrincipal"}, "role": "User"}
    assert_valid(body, "AddConnectionRoleAssignmentRequest")
    assert added.principal.type is models.PrincipalType.SERVICE_PRINCIPAL

    assert client.connections.get_role_assignment(CONN, "ra-1").id == "ra-1"
    updated = client.connections.update_role_assignment(CONN, "ra-1", "Owner")
    assert sent(service.requests[4]) == {"role": "Owner"}
    assert_valid(sent(service.requests[4]), "UpdateConnectionRoleAssignmentRequest")
    assert updated.role is models.ConnectionRole.OWNER
    client.connections.delete_role_assignment(CONN, "ra-1")
    assert service.requests[5].method == "DELETE"


@pytest.mark.parametrize("kind", ["User", "Group", "ServicePrincipal"])
def test_share_with_each_kind_of_principal(
    client: FabricClient, service: FakeService, kind: str
) -> None:
    service.on("POST", f"/connections/{CONN}/roleAssignments", json_response(201, ASSIGNMENT))
    client.connections.add_role_assignment(
        CONN, CLIENT_ID, kind, models.ConnectionRole.USER_WITH_RESHARE
    )
    assert sent(only(service)) == {
        "principal": {"id": CLIENT_ID, "type": kind},
        "role": "UserWithReshare",
    }


def test_sharing_checks_arguments(client: FabricClient, service: FakeService) -> None:
    with pytest.raises(ConfigurationError):
        client.connections.add_role_assignment(CONN, "", "User")
    with pytest.raises(ConfigurationError):
        client.connections.add_role_assignment(CONN, CLIENT_ID, " ")
    with pytest.raises(ConfigurationError):
        client.connections.update_role_assignment(CONN, "ra-1", "")
    assert service.requests == []


# --- test, supported types ----------------------------------------------------------------------


def test_test_connection_answered_at_once(client: FabricClient, service: FakeService) -> None:
    service.on(
        "POST",
        f"/connections/{CONN}/testConnection",
        json_response(200, {"status": "Offline", "errors": [{"errorCode": "E", "message": "m"}]}),
    )
    result = client.connections.test(CONN)
    assert result.status is models.TestConnectionStatus.OFFLINE
    assert result.errors is not None and result.errors[0].error_code == "E"
    assert only(service).content == b""


def test_test_connection_waits_through_the_poller(
    client: FabricClient, service: FakeService
) -> None:
    service.on(
        "POST",
        f"/connections/{CONN}/testConnection",
        httpx.Response(202, headers={"x-ms-operation-id": OP, "Retry-After": "1"}),
    )
    service.on("GET", f"/operations/{OP}", json_response(200, {"status": "Succeeded"}))
    service.on("GET", f"/operations/{OP}/result", json_response(200, {"status": "Online"}))
    assert client.connections.test(CONN).status is models.TestConnectionStatus.ONLINE


def test_supported_connection_types(client: FabricClient, service: FakeService) -> None:
    entry = {
        "type": "AzureDevOpsSourceControl",
        "creationMethods": [
            {
                "name": "AzureDevOpsSourceControl.Contents",
                "parameters": [{"name": "url", "dataType": "Text", "required": True}],
            }
        ],
        "supportedCredentialTypes": ["ServicePrincipal", "OAuth2", "FutureCredential"],
        "supportedConnectionEncryptionTypes": ["NotEncrypted"],
        "supportsSkipTestConnection": False,
    }
    service.on(
        "GET", "/connections/supportedConnectionTypes", json_response(200, {"value": [entry]})
    )
    (kind,) = client.connections.list_supported_types()
    assert service.requests[0].url.params == httpx.QueryParams()
    assert kind.supported_credential_types == [
        models.CredentialType.SERVICE_PRINCIPAL,
        models.CredentialType.OAUTH2,
        "FutureCredential",
    ]
    assert kind.creation_methods[0].parameters[0].required is True
    client.connections.list_supported_types(gateway_id="g-1", show_all_creation_methods=True)
    assert dict(service.requests[1].url.params) == {
        "gatewayId": "g-1",
        "showAllCreationMethods": "true",
    }


# --- admin: discover Git connections ------------------------------------------------------------


def test_discover_git_connections_pages(client: FabricClient, service: FakeService) -> None:
    ado = {
        "workspaceId": "41ce06d1-d81b-4ea0-bc6d-2ce3dd2f8e87",
        "gitProviderDetails": {
            "gitProviderType": "AzureDevOps",
            "organizationName": "o",
            "projectName": "p",
            "repositoryName": "r",
            "branchName": "main",
            "directoryName": "/",
        },
    }
    later = {
        "workspaceId": "52ce06d1-d81b-4ea0-bc6d-2ce3dd2f8e87",
        "gitProviderDetails": {
            "gitProviderType": "GitLab",
            "repositoryName": "r",
            "branchName": "main",
            "directoryName": "/",
            "namespace": "team",
        },
    }
    service.on(
        "GET",
        "/admin/workspaces/discoverGitConnections",
        json_response(
            200,
            {
                "value": [ado],
                "continuationToken": "t2",
                "continuationUri": "https://api.fabric.microsoft.com/v1/admin/workspaces/"
                "discoverGitConnections?continuationToken=t2",
            },
        ),
        json_response(200, {"value": [later]}),
    )
    found = client.admin.discover_git_connections()
    assert [c.workspace_id for c in found] == [ado["workspaceId"], later["workspaceId"]]
    assert isinstance(found[0].git_provider_details, models.AzureDevOpsDetails)
    # A provider added later is kept with its fields.
    assert found[1].git_provider_details.git_provider_type == "GitLab"
    assert found[1].git_provider_details.model_dump(by_alias=True)["namespace"] == "team"
    assert service.requests[1].url.params["continuationToken"] == "t2"
    assert all(
        r.url.path == "/v1/admin/workspaces/discoverGitConnections" for r in service.requests
    )
