"""Nothing is lost and nothing is half-written: restarts, SIGKILL mid-operation, racing commits.

Each test runs the real ``serve`` process on its own data directory and port. A kill lands
right after the operation was accepted (its work then runs on the server) or after its first
poll; the workspace is big enough that the work is still under way at either point.
"""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from durability.durability_support import (
    Served,
    connect,
    finish,
    git,
    list_items,
    ok,
    populate,
    repository_dir,
    serve,
)

pytestmark = [pytest.mark.server, pytest.mark.slow]

ITEMS = 150
ITEM_BYTES = 20_000


def _git_state(served: Served, client: httpx.Client, ws: str) -> dict[str, object]:
    connection = ok(client.get(f"/workspaces/{ws}/git/connection"))
    status = finish(client, client.get(f"/workspaces/{ws}/git/status"))
    return {"connection": connection, "status": status}


def _assert_repository_clean(data_dir: Path) -> str:
    repo = repository_dir(data_dir)
    fsck = git("fsck", "--full", "--strict", cwd=repo)
    assert fsck.returncode == 0, fsck.stderr + fsck.stdout
    tip = git("rev-parse", "refs/heads/main", cwd=repo)
    assert tip.returncode == 0, tip.stderr
    return tip.stdout.strip()


def test_restart_keeps_state(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = serve(data, "--lro-mode", "sync")
    try:
        with first.client() as client:
            ws = populate(client, first.info["capacity_id"], items=3, size=200)
            connect(first, client, ws)
            init = finish(
                client, client.post(f"/workspaces/{ws}/git/initializeConnection", json={})
            )
            assert init["requiredAction"] == "CommitToGit"
            finish(client, client.post(f"/workspaces/{ws}/git/commitToGit", json={"mode": "All"}))
            before = _git_state(first, client, ws)
            items_before = sorted(i["displayName"] for i in list_items(client, ws))
    finally:
        first.stop()

    second = serve(data, "--lro-mode", "sync")
    try:
        with second.client() as client:
            assert second.info["capacity_id"] == first.info["capacity_id"]
            assert sorted(i["displayName"] for i in list_items(client, ws)) == items_before
            after = _git_state(second, client, ws)
            assert after == before
            assert after["status"]["changes"] == []  # type: ignore[index]
    finally:
        second.stop()
    head = before["connection"]["gitSyncDetails"]["head"]  # type: ignore[index]
    assert _assert_repository_clean(data) == head


def _kill_during(tmp_path: Path, operation: str, kill_after_poll: bool) -> None:
    data = tmp_path / "data"
    served = serve(data, "--lro-mode", "async", "--lro-duration", "0", "--retry-after", "0")
    with served.client() as client:
        capacity = served.info["capacity_id"]
        if operation == "commit":
            ws = populate(client, capacity, ITEMS, ITEM_BYTES)
            connect(served, client, ws)
            finish(client, client.post(f"/workspaces/{ws}/git/initializeConnection", json={}))
            tip_before = _assert_repository_clean(data)
            started = client.post(f"/workspaces/{ws}/git/commitToGit", json={"mode": "All"})
        else:
            source = populate(client, capacity, ITEMS, ITEM_BYTES)
            connect(served, client, source)
            finish(client, client.post(f"/workspaces/{source}/git/initializeConnection", json={}))
            finish(
                client, client.post(f"/workspaces/{source}/git/commitToGit", json={"mode": "All"})
            )
            ws = ok(
                client.post("/workspaces", json={"displayName": "Target", "capacityId": capacity})
            )["id"]
            connection = ok(client.get(f"/workspaces/{source}/git/myGitCredentials"))[
                "connectionId"
            ]
            details = ok(client.get(f"/workspaces/{source}/git/connection"))["gitProviderDetails"]
            credentials = {"source": "ConfiguredConnection", "connectionId": connection}
            ok(
                client.post(
                    f"/workspaces/{ws}/git/connect",
                    json={"gitProviderDetails": details, "myGitCredentials": credentials},
                )
            )
            init = finish(
                client, client.post(f"/workspaces/{ws}/git/initializeConnection", json={})
            )
            tip_before = str(init["remoteCommitHash"])
            body = {"remoteCommitHash": tip_before}
            started = client.post(f"/workspaces/{ws}/git/updateFromGit", json=body)
        assert started.status_code == 202, started.text
        if kill_after_poll:
            client.get(started.headers["Location"])
    served.kill()

    tip_after = _assert_repository_clean(data)
    restarted = serve(data, "--lro-mode", "sync")
    try:
        with restarted.client() as client:
            state = _git_state(restarted, client, ws)
            status = state["status"]
            head = state["connection"]["gitSyncDetails"]  # type: ignore[index]
            assert status["remoteCommitHash"] == tip_after  # type: ignore[index]
            items = list_items(client, ws)
            if operation == "commit":
                if tip_after == tip_before:
                    # The commit never reached the branch: every item is still uncommitted.
                    assert len(status["changes"]) == ITEMS  # type: ignore[index]
                else:
                    # It did: the workspace agrees with the branch, nothing left to commit.
                    assert head["head"] == tip_after
                    assert status["changes"] == []  # type: ignore[index]
                assert len(items) == ITEMS
            else:
                # All or nothing: no half-applied update.
                assert len(items) in (0, ITEMS)
                if len(items) == ITEMS:
                    assert status["changes"] == []  # type: ignore[index]
                    assert status["workspaceHead"] == tip_after  # type: ignore[index]
                else:
                    assert all(c.get("remoteChange") == "Added" for c in status["changes"])  # type: ignore[index, union-attr]
    finally:
        restarted.stop()


@pytest.mark.parametrize("kill_after_poll", [False, True], ids=["at-accept", "after-poll"])
def test_sigkill_during_commit_leaves_a_consistent_state(
    tmp_path: Path, kill_after_poll: bool
) -> None:
    _kill_during(tmp_path, "commit", kill_after_poll)


@pytest.mark.parametrize("kill_after_poll", [False, True], ids=["at-accept", "after-poll"])
def test_sigkill_during_update_leaves_a_consistent_state(
    tmp_path: Path, kill_after_poll: bool
) -> None:
    _kill_during(tmp_path, "update", kill_after_poll)


def test_racing_commits_never_both_win(tmp_path: Path) -> None:
    data = tmp_path / "data"
    served = serve(data, "--lro-mode", "sync")
    try:
        with served.client() as client:
            ws = populate(client, served.info["capacity_id"], items=40, size=2000)
            connect(served, client, ws)
            finish(client, client.post(f"/workspaces/{ws}/git/initializeConnection", json={}))
            tip_before = _assert_repository_clean(data)
            barrier = threading.Barrier(2)
            outcomes: list[httpx.Response] = []

            def commit() -> None:
                with served.client() as own:
                    barrier.wait()
                    outcomes.append(
                        own.post(f"/workspaces/{ws}/git/commitToGit", json={"mode": "All"})
                    )

            racers = [threading.Thread(target=commit) for _ in range(2)]
            for racer in racers:
                racer.start()
            for racer in racers:
                racer.join(timeout=120)
            winners = [r for r in outcomes if r.status_code == 200]
            losers = [r for r in outcomes if r.status_code != 200]
            assert len(outcomes) == 2
            assert len(winners) == 1, [r.text for r in outcomes]
            assert losers[0].json()["errorCode"] in (
                "WorkspacePreviousOperationInProgress",
                "WorkspaceHeadMismatch",
                "NoChangesToCommit",
            )
            tip_after = _assert_repository_clean(data)
            log = git("rev-list", f"{tip_before}..{tip_after}", cwd=repository_dir(data))
            assert log.stdout.split() != [] and len(log.stdout.split()) == 1
            status = finish(client, client.get(f"/workspaces/{ws}/git/status"))
            assert status["changes"] == [] and status["workspaceHead"] == tip_after
    finally:
        served.stop()
