"""The socket server's guards, with real sockets on 127.0.0.1 (few, and each wait bounded by a
socket timeout): a request head or body that stalls is cut off, connections beyond the cap
are closed at once, an unauthenticated request is answered before its body is read, and
``git http-backend`` processes are capped, started only after the PAT check."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from fabric_git.emulator import EmulatorConfig, EmulatorServer
from fabric_git.emulator.gitrepo.repos import RepoKey

pytestmark = pytest.mark.server

WAIT = 20.0  # bounds every read; the guards under test act in a fraction of it
PAT = "ghp_limitsTestPat0000001"
LIMIT = 1000


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    config = EmulatorConfig(
        port=0,
        in_memory=True,
        header_timeout=0.3,
        body_timeout=0.3,
        max_connections=4,
        git_backends=1,
        max_body_bytes=LIMIT,
    )
    with EmulatorServer(config) as running:
        yield running


def _open(server: EmulatorServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)
    sock.settimeout(WAIT)
    return sock


def _answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (b"" when it sends none)."""
    chunks = []
    try:
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    return b"".join(chunks)


def _until_body(sock: socket.socket) -> bytes:
    """One response with a Content-Length body, read whole (the connection may stay open)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(
        next(
            v
            for k, _, v in (line.partition(b": ") for line in head.split(b"\r\n"))
            if k.lower() == b"content-length"
        )
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def _head(method: str, path: str, *headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_half_sent_head_is_closed(server: EmulatorServer) -> None:
    with _open(server) as sock:
        sock.sendall(b"GET /v1/workspaces HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line
        assert _answer(sock) == b""


def test_a_stalled_body_gets_408(server: EmulatorServer) -> None:
    with _open(server) as sock:
        head = _head(
            "POST",
            "/v1/workspaces",
            f"Authorization: Bearer {server.token}",
            "Content-Type: application/json",
            "Content-Length: 100",
        )
        sock.sendall(head + b'{"displayName"')
        answer = _until_body(sock)
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b'"errorCode":"RequestTimeout"' in answer


def test_a_body_over_the_limit_by_its_length_gets_413_before_it_is_sent(
    server: EmulatorServer,
) -> None:
    with _open(server) as sock:
        head = _head(
            "POST",
            "/v1/workspaces",
            f"Authorization: Bearer {server.token}",
            "Content-Type: application/json",
            f"Content-Length: {200 * 1024 * 1024}",
        )
        sock.sendall(head)  # none of the 200 MB follows: the answer does not wait for it
        answer = _until_body(sock)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"errorCode":"RequestBodyTooLarge"' in answer
    assert b"x-ms-public-api-error-code: RequestBodyTooLarge" in answer


def test_a_chunked_body_is_cut_off_once_over_the_limit(server: EmulatorServer) -> None:
    with _open(server) as sock:
        head = _head(
            "POST",
            "/v1/workspaces",
            f"Authorization: Bearer {server.token}",
            "Content-Type: application/json",
            "Transfer-Encoding: chunked",
        )
        chunk = b'{"displayName": "' + b"x" * (LIMIT + 10)
        # Over the limit in one chunk, with no final chunk: the 413 does not wait for the rest.
        sock.sendall(head + f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        answer = _until_body(sock)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"errorCode":"RequestBodyTooLarge"' in answer
    with _open(server) as sock:  # a body within the limit, chunked, is served
        body = b'{"displayName": "small"}'
        sock.sendall(
            _head(
                "POST",
                "/v1/workspaces",
                f"Authorization: Bearer {server.token}",
                "Content-Type: application/json",
                "Transfer-Encoding: chunked",
            )
            + f"{len(body):x}\r\n".encode()
            + body
            + b"\r\n0\r\n\r\n"
        )
        assert _until_body(sock).startswith(b"HTTP/1.1 201")


def test_an_unauthenticated_request_is_refused_before_its_body(server: EmulatorServer) -> None:
    with _open(server) as sock:
        # A body that never comes: the 401 does not wait for it.
        sock.sendall(_head("POST", "/v1/workspaces", "Content-Length: 1000000"))
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]


def test_connections_beyond_the_cap_are_closed(server: EmulatorServer) -> None:
    idle = [_open(server) for _ in range(4)]
    try:
        with _open(server) as extra:
            extra.sendall(_head("GET", "/v1/workspaces", f"Authorization: Bearer {server.token}"))
            assert _answer(extra) == b""
    finally:
        for sock in idle:
            sock.close()
    with _open(server) as sock:  # the idle ones gone, a request is served again
        sock.sendall(
            _head(
                "GET",
                "/v1/capacities",
                f"Authorization: Bearer {server.token}",
                "Connection: close",
            )
        )
        assert _answer(sock).startswith(b"HTTP/1.1 200")


def test_git_backends_are_capped_and_start_after_the_pat_check() -> None:
    config = EmulatorConfig(port=0, in_memory=True, body_timeout=WAIT, git_backends=1)
    with EmulatorServer(config) as server:
        server.state.repos.create(RepoKey.github("octo", "open"))
        server.state.repos.create(RepoKey.github("octo", "locked"), required_pat=PAT)
        upload = "/git/github/octo/{}.git/git-upload-pack"
        post = ("Content-Type: application/x-git-upload-pack-request", "Content-Length: 1000")
        refs = _head("GET", "/git/github/octo/open.git/info/refs?service=git-upload-pack")
        with _open(server) as slow:
            # A body that stalls: its backend has started (it answers at once) and waits.
            slow.sendall(_head("POST", upload.format("open"), *post) + b"0032want ")
            assert slow.recv(65536).startswith(b"HTTP/1.1 200")
            with _open(server) as second:
                second.sendall(refs)
                assert second.recv(65536).startswith(b"HTTP/1.1 503")
            with _open(server) as unauthenticated:  # refused by the PAT check, not the cap
                unauthenticated.sendall(_head("POST", upload.format("locked"), *post))
                assert unauthenticated.recv(65536).startswith(b"HTTP/1.1 401")
        for _ in range(200):  # the slow client left: its backend ends, and the next is served
            with _open(server) as again:
                again.sendall(refs)
                if not again.recv(65536).startswith(b"HTTP/1.1 503"):
                    break
        else:
            pytest.fail("the backend of a client that left was never released")


@pytest.mark.parametrize("whole", [True, False], ids=["whole", "still-coming"])
def test_oversized_headers_get_431_with_the_error_body(server: EmulatorServer, whole: bool) -> None:
    head = _head(
        "GET",
        "/v1/workspaces",
        f"Authorization: Bearer {server.token}",
        "X-Padding: " + "p" * (120 * 1024),
    )
    with _open(server) as sock:
        # Whole, the app measures it; still coming past the limit, the HTTP parser refuses it.
        sock.sendall(head if whole else head[: 20 * 1024])
        answer = _until_body(sock)
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"x-ms-public-api-error-code: RequestHeaderFieldsTooLarge" in head
    error = json.loads(body)
    assert error["errorCode"] == "RequestHeaderFieldsTooLarge"
    assert error["requestId"]


def test_a_malformed_request_head_gets_the_error_body(server: EmulatorServer) -> None:
    with _open(server) as sock:
        sock.sendall(b"GET /v1/workspaces HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon here\r\n\r\n")
        answer = _until_body(sock)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["errorCode"] == "InvalidRequest"
