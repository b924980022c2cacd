"""The emulator in-process: an ``Emulator`` context manager and a socket-free httpx transport.

The transport drives the ASGI app on an anyio blocking portal (an event loop on a helper
thread), so a plain synchronous ``httpx.Client`` talks to the emulator with no socket.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

from fabric_git.emulator.config import EmulatorConfig
from fabric_git.emulator.running import RunningEmulator

if TYPE_CHECKING:
    from anyio.from_thread import BlockingPortal
    from starlette.types import ASGIApp, Message


IN_PROCESS_HOST = "localhost"  # loopback, so clients that allow plain http only there accept it


class InProcessTransport(httpx.BaseTransport):
    """An httpx transport that calls the ASGI app directly (no socket, no server)."""

    def __init__(self, app: ASGIApp, portal: BlockingPortal) -> None:
        self._app = app
        self._portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        status, headers, content = self._portal.call(self._call, request, body)
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def _call(
        self, request: httpx.Request, body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        from fabric_git.emulator.app import ConnectionDropped

        url = request.url
        port = url.port or (443 if url.scheme == "https" else 80)
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": url.scheme,
            "path": url.path,
            "raw_path": url.raw_path.split(b"?", 1)[0],
            "query_string": url.query,
            "root_path": "",
            "headers": [(k.lower(), v) for k, v in request.headers.raw],
            "server": (url.host, port),
            "client": ("127.0.0.1", 50000),
            "state": {},
            "extensions": {},
        }
        sent_request = False
        status = 500
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def receive() -> Message:
            nonlocal sent_request
            if not sent_request:
                sent_request = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        try:
            await self._app(scope, receive, send)
        except ConnectionDropped:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a complete response", request=request
            ) from None
        return status, headers, b"".join(chunks)


class Emulator(RunningEmulator, AbstractContextManager["Emulator"]):
    """A whole emulator in this process::

    with Emulator() as emu:
        client = httpx.Client(base_url=emu.url, transport=emu.transport(),
                              headers={"Authorization": f"Bearer {emu.token}"})
    """

    _not_running = "the emulator is not running; use it as a context manager"

    def __init__(self, config: EmulatorConfig | None = None, **options: Any) -> None:
        super().__init__(config, options)
        self._app: ASGIApp | None = None
        self._portal: BlockingPortal | None = None
        self._portal_cm: AbstractContextManager[BlockingPortal] | None = None

    def __enter__(self) -> Emulator:
        from anyio.from_thread import start_blocking_portal

        from fabric_git.emulator.app import create_app
        from fabric_git.emulator.state import EmulatorState

        self._state = EmulatorState(self.config)
        try:
            self._app = create_app(state=self._state)
            self._portal_cm = start_blocking_portal()
            self._portal = self._portal_cm.__enter__()
        except BaseException:
            self._state.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._portal_cm is not None:
                self._portal_cm.__exit__(exc_type, exc, tb)
        finally:
            self._portal_cm = self._portal = None
            if self._state is not None:
                self._state.close()

    @property
    def app(self) -> ASGIApp:
        if self._app is None:
            raise RuntimeError("the emulator is not running; use it as a context manager")
        return self._app

    def wait_for_operations(self, timeout: float = 30.0) -> bool:
        """Block until the work of every running operation has finished."""
        return self.state.operations.wait_idle(timeout)

    @property
    def base(self) -> str:
        return f"http://{IN_PROCESS_HOST}"

    def transport(self) -> httpx.BaseTransport:
        if self._app is None or self._portal is None:
            raise RuntimeError("the emulator is not running; use it as a context manager")
        return InProcessTransport(self._app, self._portal)

    def client(self, token: str | None = None, **options: Any) -> httpx.Client:
        """A plain httpx client on the API base URL, authenticated as the admin by default."""
        headers = {"Authorization": f"Bearer {token or self.token}"}
        return httpx.Client(
            base_url=self.url, transport=self.transport(), headers=headers, **options
        )
