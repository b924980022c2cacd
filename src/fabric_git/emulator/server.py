"""The emulator on a real socket: uvicorn on a background thread."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any

from fabric_git.emulator import errors
from fabric_git.emulator.config import MAX_HEAD_BYTES, EmulatorConfig
from fabric_git.emulator.ids import new_id
from fabric_git.emulator.running import RunningEmulator

_START_TIMEOUT = 30.0


class _HideDroppedConnections(logging.Filter):
    """A dropped connection is an injected fault, not a server error worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        from fabric_git.emulator.app import ConnectionDropped

        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


def guarded_protocol(header_timeout: float, max_connections: int) -> type[Any]:
    """uvicorn's h11 protocol with two guards uvicorn lacks: a connection that has not sent a
    whole request head within ``header_timeout`` seconds (a slow or idle half-sent request) is
    closed, and a connection beyond ``max_connections`` open ones is closed at once, so idle
    sockets cannot exhaust the process's file descriptors. Bodies have their own timeout in
    the app (``body_timeout``)."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class RememberingConnection(h11.Connection):
        """h11's connection, keeping why it refused a request head (uvicorn drops it)."""

        refusal: h11.RemoteProtocolError | None = None

        def next_event(self) -> Any:
            try:
                return super().next_event()
            except h11.RemoteProtocolError as exc:
                self.refusal = exc
                raise

    class GuardedH11Protocol(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            size = self.config.h11_max_incomplete_event_size or MAX_HEAD_BYTES
            self.conn = RememberingConnection(h11.SERVER, max_incomplete_event_size=size)

        def send_400_response(self, msg: str) -> None:
            """A head h11 refuses answers with the emulator's error body: 431
            ``RequestHeaderFieldsTooLarge`` for one still incomplete past ``MAX_HEAD_BYTES``
            (a head that arrives whole is measured by the app), else 400 ``InvalidRequest``;
            the connection is closed."""
            refusal = getattr(self.conn, "refusal", None)
            status = refusal.error_status_hint if refusal is not None else 400
            error = (
                errors.request_header_fields_too_large(MAX_HEAD_BYTES)
                if status == 431
                else errors.invalid_request("The request is not valid HTTP/1.1")
            )
            request_id = new_id()
            body = json.dumps(error.to_body(request_id)).encode()
            headers = [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"x-ms-public-api-error-code", error.error_code.encode()),
                (b"x-ms-request-id", request_id.encode()),
                (b"connection", b"close"),
            ]
            for event in (
                h11.Response(status_code=error.status, headers=headers),
                h11.Data(data=body),
                h11.EndOfMessage(),
            ):
                self.transport.write(self.conn.send(event) or b"")
            self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > max_connections:
                transport.close()
                return
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.cycle is not None and not self.cycle.response_complete:
                self._disarm()  # the head is in: the app's body timeout takes over
            else:
                self._arm()  # part of a head (or of the next one) came: it must complete

        def _arm(self) -> None:
            if self._header_timer is None:
                self._header_timer = self.loop.call_later(header_timeout, self._head_too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _head_too_slow(self) -> None:
            self._header_timer = None
            busy = self.cycle is not None and not self.cycle.response_complete
            if not busy and not self.transport.is_closing():
                self.transport.close()

    return GuardedH11Protocol


class EmulatorServer(RunningEmulator, AbstractContextManager["EmulatorServer"]):
    """``with EmulatorServer(EmulatorConfig(port=0)) as server: server.url`` -> ``http://HOST:PORT/v1``."""

    _not_running = "the server is not running"

    def __init__(self, config: EmulatorConfig | None = None, **options: Any) -> None:
        super().__init__(config, options)
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.host = self.config.host
        self.port = self.config.port

    def start(self) -> EmulatorServer:
        import uvicorn

        from fabric_git.emulator.app import create_app
        from fabric_git.emulator.state import EmulatorState

        if self._thread is not None:
            raise RuntimeError("the server is already running")
        state = EmulatorState(self.config)
        try:
            app = create_app(state=state)
            family = socket.AF_INET6 if ":" in self.config.host else socket.AF_INET
            # IPPROTO_TCP explicitly: asyncio enables TCP_NODELAY on accepted connections only
            # for sockets that say so, and without it Nagle + delayed ACK add ~40 ms a request.
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.config.host, self.config.port))
            sock.listen(2048)
        except BaseException:
            state.close()
            raise
        self._socket = sock
        self.port = int(sock.getsockname()[1])
        uvicorn_errors = logging.getLogger("uvicorn.error")
        if not any(isinstance(f, _HideDroppedConnections) for f in uvicorn_errors.filters):
            uvicorn_errors.addFilter(_HideDroppedConnections())  # once per process, not per start
        uv_config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=self.config.access_log,
            lifespan="off",
            timeout_graceful_shutdown=5,
            # Fabric keeps an idle connection open for minutes; uvicorn's 5 s default races
            # clients that wait about 5 s between calls (Microsoft's SDK sleeps 5 s while a
            # long-running call completes) and reuse a socket the server is closing. Idle
            # sockets stay bounded by max_connections.
            timeout_keep_alive=120,
            backlog=2048,
            h11_max_incomplete_event_size=MAX_HEAD_BYTES,
            http=guarded_protocol(self.config.header_timeout, self.config.max_connections),
            # The app reads X-Forwarded-Proto/-Host itself, both or neither (routes/_http.py).
            proxy_headers=False,
        )
        server = uvicorn.Server(uv_config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="emulator-server", daemon=True
        )
        self._state, self._server, self._thread = state, server, thread
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the emulator server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        server, thread, state = self._server, self._thread, self._state
        self._server = self._thread = self._state = None
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout=30)
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if state is not None:
            state.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def ready_info(self) -> dict[str, str]:
        """What ``serve --ready-file`` writes."""
        return {
            "url": self.url,
            "git_url": self.git_url,
            "token": self.token,
            "capacity_id": self.capacity_id,
        }
