"""Feature workspaces: what ``feature up`` and ``down`` refuse to touch, and the bad input they
refuse before anything is made, through the real CLI against the emulator."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from e2e.conftest import Fg, Scenario
from e2e.test_e2e_feature import (
    base_relations,
    branch_tip,
    feature_env,
    workspace_names,
)
from fabric_git.workflows.feature import marker


def based(fg: Fg) -> tuple[Scenario, dict[str, str | None]]:
    scenario = fg.scenario(items=False)
    fg.synced(scenario)
    return scenario, feature_env(fg, scenario)


def test_a_related_workspace_without_marker_is_neither_taken_over_nor_deleted(
    fg: Fg, tmp_path: Path
) -> None:
    scenario, env = based(fg)
    other = fg.sandbox.create_workspace(f"hand-made-{scenario.owner}")
    added = fg.json("relations", "add", "-w", scenario.workspace, other, "--type", "branch")
    assert added["created"] is True

    up = ("feature", "up", "--base", scenario.workspace, "--branch", "x", "--name")
    refused = fg(*up, f"hand-made-{scenario.owner}", "--create-branch", env=env, expect=1)
    assert "NotAFeatureWorkspace" in refused.stderr and "no feature marker" in refused.stderr
    assert fg.json("connection", "-w", other)["state"] == "NotConnected"
    assert branch_tip(scenario.clone(tmp_path / "clone"), "x") is None

    down = ("feature", "down", "--base", scenario.workspace, "--branch", "x", "--name")
    left = fg(*down, f"hand-made-{scenario.owner}", env=env, expect=1)
    assert "NotAFeatureWorkspace" in left.stderr and "nothing was deleted" in left.stderr
    assert other in {w["id"] for w in fg.json("workspaces", "list")["workspaces"]}


def test_down_with_a_name_considers_that_workspace_alone(fg: Fg) -> None:
    """``--name`` names the workspace to remove: the base itself, or a name that does not
    exist, never lets ``down`` fall back on the branch's feature workspace by another name."""
    scenario, env = based(fg)
    made = fg.json("feature", "up", "--base", scenario.workspace, "--branch", "feat/x",
                   "--create-branch", env=env)  # fmt: skip
    down = ("feature", "down", "--base", scenario.workspace, "--branch", "feat/x", "--name")

    refused = fg(*down, "{base}", env=env, expect=1)
    [line] = [x for x in refused.stderr.splitlines() if x.startswith("error:")]
    assert "NotAFeatureWorkspace" in line and "nothing was deleted" in line
    assert made["workspace"]["name"] in workspace_names(fg)
    assert scenario.workspace in workspace_names(fg)

    nobody = fg.json(*down, "{base} elsewhere", env=env)
    assert nobody["noop"] is True and nobody["workspace"] is None
    assert any("no workspace is named" in note for note in nobody["notes"])
    assert made["workspace"]["name"] in workspace_names(fg)

    gone = fg.json(*down, "{base} [{branch}]", env=env)
    assert gone["deleted"] is True and gone["workspace"]["id"] == made["workspace"]["id"]


def test_another_branchs_marker_is_not_this_branchs_feature_workspace(fg: Fg) -> None:
    scenario, env = based(fg)
    name = f"{scenario.workspace} [x]"
    other = fg.sandbox.client().workspaces.create(
        name,
        capacity_id=fg.sandbox.running.capacity_id,
        description=marker(scenario.workspace_id, "y"),
    )
    fg.json("relations", "add", "-w", scenario.workspace, other.id, "--type", "branch")

    refused = fg("feature", "up", "--base", scenario.workspace, "--branch", "x",
                 "--create-branch", env=env, expect=1)  # fmt: skip
    assert "NotAFeatureWorkspace" in refused.stderr and "branch 'y'" in refused.stderr
    assert fg.json("connection", "-w", other.id)["state"] == "NotConnected"
    left = fg.json("feature", "down", "--base", scenario.workspace, "--branch", "x", env=env)
    assert left["noop"] is True and left["workspace"] is None
    assert name in workspace_names(fg)


