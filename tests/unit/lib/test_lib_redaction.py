"""Secrets (bearer tokens, personal access tokens) never show in logs, reprs or errors."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

import fabric_git
from fabric_git import FabricClient, models
from fabric_git.api.connections import github_connection_request
from unit.lib.lib_support import (
    CountingCredential,
    FakeClock,
    FakeService,
    MakeClient,
    error_body,
    json_response,
)

PAT = "ghp_SuperSecretPersonalAccessToken0123"
WS = "1565e6a3-c020-4c0c-dda7-92bafe99eec5"


def _everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records
    )


def test_debug_log_has_no_token_or_pat(
    make_client: MakeClient,
    service: FakeService,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    credential = CountingCredential(clock)
    client = make_client(credential=credential)
    service.on(
        "POST",
        "/connections",
        json_response(401, error_body("TokenExpired")),
        httpx.Response(429, headers={"Retry-After": "1"}),
        json_response(
            201,
            {
                "id": "c1",
                "connectivityType": "ShareableCloud",
                "connectionDetails": {"type": "GitHubSourceControl"},
            },
        ),
    )
    service.on("GET", "/workspaces", json_response(500, error_body("Boom")))
    with caplog.at_level(logging.DEBUG, logger="fabric_git"):
        client.connections.create_github("gh", PAT, "https://github.com/o/r")
        with pytest.raises(fabric_git.ServerError):
            client.workspaces.list()
    logged = _everything_logged(caplog)
    assert caplog.records, "debug logging produced nothing"
    assert "Authorization" in logged or "authorization" in logged  # the header is named ...
    assert "***" in logged  # ... and masked
    for secret in ("token-1", "token-2", PAT):
        assert secret not in logged
    # The PAT did go out on the wire (only there).
    assert PAT.encode() in service.requests[0].content


def test_connection_request_models_hide_the_pat() -> None:
    request = github_connection_request("gh", PAT, "https://github.com/o/r")
    credentials = request.credential_details.credentials
    assert isinstance(credentials, models.KeyCredentials)
    for text in (repr(request), str(request), repr(credentials), str(credentials)):
        assert PAT not in text
    # An ordinary dump masks the secret; only the wire form reveals it.
    assert PAT not in str(request.model_dump())
    assert PAT not in request.model_dump_json()
    assert PAT in str(request.to_wire())


def test_unknown_credential_types_hide_their_fields_in_reprs() -> None:
    parsed = models.CreateCredentialDetails.model_validate(
        {"credentials": {"credentialType": "OAuth2", "accessToken": PAT}}
    )
    assert type(parsed.credentials) is models.Credentials
    assert PAT not in repr(parsed)
    assert PAT in str(models.to_wire(parsed))  # still sent as given


@pytest.mark.parametrize(
    "error",
    [
        lambda: fabric_git.AuthenticationError("Could not get a token"),
        lambda: fabric_git.TransportError("GET https://x failed", method="GET", url="https://x"),
    ],
)
def test_errors_do_not_carry_tokens(error: Any) -> None:
    made = error()
    assert "Bearer" not in str(made) and "Bearer" not in repr(made)


def test_api_error_text_has_no_token(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    credential = CountingCredential(clock)
    service.on("GET", f"/workspaces/{WS}", json_response(403, error_body("InsufficientPrivileges")))
    with pytest.raises(fabric_git.ForbiddenError) as caught:
        make_client(credential=credential).workspaces.get(WS)
    for text in (str(caught.value), repr(caught.value), str(vars(caught.value))):
        assert "token-1" not in text


def test_base_url_with_user_info_is_refused_without_echoing_it(make_client: MakeClient) -> None:
    with pytest.raises(fabric_git.ConfigurationError) as caught:
        make_client(base_url="https://user:hunter2@api.fabric.microsoft.com/v1")
    assert "hunter2" not in str(caught.value)


def test_client_and_credential_reprs(make_client: MakeClient) -> None:
    client: FabricClient = make_client(credential=fabric_git.StaticTokenCredential(PAT))
    assert PAT not in repr(client)
    assert PAT not in repr(client.git)
    assert PAT not in repr(vars(client))
