"""Transport basics: base URL rules, headers, timeouts and error parsing."""

from __future__ import annotations

import uuid

import httpx
import pytest

from fabric_git import (
    DEFAULT_BASE_URL,
    FABRIC_SCOPE,
    ApiError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    FabricClient,
    ForbiddenError,
    NotFoundError,
    ServerError,
    StaticTokenCredential,
    ThrottledError,
    TransportError,
    __version__,
)
from fabric_git._transport import parse_retry_after, resolve_base_url
from unit.lib.lib_support import (
    TOKEN,
    FakeClock,
    FakeService,
    MakeClient,
    error_body,
    json_response,
)

WS = "11111111-2222-3333-4444-555555555555"


# --- base URL ---------------------------------------------------------------------------------


def test_default_base_url_is_the_public_endpoint() -> None:
    assert (
        resolve_base_url(None, environ={})
        == DEFAULT_BASE_URL
        == ("https://api.fabric.microsoft.com/v1")
    )


def test_env_overrides_default_and_argument_overrides_env() -> None:
    env = {"FABRIC_API_URL": "https://fabric.example.test/v1/"}
    assert resolve_base_url(None, environ=env) == "https://fabric.example.test/v1"
    assert resolve_base_url("https://other.test/v1", environ=env) == "https://other.test/v1"


def test_client_reads_fabric_api_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FABRIC_API_URL", "http://127.0.0.1:8765/v1")
    with FabricClient(credential="t") as client:
        assert client.base_url == "http://127.0.0.1:8765/v1"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5000/v1",
        "http://127.8.9.10/v1",
        "http://[::1]:8080/v1",
        "http://localhost:9000/v1",
        "https://api.fabric.microsoft.com/v1",
    ],
)
def test_allowed_base_urls(url: str) -> None:
    assert resolve_base_url(url, environ={}) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://api.fabric.microsoft.com/v1",
        "http://10.0.0.1/v1",
        "http://localhost.evil.test/v1",
        "ftp://127.0.0.1/v1",
        "https://api.fabric.microsoft.com/v1?x=1",
        "not a url",
    ],
)
def test_refused_base_urls(url: str) -> None:
    with pytest.raises(ConfigurationError):
        resolve_base_url(url, environ={})


# --- headers and timeouts ---------------------------------------------------------------------


def test_every_request_has_user_agent_request_id_and_bearer(
    client: FabricClient, service: FakeService
) -> None:
    service.on("GET", f"/workspaces/{WS}", json_response(200, {"id": WS, "displayName": "A"}))
    client.workspaces.get(WS)
    client.workspaces.get(WS)
    first, second = service.requests
    assert first.headers["User-Agent"].startswith(f"fabric-git/{__version__} python/3.")
    assert first.headers["Authorization"] == f"Bearer {TOKEN}"
    ids = {r.headers["x-ms-client-request-id"] for r in service.requests}
    assert len(ids) == 2
    assert all(uuid.UUID(i).version == 4 for i in ids)
    assert second.url == httpx.URL(f"https://api.fabric.microsoft.com/v1/workspaces/{WS}")


def test_each_retry_gets_its_own_client_request_id(
    client: FabricClient, service: FakeService
) -> None:
    service.on(
        "GET",
        "/workspaces",
        httpx.Response(503, headers={"Retry-After": "1"}),
        json_response(200, {"value": []}),
    )
    client.workspaces.list()
    ids = [r.headers["x-ms-client-request-id"] for r in service.requests]
    assert len(ids) == 2 and ids[0] != ids[1]


def test_timeout_applies_to_every_request(make_client: MakeClient, service: FakeService) -> None:
    client = make_client(timeout=12.5)
    service.on("GET", "/capacities", json_response(200, {"value": []}))
    client.capacities.list()
    timeout = service.requests[0].extensions["timeout"]
    assert timeout == {"connect": 12.5, "read": 12.5, "write": 12.5, "pool": 12.5}


def test_ids_are_percent_encoded_in_paths(client: FabricClient, service: FakeService) -> None:
    service.on("GET", "/workspaces/a/b", json_response(200, {"id": "a/b", "displayName": "x"}))
    assert client.workspaces.get("a/b").id == "a/b"
    assert service.requests[0].url.raw_path == b"/v1/workspaces/a%2Fb"


def test_empty_id_is_refused_before_any_request(client: FabricClient, service: FakeService) -> None:
    with pytest.raises(ConfigurationError):
        client.workspaces.get(" ")
    assert service.requests == []


# --- errors -----------------------------------------------------------------------------------


