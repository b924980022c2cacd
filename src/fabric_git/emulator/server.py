"""The emulator on a real socket: uvicorn on a background thread."""

from __future__ import annotations

import logging
import socket
import threading
import time
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any

from fabric_git.emulator.config import EmulatorConfig
from fabric_git.emulator.running import RunningEmulator

_START_TIMEOUT = 30.0


class _HideDroppedConnections(logging.Filter):
    """A dropped connection is an injected fault, not a server error worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        from fabric_git.emulator.app import ConnectionDropped

        return not (record.exc_info and isinstance(record.exc_info[1], ConnectionDropped))


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
            backlog=2048,
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
