"""``doctor`` at the workflow layer, for the branches the emulator cannot produce: a service
principal whose Git credentials are Automatic, a configured connection of the wrong type, an API
that does not answer. The real ``FabricClient`` talks to a scripted service over
``httpx.MockTransport``; the unreachable API is a real refused TCP connection."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from fabric_git import FabricClient, PollPolicy, RetryPolicy, StaticTokenCredential
from fabric_git._httpx import httpx
from fabric_git.workflows.doctor import CHECKS, DoctorReport, doctor

WS = "1f0c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"
ME = "5d4e6f70-8192-4dae-9f10-3b4c5d6e7f80"
CONNECTION = "4c3d5e6f-7081-4c9d-8e0f-2a3b4c5d6e7f"
CAPACITY = "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910"
HEAD = "a" * 40

ADO = {
    "gitProviderType": "AzureDevOps",
    "organizationName": "contoso",
    "projectName": "analytics",
    "repositoryName": "fabric",
    "branchName": "main",
    "directoryName": "/",
}
GITHUB = {
    "gitProviderType": "GitHub",
    "ownerName": "contoso",
    "repositoryName": "fabric",
    "branchName": "main",
    "directoryName": "/",
}


def _token(**claims: Any) -> str:
    """An unsigned JWT with ``claims``: doctor reads who signed in without verifying."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(claims)}.signature"


SERVICE_PRINCIPAL = _token(oid=ME, idtyp="app")
USER = _token(oid=ME, idtyp="user", upn="ana@contoso.test")


class Service:
    """Answers ``GET path`` (under /v1) from a table; anything else is a 599 the test sees."""

    def __init__(self, provider: dict[str, Any], credentials: dict[str, Any]) -> None:
        self.requests: list[str] = []
        self.routes: dict[str, tuple[int, Any]] = {
            f"/workspaces/{WS}": (
                200,
                {"id": WS, "displayName": "Sales", "type": "Workspace", "capacityId": CAPACITY},
            ),
            f"/workspaces/{WS}/roleAssignments": (
                200,
                {"value": [{"id": ME, "principal": {"id": ME, "type": "User"}, "role": "Admin"}]},
            ),
            f"/workspaces/{WS}/git/connection": (
                200,
                {
                    "gitProviderDetails": provider,
                    "gitConnectionState": "ConnectedAndInitialized",
                    "gitSyncDetails": {"head": HEAD, "lastSyncTime": "2026-01-01T00:00:00Z"},
                },
            ),
            f"/workspaces/{WS}/git/myGitCredentials": (200, credentials),
            f"/workspaces/{WS}/git/status": (
                200,
                {"workspaceHead": HEAD, "remoteCommitHash": HEAD, "changes": []},
            ),
        }

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v1")
        self.requests.append(f"{request.method} {path}")
        if request.method != "GET" or path not in self.routes:
            return httpx.Response(599, text=f"unscripted {request.method} {path}")
        status, body = self.routes[path]
        return httpx.Response(status, json=body)

    def client(self, token: str) -> FabricClient:
        return FabricClient(
            base_url="https://fabric.example.test/v1",
            credential=StaticTokenCredential(token),
            transport=httpx.MockTransport(self.handle),
            retry=RetryPolicy(max_attempts=1),
            poll=PollPolicy(),
        )


def _connection(kind: str) -> dict[str, Any]:
    return {
        "id": CONNECTION,
        "displayName": "repo-ci",
        "connectivityType": "ShareableCloud",
        "connectionDetails": {"type": kind, "path": "https://example.test/contoso/fabric"},
        "privacyLevel": "Organizational",
        "credentialDetails": {
            "credentialType": "Key",
            "singleSignOnType": "None",
            "connectionEncryption": "NotEncrypted",
            "skipTestConnection": False,
        },
    }


def _results(report: DoctorReport) -> dict[str, str]:
    return {check.name: check.result for check in report.checks}


def _check(report: DoctorReport, name: str) -> Any:
    return next(check for check in report.checks if check.name == name)


def test_a_service_principal_with_automatic_credentials_is_told_to_use_a_connection() -> None:
    service = Service(ADO, {"source": "Automatic"})

    report = doctor(service.client(SERVICE_PRINCIPAL), WS)

    assert report.identity.to_json() == {"id": ME, "type": "ServicePrincipal"}
    assert report.ok is False
    credentials = _check(report, "credentials")
    assert credentials.result == "fail"
    assert "PrincipalTypeNotSupported" in credentials.detail
    assert "create-azure-devops" in credentials.fix
    assert "--source configured-connection" in credentials.fix
    assert _results(report)["status"] == "skipped"
    assert f"GET /workspaces/{WS}/git/status" not in service.requests


