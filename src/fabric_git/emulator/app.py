"""The Starlette application: routes, and one request middleware written out in order.

Per request, :class:`RequestMiddleware` does, in this order:
1. drop a trailing slash from a ``/v1`` path, and give the request an id (``requestId`` in
   error bodies, ``x-ms-request-id``/``RequestId`` headers on every response);
2. refuse a request line and headers over ``MAX_HEAD_BYTES`` (431), then authenticate the
   bearer token (``/v1`` and ``/_emulator``; ``/_emulator`` needs the admin);
3. read the body ahead (route handlers are sync functions run in a threadpool), 408 when the
   client pauses longer than ``body_timeout``, 413 once it exceeds ``max_body_bytes``;
4. apply fault rules (``/v1`` only, and only when rules exist);
5. turn any :class:`EmulatorError` or unexpected exception into the ``ErrorResponse`` body
   (``error_response``, which also sets ``x-ms-public-api-error-code``).
``/git`` (smart HTTP) bypasses all of it: it streams, has its own PAT check (made before any
``git http-backend`` starts), a cap on concurrent backends and the same body timeout.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fabric_git.emulator import errors
from fabric_git.emulator.auth import ADMIN, bearer_token
from fabric_git.emulator.config import MAX_HEAD_BYTES, EmulatorConfig
from fabric_git.emulator.errors import EmulatorError
from fabric_git.emulator.gitrepo.smart_http import create_git_app
from fabric_git.emulator.ids import new_id
from fabric_git.emulator.routes import admin_routes, api_routes, find_route_name
from fabric_git.emulator.routes._body import BODY_KEY
from fabric_git.emulator.routes._http import REQUEST_ID_KEY, json_response
from fabric_git.emulator.state import EmulatorState

log = logging.getLogger("fabric_git.emulator")

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ConnectionDropped(Exception):
    """Raised after a response has started, so that the server closes the connection."""


def create_app(
    config: EmulatorConfig | None = None, *, state: EmulatorState | None = None
) -> Starlette:
    """The emulator as an ASGI app. Without ``state``, a new one is built from ``config``."""
    if state is None:
        state = EmulatorState(config or EmulatorConfig())
    routes: list[BaseRoute] = [
        Mount("/v1", routes=api_routes()),
        Mount("/_emulator", routes=admin_routes()),
        Mount(
            "/git",
            app=create_git_app(
                state.repos,
                entra_token=state.is_azure_devops_token,
                max_backends=state.config.git_backends,
                body_timeout=state.config.body_timeout,
                limiter=state.limiter,
            ),
        ),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(RequestMiddleware, state=state)],
        exception_handlers={HTTPException: _http_exception},
    )
    app.state.emulator = state
    return app


async def _http_exception(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 405:
        error = errors.method_not_allowed(request.method)
    elif status == 404:
        error = errors.entity_not_found()
    else:
        error = EmulatorError(status, "InvalidRequest", "The request could not be served")
    return error_response(error, request.scope.get(REQUEST_ID_KEY))


class RequestMiddleware:
    def __init__(self, app: ASGIApp, state: EmulatorState) -> None:
        self.app = app
        self.state = state
        self._routes: list[BaseRoute] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/git/"):
            await self.app(scope, receive, send)
            return
        if path.startswith("/v1/") and path.endswith("/") and path.strip("/") != "v1":
            # Fabric ignores a trailing slash (fabric-cicd lists ``.../environments/``).
            path = path.rstrip("/")
            scope["path"] = path
            if isinstance(scope.get("raw_path"), bytes):
                scope["raw_path"] = scope["raw_path"].rstrip(b"/")
        request_id = new_id()
        scope[REQUEST_ID_KEY] = request_id
        id_bytes = request_id.encode()
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers.append((b"x-ms-request-id", id_bytes))
                headers.append((b"requestid", id_bytes))
                message = {**message, "headers": headers}
            await send(message)

        try:
            head = len(scope.get("raw_path", b"")) + len(scope.get("query_string", b""))
            if head + sum(len(k) + len(v) + 4 for k, v in scope["headers"]) > MAX_HEAD_BYTES:
                raise errors.request_header_fields_too_large(MAX_HEAD_BYTES)
            # Authenticate first: a caller without a valid token holds no body buffer or wait.
            self._authenticate(scope, path)
            if scope["method"] in _BODY_METHODS:
                config = self.state.config
                scope[BODY_KEY] = await _read_body(
                    scope, receive, config.body_timeout, config.max_body_bytes
                )
                receive = _replay_nothing
            if path.startswith("/v1/") and self.state.faults:
                await self._apply_faults(scope, send_with_id)
            await self.app(scope, receive, send_with_id)
        except ConnectionDropped:
            raise
        except EmulatorError as exc:
            if started:
                raise
            await _send_error(exc, request_id, send_with_id)
        except Exception as exc:
            log.exception("unexpected error serving %s %s", scope.get("method"), path)
            if started:
                raise
            await _send_error(errors.unexpected(exc), request_id, send_with_id)

    def _authenticate(self, scope: Scope, path: str) -> None:
        authorization: str | None = None
        for key, value in scope["headers"]:
            if key == b"authorization":
                authorization = value.decode("latin-1")
                break
        principal = self.state.tokens.verify(bearer_token(authorization))
        scope.setdefault("state", {})["principal"] = principal
        if path.startswith("/_emulator") and principal.id != ADMIN.id:
            raise errors.insufficient_privileges("Only the emulator admin may call /_emulator")

    async def _apply_faults(self, scope: Scope, send: Send) -> None:
        if self._routes is None:
            app = scope.get("app")
            self._routes = list(getattr(getattr(app, "router", None), "routes", []))
        name = find_route_name(self._routes, dict(scope))
        rule = self.state.faults.take_request_fault((name,), scope["method"], scope["path"])
        if rule is None:
            return
        if rule.delay:
            await self.state.clock.sleep(rule.delay)
        if rule.drop:
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-length", b"64")],
                }
            )
            raise ConnectionDropped()
        if rule.status is not None:
            raise rule.error()


async def _read_body(scope: Scope, receive: Receive, timeout: float, limit: int) -> bytes:
    """The whole body; 408 when the client leaves ``timeout`` seconds between two parts, 413
    as soon as it is known to exceed ``limit`` bytes: from ``Content-Length`` before a byte is
    read, else (a chunked body) when the parts read so far exceed it."""
    for key, value in scope["headers"]:
        if key == b"content-length" and value.strip().isdigit() and int(value) > limit:
            raise errors.request_body_too_large(limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        with anyio.move_on_after(timeout) as waiting:
            message = await receive()
        if waiting.cancelled_caught:
            raise errors.request_timeout()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise errors.request_body_too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _replay_nothing() -> Message:
    # The body was read ahead into the scope; handlers read it from there.
    return {"type": "http.request", "body": b"", "more_body": False}


def error_response(error: EmulatorError, request_id: str | None) -> Response:
    """The one builder of error answers: the ``ErrorResponse`` body, the error's own headers and
    ``x-ms-public-api-error-code`` (Fabric's copy of the body's ``errorCode``)."""
    headers = {**error.headers, "x-ms-public-api-error-code": error.error_code}
    return json_response(error.to_body(request_id), error.status, headers=headers)


async def _send_error(exc: EmulatorError, request_id: str, send: Send) -> None:
    response = error_response(exc, request_id)
    scope: dict[str, Any] = {"type": "http"}
    await response(scope, _replay_nothing, send)
