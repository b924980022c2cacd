"""A process killed at an exact point of a commit or an update, then restarted on its data.

The emulator's test hook (``FABRIC_GIT_EMULATOR_CRASH_AT``, ``emulator/crashpoints.py``) makes
the ``serve`` process SIGKILL itself at a named point, so each test lands its crash inside one
window deterministically: after the commit's intent row but before the branch ref moves, while
a large commit's pack is written under its temporary name, after the ref moved but before
SQLite records it, and inside an update's transaction after the items
are written but before the head moves. After a restart on the same data directory, start-up
reconciliation must leave the branch, the workspace head, the items and Git consistent.

In ``async`` mode the work runs beside the request that started it; its crash points wait until
the 202 has been sent (``crashpoints.held``), so the client always holds the operation id it
then reads after the restart.
"""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path
from typing import Any

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
from fabric_git.emulator import crashpoints
from fabric_git.emulator.gitrepo.repos import PACKED_COMMIT

pytestmark = [pytest.mark.server]

ITEMS = 6
ITEM_BYTES = 400
PACKED_ITEMS = PACKED_COMMIT // 2 + 1


def _serve_with_crash(data: Path, point: str) -> Served:
    return serve(data, "--lro-mode", "sync", env={crashpoints.CRASH_AT_ENV: point})


def _dies(served: Served, client: httpx.Client, method: str, path: str, body: Any) -> None:
    """The request reaches the crash point: no answer, and the process dies of SIGKILL."""
    with pytest.raises(httpx.TransportError):
        client.request(method, path, json=body)
    assert served.process.wait(timeout=60) == -signal.SIGKILL


def _fsck_and_tip(data: Path) -> str:
    repo = repository_dir(data)
    fsck = git("fsck", "--full", "--strict", cwd=repo)
    assert fsck.returncode == 0, fsck.stderr + fsck.stdout
    assert not list((repo / "refs").rglob("*.lock"))
    tip = git("rev-parse", "refs/heads/main", cwd=repo)
    assert tip.returncode == 0, tip.stderr
    return tip.stdout.strip()


def _pending_intents(data: Path) -> int:
    with sqlite3.connect(data / "emulator.db") as db:
        return int(db.execute("SELECT COUNT(*) FROM git_intents").fetchone()[0])


def _head(client: httpx.Client, ws: str) -> str | None:
    details = ok(client.get(f"/workspaces/{ws}/git/connection"))["gitSyncDetails"]
    return None if details is None else details.get("head")  # null while never synced


def _committed_workspace(data: Path, point: str, items: int = ITEMS) -> tuple[str, str, str | None]:
    """A connected, initialized workspace of ``items`` items whose Commit All dies at
    ``point``; returns the workspace id, the branch tip and the workspace head before it."""
    served = _serve_with_crash(data, point)
    with served.client() as client:
        ws = populate(client, served.info["capacity_id"], items, ITEM_BYTES)
        connect(served, client, ws)
        finish(client, client.post(f"/workspaces/{ws}/git/initializeConnection", json={}))
        head_before = _head(client, ws)
        tip_before = _fsck_and_tip(data)
        _dies(served, client, "POST", f"/workspaces/{ws}/git/commitToGit", {"mode": "All"})
    return ws, tip_before, head_before


