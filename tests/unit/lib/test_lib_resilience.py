"""Failing fast and saying why: connection failures, retry notices, a busy workspace, the overall
deadline, endless pages, proxies and TLS. The fake clock proves the waits; a real misbehaving
server on 127.0.0.1 proves that stalls and trickles end."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import httpx
import pytest

from fabric_git import (
    BadRequestError,
    FabricClient,
    OperationTimeoutError,
    RetryPolicy,
    StaticTokenCredential,
    TransportError,
)
from fabric_git._network import environment_proxy
from fabric_git._transport import MAX_PAGES, RetryNotice
from fabric_git.errors import DeadlineExceededError
from misbehaving import MisbehavingServer, refused_port
from unit.lib.lib_support import FakeClock, FakeService, MakeClient, error_body, json_response

WS = "11111111-2222-3333-4444-555555555555"
OP = "431e8d7b-4a95-4c02-8ccd-6faef5ba1bd7"
COMMIT = f"/workspaces/{WS}/git/commitToGit"
OK_LIST = json_response(200, {"value": []})


def _connect_error(cause: BaseException) -> httpx.ConnectError:
    """A ``ConnectError`` chained to the OS error under it, as httpx raises it."""
    try:
        try:
            raise cause
        except BaseException as exc:
            raise httpx.ConnectError(str(exc)) from exc
    except httpx.ConnectError as error:
        return error


def _busy() -> httpx.Response:
    body = error_body("WorkspacePreviousOperationInProgress", isRetriable=True)
    return json_response(400, body)


# --- connection failures: fail fast, say so -----------------------------------------------------


def test_a_refused_connection_is_retried_only_a_few_times_and_each_retry_is_announced(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    notices: list[RetryNotice] = []
    client = make_client(on_retry=notices.append)
    service.on("GET", "/workspaces", _connect_error(ConnectionRefusedError(111, "refused")))
    with pytest.raises(TransportError) as caught:
        client.workspaces.list()
    assert len(service.requests) == 3  # not the six attempts of the general policy
    assert clock.sleeps == [1.0, 2.0]
    assert "https://api.fabric.microsoft.com/v1/workspaces" in str(caught.value)
    assert [(n.attempt, n.max_attempts, n.reason) for n in notices] == [
        (2, 3, "network"),
        (3, 3, "network"),
    ]
    assert str(notices[0]).endswith("retrying in 1 s, 2/3")
    assert "GET https://api.fabric.microsoft.com/v1/workspaces" in str(notices[0])


def test_an_unknown_host_is_not_retried_but_a_temporary_resolution_failure_is(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    client = make_client()
    unknown = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    service.on("GET", "/workspaces", _connect_error(unknown))
    with pytest.raises(TransportError) as caught:
        client.workspaces.list()
    assert len(service.requests) == 1 and clock.sleeps == []
    assert "unknown host 'api.fabric.microsoft.com'" in str(caught.value)

    again = socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    service.on("GET", "/workspaces", _connect_error(again), OK_LIST)
    assert client.workspaces.list() == []
    assert len(service.requests) == 3 and clock.sleeps == [1.0]


def test_a_tls_verification_failure_is_not_retried(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    untrusted = ssl.SSLCertVerificationError(1, "certificate verify failed: self-signed")
    service.on("POST", COMMIT, _connect_error(untrusted))
    with pytest.raises(TransportError) as caught:
        make_client().git.commit_to_git(WS)
    assert len(service.requests) == 1 and clock.sleeps == []
    assert "TLS verification failed" in str(caught.value)


def test_a_real_untrusted_certificate_ends_after_one_handshake(tmp_path: Path) -> None:
    with (
        MisbehavingServer("tls", cert_dir=tmp_path) as server,
        FabricClient(base_url=server.url, credential=StaticTokenCredential("t")) as client,
    ):
        with pytest.raises(TransportError) as caught:
            client.workspaces.list()
        assert server.connections == 1
    assert "TLS verification failed" in str(caught.value) and server.url in str(caught.value)


# --- throttling and a busy workspace -----------------------------------------------------------


def test_throttling_waits_are_announced(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    notices: list[RetryNotice] = []
    throttled = json_response(429, error_body("RequestBlocked"), {"Retry-After": "12"})
    service.on("GET", "/workspaces", throttled, OK_LIST)
    make_client(on_retry=notices.append).workspaces.list()
    assert clock.sleeps == [12.0]
    assert [n.reason for n in notices] == ["throttled"]
    assert "throttled by the service; retrying in 12 s, 2/6" in str(notices[0])


def test_a_busy_workspace_is_waited_for_beyond_max_attempts(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    notices: list[RetryNotice] = []
    client = make_client(retry=RetryPolicy(jitter=0.0, max_attempts=2), on_retry=notices.append)
    service.on("POST", COMMIT, *([_busy()] * 5), httpx.Response(200))
    client.git.commit_to_git(WS)
    assert len(service.calls("POST", COMMIT)) == 6
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert {n.reason for n in notices} == {"busy"} and notices[0].max_attempts is None
    assert "WorkspacePreviousOperationInProgress; retrying in 1 s" in str(notices[0])

    # A refusal the service does not mark retriable is not retried.
    service.on("POST", COMMIT, json_response(400, error_body("WorkspaceHeadMismatch")))
    with pytest.raises(BadRequestError):
        client.git.commit_to_git(WS)
    assert len(service.calls("POST", COMMIT)) == 7


def test_a_busy_workspace_is_waited_for_only_within_the_budget(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    client = make_client(retry=RetryPolicy(jitter=0.0, total_budget=10.0))
    service.on("POST", COMMIT, _busy())
    with pytest.raises(BadRequestError) as caught:
        client.git.commit_to_git(WS)
    assert caught.value.error_code == "WorkspacePreviousOperationInProgress"
    assert clock.sleeps == [1.0, 2.0, 4.0]  # a wait of 8 s more would end after 10 s


# --- the overall deadline ----------------------------------------------------------------------


def test_no_retry_wait_runs_past_the_deadline(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    client = make_client(deadline=10.0)
    service.on("POST", COMMIT, _busy())
    with pytest.raises(BadRequestError):
        client.git.commit_to_git(WS)
    assert sum(clock.sleeps) < 10.0


def test_no_request_starts_after_the_deadline(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    client = make_client(deadline=5.0)
    clock.advance(6.0)
    with pytest.raises(DeadlineExceededError) as caught:
        client.workspaces.list()
    assert service.requests == []
    assert caught.value.code == "DeadlineExceeded" and caught.value.deadline == 5.0


def test_a_wait_ends_at_the_deadline_with_the_operation_id(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    client = make_client(deadline=20.0)
    running = json_response(200, {"status": "Running"}, {"Retry-After": "4"})
    accepted = httpx.Response(202, headers={"x-ms-operation-id": OP, "Retry-After": "4"})
    service.on("POST", COMMIT, accepted)
    service.on("GET", f"/operations/{OP}", running)
    with pytest.raises(OperationTimeoutError) as caught:
        client.git.commit_to_git(WS, timeout=600.0)
    assert caught.value.operation_id == OP
    assert clock.elapsed == pytest.approx(20.0)


def test_each_attempt_gets_only_what_is_left_of_the_budget_and_the_deadline(
    make_client: MakeClient, service: FakeService
) -> None:
    client = make_client(timeout=60.0, retry=RetryPolicy(total_budget=10.0), deadline=9.0)
    unavailable = json_response(503, error_body("ServiceUnavailable"), {"Retry-After": "3"})
    service.on("GET", "/workspaces", unavailable, unavailable, OK_LIST)
    client.workspaces.list()
    read_timeouts = [r.extensions["timeout"]["read"] for r in service.requests]
    # The budget (10 s) and then the deadline (9 s, 3 s gone after each wait) cut the 60 s.
    assert read_timeouts == pytest.approx([9.0, 6.0, 3.0])


def test_the_cli_bounds_each_call_by_its_timeout() -> None:
    from fabric_git.cli.app import GlobalOptions, retry_policy

    options = GlobalOptions(
        api_url=None,
        auth="default",
        output="table",
        timeout=30.0,
        quiet=False,
        verbose=False,
        progress=True,
        retries=3,
    )
    policy = retry_policy(options)
    assert (policy.total_budget, policy.max_attempts, policy.connect_attempts) == (30.0, 4, 3)
    short = retry_policy(GlobalOptions(**{**options.__dict__, "timeout": 0.1, "retries": 0}))
    # A short wait for an operation never starves the requests around it.
    assert (short.total_budget, short.max_attempts, short.connect_attempts) == (5.0, 1, 1)


# --- pages -------------------------------------------------------------------------------------


def test_endless_distinct_continuation_tokens_stop_at_the_page_cap(
    make_client: MakeClient, service: FakeService
) -> None:
    pages = iter(range(10**9))

    def more(request: httpx.Request) -> httpx.Response:
        return json_response(200, {"value": [], "continuationToken": f"t{next(pages)}"})

    service.on("GET", "/workspaces", more)
    with pytest.raises(TransportError, match=f"after {MAX_PAGES} pages"):
        make_client().workspaces.list()
    assert len(service.requests) == MAX_PAGES


# --- a real server that stalls or trickles -----------------------------------------------------


@pytest.mark.server
def test_a_trickling_server_is_cut_off_by_the_request_timeout() -> None:
    # Each byte comes well within httpx's per-read timeout; only a bound on the whole attempt ends
    # this answer.
    with (
        MisbehavingServer("trickle") as server,
        FabricClient(
            base_url=server.url,
            credential=StaticTokenCredential("t"),
            timeout=0.5,
            retry=RetryPolicy.no_retries(),
        ) as client,
    ):
        with pytest.raises(TransportError) as caught:
            client.workspaces.list()
    assert "ReadTimeout" in str(caught.value) and server.url in str(caught.value)


@pytest.mark.server
def test_the_deadline_cuts_a_trickling_answer() -> None:
    with (
        MisbehavingServer("trickle") as server,
        FabricClient(
            base_url=server.url, credential=StaticTokenCredential("t"), deadline=0.5
        ) as client,
    ):
        with pytest.raises(DeadlineExceededError):
            client.workspaces.list()


@pytest.mark.server
def test_a_refused_connection_names_the_url() -> None:
    url = f"http://127.0.0.1:{refused_port()}/v1"
    notices: list[RetryNotice] = []
    retry = RetryPolicy(connect_attempts=2, backoff_base=0.01)
    with FabricClient(
        base_url=url, credential=StaticTokenCredential("t"), retry=retry, on_retry=notices.append
    ) as client:
        with pytest.raises(TransportError) as caught:
            client.workspaces.list()
    assert f"GET {url}/workspaces failed: ConnectError" in str(caught.value)
    assert [n.attempt for n in notices] == [2]


# --- proxies -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("api", "environ", "expected"),
    [
        ("https://api.fabric.microsoft.com/v1/", {"HTTPS_PROXY": "http://p:3128"}, "http://p:3128"),
        ("https://api.fabric.microsoft.com/v1/", {"ALL_PROXY": "p:3128"}, "http://p:3128"),
        ("https://api.fabric.microsoft.com/v1/", {"HTTP_PROXY": "http://p:3128"}, None),
        ("http://127.0.0.1:5000/v1/", {"HTTP_PROXY": "http://p:3128"}, None),
        ("http://localhost:5000/v1/", {"ALL_PROXY": "http://p:3128"}, None),
        ("https://127.0.0.1:5000/v1/", {"HTTPS_PROXY": "http://p:3128"}, None),
        (
            "https://api.fabric.microsoft.com/v1/",
            {"HTTPS_PROXY": "http://p:3128", "NO_PROXY": ".microsoft.com"},
            None,
        ),
    ],
)
def test_a_proxy_is_used_only_for_https_beyond_loopback(
    api: str, environ: dict[str, str], expected: str | None
) -> None:
    assert environment_proxy(httpx.URL(api), environ) == expected


@pytest.mark.server
def test_the_token_never_goes_to_a_proxy_for_a_loopback_api(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with MisbehavingServer("proxy") as proxy, MisbehavingServer("status:Running") as api:
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, f"http://127.0.0.1:{proxy.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        with FabricClient(base_url=api.url, credential=StaticTokenCredential("t")) as client:
            assert client.operations.get_state(OP).status_text == "Running"
    assert proxy.requests == []
    assert api.requests == [(f"GET /v1/operations/{OP} HTTP/1.1", True)]
