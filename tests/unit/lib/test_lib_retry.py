"""Retry rules: what is retried, how long we wait, and when we give up."""

from __future__ import annotations

import httpx
import pytest

from fabric_git import (
    BadRequestError,
    ConfigurationError,
    RetryPolicy,
    ServerError,
    ThrottledError,
    TransportError,
)
from unit.lib.lib_support import FakeClock, FakeService, MakeClient, error_body, json_response

WS = "11111111-2222-3333-4444-555555555555"
COMMIT = f"/workspaces/{WS}/git/commitToGit"
OK_LIST = json_response(200, {"value": []})


def throttled(retry_after: str | None = None, status: int = 429) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return httpx.Response(status, json=error_body("RequestBlocked"), headers=headers)


# --- 429 and 503: any method, Retry-After honoured ----------------------------------------------


@pytest.mark.parametrize("status", [429, 503])
def test_post_retried_after_exactly_retry_after(
    make_client: MakeClient, service: FakeService, clock: FakeClock, status: int
) -> None:
    service.on("POST", COMMIT, throttled("7", status), httpx.Response(200))
    make_client().git.commit_to_git(WS)
    assert len(service.calls("POST", COMMIT)) == 2
    assert clock.sleeps == [7.0]


def test_retry_after_longer_than_backoff_is_never_shortened(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    client = make_client(retry=RetryPolicy(jitter=0.0, backoff_base=1.0, backoff_cap=2.0))
    service.on("GET", "/workspaces", throttled("25"), throttled("25"), OK_LIST)
    client.workspaces.list()
    assert clock.sleeps == [25.0, 25.0]


def test_retry_after_as_http_date(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    # The fake wall clock starts at 2023-11-14 22:13:20 UTC.
    service.on("GET", "/workspaces", throttled("Tue, 14 Nov 2023 22:13:32 GMT"), OK_LIST)
    make_client().workspaces.list()
    assert clock.sleeps == [12.0]


def test_429_without_retry_after_backs_off_exponentially(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    client = make_client(retry=RetryPolicy(jitter=0.0, backoff_base=1.0, backoff_cap=30.0))
    service.on("POST", COMMIT, throttled(), throttled(), throttled(), httpx.Response(200))
    client.git.commit_to_git(WS)
    assert clock.sleeps == [1.0, 2.0, 4.0]


@pytest.mark.parametrize("bad", ["abc", "-5", ""])
def test_unparsable_retry_after_falls_back_to_backoff(
    make_client: MakeClient, service: FakeService, clock: FakeClock, bad: str
) -> None:
    client = make_client(retry=RetryPolicy(jitter=0.0, backoff_base=3.0))
    service.on("GET", "/workspaces", throttled(bad), OK_LIST)
    client.workspaces.list()
    assert clock.sleeps == [3.0]


# --- 5xx: only idempotent methods -------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 504])
def test_get_retried_on_server_errors(
    make_client: MakeClient, service: FakeService, clock: FakeClock, status: int
) -> None:
    service.on("GET", "/workspaces", httpx.Response(status), OK_LIST)
    assert make_client().workspaces.list() == []
    assert len(service.requests) == 2
    assert clock.sleeps == [1.0]


def test_delete_retried_on_server_error(make_client: MakeClient, service: FakeService) -> None:
    service.on("DELETE", "/connections/c1", httpx.Response(500), httpx.Response(200))
    make_client().connections.delete("c1")
    assert len(service.requests) == 2


@pytest.mark.parametrize("status", [500, 502, 504])
def test_post_not_retried_on_server_errors(
    make_client: MakeClient, service: FakeService, clock: FakeClock, status: int
) -> None:
    service.on("POST", COMMIT, httpx.Response(status, json=error_body("Boom")), httpx.Response(200))
    with pytest.raises(ServerError):
        make_client().git.commit_to_git(WS)
    assert len(service.requests) == 1
    assert clock.sleeps == []


def test_patch_not_retried_on_500(make_client: MakeClient, service: FakeService) -> None:
    path = f"/workspaces/{WS}/git/myGitCredentials"
    service.on("PATCH", path, httpx.Response(500), json_response(200, {"source": "Automatic"}))
    with pytest.raises(ServerError):
        make_client().git.update_my_git_credentials(WS, "Automatic")
    assert len(service.requests) == 1


def test_client_errors_are_not_retried(make_client: MakeClient, service: FakeService) -> None:
    service.on("GET", "/workspaces", json_response(400, error_body("InvalidInput")), OK_LIST)
    with pytest.raises(BadRequestError):
        make_client().workspaces.list()
    assert len(service.requests) == 1


# --- connection failures ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow"), httpx.PoolTimeout("")]
)
def test_post_retried_when_the_request_was_never_sent(
    make_client: MakeClient, service: FakeService, clock: FakeClock, failure: Exception
) -> None:
    service.on("POST", COMMIT, failure, httpx.Response(200))
    make_client().git.commit_to_git(WS)
    assert len(service.requests) == 2
    assert clock.sleeps == [1.0]


@pytest.mark.parametrize(
    "failure",
    [httpx.ReadTimeout("slow"), httpx.ReadError("reset"), httpx.RemoteProtocolError("eof")],
)
def test_post_not_retried_when_the_request_may_have_arrived(
    make_client: MakeClient, service: FakeService, failure: Exception
) -> None:
    service.on("POST", COMMIT, failure, httpx.Response(200))
    with pytest.raises(TransportError) as caught:
        make_client().git.commit_to_git(WS)
    assert len(service.requests) == 1
    assert caught.value.method == "POST"
    assert caught.value.url.endswith("/git/commitToGit")


@pytest.mark.parametrize("failure", [httpx.ReadTimeout("slow"), httpx.ReadError("reset")])
def test_get_retried_after_read_failures(
    make_client: MakeClient, service: FakeService, failure: Exception
) -> None:
    service.on("GET", "/workspaces", failure, OK_LIST)
    assert make_client().workspaces.list() == []
    assert len(service.requests) == 2


def test_connect_errors_exhaust_attempts(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=3, jitter=0.0))
    service.on("GET", "/workspaces", httpx.ConnectError("refused"))
    with pytest.raises(TransportError, match="ConnectError"):
        client.workspaces.list()
    assert len(service.requests) == 3
    assert clock.sleeps == [1.0, 2.0]


# --- limits -----------------------------------------------------------------------------------


def test_budget_exhausted_raises_without_sleeping_past_it(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=10, total_budget=20.0, jitter=0.0))
    service.on("GET", "/workspaces", throttled("8"))
    with pytest.raises(ThrottledError) as caught:
        client.workspaces.list()
    # 8 + 8 = 16 fits in 20 s; a third wait would end at 24 s, so we stop at once.
    assert clock.sleeps == [8.0, 8.0]
    assert len(service.requests) == 3
    assert caught.value.retry_after == 8.0