def test_api_error_carries_every_service_field(client: FabricClient, service: FakeService) -> None:
    body = {
        "requestId": "6f1ab1b4-8b5d-4bd5-9a39-4c10a8a5e0a1",
        "errorCode": "WorkspaceHeadMismatch",
        "message": "The workspace head does not match.",
        "moreDetails": [
            {
                "errorCode": "ItemNotFound",
                "message": "Item is gone",
                "relatedResource": {"resourceId": "item-1", "resourceType": "Report"},
            }
        ],
        "relatedResource": {"resourceId": WS, "resourceType": "Workspace"},
        "isRetriable": False,
    }
    service.on("POST", f"/workspaces/{WS}/git/commitToGit", json_response(400, body))
    with pytest.raises(BadRequestError) as caught:
        client.git.commit_to_git(WS, comment="x")
    error = caught.value
    assert error.status == 400
    assert error.error_code == error.code == "WorkspaceHeadMismatch"
    assert error.message == "The workspace head does not match."
    assert error.request_id == "6f1ab1b4-8b5d-4bd5-9a39-4c10a8a5e0a1"
    assert error.is_retriable is False
    assert error.related_resource is not None
    assert error.related_resource.resource_id == WS
    assert error.related_resource.resource_type == "Workspace"
    (detail,) = error.more_details
    assert (detail.error_code, detail.message) == ("ItemNotFound", "Item is gone")
    assert detail.related_resource is not None
    assert detail.related_resource.resource_type == "Report"
    assert error.method == "POST"
    assert error.url.endswith("/git/commitToGit")
    assert error.client_request_id == service.requests[0].headers["x-ms-client-request-id"]
    text = str(error)
    assert "\n" not in text
    assert text == (
        "WorkspaceHeadMismatch (HTTP 400): The workspace head does not match. "
        "[ItemNotFound: Item is gone] (request id 6f1ab1b4-8b5d-4bd5-9a39-4c10a8a5e0a1)"
    )


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (403, ForbiddenError),
        (404, NotFoundError),
        (409, ConflictError),
        (418, ApiError),
    ],
)
def test_status_maps_to_error_class(
    client: FabricClient, service: FakeService, status: int, cls: type[ApiError]
) -> None:
    service.on("GET", f"/workspaces/{WS}", json_response(status, error_body("Code", "msg")))
    with pytest.raises(cls) as caught:
        client.workspaces.get(WS)
    assert type(caught.value) is cls
    assert caught.value.status == status


@pytest.mark.parametrize(
    "reply",
    [
        httpx.Response(502, text="<html>Bad gateway</html>"),
        httpx.Response(502),
        httpx.Response(502, json=["not", "an", "error"]),
        httpx.Response(502, json={"message": "no code"}),
    ],
)
def test_non_json_or_foreign_error_bodies(
    make_client: MakeClient, service: FakeService, reply: httpx.Response
) -> None:
    from fabric_git import RetryPolicy

    client = make_client(retry=RetryPolicy.no_retries())
    service.on("GET", f"/workspaces/{WS}", reply)
    with pytest.raises(ServerError) as caught:
        client.workspaces.get(WS)
    assert caught.value.status == 502
    assert caught.value.error_code == "HTTP502"
    assert str(caught.value) == (
        "HTTP502 (HTTP 502): The service answered HTTP 502 with no error details."
    )


def test_request_id_header_used_when_body_has_none(
    make_client: MakeClient, service: FakeService
) -> None:
    service.on(
        "GET",
        f"/workspaces/{WS}",
        httpx.Response(404, json=error_body("WorkspaceNotFound"), headers={"requestId": "rid-7"}),
    )
    with pytest.raises(NotFoundError) as caught:
        make_client().workspaces.get(WS)
    assert caught.value.request_id == "rid-7"


def test_throttled_error_keeps_retry_after(make_client: MakeClient, service: FakeService) -> None:
    from fabric_git import RetryPolicy

    service.on(
        "GET",
        "/workspaces",
        httpx.Response(429, json=error_body("TooManyRequests"), headers={"Retry-After": "42"}),
    )
    with pytest.raises(ThrottledError) as caught:
        make_client(retry=RetryPolicy.no_retries()).workspaces.list()
    assert caught.value.retry_after == 42.0


def test_success_with_non_json_body_is_a_transport_error(
    client: FabricClient, service: FakeService
) -> None:
    service.on("GET", f"/workspaces/{WS}", httpx.Response(200, text="<html>login</html>"))
    with pytest.raises(TransportError, match="not JSON"):
        client.workspaces.get(WS)


def test_unsupported_protocol_error_is_a_transport_error(
    make_client: MakeClient, service: FakeService
) -> None:
    service.on("GET", "/workspaces", httpx.UnsupportedProtocol("nope"))
    with pytest.raises(TransportError):
        make_client().workspaces.list()
    assert len(service.requests) == 1


# --- Retry-After parsing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7.0),
        ("0", 0.0),
        ("2.5", 2.5),
        (" 3 ", 3.0),
        (None, None),
        ("", None),
        ("-1", None),
        ("abc", None),
        ("nan", None),
        ("inf", None),
        ("Tue, 14 Nov 2023 22:13:40 GMT", 20.0),  # wall clock is 22:13:20
        ("Tue, 14 Nov 2023 22:00:00 GMT", 0.0),  # in the past
        ("Tue, 14 Nov 2023 99:99:99 GMT", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=FakeClock().time()) == expected


def test_transport_repr_and_credential_repr_hide_the_token() -> None:
    credential = StaticTokenCredential(TOKEN)
    with FabricClient(credential=credential) as client:
        assert TOKEN not in repr(client)
        assert TOKEN not in repr(credential)
        assert TOKEN not in repr(credential.get_token(FABRIC_SCOPE))


def test_redirects_are_not_followed(client: FabricClient, service: FakeService) -> None:
    service.on(
        "GET",
        "/workspaces",
        httpx.Response(302, headers={"Location": "https://login.example.test/"}),
    )
    with pytest.raises(TransportError, match="redirect"):
        client.workspaces.list()
    assert len(service.requests) == 1
