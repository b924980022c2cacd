"""A real HTTP server on 127.0.0.1 that misbehaves on cue, for the client's robustness tests.

Each connection is served by a thread; ``behaviour`` decides what a request gets:

- ``stall``: the request is read, and nothing ever comes back.
- ``trickle``: a response whose status line, headers and body arrive one byte at a time, forever.
- ``pages``: every list page says there is more, with a new continuation token each time.
- ``status:NAME``: every ``GET /operations/{id}`` reports status NAME (with ``Retry-After: 0``).
- ``proxy``: a forward proxy that records what it is asked and answers 502.
- ``tls``: a TLS server with a self-signed certificate no client trusts.

``requests`` records every request line with whether it carried an ``Authorization`` header.
``refused_port()`` gives a port where nothing listens.
"""

from __future__ import annotations

import datetime
import json
import socket
import ssl
import threading
from pathlib import Path
from types import TracebackType

__all__ = ["MisbehavingServer", "refused_port"]


def refused_port() -> int:
    """A loopback port that refuses connections (bound once, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class MisbehavingServer:
    def __init__(self, behaviour: str, *, cert_dir: Path | None = None) -> None:
        self.behaviour = behaviour
        self.requests: list[tuple[str, bool]] = []
        self.connections = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self._tls: ssl.SSLContext | None = None
        if behaviour == "tls":
            assert cert_dir is not None, "a TLS server needs a directory for its certificate"
            self._tls = _self_signed_context(cert_dir)
        self._threads: list[threading.Thread] = []
        self._open: list[socket.socket] = []

    @property
    def url(self) -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> MisbehavingServer:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        with self._lock:
            for conn in self._open:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()

    # --- serving ---------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._open.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self._tls is not None:
                conn.settimeout(5)
                try:
                    conn = self._tls.wrap_socket(conn, server_side=True)
                except (ssl.SSLError, OSError):
                    return  # the client refused our certificate: what the test expects
            conn.settimeout(0.2)
            while not self._stop.is_set():
                request = self._read_request(conn)
                if request is None or not self._answer(conn, request):
                    return
        except OSError:
            return  # the client went away
        finally:
            conn.close()

    def _read_request(self, conn: socket.socket) -> str | None:
        data = b""
        while b"\r\n\r\n" not in data:
            if self._stop.is_set():
                return None
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return None
            if not chunk:
                return None
            data += chunk
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        lines = head.split("\r\n")
        authorized = any(line.lower().startswith("authorization:") for line in lines[1:])
        with self._lock:
            self.requests.append((lines[0], authorized))
        return lines[0]

    def _answer(self, conn: socket.socket, request_line: str) -> bool:
        """Answer one request; False closes the connection."""
        behaviour = self.behaviour
        if behaviour == "stall":
            self._stop.wait()
            return False
        if behaviour == "trickle":
            payload = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            payload += b"Content-Length: 100000\r\n\r\n" + b" " * 100000
            for byte in payload:
                if self._stop.wait(0.05):
                    return False
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return False  # the client gave up: what the test expects
            return False
        if behaviour == "proxy":  # a refusal, sent before the client can give up
            _send(conn, 502, {"errorCode": "ProxyRefused", "message": "recorded"})
            return False
        if behaviour == "pages":
            with self._lock:
                page = len(self.requests)
            _send(conn, 200, {"value": [], "continuationToken": f"token-{page}"})
            return True
        if behaviour.startswith("status:"):
            _send(conn, 200, {"status": behaviour.removeprefix("status:")}, retry_after="0")
            return True
        _send(conn, 404, {"errorCode": "NotFound", "message": request_line})
        return True


def _send(
    conn: socket.socket, status: int, body: object, *, retry_after: str | None = None
) -> None:
    data = json.dumps(body).encode()
    head = f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
    head += f"Content-Length: {len(data)}\r\n"
    if retry_after is not None:
        head += f"Retry-After: {retry_after}\r\n"
    conn.sendall(head.encode() + b"\r\n" + data)


def _self_signed_context(directory: Path) -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file = directory / "server.pem"
    key_file = directory / "server.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context
