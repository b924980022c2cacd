"""``fabric-git`` against a service that is not there or misbehaves (a real server on 127.0.0.1
that refuses, stalls, trickles, pages forever, reports an undefined status or serves an untrusted
certificate), a proxy that must not see the token, and a workspace busy with another job.

The process timeouts only guard against a hang: every command must end by itself, well before."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from e2e.conftest import NEUTRAL_ENV, NOTEBOOK, Fg, ManualClock
from misbehaving import MisbehavingServer, refused_port

pytestmark = pytest.mark.server

FABRIC_GIT = str(Path(sys.executable).parent / "fabric-git")
GUARD = 60  # seconds: a hang, not a measurement
OP = str(uuid.uuid4())
PROXY_VARS = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")


def _run(api_url: str, *args: str, env: dict[str, str] | None = None) -> Any:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in NEUTRAL_ENV and k not in PROXY_VARS and not k.startswith("FABRIC_")
    }
    return subprocess.run(
        [FABRIC_GIT, *args],
        env={**base, "FABRIC_API_URL": api_url, "FABRIC_TOKEN": "resilience-token", **(env or {})},
        capture_output=True,
        text=True,
        timeout=GUARD,
        check=False,
    )


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


# --- an API that is not there ------------------------------------------------------------------


def test_an_unreachable_api_fails_fast_naming_the_url_and_shows_its_retries() -> None:
    url = f"http://127.0.0.1:{refused_port()}/v1"
    result = _run(url, "--retries", "1", "workspaces", "list")
    assert result.returncode == 1
    [error] = _error_lines(result.stderr)
    assert f"GET {url}/workspaces failed: ConnectError" in error
    retries = [line for line in result.stderr.splitlines() if "retrying in" in line]
    assert len(retries) == 1 and retries[0].endswith(", 2/2")
    assert "resilience-token" not in result.stderr + result.stdout


def test_an_untrusted_certificate_is_one_attempt_and_one_line(tmp_path: Path) -> None:
    with MisbehavingServer("tls", cert_dir=tmp_path) as server:
        result = _run(server.url, "workspaces", "list")
        assert server.connections == 1
    assert result.returncode == 1
    [error] = _error_lines(result.stderr)
    assert "TLS verification failed" in error and server.url in error
    assert "retrying" not in result.stderr


# --- a server that stalls, trickles or never ends -----------------------------------------------


def test_a_stalled_server_is_cut_off_by_the_request_timeout() -> None:
    with MisbehavingServer("stall") as server:
        result = _run(server.url, "--request-timeout", "0.5", "--retries", "0", "status", "-w", OP)
    assert result.returncode == 1
    [error] = _error_lines(result.stderr)
    assert "ReadTimeout" in error and f"{server.url}/workspaces/{OP}" in error


def test_the_deadline_ends_a_command_held_by_a_trickling_server() -> None:
    with MisbehavingServer("trickle") as server:
        result = _run(server.url, "--deadline", "1", "workspaces", "list")
        assert len(server.requests) == 1
    assert result.returncode == 1
    [error] = _error_lines(result.stderr)
    assert error.startswith("error: DeadlineExceeded: GET ") and "--deadline" in error


def test_endless_continuation_tokens_end_at_the_page_cap() -> None:
    with MisbehavingServer("pages") as server:
        result = _run(server.url, "workspaces", "list")
        pages = len(server.requests)
    assert result.returncode == 1
    assert "after 1000 pages" in result.stderr and pages == 1000


def test_an_operation_in_an_undefined_status_ends_with_a_clear_error() -> None:
    with MisbehavingServer("status:Paused") as server:
        result = _run(server.url, "operation", "wait", OP)
    assert result.returncode == 1
    [error] = _error_lines(result.stderr)
    assert "UnknownOperationStatus" in error and "'Paused'" in error
    assert f"fabric-git operation show {OP}" in error


# --- proxies -----------------------------------------------------------------------------------


def test_a_proxy_from_the_environment_never_sees_a_loopback_api_or_its_token() -> None:
    with MisbehavingServer("proxy") as proxy, MisbehavingServer("status:Running") as api:
        proxies = {name: f"http://127.0.0.1:{proxy.port}" for name in PROXY_VARS}
        result = _run(api.url, "--output", "json", "operation", "show", OP, env=proxies)
        assert proxy.requests == []
        assert api.requests == [(f"GET /v1/operations/{OP} HTTP/1.1", True)]
    assert result.returncode == 0, result.stderr
    assert '"status": "Running"' in result.stdout


# --- a workspace busy with another job ---------------------------------------------------------


# Tests here move the emulator's clock themselves (the ``clock`` fixture).
MANUAL_CLOCK = True


def _finishing_the_other_job(fg: Fg, clock: ManualClock) -> dict[str, Any]:
    """A client factory whose client, the first time the service says the workspace is busy,
    lets the other job's operation reach its end (on the emulator's clock)."""
    from fabric_git._httpx import httpx
    from fabric_git.client import FabricClient
    from fabric_git.lro import PollPolicy

    sandbox = fg.sandbox

    class OtherJobEnds(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = super().handle_request(request)
            if response.status_code == 400:
                response.read()
                if b"WorkspacePreviousOperationInProgress" in response.content:
                    clock.advance(7200)
            return response

    def factory(options: Any) -> FabricClient:
        poll = PollPolicy(
            default_interval=sandbox.poll_interval,
            min_interval=sandbox.poll_interval,
            timeout=options.timeout,
        )
        return FabricClient(
            base_url=sandbox.url, credential=sandbox.token, poll=poll, transport=OtherJobEnds()
        )

    return {"client_factory": factory}


def test_a_second_job_on_a_busy_workspace_waits_for_the_first(fg: Fg, clock: ManualClock) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    for name in ("Load", "Clean"):
        fg.sandbox.update_item(
            scenario.workspace_id, scenario.items[name], {"notebook-content.py": NOTEBOOK + "#2\n"}
        )
    fg.sandbox.settings(lroDuration=3600)  # the first job's commit runs until the clock moves
    first = fg.sandbox.http().post(
        f"/v1/workspaces/{scenario.workspace_id}/git/commitToGit",
        json={"mode": "Selective", "items": [{"objectId": scenario.items["Load"]}]},
    )
    assert first.status_code == 202
    fg.sandbox.settings(lroDuration=0.01)

    second = fg("commit", "-w", scenario.workspace, obj=_finishing_the_other_job(fg, clock))
    assert "WorkspacePreviousOperationInProgress; retrying in" in second.stderr
    status = fg.json("status", "-w", scenario.workspace)
    assert status["inSync"] is True
    operation = fg.json("operation", "show", first.headers["x-ms-operation-id"])
    assert operation["status"] == "Succeeded"
