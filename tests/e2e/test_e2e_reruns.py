"""Never make things worse, and re-runs that are no-ops: PAT connections keep their keys unless
asked, reconnects that fail keep the old connection, and a second run of anything reports that
there was nothing to do."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from e2e.conftest import NOTEBOOK, Fg


def _error_line(stderr: str) -> str:
    [line] = [s for s in stderr.splitlines() if s.startswith("error: ")]
    return line


def test_a_pat_never_silently_replaces_another_connections_key(fg: Fg) -> None:
    scenario = fg.scenario(directories=["first", "other"])
    other = fg.scenario()  # a second workspace on the same repository, through the same PAT
    url = ["--repo-url", scenario.repo_url]
    shared = f"shared-{scenario.owner}"
    wrong = "pat_wrong_" + scenario.owner
    fg.scan.secrets.add(wrong)
    good, bad = {"FABRIC_GIT_PAT": scenario.pat}, {"FABRIC_GIT_PAT": wrong}
    fg.json("connections", "create-github", "--name", shared, *url, env=good)
    fg.json("sync", "-w", scenario.workspace, *url, "--directory", "first", "--connection", shared)

    # A new --connection-name is a new connection, even though one exists for that URL: the
    # wrong PAT goes into it, the connect fails, and the error says which connection was used.
    named = f"mine-{scenario.owner}"
    failed = fg(
        "connect", "-w", other.workspace, *url, "--directory", "other",
        "--connection-name", named, env=bad, expect=1,
    )  # fmt: skip
    line = _error_line(failed.stderr)
    assert "GitProviderAuthenticationFailed" in line
    assert f"Created connection {named} (" in line and "Next:" in line
    listed = {c["displayName"]: c for c in fg.json("connections", "list")["connections"]}
    assert named in listed and shared in listed
    assert fg.json("status", "-w", scenario.workspace)["inSync"] is True  # still works

    # The default name does not exist: the connection for the URL is used, its key kept.
    synced = fg.json("sync", "-w", other.workspace, *url, "--directory", "other", env=bad)
    assert synced["connection"]["id"] == listed[shared]["id"]
    assert synced["connection"]["keyUpdated"] is False and synced["summary"]["failed"] == 0
    text = fg("sync", "-w", other.workspace, *url, "--directory", "other", env=bad)
    assert f"Using connection {shared} (" in text.stdout
    assert "found by repository URL" in text.stdout
    assert "its key is unchanged" in text.stdout and "--rotate-pat" in text.stdout

    # create-github of an existing name keeps its key; --rotate-pat replaces it.
    kept = fg.json("connections", "create-github", "--name", shared, *url, env=bad)
    assert (kept["created"], kept["keyUpdated"]) == (False, False)
    assert fg.json("status", "-w", scenario.workspace)["inSync"] is True
    rotated = fg.json(
        "connections", "create-github", "--name", shared, *url, "--rotate-pat", env=bad
    )
    assert (rotated["created"], rotated["keyUpdated"]) == (False, True)
    broken = fg("status", "-w", scenario.workspace, expect=5)  # the rotation asked for happened
    assert "GitProviderAuthenticationFailed" in broken.stderr and "--rotate-pat" in broken.stderr
    fixed = fg(
        "connect", "-w", scenario.workspace, *url, "--directory", "first",
        "--connection-name", shared, "--rotate-pat", env=good,
    )  # fmt: skip
    assert "stored the given token as its key" in fixed.stdout
    assert fg.json("status", "-w", scenario.workspace)["inSync"] is True


def test_a_dry_run_refuses_a_missing_pat_or_connection_as_the_real_run_does(fg: Fg) -> None:
    scenario = fg.scenario()
    url = ["--repo-url", scenario.repo_url]
    for dry in (["--dry-run"], []):
        missing = fg("sync", "-w", scenario.workspace, *url, *dry, expect=2)
        assert "PatRequired" in missing.stderr and "FABRIC_GIT_PAT" in missing.stderr
        gone = fg("sync", "-w", scenario.workspace, *url, "--connection", "nope", *dry, expect=1)
        assert "connections list" in gone.stderr
    planned = fg.json(
        "sync", "-w", scenario.workspace, *url, "--dry-run", env={"FABRIC_GIT_PAT": scenario.pat}
    )
    assert planned["connection"]["created"] is True and planned["connection"]["id"] is None
    names = {c["displayName"] for c in fg.json("connections", "list")["connections"]}
    assert f"fabric-git-{scenario.owner}-fabric" not in names  # a dry run created nothing
    assert json.dumps(planned).count("Connect") >= 1


def test_a_reconnect_that_fails_connects_the_old_target_again(fg: Fg) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    ws, url = scenario.workspace, ["--repo-url", scenario.repo_url]
    env = {"FABRIC_GIT_PAT": scenario.pat}
    for command in ("sync", "connect"):
        failed = fg(command, "-w", ws, *url, "--branch", "no-such-branch", "--reconnect", env=env,
                    expect=1)  # fmt: skip
        line = _error_line(failed.stderr)
        assert "GitProviderResourceNotFound" in line and "no-such-branch" in failed.stderr
        assert f"connected to GitHub {scenario.owner}/fabric@main:/ again" in line
        assert "Next:" in line
        assert "again and initialized, its items kept as they were" in line
        shown = fg.json("connection", "-w", ws)
        assert (shown["state"], shown["provider"]["branchName"]) == (
            "ConnectedAndInitialized",
            "main",
        )
        # As it was before the failed reconnect: in sync, and a sync has nothing to do.
        assert fg.json("status", "-w", ws)["inSync"] is True
    again = fg.json("sync", "-w", ws, *url, env=env)
    assert again["results"][0]["result"]["actions"] == []


def test_a_reconnect_with_a_connection_for_another_repository_changes_nothing(fg: Fg) -> None:
    scenario = fg.scenario()
    other = fg.scenario(items=False)
    fg.synced(scenario)
    name = f"elsewhere-{other.owner}"
    fg.json("connections", "create-github", "--name", name, "--repo-url", other.repo_url,
            env={"FABRIC_GIT_PAT": other.pat})  # fmt: skip
    refused = fg(
        "connect", "-w", scenario.workspace, "--repo-url", scenario.repo_url, "--branch", "dev",
        "--connection", name, "--reconnect", expect=1,
    )  # fmt: skip
    line = _error_line(refused.stderr)
    assert "ConnectionMismatch" in line and other.repo_url in line and "nothing was changed" in line
    shown = fg.json("connection", "-w", scenario.workspace)
    assert (shown["state"], shown["provider"]["branchName"]) == ("ConnectedAndInitialized", "main")


def test_re_runs_of_commit_init_and_workspace_create_are_reported_noops(fg: Fg) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    ws = scenario.workspace
    fg.sandbox.update_item(
        scenario.workspace_id, scenario.items["Load"], {"notebook-content.py": NOTEBOOK + "#\n"}
    )
    first = fg.json("commit", "-w", ws, "Load", "-m", "load")
    assert [i["displayName"] for i in first["items"]] == ["Load"]
    again = fg.json("commit", "-w", ws, "Load", "-m", "load")  # the pipeline step re-runs
    assert again["noop"] is True and again["unchanged"] == ["Load"]
    text = fg("commit", "-w", ws, "Load.Notebook", "Clean")
    assert (
        "Nothing to commit" in text.stdout
        and "No changes in 'Load.Notebook', 'Clean'" in text.stdout
    )
    ghost = fg("commit", "-w", ws, "Load", "Ghost", expect=1)
    assert "UnknownItems" in ghost.stderr and "'Ghost'" in ghost.stderr
    assert "'Load'" not in _error_line(ghost.stderr).split(";")[0]

    initialized = fg.json("init", "-w", ws)
    assert initialized["noop"] is True and initialized["requiredAction"] == "None"
    assert initialized["workspaceHead"] == fg.json("status", "-w", ws)["workspaceHead"]
    assert "initialized already" in fg("init", "-w", ws, "--strategy", "prefer-remote").stdout

    capacity = fg.sandbox.running.capacity_id
    name = f"created-{scenario.owner}"
    made = fg.json("workspaces", "create", name, "--capacity", capacity, "--if-not-exists")
    kept = fg.json("workspaces", "create", name, "--capacity", capacity, "--if-not-exists")
    assert (made["created"], kept["created"], kept["id"]) == (True, False, made["id"])
    assert "exists already" in fg("workspaces", "create", name, "--if-not-exists").stdout
    fg("workspaces", "create", name, "--capacity", capacity, expect=1)  # without the flag


def test_status_update_and_sync_agree_on_a_branch_shared_with_other_workspaces(fg: Fg) -> None:
    base = fg.scenario(items=False, directories=["{workspace}", "{workspace}-b"])
    names = [base.workspace]
    ws_id = fg.sandbox.create_workspace(f"{base.workspace}-b")
    fg.sandbox.create_item(ws_id, "Other", "Notebook", {"notebook-content.py": "x\n"})
    names.append(f"{base.workspace}-b")
    fg.sandbox.create_item(base.workspace_id, "Mine", "Notebook", {"notebook-content.py": "y\n"})
    args = ["--repo-url", base.repo_url, "--directory", "{workspace}"]
    flags = [a for n in names for a in ("-w", n)]
    fg.json("sync", *flags, *args, env={"FABRIC_GIT_PAT": base.pat})
    again = fg.json("sync", *flags, *args)
    assert again["summary"]["noop"] == 2
    for name in names:  # the branch moved past one of them, outside its directory
        status = fg.json("status", "-w", name)
        assert status["inSync"] is True and status["changes"] == []
        assert fg.json("update", "-w", name)["noop"] is True
    moved = [fg.json("status", "-w", n) for n in names]
    assert any(s["workspaceHead"] != s["remoteCommitHash"] for s in moved)
    assert (
        "branch moved outside its directory"
        in fg("status", "-w", names[0]).stdout + fg("status", "-w", names[1]).stdout
    )


def test_workspace_in_directory_becomes_a_valid_directory_name(fg: Fg) -> None:
    base = fg.scenario(items=False, directories=["ws/Sales_ EU__{owner}__"])
    name = f'Sales: EU/"{base.owner}" '
    ws_id = fg.sandbox.create_workspace(name)
    fg.sandbox.create_item(ws_id, "Load", "Notebook", {"notebook-content.py": "x\n"})
    document = fg.json(
        "sync", "-w", ws_id, "--repo-url", base.repo_url, "--directory", "ws/{workspace}",
        env={"FABRIC_GIT_PAT": base.pat},
    )  # fmt: skip
    assert document["summary"]["succeeded"] == 1
    shown = fg.json("connection", "-w", ws_id)["provider"]["directoryName"]
    assert shown.strip("/") == f"ws/Sales_ EU__{base.owner}__"
    # A directory refused for another reason names the directory that was built.
    other = fg.sandbox.create_workspace(f"plain-{base.owner}")
    refused = fg(
        "connect", "-w", other, "--repo-url", base.repo_url, "--directory", "a:b/{workspace}",
        "--connection-name", f"fabric-git-{base.owner}-fabric", expect=1,
    )  # fmt: skip
    assert f"'a:b/plain-{base.owner}'" in _error_line(refused.stderr)


def test_a_dry_run_predicts_the_override_block_the_real_run_meets(fg: Fg, tmp_path: Path) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    ws = scenario.workspace
    fg.sandbox.create_item(
        scenario.workspace_id, "Extra", "Notebook", {"notebook-content.py": "w\n"}
    )
    clone = scenario.clone(tmp_path / "clone")
    platform = {
        "$schema": "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/"
        "platformProperties/2.0.0/schema.json",
        "metadata": {"type": "Notebook", "displayName": "Extra"},
        "config": {"version": "2.0", "logicalId": str(uuid.uuid4())},
    }
    clone.write("Extra.Notebook/.platform", json.dumps(platform, indent=2) + "\n")
    clone.write("Extra.Notebook/notebook-content.py", NOTEBOOK)
    clone.commit_and_push("Extra from Git")

    planned = fg.json("update", "-w", ws, "--dry-run")
    assert planned["blockedBy"] == "OverrideItemsNotAllowed" and planned["dryRun"] is True
    assert "--allow-override-items" in fg("update", "-w", ws, "--dry-run").stdout
    synced = fg.json("sync", "-w", ws, "--dry-run")["results"][0]["result"]
    assert any("OverrideItemsNotAllowed" in n and "--allow-override-items" in n
               for n in synced["notes"])  # fmt: skip
    refused = fg("update", "-w", ws, expect=4)  # what the dry run said
    assert "OverrideItemsNotAllowed" in refused.stderr
    allowed = fg.json("update", "-w", ws, "--allow-override-items", "--dry-run")
    assert allowed["blockedBy"] is None
    assert fg.json("update", "-w", ws, "--allow-override-items")["status"]["inSync"] is True


def test_hints_point_at_the_right_option_and_command(fg: Fg, tmp_path: Path) -> None:
    scenario = fg.scenario()
    ws = scenario.workspace
    name = f"hinted-{scenario.owner}"
    fg.json("connections", "create-github", "--name", name, "--repo-url", scenario.repo_url,
            env={"FABRIC_GIT_PAT": scenario.pat})  # fmt: skip
    fg.json("sync", "-w", ws, "--repo-url", scenario.repo_url, "--connection", name)
    # A conflict: sync's hint names --strategy, update's --conflict-policy.
    fg.sandbox.update_item(
        scenario.workspace_id, scenario.items["Load"], {"notebook-content.py": NOTEBOOK + "#w\n"}
    )
    clone = scenario.clone(tmp_path / "clone")
    path = next(clone.path.glob("**/Load.Notebook/notebook-content.py"))
    relative = path.relative_to(clone.path).as_posix()
    clone.write(relative, clone.read(relative) + "# git\n")
    clone.commit_and_push("conflict")
    synced = _error_line(fg("sync", "-w", ws, expect=4).stderr)
    assert "Next: re-run with --strategy prefer-remote or prefer-workspace." in synced
    updated = _error_line(fg("update", "-w", ws, expect=4).stderr)
    assert "Next: re-run with --conflict-policy prefer-remote or prefer-workspace." in updated
    # The connection the credentials name is deleted: the exact command that fixes it.
    fg.json("connections", "delete", name)
    gone = _error_line(fg("status", "-w", ws, expect=1).stderr)
    assert "ConnectionNotFound" in gone
    assert (
        f"Next: `fabric-git credentials set -w {ws} --source configured-connection "
        "--connection NAME|ID`" in gone
    )


def test_a_dry_run_refuses_a_connection_scoped_to_another_repository(fg: Fg) -> None:
    scenario, other = fg.scenario(), fg.scenario(items=False)
    name = f"scoped-{other.owner}"
    fg.json("connections", "create-github", "--name", name, "--repo-url", other.repo_url,
            env={"FABRIC_GIT_PAT": other.pat})  # fmt: skip
    args = ["sync", "-w", scenario.workspace, "--repo-url", scenario.repo_url, "--connection", name]
    for dry in (["--dry-run"], []):
        refused = fg(*args, *dry, expect=1)
        assert "ConnectionMismatch" in _error_line(refused.stderr)
    assert fg.json("connection", "-w", scenario.workspace)["state"] == "NotConnected"
