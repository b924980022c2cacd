"""Which wait ran out (the change itself, or a status read around it), and the checks that stop
a commit before anything is sent."""

from __future__ import annotations

import pytest

from fabric_git.errors import ConfigurationError, OperationTimeoutError
from fabric_git.workflows import SyncOptions, commit, sync, update
from fabric_git.workflows.errors import StatusTimeoutError, UpdateRequiredError
from fabric_git.workflows.status import read_status
from unit.workflows.wf_fakes import (
    HEAD_A,
    HEAD_B,
    WS_ID,
    FakeClient,
    change,
    github_connection,
    status,
)


def _ran_out(operation_id: str, kind: str) -> OperationTimeoutError:
    """The error the client raises when its wait on a ``kind`` operation runs out."""
    return OperationTimeoutError(
        operation_id=operation_id, waited=0.5, last_status="Running", operation_kind=kind
    )


def test_update_whose_status_read_runs_out_changes_nothing() -> None:
    client = FakeClient()
    client.git.statuses = [status(HEAD_A, HEAD_B, change("Load", rm="Modified"))]
    client.git.raises["get_status"] = [_ran_out("op-status", "GetStatus")]
    with pytest.raises(StatusTimeoutError) as caught:
        update(client, "Sales", conflict_policy="prefer-remote", timeout=0.5)
    assert caught.value.operation_id == "op-status"
    assert caught.value.done is None
    assert "nothing was changed" in str(caught.value)
    assert "update_from_git" not in client.names()


def test_update_whose_own_wait_runs_out_names_the_update_operation() -> None:
    client = FakeClient()
    client.git.statuses = [status(HEAD_A, HEAD_B, change("Load", rm="Modified"))]
    client.git.raises["update_from_git"] = [_ran_out("op-update", "UpdateFromGit")]
    with pytest.raises(OperationTimeoutError) as caught:
        update(client, "Sales", timeout=0.5)
    assert (caught.value.operation_id, caught.value.operation_kind) == (
        "op-update",
        "UpdateFromGit",
    )


def test_status_read_after_the_update_says_the_update_finished() -> None:
    client = FakeClient()
    client.git.statuses = [status(HEAD_A, HEAD_B, change("Load", rm="Modified"))]
    client.git.raises["get_status"] = []
    calls = {"n": 0}
    original = client.git.get_status

    def second_read_runs_out(ws: str, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise _ran_out("op-after", "GetStatus")
        return original(ws, **kwargs)  # type: ignore[arg-type]

    client.git.get_status = second_read_runs_out  # type: ignore[method-assign]
    with pytest.raises(StatusTimeoutError) as caught:
        update(client, "Sales")
    assert caught.value.done == "the update"
    assert "update_from_git" in client.names()


def test_commit_whose_status_read_runs_out_is_not_a_commit_timeout() -> None:
    client = FakeClient()
    client.git.statuses = [status(HEAD_A, HEAD_A, change("Load", ws="Added"))]
    client.git.raises["get_status"] = [_ran_out("op-status", "GetStatus")]
    with pytest.raises(StatusTimeoutError):
        commit(client, "Sales")
    assert "commit_to_git" not in client.names()


def test_commit_whose_own_wait_runs_out_names_the_commit_operation() -> None:
    client = FakeClient()
    client.git.statuses = [status(HEAD_A, HEAD_A, change("Load", ws="Added"))]
    client.git.raises["commit_to_git"] = [_ran_out("op-commit", "CommitToGit")]
    with pytest.raises(OperationTimeoutError) as caught:
        commit(client, "Sales")
    assert (caught.value.operation_id, caught.value.operation_kind) == ("op-commit", "CommitToGit")


def test_status_on_its_own_is_the_operation_to_resume() -> None:
    client = FakeClient()
    client.git.statuses = [status(HEAD_A, HEAD_A)]
    client.git.raises["get_status"] = [_ran_out("op-status", "GetStatus")]
    from fabric_git.workflows.results import WorkspaceRef

    with pytest.raises(OperationTimeoutError) as caught:
        read_status(client, WorkspaceRef(WS_ID, "Sales"))  # type: ignore[arg-type]
    assert (caught.value.operation_id, caught.value.operation_kind) == ("op-status", "GetStatus")


def test_sync_initialization_that_runs_out_names_it() -> None:
    client = FakeClient()
    client.git.connection = github_connection().model_copy(
        update={"git_connection_state": "Connected"}
    )
    client.git.raises["initialize_connection"] = [_ran_out("op-init", "InitializeConnection")]
    with pytest.raises(OperationTimeoutError) as caught:
        sync(client, "Sales")
    assert caught.value.operation_kind == "InitializeConnection"


def test_commit_with_unapplied_git_changes_stops_before_sending() -> None:
    client = FakeClient()
    client.git.statuses = [
        status(HEAD_A, HEAD_B, change("Load", ws="Modified"), change("In", rm="Modified"))
    ]
    with pytest.raises(UpdateRequiredError) as caught:
        commit(client, "Sales", selectors=["Load"])
    assert caught.value.incoming == ("In.Notebook",)
    assert "run update first" in str(caught.value)
    assert "commit_to_git" not in client.names()
    # A dry run still reports what would be committed.
    assert [c.name for c in commit(client, "Sales", dry_run=True).items] == ["Load.Notebook"]


@pytest.mark.parametrize("run", ["commit", "sync"])
def test_a_comment_over_300_characters_is_refused_before_any_call(run: str) -> None:
    client = FakeClient()
    client.git.statuses = [status(HEAD_A, HEAD_A, change("Load", ws="Added"))]
    with pytest.raises(ConfigurationError, match="301 characters"):
        if run == "commit":
            commit(client, "Sales", comment="x" * 301)
        else:
            sync(client, "Sales", SyncOptions(comment="x" * 301))
    assert client.calls == []
    commit(client, "Sales", comment="x" * 300)  # the limit itself is fine
    assert "commit_to_git" in client.names()