def test_kill_after_the_ref_moved_finishes_the_commit(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ws, tip_before, head_before = _committed_workspace(data, crashpoints.COMMIT_AFTER_REF_UPDATE)
    tip_after = _fsck_and_tip(data)
    assert tip_after != tip_before  # the ref moved before the kill ...
    assert _pending_intents(data) == 1  # ... and SQLite had not recorded it

    restarted = serve(data, "--lro-mode", "sync")
    try:
        with restarted.client() as client:
            # Reconciliation finished the commit: the workspace head is the branch tip.
            assert _head(client, ws) == tip_after != head_before
            status = finish(client, client.get(f"/workspaces/{ws}/git/status"))
            assert status["workspaceHead"] == status["remoteCommitHash"] == tip_after
            assert status["changes"] == []
            assert len(list_items(client, ws)) == ITEMS
    finally:
        restarted.stop()
    assert _pending_intents(data) == 0
    assert _fsck_and_tip(data) == tip_after


def test_kill_before_the_ref_moved_drops_the_commit(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ws, tip_before, head_before = _committed_workspace(data, crashpoints.COMMIT_BEFORE_REF_UPDATE)
    assert _fsck_and_tip(data) == tip_before
    assert _pending_intents(data) == 1

    restarted = serve(data, "--lro-mode", "sync")
    try:
        with restarted.client() as client:
            assert _head(client, ws) == head_before
            status = finish(client, client.get(f"/workspaces/{ws}/git/status"))
            assert status["remoteCommitHash"] == tip_before
            assert sorted(c["workspaceChange"] for c in status["changes"]) == ["Added"] * ITEMS
            # Nothing is left stuck: the same commit now goes through.
            finish(client, client.post(f"/workspaces/{ws}/git/commitToGit", json={"mode": "All"}))
            committed = finish(client, client.get(f"/workspaces/{ws}/git/status"))
            assert committed["changes"] == []
            tip_after = committed["remoteCommitHash"]
            assert tip_after != tip_before and _head(client, ws) == tip_after
    finally:
        restarted.stop()
    assert _pending_intents(data) == 0
    assert _fsck_and_tip(data) == tip_after


def _unfinished_packs(data: Path) -> list[str]:
    return sorted(path.name for path in (repository_dir(data) / "objects" / "pack").glob("tmp_*"))


def _garbage(data: Path) -> int:
    """Files in the object store Git neither uses nor recognises (``git count-objects``)."""
    counted = git("count-objects", "-v", cwd=repository_dir(data))
    assert counted.returncode == 0, counted.stderr
    return int(
        next(line for line in counted.stdout.splitlines() if line.startswith("garbage:"))[8:]
    )


def test_kill_inside_the_pack_write_leaves_no_temporary_pack(tmp_path: Path) -> None:
    data = tmp_path / "data"
    # Two files an item: a commit of PACKED_ITEMS items writes its objects as one pack.
    ws, tip_before, head_before = _committed_workspace(
        data, crashpoints.COMMIT_INSIDE_PACK_WRITE, PACKED_ITEMS
    )
    assert _fsck_and_tip(data) == tip_before
    assert [name.rsplit(".", 1)[1] for name in _unfinished_packs(data)] == ["pack"]
    assert _garbage(data) == 1  # a pack without an index, which Git never reads

    restarted = serve(data, "--lro-mode", "sync")
    try:
        # Start-up removed the temporary pack, and nothing Git uses.
        assert _unfinished_packs(data) == [] and _garbage(data) == 0
        assert _fsck_and_tip(data) == tip_before
        with restarted.client() as client:
            assert _head(client, ws) == head_before
            # The same commit now goes through, as a pack again.
            finish(client, client.post(f"/workspaces/{ws}/git/commitToGit", json={"mode": "All"}))
            committed = finish(client, client.get(f"/workspaces/{ws}/git/status"))
            assert committed["changes"] == []
            tip_after = committed["remoteCommitHash"]
            assert tip_after != tip_before and _head(client, ws) == tip_after
    finally:
        restarted.stop()
    assert _pending_intents(data) == 0
    assert _fsck_and_tip(data) == tip_after
    assert _unfinished_packs(data) == [] and _garbage(data) == 0


def _target_of(client: httpx.Client, source: str, capacity: str) -> tuple[str, dict[str, Any]]:
    """A new workspace connected to ``source``'s branch and directory with its credentials, and
    what initializing it answered (an update from Git still to do)."""
    target = ok(client.post("/workspaces", json={"displayName": "Target", "capacityId": capacity}))[
        "id"
    ]
    credentials = ok(client.get(f"/workspaces/{source}/git/myGitCredentials"))
    details = ok(client.get(f"/workspaces/{source}/git/connection"))["gitProviderDetails"]
    ok(
        client.post(
            f"/workspaces/{target}/git/connect",
            json={"gitProviderDetails": details, "myGitCredentials": credentials},
        )
    )
    init = finish(client, client.post(f"/workspaces/{target}/git/initializeConnection", json={}))
    return str(target), init


def test_kill_inside_the_update_transaction_leaves_the_workspace_as_it_was(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    served = _serve_with_crash(data, crashpoints.UPDATE_BEFORE_HEAD)
    with served.client() as client:
        capacity = served.info["capacity_id"]
        source = populate(client, capacity, ITEMS, ITEM_BYTES)
        connect(served, client, source)
        finish(client, client.post(f"/workspaces/{source}/git/initializeConnection", json={}))
        finish(client, client.post(f"/workspaces/{source}/git/commitToGit", json={"mode": "All"}))
        target, init = _target_of(client, source, capacity)
        assert init["requiredAction"] == "UpdateFromGit"
        tip = str(init["remoteCommitHash"])
        body = {"remoteCommitHash": tip}
        _dies(served, client, "POST", f"/workspaces/{target}/git/updateFromGit", body)
    assert _fsck_and_tip(data) == tip

    restarted = serve(data, "--lro-mode", "sync")
    try:
        with restarted.client() as client:
            # The transaction never committed: no item, no head, every Git item still to come.
            assert list_items(client, target) == []
            assert not _head(client, target)
            status = finish(client, client.get(f"/workspaces/{target}/git/status"))
            assert status["workspaceHead"] == "" and status["remoteCommitHash"] == tip
            assert sorted(c["remoteChange"] for c in status["changes"]) == ["Added"] * ITEMS
            # The update then applies whole.
            finish(client, client.post(f"/workspaces/{target}/git/updateFromGit", json=body))
            assert len(list_items(client, target)) == ITEMS
            after = finish(client, client.get(f"/workspaces/{target}/git/status"))
            assert after["changes"] == [] and after["workspaceHead"] == tip
    finally:
        restarted.stop()
    assert _fsck_and_tip(data) == tip


def test_the_hook_is_inert_unless_it_names_the_point(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(crashpoints.CRASH_AT_ENV, raising=False)
    for point in crashpoints.POINTS:
        crashpoints.crash_point(point)  # returns: this process is still here
    monkeypatch.setenv(crashpoints.CRASH_AT_ENV, crashpoints.UPDATE_BEFORE_HEAD)
    crashpoints.crash_point(crashpoints.COMMIT_AFTER_REF_UPDATE)
    crashpoints.crash_point("no-such-point")


class _Held(Exception):
    """Raised by a hold's wait, so that the armed point never reaches its kill."""


def test_an_armed_point_inside_a_hold_waits_before_it_kills() -> None:
    """Asynchronous work runs held until its 202 is sent: the armed point calls the wait first
    (here the wait raises, so this process survives to tell)."""
    waited: list[str] = []

    def wait() -> None:
        waited.append("waited")
        raise _Held

    point = crashpoints.OPERATION_AFTER_WORK
    with crashpoints.held(wait):
        crashpoints.crash_point(crashpoints.UPDATE_BEFORE_HEAD, point)  # not armed: no wait
        assert waited == []
        with pytest.raises(_Held):
            crashpoints.crash_point(point, point)
    assert waited == ["waited"]
    crashpoints.crash_point(point, None)  # outside the hold, unarmed: returns


def _operation(client: httpx.Client, operation_id: str) -> dict[str, Any]:
    state: dict[str, Any] = ok(client.get(f"/operations/{operation_id}"))
    return state


def test_a_commit_finished_by_recovery_reports_succeeded(tmp_path: Path) -> None:
    data = tmp_path / "data"
    served = serve(data, "--lro-mode", "sync")
    with served.client() as client:
        ws = populate(client, served.info["capacity_id"], ITEMS, ITEM_BYTES)
        connect(served, client, ws)
        finish(client, client.post(f"/workspaces/{ws}/git/initializeConnection", json={}))
    served.stop()
    crashing = serve(
        data,
        "--lro-mode",
        "async",
        "--lro-duration",
        "0",
        env={crashpoints.CRASH_AT_ENV: crashpoints.COMMIT_AFTER_REF_UPDATE},
    )
    with crashing.client() as client:
        started = client.post(f"/workspaces/{ws}/git/commitToGit", json={"mode": "All"})
        assert started.status_code == 202, started.text
        operation_id = started.headers["x-ms-operation-id"]
    assert crashing.process.wait(timeout=60) == -signal.SIGKILL
    tip_after = _fsck_and_tip(data)

    restarted = serve(data, "--lro-mode", "sync")
    try:
        with restarted.client() as client:
            state = _operation(client, operation_id)
            assert state["status"] == "Succeeded", state  # applied, not Failed
            assert _head(client, ws) == tip_after
    finally:
        restarted.stop()


def test_work_applied_before_its_operation_row_reports_succeeded(tmp_path: Path) -> None:
    data = tmp_path / "data"
    served = serve(data, "--lro-mode", "sync")
    with served.client() as client:
        ws = populate(client, served.info["capacity_id"], ITEMS, ITEM_BYTES)
        connect(served, client, ws)
        finish(client, client.post(f"/workspaces/{ws}/git/initializeConnection", json={}))
        finish(client, client.post(f"/workspaces/{ws}/git/commitToGit", json={"mode": "All"}))
        target, init = _target_of(client, ws, served.info["capacity_id"])
    served.stop()
    crashing = serve(
        data,
        "--lro-mode",
        "async",
        "--lro-duration",
        "0",
        env={crashpoints.CRASH_AT_ENV: crashpoints.OPERATION_AFTER_WORK},
    )
    with crashing.client() as client:
        body = {"remoteCommitHash": init["remoteCommitHash"]}
        started = client.post(f"/workspaces/{target}/git/updateFromGit", json=body)
        assert started.status_code == 202, started.text
        operation_id = started.headers["x-ms-operation-id"]
    assert crashing.process.wait(timeout=60) == -signal.SIGKILL

    restarted = serve(data, "--lro-mode", "sync")
    try:
        with restarted.client() as client:
            assert _operation(client, operation_id)["status"] == "Succeeded"
            assert len(list_items(client, target)) == ITEMS
    finally:
        restarted.stop()
