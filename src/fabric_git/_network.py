"""The real network under ``Transport``: which proxy may carry a request, a hard bound on each
attempt, and what a failed connection means.

- **Proxies.** A proxy from the environment (``HTTPS_PROXY``, ``ALL_PROXY``, minus ``NO_PROXY``)
  is used only for an ``https://`` API that is not on a loopback address, so a bearer token never
  reaches a proxy in clear and a local emulator is never reached through one. (httpx alone would
  send ``http://127.0.0.1`` through ``HTTP_PROXY``.)
- **Attempt deadline.** httpx's timeouts bound each socket operation, so a server that trickles
  a byte at a time never times out. Every read, write, TLS handshake and connect made while an
  attempt runs is given at most what is left of that attempt's deadline (``attempt_deadline``).
- **Failures.** An unknown host and a TLS failure are not worth retrying; a refused connection is
  worth a few quick retries only.
"""

from __future__ import annotations

import socket
import ssl
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Final, Literal

import httpcore

from fabric_git._httpx import httpx

__all__ = [
    "NetworkFailure",
    "attempt_deadline",
    "classify_network_error",
    "environment_proxy",
    "is_loopback",
    "network_transport",
]

# The end of the running attempt, in ``time.monotonic()`` seconds (per thread of execution).
_ATTEMPT_DEADLINE: ContextVar[float | None] = ContextVar(
    "fabric_git_attempt_deadline", default=None
)

NetworkFailure = Literal["unknown-host", "tls", "refused", "other"]


def is_loopback(host: str) -> bool:
    """``localhost``, ``*.localhost`` or a loopback IP address."""
    import ipaddress

    name = host.lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def environment_proxy(base: httpx.URL, environ: Mapping[str, str] | None = None) -> str | None:
    """The proxy the environment names for ``base``, when one may be used: https only, never for
    a loopback host, never for a host ``NO_PROXY`` exempts."""
    if base.scheme != "https" or is_loopback(base.host):
        return None
    if environ is None:
        proxies = urllib.request.getproxies()
        bypass = bool(urllib.request.proxy_bypass(base.host))
    else:
        proxies = {
            key.lower().removesuffix("_proxy"): value
            for key, value in environ.items()
            if key.lower().endswith("_proxy") and value
        }
        bypass = bool(
            urllib.request.proxy_bypass_environment(base.host, proxies)  # type: ignore[attr-defined]
        )
    proxy = proxies.get("https") or proxies.get("all")
    if not proxy or bypass:
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


@contextmanager
def attempt_deadline(seconds: float | None) -> Iterator[None]:
    """Bound every network operation inside the block to ``seconds`` from now in total."""
    token = _ATTEMPT_DEADLINE.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _ATTEMPT_DEADLINE.reset(token)


def _bounded(timeout: float | None, expired: type[Exception]) -> float | None:
    """``timeout`` shortened to what is left of the attempt; ``expired`` when nothing is left."""
    deadline = _ATTEMPT_DEADLINE.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise expired("the attempt ran out of time")
    return remaining if timeout is None else min(timeout, remaining)


class _BoundedStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _BoundedStream(self._stream.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _BoundedBackend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _BoundedStream(
            self._backend.connect_tcp(host, port, bounded, local_address, socket_options)
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        return _BoundedStream(self._backend.connect_unix_socket(path, bounded, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def network_transport(base: httpx.URL, verify: ssl.SSLContext | bool) -> httpx.HTTPTransport:
    """The httpx transport for the real network: the proxy rule above, and every connection's
    operations bounded by the running attempt's deadline."""
    transport = httpx.HTTPTransport(verify=verify, proxy=environment_proxy(base))
    # httpx takes no network backend, so the pool it built gets ours in front of its own. The
    # attribute is httpcore's (``ConnectionPool`` and its proxy subclasses), pinned with httpx;
    # should it ever move, attempts are bounded by httpx's per-operation timeouts alone.
    pool: Any = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, httpcore.NetworkBackend):
        pool._network_backend = _BoundedBackend(backend)
    return transport


_NAME_TEMPORARILY_UNRESOLVED: Final = getattr(socket, "EAI_AGAIN", -3)


def classify_network_error(error: BaseException) -> NetworkFailure:
    """What a connection failure means, from the exceptions chained under httpx's."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError):
            return "tls"
        if isinstance(current, socket.gaierror):
            return "other" if current.errno == _NAME_TEMPORARILY_UNRESOLVED else "unknown-host"
        if isinstance(current, ConnectionRefusedError):
            return "refused"
        current = current.__cause__ or current.__context__
    text = str(error).lower()
    if "certificate verify failed" in text or "ssl:" in text:
        return "tls"
    if "name or service not known" in text or "nodename nor servname" in text:
        return "unknown-host"
    if "connection refused" in text:
        return "refused"
    return "other"
