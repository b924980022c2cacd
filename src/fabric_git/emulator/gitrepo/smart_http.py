"""Git smart HTTP for the hosted repositories: a plain ASGI app running ``git http-backend``.

Mounted at ``/git`` it serves::

    /git/github/OWNER/REPO.git/{info/refs,git-upload-pack,git-receive-pack}
    /git/azure-devops/ORGANIZATION/PROJECT/_git/REPO/{...}

so ``git clone``, ``fetch`` and ``push`` work with the ordinary client. Each request runs
``git http-backend`` as a CGI subprocess (without blocking the event loop), streams the request
body into it and its output back. A repository that requires a PAT answers 401 with
``WWW-Authenticate: Basic`` unless HTTP Basic authentication carries that PAT as the password.
An Azure DevOps repository also takes an Entra token for Azure DevOps, as Azure DevOps does:
``Authorization: Bearer <token>``, or the token as the Basic password. A token for another
audience (the Fabric API) is refused; GitHub repositories take no bearer token at all.

Bounded: the PAT is checked before a backend starts; at most ``max_backends`` backends run at
once (a request beyond them answers 503 with ``Retry-After``, starting nothing); a request body
that pauses longer than ``body_timeout`` seconds ends the request and its backend.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
import subprocess
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio
import anyio.abc
import anyio.to_thread

from fabric_git.emulator.gitrepo.keys import AZURE_DEVOPS
from fabric_git.emulator.gitrepo.repos import HostedRepo, RepoKey, RepositoryHost
from fabric_git.repoformat.model import MAX_FILE_BYTES

__all__ = ["create_git_app", "http_backend_path"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger(__name__)

_SERVICES = "info/refs|git-upload-pack|git-receive-pack"
_GITHUB_RE = re.compile(
    rf"/github/(?P<owner>[^/]+)/(?P<repo>[^/]+?)(?:\.git)?/(?P<service>{_SERVICES})"
)
_AZURE_DEVOPS_RE = re.compile(
    rf"/azure-devops/(?P<owner>[^/]+)/(?P<project>[^/]+)/_git/(?P<repo>[^/]+)/(?P<service>{_SERVICES})"
)
_REALM = 'Basic realm="fabric-git emulator", charset="UTF-8"'
_READ_SIZE = 65536


def http_backend_path() -> str:
    """Where this machine's ``git http-backend`` program is."""
    exec_path = subprocess.run(
        ["git", "--exec-path"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return os.path.join(exec_path, "git-http-backend")


def _sub_path(scope: Scope) -> str:
    """The request path below the mount point, whether or not the router stripped it."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path + "/"):
        return path[len(root_path) :]
    return path


def _route(path: str) -> tuple[RepoKey, str] | None:
    """The repository key and service of a request path, or None."""
    try:
        if match := _GITHUB_RE.fullmatch(path):
            return RepoKey.github(match["owner"], match["repo"]), match["service"]
        if match := _AZURE_DEVOPS_RE.fullmatch(path):
            key = RepoKey.azure_devops(match["owner"], match["project"], match["repo"])
            return key, match["service"]
    except ValueError:
        return None
    return None


def _bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header, or None."""
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def _basic_credentials(authorization: str | None) -> tuple[str, str | None]:
    """(user, password) from an HTTP Basic Authorization header; ("", None) when absent."""
    if not authorization:
        return "", None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic":
        return "", None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return "", None
    user, separator, password = decoded.partition(":")
    return user, password if separator else None


async def _plain(
    send: Send, status: int, text: str, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    body = text.encode("utf-8") + b"\n"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _parse_cgi_headers(block: bytes) -> tuple[int, list[tuple[bytes, bytes]]]:
    status = 200
    headers: list[tuple[bytes, bytes]] = []
    for line in block.splitlines():
        name, _, value = line.partition(b":")
        name, value = name.strip(), value.strip()
        if not name:
            continue
        if name.lower() == b"status":
            status = int(value.split(b" ", 1)[0])
        else:
            headers.append((name.lower(), value))
    return status, headers


class _GitHttpApp:
    def __init__(
        self,
        host: RepositoryHost,
        backend: str,
        entra_token: Callable[[str], bool],
        max_backends: int,
        body_timeout: float,
        limiter: anyio.CapacityLimiter | None = None,
    ) -> None:
        self._host = host
        self._limiter = limiter  # the emulator's: its threads are the ones handlers run on
        self._backend = backend
        self._entra_token = entra_token
        self._max_backends = max_backends
        self._running = 0  # backends started and not yet ended (only the event loop counts)
        self._body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        routed = _route(_sub_path(scope))
        if routed is None:
            await _plain(send, 404, "Not found")
            return
        key, service = routed
        method: str = scope["method"]
        if method != ("GET" if service == "info/refs" else "POST"):
            await _plain(send, 405, "Method not allowed", ((b"allow", b"GET, POST"),))
            return
        repo = await anyio.to_thread.run_sync(self._host.get, key, limiter=self._limiter)
        if repo is None:
            await _plain(send, 404, "Repository not found")
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        authorization = headers.get("authorization")
        user, password = _basic_credentials(authorization)
        bearer = _bearer_token(authorization)
        accepts = await anyio.to_thread.run_sync(
            self._accepts, repo, password, bearer, limiter=self._limiter
        )
        if not accepts:
            await _plain(
                send, 401, "Authentication required", ((b"www-authenticate", _REALM.encode()),)
            )
            return
        if self._running >= self._max_backends:
            await _plain(
                send, 503, "Too many Git requests at once; retry", ((b"retry-after", b"1"),)
            )
            return
        env = self._cgi_env(scope, repo, service, headers, user)
        self._running += 1
        try:
            await self._run_backend(env, receive, send)
        finally:
            self._running -= 1

    def _accepts(self, repo: HostedRepo, password: str | None, bearer: str | None) -> bool:
        """The PAT the repository requires (as the Basic password); an Azure DevOps repository
        also takes an Entra token for Azure DevOps (``entra_token`` says whether a token is
        one), as a bearer token or as the Basic password. A repository requiring no PAT is
        open to anyone, whatever they send."""
        if not repo.requires_pat:
            return True
        if repo.key.provider != AZURE_DEVOPS:
            return bearer is None and repo.accepts_pat(password)
        if bearer is not None:
            return self._entra_token(bearer)
        return password is not None and (repo.accepts_pat(password) or self._entra_token(password))

    def _cgi_env(
        self, scope: Scope, repo: HostedRepo, service: str, headers: dict[str, str], user: str
    ) -> dict[str, str]:
        client = scope.get("client") or ("127.0.0.1", 0)
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            # Keep the user's and the system's Git configuration out of served repositories.
            "HOME": str(self._host.root),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            # A pushed blob larger than the file limit is streamed to disk by the receiving
            # Git (unpack-objects, index-pack), never held whole in its memory.
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "core.bigFileThreshold",
            "GIT_CONFIG_VALUE_0": str(MAX_FILE_BYTES),
            "GIT_PROJECT_ROOT": str(self._host.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REQUEST_METHOD": scope["method"],
            "PATH_INFO": f"/{repo.key.url_path}/{service}",
            "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
            "CONTENT_TYPE": headers.get("content-type", ""),
            "REMOTE_USER": user or "anonymous",
            "REMOTE_ADDR": str(client[0]),
        }
        if "content-length" in headers:
            env["CONTENT_LENGTH"] = headers["content-length"]
        if "content-encoding" in headers:
            env["HTTP_CONTENT_ENCODING"] = headers["content-encoding"]
        if "git-protocol" in headers:
            env["HTTP_GIT_PROTOCOL"] = headers["git-protocol"]
        return env

    async def _run_backend(self, env: dict[str, str], receive: Receive, send: Send) -> None:
        process = await anyio.open_process(
            [self._backend],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        errors = bytearray()
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(
                    self._pump_request, receive, process, tasks.cancel_scope, self._body_timeout
                )
                tasks.start_soon(self._collect, process, errors)
                await self._relay_response(process, send_tracked)
            if tasks.cancel_scope.cancel_called and not started:
                await _plain(send, 408, "The request body did not arrive in time")
                return
            await process.wait()
        finally:
            if process.returncode is None:
                process.kill()
                with anyio.CancelScope(shield=True):
                    await process.wait()
            await process.aclose()
        if process.returncode:
            logger.warning(
                "git http-backend exited with %s: %s",
                process.returncode,
                errors.decode("utf-8", "replace").strip(),
            )

    @staticmethod
    async def _pump_request(
        receive: Receive, process: anyio.abc.Process, cancel: anyio.CancelScope, timeout: float
    ) -> None:
        stdin = process.stdin
        assert stdin is not None
        try:
            while True:
                with anyio.move_on_after(timeout) as waiting:
                    message = await receive()
                if waiting.cancelled_caught or message["type"] == "http.disconnect":
                    cancel.cancel()
                    return
                body = message.get("body", b"")
                if body:
                    await stdin.send(body)
                if not message.get("more_body", False):
                    return
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            return  # the backend stopped reading: its answer says why
        finally:
            await stdin.aclose()

    @staticmethod
    async def _collect(process: anyio.abc.Process, errors: bytearray) -> None:
        assert process.stderr is not None
        async for chunk in process.stderr:
            errors.extend(chunk[: max(0, 65536 - len(errors))])

    @staticmethod
    async def _relay_response(process: anyio.abc.Process, send: Send) -> None:
        assert process.stdout is not None
        buffer = b""
        started = False
        async for chunk in process.stdout:
            if started:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                continue
            buffer += chunk
            end = re.search(rb"\r?\n\r?\n", buffer)
            if end is None:
                continue
            status, headers = _parse_cgi_headers(buffer[: end.start()])
            await send({"type": "http.response.start", "status": status, "headers": headers})
            started = True
            if rest := buffer[end.end() :]:
                await send({"type": "http.response.body", "body": rest, "more_body": True})
        if not started:
            await _plain(send, 502, "git http-backend gave no response")
            return
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def create_git_app(
    host: RepositoryHost,
    *,
    backend: str | None = None,
    entra_token: Callable[[str], bool] = lambda token: False,
    max_backends: int = 8,
    body_timeout: float = 30.0,
    limiter: anyio.CapacityLimiter | None = None,
) -> ASGIApp:
    """The ASGI app serving ``host``'s repositories over Git smart HTTP (mount it at /git).
    ``entra_token`` tells a valid Entra token for Azure DevOps, which Azure DevOps
    repositories accept as a bearer token or as the Basic password."""
    return _GitHttpApp(
        host,
        backend or http_backend_path(),
        entra_token,
        max_backends,
        body_timeout,
        limiter,
    )