def test_retry_after_beyond_budget_is_not_waited(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    client = make_client(retry=RetryPolicy(total_budget=60.0))
    service.on("GET", "/workspaces", throttled("3600"), OK_LIST)
    with pytest.raises(ThrottledError):
        client.workspaces.list()
    assert clock.sleeps == []


def test_max_attempts_bounds_retries(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    client = make_client(retry=RetryPolicy(max_attempts=4, jitter=0.0, backoff_cap=2.0))
    service.on("GET", "/workspaces", httpx.Response(503))
    with pytest.raises(ServerError):
        client.workspaces.list()
    assert len(service.requests) == 4
    assert clock.sleeps == [1.0, 2.0, 2.0]  # capped at 2 s


def test_no_retries_policy(make_client: MakeClient, service: FakeService) -> None:
    service.on("GET", "/workspaces", httpx.Response(503), OK_LIST)
    with pytest.raises(ServerError):
        make_client(retry=RetryPolicy.no_retries()).workspaces.list()
    assert len(service.requests) == 1


# --- backoff ----------------------------------------------------------------------------------


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_cap=5.0, jitter=0.0)
    assert [policy.backoff(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


@pytest.mark.parametrize("rand", [0.0, 0.25, 0.999])
def test_jitter_stays_within_the_ceiling(rand: float) -> None:
    policy = RetryPolicy(backoff_base=2.0, backoff_cap=30.0, jitter=0.5)
    wait = policy.backoff(3, lambda: rand)
    assert 4.0 <= wait <= 8.0
    assert wait == pytest.approx(8.0 * (1 - 0.5 * rand))


def test_jitter_varies_waits() -> None:
    policy = RetryPolicy(jitter=1.0)
    waits = {round(policy.backoff(4), 9) for _ in range(20)}
    assert len(waits) > 1
    assert all(0.0 <= w <= 8.0 for w in waits)


@pytest.mark.parametrize(
    "kwargs", [{"max_attempts": 0}, {"jitter": 1.5}, {"backoff_base": -1.0}, {"total_budget": -1}]
)
def test_invalid_retry_policy(kwargs: dict[str, float]) -> None:
    with pytest.raises(ConfigurationError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
