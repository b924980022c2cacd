"""Faults injected by the emulator: throttling and server errors are survived; a failed
operation and a wait that runs out end with their own exit codes, and a wait resumes."""

from __future__ import annotations

import json

from e2e.conftest import NOTEBOOK, Fg, ManualClock

# Tests here move the emulator's clock themselves (the ``clock`` fixture).
MANUAL_CLOCK = True


def _edit(fg: Fg, scenario: object, name: str = "Load") -> None:
    fg.sandbox.update_item(
        scenario.workspace_id,  # type: ignore[attr-defined]
        scenario.items[name],  # type: ignore[attr-defined]
        {"notebook-content.py": NOTEBOOK + "# edited\n"},
    )


def _all_fired(fg: Fg) -> None:
    """Every injected fault really happened (so the test proves it was survived)."""
    faults = fg.sandbox.admin("GET", "/faults")["value"]
    assert faults and all(f["fired"] == f["times"] for f in faults), faults


def test_throttling_is_survived(fg: Fg) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    fg.sandbox.add_fault(operation="Git_GetStatus", status=429, retryAfter=0, times=2)
    status = fg.json("status", "-w", scenario.workspace)
    assert status["inSync"] is True
    _all_fired(fg)
    fg.sandbox.add_fault(operation="Git_GetConnection", status=429, retryAfter=0, times=1)
    fg.sandbox.add_fault(path="/operations/", status=429, retryAfter=0, times=1)
    again = fg.json("sync", "-w", scenario.workspace)
    assert again["summary"]["noop"] == 1
    _all_fired(fg)


def test_server_errors_are_survived_on_reads_and_on_commit(fg: Fg) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    _edit(fg, scenario)
    fg.sandbox.add_fault(path="/git/status$", status=503, retryAfter=0, times=2)
    fg.sandbox.add_fault(operation="Git_CommitToGit", status=503, retryAfter=0, times=1)
    fg.sandbox.add_fault(path="/operations/", status=500, retryAfter=0, times=1)
    committed = fg.json("commit", "-w", scenario.workspace)
    _all_fired(fg)
    assert [i["displayName"] for i in committed["items"]] == ["Load"]
    assert committed["status"]["inSync"] is True


def test_failed_operation_exits_5_with_the_service_error(fg: Fg) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    _edit(fg, scenario)
    fg.sandbox.add_fault(
        operation="CommitToGit", fail="GitSyncFailed", message="The remote hung up", times=1
    )
    result = fg("commit", "-w", scenario.workspace, expect=5)
    assert "GitSyncFailed" in result.stderr and "The remote hung up" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    status = fg.json("status", "-w", scenario.workspace)
    assert status["summary"]["outgoing"] == 1  # nothing was committed


def test_wait_that_times_out_exits_6_and_resumes(fg: Fg, clock: ManualClock) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    _edit(fg, scenario)
    fg.sandbox.settings(lroDuration=3600)  # on the emulator's clock, which the test moves
    timed_out = fg(
        "--timeout", "0.2", "--output", "json", "status", "-w", scenario.workspace, expect=6
    )
    assert timed_out.stdout == ""
    line = next(s for s in timed_out.stderr.splitlines() if s.startswith("operation id: "))
    operation_id = line.removeprefix("operation id: ").strip()
    assert f"fabric-git operation wait {operation_id}" in timed_out.stderr

    shown = fg.json("operation", "show", operation_id)
    assert shown["status"] in ("NotStarted", "Running")
    still = fg("operation", "wait", operation_id, "--timeout", "0.1", expect=6)  # after it too
    assert operation_id in still.stderr

    clock.advance(7200)  # the operation reaches its end
    waited = fg.json("operation", "wait", operation_id)
    assert waited["status"] == "Succeeded" and waited["percentComplete"] == 100


def test_commit_left_running_is_finished_by_operation_wait(fg: Fg, clock: ManualClock) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    _edit(fg, scenario)
    fg.sandbox.settings(lroDuration=3600)
    response = fg.sandbox.http().post(
        f"/v1/workspaces/{scenario.workspace_id}/git/commitToGit", json={"mode": "All"}
    )
    operation_id = response.headers["x-ms-operation-id"]
    fg("--timeout", "0.1", "operation", "wait", operation_id, expect=6)
    clock.advance(7200)
    assert fg.json("operation", "wait", operation_id)["status"] == "Succeeded"
    fg.sandbox.settings(lroDuration=0.01)
    status = fg.json("status", "-w", scenario.workspace)
    assert status["inSync"] is True


def test_wait_on_a_failed_operation_exits_5(fg: Fg) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    _edit(fg, scenario)
    fg.sandbox.add_fault(operation="CommitToGit", fail="GitSyncFailed", times=1)
    response = fg.sandbox.http().post(
        f"/v1/workspaces/{scenario.workspace_id}/git/commitToGit", json={"mode": "All"}
    )
    assert response.status_code == 202
    operation_id = response.headers["x-ms-operation-id"]
    result = fg("operation", "wait", operation_id, expect=5)
    assert "GitSyncFailed" in result.stderr
    shown = json.loads(fg("--output", "json", "operation", "show", operation_id).stdout)
    assert shown["status"] == "Failed" and shown["error"]["errorCode"] == "GitSyncFailed"


def test_sync_many_retries_throttled_workspaces(fg: Fg) -> None:
    first, second = fg.scenario(), fg.scenario()
    fg.synced(first)
    fg.synced(second)
    # More 429s than one call's retries allow: the batch retries the workspace after Retry-After.
    fg.sandbox.add_fault(
        path=f"/workspaces/{first.workspace_id}/git/connection$", status=429, retryAfter=0, times=7
    )
    document = fg.json("sync", "-w", first.workspace, "-w", second.workspace)
    _all_fired(fg)
    assert document["summary"] == {"total": 2, "succeeded": 2, "failed": 0, "noop": 2}
    attempts = {r["workspace"]: r["attempts"] for r in document["results"]}
    assert attempts[first.workspace] == 2 and attempts[second.workspace] == 1