def test_the_marker_alone_stands_for_the_relation_only_where_relations_are_unavailable(
    fg: Fg,
) -> None:
    scenario, env = based(fg)
    unavailable = {"path": "/git/workspaceRelations", "status": 404}
    fg.sandbox.add_fault(**unavailable)
    up = ("feature", "up", "--base", scenario.workspace, "--branch", "m", "--create-branch")
    made = fg.json(*up, env=env)
    assert made["relation"] == "unavailable" and made["createdWorkspace"] is True
    listed = fg.json("feature", "list", "--base", scenario.workspace)
    assert listed["relationsAvailable"] is False
    assert [(f["branch"], f["knownBy"]) for f in listed["features"]] == [("m", "marker")]
    assert fg.json(*up, env=env)["noop"] is True  # a re-run knows it by its marker

    # A workspace of that name without the marker is refused, relations or none.
    squatter = fg.sandbox.create_workspace(f"{scenario.workspace} [n]")
    n_up = ("feature", "up", "--base", scenario.workspace, "--branch", "n", "--create-branch")
    refused = fg(*n_up, env=env, expect=1)
    assert "NotAFeatureWorkspace" in refused.stderr and "no workspace relations" in refused.stderr
    assert fg.json("connection", "-w", squatter)["state"] == "NotConnected"

    # Where relations are available, a marked workspace without a relation is not taken over.
    fg.sandbox.clear_faults()
    fg.json("disconnect", "-w", made["workspace"]["id"])
    refused = fg(*up, env=env, expect=1)
    assert "NotAFeatureWorkspace" in refused.stderr and "not registered" in refused.stderr

    fg.sandbox.add_fault(**unavailable)
    gone = fg.json("feature", "down", "--base", scenario.workspace, "--branch", "m", env=env)
    assert gone["deleted"] is True and gone["workspace"]["id"] == made["workspace"]["id"]
    assert f"{scenario.workspace} [n]" in workspace_names(fg)


def test_delete_branch_without_a_feature_workspace_leaves_the_branch(
    fg: Fg, tmp_path: Path
) -> None:
    scenario, env = based(fg)
    clone = scenario.clone(tmp_path / "clone")
    clone.git("push", "--quiet", "origin", "HEAD:refs/heads/someone-elses")
    mistyped = fg.json("feature", "down", "--base", scenario.workspace,
                       "--branch", "someone-elses", "--delete-branch", env=env)  # fmt: skip
    assert mistyped["noop"] is True and mistyped["branchDeleted"] is False
    assert any("left as it is" in note for note in mistyped["notes"])
    assert branch_tip(clone, "someone-elses") is not None


def test_bad_branch_names_and_an_empty_name_are_refused_before_anything_is_made(
    fg: Fg,
) -> None:
    scenario, env = based(fg)
    before = workspace_names(fg)
    for branch in ("a b", "../x", "feat\nx", "-x"):
        refused = fg("feature", "up", "--base", scenario.workspace, "--branch", branch,
                     "--create-branch", env=env, expect=2)  # fmt: skip
        # click's usage error: the one Error line names the branch (a newline spelled \n).
        [line] = [line for line in refused.stderr.splitlines() if line.startswith("Error:")]
        assert f"{branch!r} is not a valid Git branch name" in line
    empty = fg("feature", "up", "--base", scenario.workspace, "--branch", "ok",
               "--name", "", "--create-branch", env=env, expect=2)  # fmt: skip
    assert "--name" in empty.stderr and "empty" in empty.stderr
    assert workspace_names(fg) == before and base_relations(fg, scenario.workspace) == []


def test_a_github_branch_without_a_pat_is_refused_up_front(fg: Fg, tmp_path: Path) -> None:
    scenario, env = based(fg)
    before = workspace_names(fg)
    no_pat = {**env, "FABRIC_GIT_PAT": None}
    refused = fg("feature", "up", "--base", scenario.workspace, "--branch", "np",
                 "--create-branch", env=no_pat, expect=3)  # fmt: skip
    assert "PAT missing" in refused.stderr and "--pat-stdin" in refused.stderr
    assert "Username" not in refused.stderr and workspace_names(fg) == before

    made = fg.json("feature", "up", "--base", scenario.workspace, "--branch", "np",
                   "--create-branch", env=env)  # fmt: skip
    down = fg("feature", "down", "--base", scenario.workspace, "--branch", "np",
              "--delete-branch", env=no_pat, expect=3)  # fmt: skip
    assert "PAT missing" in down.stderr
    # Refused before anything changed: the feature workspace is still connected.
    state = fg.json("connection", "-w", made["workspace"]["id"])["state"]
    assert state == "ConnectedAndInitialized"
    assert branch_tip(scenario.clone(tmp_path / "clone"), "np") is not None


