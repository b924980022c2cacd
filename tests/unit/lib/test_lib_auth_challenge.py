"""A 401 with credentials that cache their tokens the way azure-identity does: the retry needs a
claims challenge to get a new token, and a token the credential hands back unchanged is never
resent."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from fabric_git import (
    FABRIC_SCOPE,
    AccessToken,
    AuthenticationError,
    StaticTokenCredential,
    UnauthorizedError,
)
from fabric_git._transport import challenge_claims
from unit.lib.lib_support import FakeClock, FakeEntra, FakeService, MakeClient, error_body

CLAIMS = '{"access_token":{"nbf":{"essential":true,"value":"1726258122"}}}'
ENCODED_CLAIMS = base64.b64encode(CLAIMS.encode()).decode()
CHALLENGE = (
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/'
    f'authorize", error="insufficient_claims", claims="{ENCODED_CLAIMS}"'
)


class CachingCredential:
    """Like azure-identity's ``GetTokenMixin``: the cached token comes back until it nears expiry,
    unless ``claims`` are passed, which always mint a new one."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.minted = 0
        self.claims_seen: list[str | None] = []
        self._cached: AccessToken | None = None

    def get_token(self, *scopes: str, claims: str | None = None, **kwargs: Any) -> AccessToken:
        assert scopes == (FABRIC_SCOPE,)
        self.claims_seen.append(claims)
        if claims or self._cached is None or self._cached.expires_on - self.clock.time() < 300:
            self.minted += 1
            self._cached = AccessToken(f"cached-{self.minted}", int(self.clock.time()) + 3600)
        return self._cached


def unauthorized(challenge: str | None = None, code: str = "TokenExpired") -> httpx.Response:
    headers = {"WWW-Authenticate": challenge} if challenge else {}
    return httpx.Response(401, json=error_body(code, "token refused"), headers=headers)


def _auth_headers(service: FakeService) -> list[str]:
    return [r.headers.get("Authorization", "") for r in service.requests]


def test_unchanged_token_is_not_resent(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    credential = CachingCredential(clock)
    client = make_client(credential=credential)
    service.on("GET", "/workspaces", unauthorized(code="InvalidToken"))
    with pytest.raises(AuthenticationError) as caught:
        client.workspaces.list()
    assert _auth_headers(service) == ["Bearer cached-1"]
    assert credential.claims_seen == [None, None]
    message = str(caught.value)
    assert "InvalidToken" in message
    assert "returned the same token again" in message
    assert "cached-1" not in message
    refusal = caught.value.__cause__
    assert isinstance(refusal, UnauthorizedError)
    assert refusal.error_code == "InvalidToken"


def test_claims_challenge_gets_a_new_token_and_retries_once(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    credential = CachingCredential(clock)
    client = make_client(credential=credential)
    service.on(
        "GET",
        "/workspaces",
        unauthorized(CHALLENGE),
        httpx.Response(200, json={"value": []}),
    )
    assert client.workspaces.list() == []
    assert _auth_headers(service) == ["Bearer cached-1", "Bearer cached-2"]
    assert credential.claims_seen == [None, CLAIMS]
    # The new token is cached for the next call.
    service.on("GET", "/workspaces", httpx.Response(200, json={"value": []}))
    client.workspaces.list()
    assert _auth_headers(service)[-1] == "Bearer cached-2"


def test_second_401_after_a_claims_refresh_is_raised(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    credential = CachingCredential(clock)
    client = make_client(credential=credential)
    service.on("GET", "/workspaces", unauthorized(CHALLENGE, code="InsufficientClaims"))
    with pytest.raises(UnauthorizedError) as caught:
        client.workspaces.list()
    assert caught.value.error_code == "InsufficientClaims"
    assert _auth_headers(service) == ["Bearer cached-1", "Bearer cached-2"]


def test_static_token_401_is_an_authentication_error_after_one_request(
    make_client: MakeClient, service: FakeService
) -> None:
    client = make_client(credential=StaticTokenCredential("fixed-token-91"))
    service.on("POST", "/workspaces/ws/git/disconnect", unauthorized(code="TokenExpired"))
    with pytest.raises(AuthenticationError, match="TokenExpired") as caught:
        client.git.disconnect("ws")
    assert len(service.requests) == 1
    assert "fixed-token-91" not in str(caught.value) + repr(caught.value)


def test_real_client_secret_credential_without_challenge_is_not_retried(
    make_client: MakeClient, service: FakeService
) -> None:
    entra = FakeEntra()
    client = make_client(credential=entra.client_secret_credential())
    service.on("GET", "/workspaces", unauthorized(code="TokenExpired"))
    with pytest.raises(AuthenticationError):
        client.workspaces.list()
    # azure-identity answered the second get_token from its cache: one token, one request.
    assert len(entra.token_requests) == 1
    assert _auth_headers(service) == ["Bearer entra-token-1"]


def test_real_client_secret_credential_answers_a_claims_challenge(
    make_client: MakeClient, service: FakeService
) -> None:
    entra = FakeEntra()
    client = make_client(credential=entra.client_secret_credential())
    service.on(
        "GET",
        "/workspaces",
        unauthorized(CHALLENGE),
        httpx.Response(200, json={"value": []}),
    )
    assert client.workspaces.list() == []
    assert _auth_headers(service) == ["Bearer entra-token-1", "Bearer entra-token-2"]
    first, second = (parse_qs(body) for body in entra.token_requests)
    assert "claims" not in first
    assert json.loads(second["claims"][0]) == json.loads(CLAIMS)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (CHALLENGE, CLAIMS),
        # URL-safe base64 without padding, as some services send it.
        (
            f'Bearer claims="{base64.urlsafe_b64encode(CLAIMS.encode()).decode().rstrip("=")}"',
            CLAIMS,
        ),
        (f'Bearer error="insufficient_claims", claims=\'x\', claims="{ENCODED_CLAIMS}"', CLAIMS),
        ('Bearer realm="", error="invalid_token"', None),
        ('Bearer claims=""', None),
        ('Bearer claims="%%%not base64%%%"', None),
        ('Bearer xclaims="e30="', None),
        (None, None),
        ("", None),
    ],
)
def test_challenge_claims(header: str | None, expected: str | None) -> None:
    assert challenge_claims(header) == expected
