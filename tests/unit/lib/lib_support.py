"""Test doubles for the library's unit tests: a fake clock, a scripted fake Fabric service and
a counting credential."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from fabric_git import FabricClient

BASE_URL = "https://api.fabric.microsoft.com/v1"
TOKEN = "test-bearer-token-3f9a"

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class FakeClock:
    """Monotonic and wall time that move only when something sleeps."""

    def __init__(self, wall_start: float = 1_700_000_000.0) -> None:
        self.elapsed = 0.0
        self.wall_start = wall_start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.elapsed

    def time(self) -> float:
        return self.wall_start + self.elapsed

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.elapsed += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        self.elapsed += seconds


@dataclass
class FakeService:
    """Answers requests from scripted queues keyed by (method, path). The last reply of a queue
    repeats; an unscripted request fails the test with a 599."""

    routes: dict[tuple[str, str], list[Reply]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def on(self, method: str, path: str, *replies: Reply) -> None:
        self.routes[(method.upper(), "/v1" + path)] = list(replies)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        queue = self.routes.get((request.method, request.url.path))
        if not queue:
            return httpx.Response(599, text=f"unscripted {request.method} {request.url.path}")
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(reply, Exception):
            raise reply
        if callable(reply):
            return reply(request)
        return reply

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def calls(self, method: str | None = None, path: str | None = None) -> list[httpx.Request]:
        return [
            r
            for r in self.requests
            if (method is None or r.method == method)
            and (path is None or r.url.path == "/v1" + path)
        ]


class CountingCredential:
    """A credential that hands out numbered tokens and counts how often it was asked."""

    def __init__(self, clock: FakeClock, lifetime: float = 3600.0) -> None:
        self.clock = clock
        self.lifetime = lifetime
        self.calls = 0
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from fabric_git import AccessToken

        self.calls += 1
        self.scopes.append(scopes)
        return AccessToken(f"token-{self.calls}", int(self.clock.time() + self.lifetime))


class FakeEntra:
    """Microsoft Entra ID for a real azure-identity ``ClientSecretCredential``: tenant discovery
    and a client-credentials token endpoint that mints a numbered token per request. It is a
    ``requests`` transport adapter, so nothing leaves the process."""

    base = "https://login.example.test/tenant-1"

    def __init__(self) -> None:
        self.token_requests: list[str] = []

    def client_secret_credential(self) -> Any:
        import requests
        from azure.core.pipeline.transport import RequestsTransport

        from fabric_git import credential_from_auth

        session = requests.Session()
        session.mount("https://", self)  # type: ignore[arg-type]
        return credential_from_auth(
            "service-principal",
            environ={
                "AZURE_TENANT_ID": "tenant-1",
                "AZURE_CLIENT_ID": "client-1",
                "AZURE_CLIENT_SECRET": "s3cret",
            },
            authority="https://login.example.test",
            disable_instance_discovery=True,
            transport=RequestsTransport(session=session, session_owner=False),
        )

    def send(self, request: Any, **kwargs: Any) -> Any:
        import io
        import json

        import requests.adapters
        import urllib3

        if "openid-configuration" in request.url:
            body: dict[str, Any] = {
                "token_endpoint": f"{self.base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{self.base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{self.base}/oauth2/v2.0/devicecode",
                "issuer": f"{self.base}/v2.0",
            }
        else:
            self.token_requests.append(request.body)
            body = {
                "access_token": f"entra-token-{len(self.token_requests)}",
                "token_type": "Bearer",
                "expires_in": 3600,
            }
        data = json.dumps(body).encode()
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(data),
            headers={"Content-Type": "application/json", "Content-Length": str(len(data))},
            status=200,
            preload_content=False,
        )
        return requests.adapters.HTTPAdapter().build_response(request, raw)

    def close(self) -> None:
        pass


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def error_body(code: str, message: str = "failed", **extra: Any) -> dict[str, Any]:
    return {"errorCode": code, "message": message, **extra}


MakeClient = Callable[..., FabricClient]
