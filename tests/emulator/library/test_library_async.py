"""The same rules when the emulator answers 202 and the library polls ``/operations``: results,
failures carrying the service's error code, and a wait that stops early and resumes."""

from __future__ import annotations

import json

import pytest

from emulator.library.library_support import Target, item_files
from fabric_git import BadRequestError, OperationFailedError, OperationTimeoutError

LID = "0d0d0d0d-1111-4222-8333-444444444444"
OTHER_LID = "0e0e0e0e-1111-4222-8333-444444444444"


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


def test_refusals_before_the_start_answer_the_request_others_fail_the_operation(
    target: Target,
) -> None:
    """docs/git-integration-rules.md: what keeps an operation from starting is refused on the
    request (400), even in async mode; what the operation's comparison decides fails it."""
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
    with pytest.raises(BadRequestError) as conflict:
        git.begin_update_from_git(ws, remote_commit_hash=status.remote_commit_hash)
    assert conflict.value.error_code == "MissingWorkspaceConflictResolution"
    assert conflict.value.status == 400
    behind = git.begin_commit_to_git(ws)
    assert behind.operation_id is not None
    with pytest.raises(OperationFailedError) as failed:
        behind.wait()
    assert failed.value.error_code == "WorkspaceUpdateRequired"
    assert target.content(item) == b"# workspace side\n"


def test_an_override_and_a_missing_strategy_are_refused_on_the_request(target: Target) -> None:
    remote = target.repo()
    remote.push({"git.Notebook/.platform": _platform("git", LID)})
    ws = target.workspace()
    target.item(ws, "nb")
    target.connect(ws)
    target.settings(lroMode="async", lroDuration=0.02, retryAfter=0)
    git = target.client.git
    with pytest.raises(BadRequestError) as missing:
        git.begin_initialize_connection(ws)
    assert missing.value.error_code == "MissingInitializationPolicy"
    init = git.initialize_connection(ws, strategy="PreferWorkspace")
    assert init.required_action == "CommitToGit"
    git.commit_to_git(ws, workspace_head=init.workspace_head)
    target.item(ws, "other")
    remote.push({"other.Notebook/.platform": _platform("other", OTHER_LID)})
    status = git.get_status(ws)
    with pytest.raises(BadRequestError) as override:
        git.begin_update_from_git(
            ws, remote_commit_hash=status.remote_commit_hash, workspace_head=status.workspace_head
        )
    assert override.value.error_code == "OverrideItemsNotAllowed"
    git.update_from_git(
        ws,
        remote_commit_hash=status.remote_commit_hash,
        workspace_head=status.workspace_head,
        allow_override_items=True,
    )
    after = git.get_status(ws)
    assert after.changes == [] and after.workspace_head == remote.tip()


def _platform(name: str, logical_id: str) -> bytes:
    metadata = {"type": "Notebook", "displayName": name}
    return json.dumps(
        {"metadata": metadata, "config": {"version": "2.0", "logicalId": logical_id}}
    ).encode()


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
