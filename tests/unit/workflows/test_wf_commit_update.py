"""Workflow layer: commit, update and item selection, against a scripted client."""

from __future__ import annotations

import re
from typing import Any

import pytest

from fabric_git.errors import ConfigurationError
from fabric_git.workflows import (
    ConflictsNeedPolicyError,
    UnknownItemsError,
    VerificationError,
    WorkflowEvent,
    commit,
    update,
)
from fabric_git.workflows.results import Change
from fabric_git.workflows.selection import match_selector, select_changes
from unit.workflows.wf_fakes import HEAD_A, HEAD_B, HEAD_C, WS_ID, FakeClient, change, status


def _changes() -> list[Change]:
    from fabric_git.workflows.status import change_from_model

    st = status(
        HEAD_A,
        HEAD_A,
        change("Sales", "Report", ws="Modified"),
        change("Sales", "SemanticModel", ws="Modified"),
        change("Load", "Notebook", ws="Added", logical_id=None),
        change("Old", "DataPipeline", ws="Deleted", object_id=None),
        change("sales-extra", "Notebook", ws="Modified"),
    )
    return [change_from_model(c) for c in st.changes]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("obj-Load", ["Load.Notebook"]),
        ("LOG-OLD", ["Old.DataPipeline"]),  # logical id of a deleted item, any case
        ("Sales.Report", ["Sales.Report"]),
        ("Sales.semanticmodel", ["Sales.SemanticModel"]),
        ("Sales", ["Sales.Report", "Sales.SemanticModel"]),
        ("Old", ["Old.DataPipeline"]),
        ("notebook", ["Load.Notebook", "sales-extra.Notebook"]),
        ("sales*", ["sales-extra.Notebook"]),
        ("*.Report", ["Sales.Report"]),
        ("Nope", []),
    ],
)
def test_selector_kinds(selector: str, expected: list[str]) -> None:
    assert [c.name for c in match_selector(selector, _changes())] == expected


def test_select_changes_reports_unknown_and_keeps_status_order() -> None:
    chosen, unknown = select_changes(["Old", "Missing", "Sales.Report"], _changes())
    assert [c.name for c in chosen] == ["Sales.Report", "Old.DataPipeline"]
    assert unknown == ("Missing",)


@pytest.mark.parametrize("path", ["/notebook-content.py", "a/", "*.py", "a//b.py"])
def test_commit_refuses_a_bad_file_path_before_reading_the_status(path: str) -> None:
    # A path the service would refuse never names a changed file: without this check it would
    # pass as "nothing to commit" instead of an error.
    client = FakeClient()
    client.git.statuses = [status(HEAD_A, HEAD_A, change("Load", ws="Modified"))]

    with pytest.raises(ConfigurationError, match=f"the path {re.escape(repr(path))}"):
        commit(client, "Sales", files=[f"Load.Notebook:{path}"])
    assert client.calls == []


def test_commit_all_sends_workspace_head_and_reports_new_head() -> None:
    client = FakeClient()
    client.git.statuses = [
        status(HEAD_A, HEAD_A, change("Load", ws="Added")),
        status(HEAD_B, HEAD_B),
    ]
    result = commit(client, "Sales", comment="ship it")
    call = dict(client.calls)["commit_to_git"]
    assert call["mode"] == "All"
    assert call["workspace_head"] == HEAD_A
    assert call["comment"] == "ship it"
    assert call["items"] == ()
    assert [c.name for c in result.items] == ["Load.Notebook"]
    assert (result.previous_head, result.new_head, result.noop) == (HEAD_A, HEAD_B, False)
    assert result.to_json()["action"] == "CommitToGit"


def test_commit_selected_sends_only_known_identifiers() -> None:
    client = FakeClient()
    client.git.statuses = [
        status(
            HEAD_A,
            HEAD_A,
            change("Load", ws="Added", logical_id=None),
            change("Old", "DataPipeline", ws="Deleted", object_id=None),
            change("Keep", ws="Modified"),
        ),
        status(HEAD_B, HEAD_B, change("Keep", ws="Modified")),
    ]
    result = commit(client, WS_ID, selectors=["Load", "log-Old"])
    call = dict(client.calls)["commit_to_git"]
    assert call["mode"] == "Selective"
    wire = [item.to_wire() for item in call["items"]]
    assert wire == [{"objectId": "obj-Load"}, {"logicalId": "log-Old"}]
    assert [c.name for c in result.items] == ["Load.Notebook", "Old.DataPipeline"]


