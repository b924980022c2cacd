"""Tokens: caching, early refresh, the single 401 retry, and the credential factories."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from fabric_git import (
    FABRIC_SCOPE,
    AuthenticationError,
    ConfigurationError,
    FabricClient,
    StaticTokenCredential,
    UnauthorizedError,
    credential_from_auth,
    credential_from_env,
)
from fabric_git.auth import github_actions_oidc_token
from unit.lib.lib_support import (
    CountingCredential,
    FakeClock,
    FakeEntra,
    FakeService,
    MakeClient,
    error_body,
    json_response,
)

OK_LIST = json_response(200, {"value": []})


def _auth_headers(service: FakeService) -> list[str]:
    return [r.headers.get("Authorization", "") for r in service.requests]


# --- caching and refresh ----------------------------------------------------------------------


def test_token_is_cached_across_requests(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    credential = CountingCredential(clock)
    client = make_client(credential=credential)
    service.on("GET", "/workspaces", OK_LIST)
    for _ in range(3):
        client.workspaces.list()
    assert credential.calls == 1
    assert credential.scopes == [(FABRIC_SCOPE,)]
    assert _auth_headers(service) == ["Bearer token-1"] * 3


def test_token_refreshed_when_less_than_five_minutes_remain(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    credential = CountingCredential(clock, lifetime=1000.0)
    client = make_client(credential=credential)
    service.on("GET", "/workspaces", OK_LIST)
    client.workspaces.list()
    clock.advance(699.0)  # 301 s left: still good
    client.workspaces.list()
    clock.advance(2.0)  # 299 s left: refresh
    client.workspaces.list()
    assert credential.calls == 2
    assert _auth_headers(service) == ["Bearer token-1", "Bearer token-1", "Bearer token-2"]


def test_401_refreshes_once_and_retries_once(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    credential = CountingCredential(clock)
    client = make_client(credential=credential)
    service.on(
        "POST",
        "/workspaces/ws/git/disconnect",
        json_response(401, error_body("TokenExpired")),
        httpx.Response(200),
    )
    client.git.disconnect("ws")
    assert credential.calls == 2
    assert _auth_headers(service) == ["Bearer token-1", "Bearer token-2"]
    assert clock.sleeps == []


def test_second_401_is_raised(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    credential = CountingCredential(clock)
    client = make_client(credential=credential)
    service.on("GET", "/workspaces", json_response(401, error_body("InvalidToken", "bad token")))
    with pytest.raises(UnauthorizedError) as caught:
        client.workspaces.list()
    assert len(service.requests) == 2
    assert credential.calls == 2
    assert caught.value.error_code == "InvalidToken"


def test_401_retry_is_separate_from_throttling_retries(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    credential = CountingCredential(clock)
    client = make_client(credential=credential)
    service.on(
        "GET",
        "/workspaces",
        httpx.Response(429, headers={"Retry-After": "2"}),
        json_response(401, error_body("TokenExpired")),
        OK_LIST,
    )
    assert client.workspaces.list() == []
    assert len(service.requests) == 3
    assert credential.calls == 2


def test_credential_failure_is_an_authentication_error(
    make_client: MakeClient, service: FakeService
) -> None:
    class Broken:
        def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            raise RuntimeError("AADSTS7000215: Invalid client secret provided.\nTrace ID: 1")

    client = make_client(credential=Broken())
    with pytest.raises(AuthenticationError) as caught:
        client.workspaces.list()
    assert str(caught.value) == (
        "Could not get a token for the Fabric API (RuntimeError): "
        "AADSTS7000215: Invalid client secret provided."
    )
    assert service.requests == []


def test_token_is_not_sent_outside_the_api(make_client: MakeClient, service: FakeService) -> None:
    # A continuation that points elsewhere is not followed with our token.
    service.on(
        "GET",
        "/workspaces",
        json_response(200, {"value": [], "continuationUri": "https://evil.test/v1/workspaces"}),
    )
    from fabric_git import TransportError

    with pytest.raises(TransportError, match="outside the API"):
        make_client().workspaces.list()
    assert all(r.url.host == "api.fabric.microsoft.com" for r in service.requests)


# --- static tokens ----------------------------------------------------------------------------


def _jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


def test_static_token_reads_jwt_expiry() -> None:
    token = _jwt({"exp": 1_800_000_000, "aud": "x"})
    assert StaticTokenCredential(token).get_token(FABRIC_SCOPE).expires_on == 1_800_000_000


def test_static_token_without_expiry_lasts_an_hour_from_now() -> None:
    import time

    before = int(time.time())
    expires = StaticTokenCredential("opaque").get_token(FABRIC_SCOPE).expires_on
    assert before + 3600 <= expires <= int(time.time()) + 3600


def test_a_static_token_is_for_the_fabric_api_only() -> None:
    """Asked for another resource (Azure DevOps, to reach its Git repositories), a static
    token refuses: it is never handed to a host other than the Fabric API."""
    credential = StaticTokenCredential("fabric-only-token")
    named = "https://api.fabric.microsoft.com/Workspace.ReadWrite.All"
    assert credential.get_token(named).token == "fabric-only-token"
    with pytest.raises(AuthenticationError) as refused:
        credential.get_token("499b84ac-1321-427f-aa17-267ca6975798/.default")
    message = str(refused.value)
    assert "Fabric API only" in message and "499b84ac" in message
    assert "fabric-only-token" not in message
    with FabricClient(credential=credential) as client, pytest.raises(AuthenticationError) as via:
        client.access_token("499b84ac-1321-427f-aa17-267ca6975798/.default")
    assert str(via.value) == message  # the client passes it on as it is, in one line


def test_empty_static_token_is_refused() -> None:
    with pytest.raises(ConfigurationError):
        StaticTokenCredential("  ")


def test_string_credential_becomes_a_static_token(
    make_client: MakeClient, service: FakeService
) -> None:
    service.on("GET", "/workspaces", OK_LIST)
    make_client(credential="plain-token").workspaces.list()
    assert _auth_headers(service) == ["Bearer plain-token"]


# --- FABRIC_TOKEN and azure-identity ----------------------------------------------------------


def test_fabric_token_wins_over_azure_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    import azure.identity

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("azure-identity must not be used when FABRIC_TOKEN is set")

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", refuse)
    credential = credential_from_env("default", environ={"FABRIC_TOKEN": "from-env"})
    assert isinstance(credential, StaticTokenCredential)
    assert credential.get_token(FABRIC_SCOPE).token == "from-env"


def test_client_without_credential_uses_fabric_token(
    monkeypatch: pytest.MonkeyPatch, service: FakeService, clock: FakeClock
) -> None:
    monkeypatch.setenv("FABRIC_TOKEN", "env-token")
    service.on("GET", "/workspaces", OK_LIST)
    with FabricClient(transport=service.transport, clock=clock) as client:
        client.workspaces.list()
    with FabricClient.from_env(transport=service.transport, clock=clock) as client:
        client.workspaces.list()
    assert _auth_headers(service) == ["Bearer env-token", "Bearer env-token"]


class Recorder:
    """Stands in for an azure-identity class and records how it was built."""

    built: list[tuple[str, tuple[Any, ...], dict[str, Any]]]

    def __init__(self, name: str, log: list[tuple[str, tuple[Any, ...], dict[str, Any]]]) -> None:
        self.name = name
        self.log = log

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.log.append((self.name, args, kwargs))
        return (self.name, args, kwargs)


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    import azure.identity

    log: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    for name in (
        "DefaultAzureCredential",
        "AzureCliCredential",
        "DeviceCodeCredential",
        "InteractiveBrowserCredential",
        "ClientSecretCredential",
        "CertificateCredential",
        "ManagedIdentityCredential",
        "WorkloadIdentityCredential",
        "ClientAssertionCredential",
        "ChainedTokenCredential",
    ):
        monkeypatch.setattr(azure.identity, name, Recorder(name, log))
    return log


SP = {"AZURE_TENANT_ID": "tenant-1", "AZURE_CLIENT_ID": "client-1"}


@pytest.mark.parametrize(
    ("kind", "env", "expected"),
    [
        ("default", {}, [("DefaultAzureCredential", (), {})]),
        ("azure-cli", {}, [("AzureCliCredential", (), {"tenant_id": ""})]),
        ("azure-cli", SP, [("AzureCliCredential", (), {"tenant_id": "tenant-1"})]),
        ("device-code", {}, [("DeviceCodeCredential", (), {})]),
        (
            "interactive",
            SP,
            [
                (
                    "InteractiveBrowserCredential",
                    (),
                    {"tenant_id": "tenant-1", "client_id": "client-1"},
                )
            ],
        ),
        (
            "service-principal",
            {**SP, "AZURE_CLIENT_SECRET": "s3cret"},
            [("ClientSecretCredential", ("tenant-1", "client-1", "s3cret"), {})],
        ),
        (
            "service-principal",
            {**SP, "AZURE_CLIENT_CERTIFICATE_PATH": "/certs/sp.pem"},
            [
                (
                    "CertificateCredential",
                    ("tenant-1", "client-1"),
                    {"certificate_path": "/certs/sp.pem", "password": None},
                )
            ],
        ),
        ("managed-identity", {}, [("ManagedIdentityCredential", (), {})]),
        ("managed-identity", SP, [("ManagedIdentityCredential", (), {"client_id": "client-1"})]),
        (
            "federated",
            {**SP, "AZURE_FEDERATED_TOKEN_FILE": "/var/run/token"},
            [
                (
                    "WorkloadIdentityCredential",
                    (),
                    {
                        "tenant_id": "tenant-1",
                        "client_id": "client-1",
                        "token_file_path": "/var/run/token",
                    },
                )
            ],
        ),
    ],
)
def test_credential_from_auth_builds_the_right_class(
    built: list[Any], kind: str, env: dict[str, str], expected: list[Any]
) -> None:
    credential_from_auth(kind, environ=env)
    assert built == expected


GITHUB = {
    **SP,
    "ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.actions.example.test/id?api-version=2.0",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "runtime-token",
}


def test_federated_in_github_actions_uses_a_client_assertion(built: list[Any]) -> None:
    credential_from_auth("federated", environ=GITHUB)
    ((name, args, kwargs),) = built
    assert name == "ClientAssertionCredential"
    assert args[:2] == ("tenant-1", "client-1")
    assert callable(args[2])


def test_default_in_github_actions_tries_oidc_first(built: list[Any]) -> None:
    credential_from_auth("default", environ=GITHUB)
    assert [entry[0] for entry in built] == [
        "DefaultAzureCredential",
        "ClientAssertionCredential",
        "ChainedTokenCredential",
    ]
    chain_args = built[-1][1]
    assert chain_args[0][0] == "ClientAssertionCredential"
    assert chain_args[1][0] == "DefaultAzureCredential"


@pytest.mark.parametrize(
    ("kind", "env", "message"),
    [
        ("service-principal", {}, "AZURE_TENANT_ID"),
        ("service-principal", SP, "AZURE_CLIENT_SECRET"),
        ("federated", SP, "AZURE_FEDERATED_TOKEN_FILE"),
        ("password", {}, "Unknown authentication kind"),
    ],
)
def test_credential_from_auth_reports_missing_settings(
    built: list[Any], kind: str, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        credential_from_auth(kind, environ=env)
    assert built == []


def test_real_azure_identity_class_is_built() -> None:
    from azure.identity import ClientSecretCredential

    credential = credential_from_auth(
        "service-principal", environ={**SP, "AZURE_CLIENT_SECRET": "s3cret"}
    )
    assert isinstance(credential, ClientSecretCredential)


def test_github_actions_oidc_token_request() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"value": "oidc-jwt", "count": 1})

    token = github_actions_oidc_token(GITHUB, transport=httpx.MockTransport(handler))
    assert token == "oidc-jwt"
    (request,) = seen
    assert request.url.params["audience"] == "api://AzureADTokenExchange"
    assert request.url.params["api-version"] == "2.0"
    assert request.headers["Authorization"] == "Bearer runtime-token"


@pytest.mark.parametrize(
    "reply", [httpx.Response(403), httpx.Response(200, json={}), httpx.Response(200, text="x")]
)
def test_github_actions_oidc_token_failures(reply: httpx.Response) -> None:
    with pytest.raises(AuthenticationError) as caught:
        github_actions_oidc_token(GITHUB, transport=httpx.MockTransport(lambda r: reply))
    assert "runtime-token" not in str(caught.value)


def test_github_actions_oidc_token_needs_the_runtime_variables() -> None:
    with pytest.raises(AuthenticationError, match="id-token: write"):
        github_actions_oidc_token({})


# --- a real azure-identity credential, end to end ---------------------------------------------


def test_client_secret_credential_end_to_end(service: FakeService, make_client: MakeClient) -> None:
    entra = FakeEntra()
    credential = entra.client_secret_credential()
    client = make_client(credential=credential)
    service.on("GET", "/workspaces", OK_LIST)
    client.workspaces.list()
    client.workspaces.list()
    assert _auth_headers(service) == ["Bearer entra-token-1"] * 2
    (token_request,) = entra.token_requests  # cached after the first call
    assert "grant_type=client_credentials" in token_request
    assert "client_id=client-1" in token_request
    assert "scope=https%3A%2F%2Fapi.fabric.microsoft.com%2F.default" in token_request


@pytest.mark.parametrize("token", ["abc\ndef", "abc def", "tok\x1b[2J", "tokén"])
def test_a_static_token_no_header_could_carry_is_one_clear_line_without_the_token(
    token: str,
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        StaticTokenCredential(token)
    assert "FABRIC_TOKEN to the token alone" in str(raised.value)
    assert token not in str(raised.value)
