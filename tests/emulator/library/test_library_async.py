"""The same rules when the emulator answers 202 and the library polls ``/operations``: results,
failures carrying the service's error code, and a wait that stops early and resumes."""

from __future__ import annotations

import pytest

from emulator.library.library_support import Target, item_files
from fabric_git import OperationFailedError, OperationTimeoutError

LID = "0d0d0d0d-1111-4222-8333-444444444444"


def test_sync_cycle_through_long_running_operations(target: Target) -> None:
    remote = target.repo()
    ws = target.workspace()
    item = target.item(ws, "nb")
    target.connect(ws)
    target.settings(lroMode="async", lroDuration=0.02, retryAfter=0)
    git = target.client.git
    init_poller = git.begin_initialize_connection(ws)
    assert init_poller.operation_id is not None
    init = init_poller.wait()
    assert init.required_action == "CommitToGit"
    commit = git.begin_commit_to_git(ws, workspace_head=init.workspace_head, comment="first")
    assert commit.operation_id is not None
    assert commit.wait() is None
    assert commit.status() == "Succeeded"
    remote.push(item_files("added.Notebook", LID, "added", b"# added in git\n"))
    remote.push({"nb.Notebook/notebook-content.py": b"# edited in git\n"})
    status_poller = git.begin_get_status(ws)
    assert status_poller.operation_id is not None
    status = status_poller.wait()
    assert {(c.item_metadata.display_name, c.remote_change) for c in status.changes} == {
        ("added", "Added"),
        ("nb", "Modified"),
    }
    git.update_from_git(
        ws, remote_commit_hash=status.remote_commit_hash, workspace_head=status.workspace_head
    )
    assert target.content(item) == b"# edited in git\n"
    after = git.get_status(ws)
    assert after.changes == [] and after.workspace_head == remote.tip()


def test_refusals_arrive_as_failed_operations(target: Target) -> None:
    target.repo()
    ws = target.workspace()
    item = target.item(ws, "nb")
    target.connected(ws)
    target.client.git.commit_to_git(ws)
    target.remote.push({"nb.Notebook/notebook-content.py": b"# git side\n"})
    target.edit(item, b"# workspace side\n")
    target.settings(lroMode="async", lroDuration=0.02, retryAfter=0)
    git = target.client.git
    status = git.get_status(ws)
    with pytest.raises(OperationFailedError) as conflict:
        git.update_from_git(ws, remote_commit_hash=status.remote_commit_hash)
    assert conflict.value.error_code == "MissingWorkspaceConflictResolution"
    assert conflict.value.operation_id
    with pytest.raises(OperationFailedError) as behind:
        git.commit_to_git(ws)
    assert behind.value.error_code == "WorkspaceUpdateRequired"
    assert target.content(item) == b"# workspace side\n"


def test_a_wait_that_stops_early_names_the_operation_and_resumes(target: Target) -> None:
    target.repo()
    ws = target.workspace()
    target.item(ws, "nb")
    target.connected(ws)
    target.settings(lroMode="async", lroDuration=0.3, retryAfter=0)
    git = target.client.git
    with pytest.raises(OperationTimeoutError) as stopped:
        git.commit_to_git(ws, timeout=0.0)
    error = stopped.value
    assert error.operation_kind == "CommitToGit"
    assert error.description == "commit to Git"
    final = target.client.wait_for_operation(error.operation_id)
    assert final.status_text == "Succeeded"
    assert git.get_status(ws).changes == []