def test_a_user_with_automatic_credentials_on_azure_devops_passes() -> None:
    # The same answers for a user: only the identity decides the branch above.
    service = Service(ADO, {"source": "Automatic"})

    report = doctor(service.client(USER), WS)

    assert report.identity.type == "User"
    assert report.ok is True
    assert _check(report, "credentials").detail.startswith("Automatic")
    assert _results(report)["status"] == "ok"


@pytest.mark.parametrize(
    ("provider", "kind", "wanted"),
    [
        (ADO, "GitHubSourceControl", "Azure DevOps"),
        (GITHUB, "AzureDevOpsSourceControl", "GitHub"),
        (ADO, "SQL", "Azure DevOps"),
    ],
    ids=["github-connection-for-ado", "ado-connection-for-github", "not-source-control"],
)
def test_a_configured_connection_of_the_wrong_type_blocks(
    provider: dict[str, Any], kind: str, wanted: str
) -> None:
    service = Service(provider, {"source": "ConfiguredConnection", "connectionId": CONNECTION})
    service.routes[f"/connections/{CONNECTION}"] = (200, _connection(kind))

    report = doctor(service.client(USER), WS)

    assert report.ok is False
    assert _check(report, "credentials").result == "ok"
    connection = _check(report, "configured-connection")
    assert connection.result == "fail"
    assert f"repo-ci ({CONNECTION}) is of type {kind}" in connection.detail
    assert "--source configured-connection" in connection.fix
    assert _results(report)["status"] == "skipped"


@pytest.mark.parametrize(
    ("provider", "kind"),
    [(ADO, "AzureDevOpsSourceControl"), (GITHUB, "GitHubSourceControl")],
)
def test_a_configured_connection_of_the_right_type_passes(
    provider: dict[str, Any], kind: str
) -> None:
    service = Service(provider, {"source": "ConfiguredConnection", "connectionId": CONNECTION})
    service.routes[f"/connections/{CONNECTION}"] = (200, _connection(kind))

    report = doctor(service.client(USER), WS)

    assert _check(report, "configured-connection").result == "ok"
    assert report.ok is True


def test_a_rejected_token_is_told_apart_from_an_unreachable_api() -> None:
    service = Service(ADO, {"source": "Automatic"})
    service.routes[f"/workspaces/{WS}"] = (
        401,
        {"errorCode": "TokenExpired", "message": "Access token has expired"},
    )

    report = doctor(service.client(USER), WS)

    api, *rest = report.checks
    assert [c.name for c in rest] == list(CHECKS[1:])
    assert {c.result for c in rest} == {"skipped"}
    assert (api.name, api.result, report.workspace) == ("api", "fail", None)
    assert "the token was not accepted" in api.detail
    assert "FABRIC_TOKEN" in api.fix


@pytest.fixture
def refused_url() -> Iterator[str]:
    """The URL of a local port nothing listens on: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yield f"http://127.0.0.1:{port}/v1"


def test_an_unreachable_api_is_reported_with_what_to_check(refused_url: str) -> None:
    client = FabricClient(
        base_url=refused_url,
        credential=StaticTokenCredential(USER),
        retry=RetryPolicy(max_attempts=1),
    )
    with client:
        report = doctor(client, WS)

    api, *rest = report.checks
    assert [c.name for c in rest] == list(CHECKS[1:])
    assert {c.result for c in rest} == {"skipped"}
    assert (api.name, api.result, report.workspace, report.ok) == ("api", "fail", None, False)
    assert "the API did not answer" in api.detail
    assert "ConnectError" in api.detail and "127.0.0.1" in api.detail  # the cause, not a class
    assert "--api-url" in api.fix and "FABRIC_API_URL" in api.fix
    assert USER not in json.dumps(report.to_json())


@pytest.mark.parametrize(
    ("token", "kind"), [(SERVICE_PRINCIPAL, "service-principal"), (USER, "user")]
)
def test_role_hints_name_the_principal_type(token: str, kind: str) -> None:
    # The commands' defaults differ (user for roles), so the hint always names the type.
    service = Service(GITHUB, {"source": "ConfiguredConnection", "connectionId": CONNECTION})
    service.routes[f"/connections/{CONNECTION}"] = (200, _connection("GitHubSourceControl"))
    other = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    assignments = f"/workspaces/{WS}/roleAssignments"
    service.routes[assignments] = (
        200,
        {"value": [{"id": other, "principal": {"id": other, "type": "Group"}, "role": "Admin"}]},
    )
    through_a_group = _check(doctor(service.client(token), WS), "role")
    assert f"--principal {ME} --principal-type {kind} --role admin" in through_a_group.fix

    service.routes[assignments] = (
        200,
        {"value": [{"id": ME, "principal": {"id": ME, "type": "User"}, "role": "Viewer"}]},
    )
    viewer = _check(doctor(service.client(token), WS), "role")
    assert viewer.result == "fail"
    assert f"--principal {ME} --principal-type {kind} --role contributor" in viewer.fix