def test_capacity_given_inherited_or_missing(fg: Fg, tmp_path: Path) -> None:
    scenario, env = based(fg)
    client = fg.sandbox.client()
    second = fg.sandbox.create_capacity(f"second-{scenario.owner}")

    given = fg.json("feature", "up", "--base", scenario.workspace, "--branch", "c1",
                    "--create-branch", "--capacity", second, env=env)  # fmt: skip
    assert client.workspaces.get(given["workspace"]["id"]).capacity_id == second
    inherited = fg.json("feature", "up", "--base", scenario.workspace, "--branch", "c2",
                        "--create-branch", env=env)  # fmt: skip
    assert (
        client.workspaces.get(inherited["workspace"]["id"]).capacity_id
        == fg.sandbox.running.capacity_id
    )

    client.workspaces.unassign_from_capacity(scenario.workspace_id)
    before = workspace_names(fg)
    refused = fg("feature", "up", "--base", scenario.workspace, "--branch", "c3",
                 "--create-branch", env=env, expect=1)  # fmt: skip
    assert "NoCapacity" in refused.stderr and "--capacity" in refused.stderr
    assert workspace_names(fg) == before
    assert branch_tip(scenario.clone(tmp_path / "clone"), "c3") is None  # nor a branch


@contextmanager
def stalled_host() -> Iterator[str]:
    """An HTTP host that accepts connections and never answers; its URL."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    done = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not done.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/"
    finally:
        done.set()
        thread.join()
        for connection in held:
            connection.close()
        server.close()


def test_a_stalled_git_host_ends_the_command_at_its_time_limit(fg: Fg) -> None:
    scenario, env = based(fg)
    before = workspace_names(fg)
    with stalled_host() as url:
        stalled = {**env, "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": f"url.{url}.insteadOf",
                   "GIT_CONFIG_VALUE_0": "https://github.com/"}  # fmt: skip
        up = ("feature", "up", "--base", scenario.workspace, "--branch", "slow", "--create-branch")
        for limit in (("--timeout", "1"), ("--deadline", "3")):
            ended = fg(*limit, *up, env=stalled, expect=1)
            assert "GitTimedOut" in ended.stderr and "did not finish" in ended.stderr
            assert len(ended.stderr.strip().splitlines()) == 1, ended.stderr
    assert workspace_names(fg) == before


def test_one_branch_keeps_one_feature_workspace_renamed_or_asked_for_by_another_name(
    fg: Fg,
) -> None:
    scenario, env = based(fg)
    up = ("feature", "up", "--base", scenario.workspace, "--create-branch", "--branch")
    rel = fg.json(*up, "feat/rel", env=env)
    renamed = f"{scenario.workspace} - REL review"
    fg.sandbox.client().workspaces.update(rel["workspace"]["id"], display_name=renamed)

    again = fg.json(*up, "feat/rel", env=env)  # found by its relation, under its new name
    assert again["createdWorkspace"] is False and again["noop"] is True
    assert again["workspace"] == {"id": rel["workspace"]["id"], "name": renamed}
    assert f"{scenario.workspace} [feat/rel]" not in workspace_names(fg)

    # A --name that is not the branch's feature workspace is refused, nothing made.
    fg.json(*up, "feat/int", env=env)
    before = workspace_names(fg)
    refused = fg(*up, "feat/int", "--name", "{base} [feat/x]", env=env, expect=1)
    [line] = [x for x in refused.stderr.splitlines() if x.startswith("error:")]
    assert "FeatureWorkspaceExists" in line and f"{scenario.workspace} [feat/int]" in line
    assert workspace_names(fg) == before
    features = fg.json("feature", "list", "--base", scenario.workspace)["features"]
    assert sorted(f["branch"] for f in features) == ["feat/int", "feat/rel"]


def test_list_shows_only_feature_workspaces_and_names_the_related_others(fg: Fg) -> None:
    scenario, env = based(fg)
    made = fg.json("feature", "up", "--base", scenario.workspace, "--branch", "feat/l",
                   "--create-branch", env=env)  # fmt: skip
    tmp = fg.sandbox.create_workspace(f"Tmp-{scenario.owner}")
    fg.json("relations", "add", "-w", tmp, scenario.workspace, "--type", "base")

    listed = fg.json("feature", "list", "--base", scenario.workspace)
    assert [f["workspace"]["id"] for f in listed["features"]] == [made["workspace"]["id"]]
    [other] = listed["notFeatureWorkspaces"]
    assert other["workspace"]["id"] == tmp and "no feature marker" in other["reason"]
    text = fg("feature", "list", "--base", scenario.workspace).stdout
    assert f"Not listed: Tmp-{scenario.owner}" in text and "feat/l" in text
