"""How Git operations share a workspace: status reads run side by side, while commit, update
and initialize run alone and refuse (or are refused by) a status in progress.

The emulator runs in async mode on a clock that moves only when a test advances it, so an
operation stays in progress, deterministically, until the test lets its duration pass.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from emulator.core.core_support import FakeClock
from emulator.git.git_support import Env, error_code, item_files
from fabric_git.emulator import Emulator, EmulatorConfig

DURATION = 5.0
SETTINGS = "http://localhost/_emulator/settings"
BUSY = "WorkspacePreviousOperationInProgress"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def env(clock: FakeClock) -> Iterator[Env]:
    config = EmulatorConfig(clock=clock, lro_mode="sync", lro_duration=DURATION, retry_after=1)
    with Emulator(config) as emu, emu.client() as client:
        yield Env(emu, client)


def _go_async(env: Env) -> None:
    """Set-up runs in sync mode; the behaviour under test in async mode."""
    response = env.client.put(SETTINGS, json={"lroMode": "async"})
    assert response.status_code == 200, response.text


def _start(env: Env, method: str, path: str, body: dict[str, object] | None = None) -> str:
    response = env.client.request(method, path, json=body)
    assert response.status_code == 202, response.text
    return str(response.headers["x-ms-operation-id"])


def _outcome(env: Env, op_id: str) -> dict[str, object]:
    return dict(env.client.get(f"/operations/{op_id}").json())


def _finish(env: Env, clock: FakeClock) -> None:
    assert env.emu.wait_for_operations()
    clock.advance(DURATION)


def _connected_workspace(env: Env) -> str:
    env.repo()
    ws = env.workspace()
    env.item(ws, "nb")
    env.connected(ws)
    return ws


def test_status_reads_run_side_by_side(env: Env, clock: FakeClock) -> None:
    ws = _connected_workspace(env)
    _go_async(env)
    status = f"/workspaces/{ws}/git/status"
    first = _start(env, "GET", status)
    second = _start(env, "GET", status)
    assert env.emu.wait_for_operations()
    # Both still report Running (their duration has not passed): a third read joins them.
    assert _outcome(env, first)["status"] in ("NotStarted", "Running")
    third = _start(env, "GET", status)
    assert env.emu.wait_for_operations()  # the third's work is done too, on its worker thread
    clock.advance(DURATION)
    results = []
    for op_id in (first, second, third):
        assert _outcome(env, op_id)["status"] == "Succeeded"
        results.append(env.client.get(f"/operations/{op_id}/result").json())
    assert results[0] == results[1] == results[2]
    assert [c["workspaceChange"] for c in results[0]["changes"]] == ["Added"]


def test_commit_and_update_wait_for_running_status_reads(env: Env, clock: FakeClock) -> None:
    ws = _connected_workspace(env)
    _go_async(env)
    status = _start(env, "GET", f"/workspaces/{ws}/git/status")
    assert env.emu.wait_for_operations()
    commit = env.commit(ws)
    assert commit.status_code == 400 and error_code(commit) == BUSY
    update = env.client.post(
        f"/workspaces/{ws}/git/updateFromGit", json={"remoteCommitHash": env.tip()}
    )
    assert update.status_code == 400 and error_code(update) == BUSY
    clock.advance(DURATION)
    assert _outcome(env, status)["status"] == "Succeeded"
    assert env.commit(ws).status_code == 202


def test_status_is_refused_while_an_update_runs(env: Env, clock: FakeClock) -> None:
    ws = _connected_workspace(env)
    assert env.commit(ws).status_code == 200
    env.push(item_files("other.Notebook", "33333333-3333-3333-3333-333333333333", "other", b"#\n"))
    _go_async(env)
    update = _start(
        env, "POST", f"/workspaces/{ws}/git/updateFromGit", {"remoteCommitHash": env.tip()}
    )
    assert env.emu.wait_for_operations()
    refused = env.client.get(f"/workspaces/{ws}/git/status")
    assert refused.status_code == 400
    assert error_code(refused) == BUSY
    assert refused.json()["isRetriable"] is True
    clock.advance(DURATION)
    assert _outcome(env, update)["status"] == "Succeeded"
    after = _start(env, "GET", f"/workspaces/{ws}/git/status")
    _finish(env, clock)
    assert env.client.get(f"/operations/{after}/result").json()["changes"] == []


@pytest.mark.parametrize("writer", ["commit", "initialize"])
def test_status_is_refused_while_a_commit_or_initialize_runs(
    env: Env, clock: FakeClock, writer: str
) -> None:
    env.repo()
    ws = env.workspace()
    env.item(ws, "nb")
    assert env.connect(ws).status_code == 200
    if writer == "commit":
        assert env.initialize(ws).status_code == 200
        _go_async(env)
        started = env.commit(ws)
    else:
        _go_async(env)
        started = env.initialize(ws)
    assert started.status_code == 202, started.text
    assert env.emu.wait_for_operations()  # the work is done; the operation still runs
    refused = env.client.get(f"/workspaces/{ws}/git/status")
    assert error_code(refused) == BUSY
    clock.advance(DURATION)
    assert _start(env, "GET", f"/workspaces/{ws}/git/status")


def test_other_workspaces_are_not_held(env: Env, clock: FakeClock) -> None:
    ws = _connected_workspace(env)
    other = env.workspace("other")
    env.item(other, "nb2")
    env.connected(other)
    _go_async(env)
    _start(env, "POST", f"/workspaces/{ws}/git/commitToGit", {"mode": "All"})
    response: httpx.Response = env.client.get(f"/workspaces/{other}/git/status")
    assert response.status_code == 202, response.text


def test_concurrent_status_requests_in_sync_mode_all_answer(env: Env) -> None:
    ws = _connected_workspace(env)
    for index in range(20):
        env.item(ws, f"more {index}")
    barrier = threading.Barrier(4)
    answers: list[httpx.Response] = []

    def read() -> None:
        with env.emu.client() as own:
            barrier.wait()
            answers.append(own.get(f"/workspaces/{ws}/git/status"))

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=60)
    assert [r.status_code for r in answers] == [200] * 4, [r.text for r in answers]
    bodies = [r.json() for r in answers]
    assert all(body == bodies[0] for body in bodies)
    assert len(bodies[0]["changes"]) == 21