def test_commit_unknown_item_lists_changed_items_and_commits_nothing() -> None:
    client = FakeClient()
    client.git.statuses = [status(HEAD_A, HEAD_A, change("Load", ws="Added"))]
    with pytest.raises(UnknownItemsError) as caught:
        commit(client, "Sales", selectors=["Ghost"])
    assert "Ghost" in str(caught.value) and "Load.Notebook" in str(caught.value)
    assert "commit_to_git" not in client.names()


def test_commit_naming_an_item_without_changes_is_a_reported_noop() -> None:
    client = FakeClient()
    client.items.items = [("Load", "Notebook"), ("Clean", "Notebook")]
    client.git.statuses = [status(HEAD_A, HEAD_A, change("Load", ws="Modified"))]
    result = commit(client, "Sales", selectors=["Clean"], comment="again")
    assert result.noop and result.unchanged == ("Clean",)
    assert result.to_json()["unchanged"] == ["Clean"]
    assert "commit_to_git" not in client.names()
    with pytest.raises(UnknownItemsError) as caught:
        commit(client, "Sales", selectors=["Clean", "Ghost"])
    assert caught.value.unknown == ("Ghost",)


def test_commit_nothing_is_a_reported_noop() -> None:
    client = FakeClient()
    client.git.statuses = [status(HEAD_A, HEAD_B, change("In", rm="Added"))]
    result = commit(client, "Sales")
    assert result.noop and result.to_json()["action"] == "None"
    assert "commit_to_git" not in client.names()


def test_commit_dry_run_changes_nothing() -> None:
    client = FakeClient()
    client.git.statuses = [status(HEAD_A, HEAD_A, change("Load", ws="Added"))]
    result = commit(client, "Sales", dry_run=True)
    assert result.dry_run and [c.name for c in result.items] == ["Load.Notebook"]
    assert client.names() == ["get_status"]


def test_update_noop_when_at_tip() -> None:
    client = FakeClient()
    client.git.statuses = [status(HEAD_A, HEAD_A, change("Mine", ws="Modified"))]
    result = update(client, "Sales")
    assert result.noop and "update_from_git" not in client.names()


def test_update_conflicts_without_policy_refuses_before_calling() -> None:
    client = FakeClient()
    client.git.statuses = [
        status(HEAD_A, HEAD_B, change("Both", ws="Modified", rm="Modified", conflict="Conflict"))
    ]
    with pytest.raises(ConflictsNeedPolicyError) as caught:
        update(client, "Sales")
    assert caught.value.conflicts == ("Both.Notebook",)
    assert "update_from_git" not in client.names()


def test_update_dry_run_reports_the_block_instead_of_raising() -> None:
    client = FakeClient()
    client.git.statuses = [
        status(HEAD_A, HEAD_B, change("Both", ws="Modified", rm="Modified", conflict="Conflict"))
    ]
    result = update(client, "Sales", dry_run=True)
    assert result.blocked_by == "ConflictsNeedPolicy"
    assert client.names() == ["get_status"]


def test_update_with_policy_passes_hashes_policy_and_no_override_by_default() -> None:
    client = FakeClient()
    client.git.statuses = [
        status(HEAD_A, HEAD_B, change("Both", ws="Modified", rm="Modified", conflict="Conflict")),
        status(HEAD_B, HEAD_B),
    ]
    events: list[WorkflowEvent] = []
    result = update(client, "Sales", conflict_policy="prefer-remote", progress=events.append)
    call: dict[str, Any] = dict(client.calls)["update_from_git"]
    assert call["remote_commit_hash"] == HEAD_B and call["workspace_head"] == HEAD_A
    assert call["conflict_resolution"].to_wire() == {
        "conflictResolutionType": "Workspace",
        "conflictResolutionPolicy": "PreferRemote",
    }
    assert call["allow_override_items"] is None
    assert result.to_head == HEAD_B and result.conflict_policy == "PreferRemote"
    polled = [e for e in events if e.status is not None]
    assert polled and polled[0].percent_complete == 50 and polled[0].workspace == "Sales"


def test_update_allow_override_only_when_asked() -> None:
    client = FakeClient()
    client.git.statuses = [status(HEAD_A, HEAD_B, change("In", rm="Added")), status(HEAD_B, HEAD_B)]
    update(client, "Sales", allow_override_items=True)
    assert dict(client.calls)["update_from_git"]["allow_override_items"] is True


def test_update_verifies_the_new_head() -> None:
    client = FakeClient()
    client.git.statuses = [status(HEAD_A, HEAD_B, change("In", rm="Added")), status(HEAD_C, HEAD_C)]
    with pytest.raises(VerificationError):
        update(client, "Sales")
