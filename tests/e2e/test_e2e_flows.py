"""The four flows, start to finish, through the real CLI and the real emulator."""

from __future__ import annotations

from pathlib import Path

from e2e.conftest import NOTEBOOK, Fg


def test_sync_connects_initializes_commits_and_a_rerun_is_a_noop(fg: Fg) -> None:
    scenario = fg.scenario()
    first = fg.synced(scenario)
    entry = first["results"][0]
    assert entry["ok"] is True
    result = entry["result"]
    assert result["actions"] == ["Connect", "InitializeConnection", "CommitToGit"]
    assert result["requiredAction"] == "CommitToGit"
    assert sorted(c["displayName"] for c in result["changes"]) == [
        "Clean",
        "Load",
        "Model",
        "Nightly",
    ]
    assert result["status"]["inSync"] is True
    head = result["status"]["workspaceHead"]

    again = fg.synced(scenario)
    assert again["summary"] == {"total": 1, "succeeded": 1, "failed": 0, "noop": 1}
    assert again["results"][0]["result"]["actions"] == []
    assert again["results"][0]["result"]["status"]["workspaceHead"] == head
    connection = fg.json("connection", "-w", scenario.workspace)
    assert connection["state"] == "ConnectedAndInitialized"
    assert connection["head"] == head


def test_sync_dry_run_changes_nothing(fg: Fg) -> None:
    scenario = fg.scenario()
    plan = fg.json(
        "sync", "-w", scenario.workspace, "--repo-url", scenario.repo_url, "--dry-run",
        env={"FABRIC_GIT_PAT": scenario.pat},
    )["results"][0]["result"]  # fmt: skip
    assert plan["dryRun"] is True and plan["actions"] == ["Connect", "InitializeConnection"]
    assert fg.json("connection", "-w", scenario.workspace)["state"] == "NotConnected"
    assert fg.json("connections", "list")["connections"] == [] or all(
        c["path"] != scenario.repo_url for c in fg.json("connections", "list")["connections"]
    )


def test_update_flow_with_git_push_dry_run_and_conflict_policy(fg: Fg, tmp_path: Path) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    clone = scenario.clone(tmp_path / "clone")
    notebook = next(clone.path.glob("**/Load.Notebook/notebook-content.py"))
    relative = notebook.relative_to(clone.path).as_posix()
    clone.write(relative, clone.read(relative) + "print('from git')\n")
    pushed = clone.commit_and_push("change from git")

    status = fg.json("status", "-w", scenario.workspace)
    assert status["remoteCommitHash"] == pushed and status["summary"]["incoming"] == 1
    assert status["changes"][0]["remoteChange"] == "Modified"

    plan = fg.json("update", "-w", scenario.workspace, "--dry-run")
    assert plan["dryRun"] is True and plan["action"] == "UpdateFromGit"
    assert plan["toHead"] == pushed
    assert fg.json("status", "-w", scenario.workspace) == status  # nothing changed

    done = fg.json("update", "-w", scenario.workspace)
    assert done["toHead"] == pushed and done["status"]["inSync"] is True
    assert fg.json("update", "-w", scenario.workspace)["noop"] is True

    # The same item changed on both sides: a policy is required.
    fg.sandbox.update_item(
        scenario.workspace_id,
        scenario.items["Load"],
        {"notebook-content.py": NOTEBOOK + "print('from the workspace')\n"},
    )
    clone.write(relative, clone.read(relative) + "print('git again')\n")
    clone.commit_and_push("another change from git")
    refused = fg("--output", "json", "update", "-w", scenario.workspace, expect=4)
    assert refused.stdout == ""
    assert "ConflictsNeedPolicy" in refused.stderr and "Load.Notebook" in refused.stderr
    assert "--conflict-policy" in refused.stderr

    kept = fg.json("update", "-w", scenario.workspace, "--conflict-policy", "prefer-workspace")
    assert kept["conflictPolicy"] == "PreferWorkspace" and len(kept["conflicts"]) == 1
    after = kept["status"]
    assert after["summary"] == {"incoming": 0, "outgoing": 1, "conflicts": 0}
    committed = fg.json("commit", "-w", scenario.workspace, "-m", "keep the workspace version")
    assert committed["status"]["inSync"] is True
    clone.pull()
    assert "from the workspace" in clone.read(relative)


def test_commit_flow_selected_items_unknown_names_and_noop(fg: Fg, tmp_path: Path) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    ws = scenario.workspace
    for name in ("Load", "Clean"):
        fg.sandbox.update_item(
            scenario.workspace_id,
            scenario.items[name],
            {"notebook-content.py": NOTEBOOK + f"# edited {name}\n"},
        )
    fg.sandbox.delete_item(scenario.workspace_id, scenario.items["Nightly"])
    status = fg.json("status", "-w", ws)
    assert status["summary"]["outgoing"] == 3
    deleted = next(c for c in status["changes"] if c["workspaceChange"] == "Deleted")
    assert deleted["objectId"] is None and deleted["logicalId"]

    unknown = fg("commit", "-w", ws, "Ghost", expect=1)
    assert "Ghost" in unknown.stderr
    for listed in ("Load.Notebook", "Clean.Notebook", "Nightly.DataPipeline"):
        assert listed in unknown.stderr

    dry = fg.json("commit", "-w", ws, "Load.Notebook", "--dry-run")
    assert [i["displayName"] for i in dry["items"]] == ["Load"] and dry["mode"] == "Selective"
    assert fg.json("status", "-w", ws) == status

    one = fg.json("commit", "-w", ws, "Load.Notebook", "-m", "only Load")
    assert [i["displayName"] for i in one["items"]] == ["Load"]
    assert one["newHead"] != one["previousHead"]
    by_logical_id = fg.json("commit", "-w", ws, deleted["logicalId"])
    assert [i["displayName"] for i in by_logical_id["items"]] == ["Nightly"]
    by_glob = fg.json("commit", "-w", ws, "Cl*")
    assert [i["displayName"] for i in by_glob["items"]] == ["Clean"]

    nothing = fg("commit", "-w", ws)
    assert "Nothing to commit" in nothing.stdout
    assert fg.json("commit", "-w", ws)["noop"] is True

    clone = scenario.clone(tmp_path / "clone")
    assert not list(clone.path.glob("**/Nightly.DataPipeline"))
    assert (
        "edited Load" in next(clone.path.glob("**/Load.Notebook/notebook-content.py")).read_text()
    )


def test_commit_all_and_by_type(fg: Fg) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    for name in ("Load", "Clean"):
        fg.sandbox.update_item(
            scenario.workspace_id,
            scenario.items[name],
            {"notebook-content.py": NOTEBOOK + f"# {name} v2\n"},
        )
    by_type = fg.json("commit", "-w", scenario.workspace, "notebook")
    assert sorted(i["displayName"] for i in by_type["items"]) == ["Clean", "Load"]
    assert by_type["status"]["inSync"] is True


def test_credentials_flow_pat_connection_connect_and_my_credentials(fg: Fg) -> None:
    scenario = fg.scenario()
    name = f"conn-{scenario.owner}"
    created = fg.json(
        "connections",
        "create-github",
        "--name",
        name,
        "--repo-url",
        scenario.repo_url,
        "--pat-stdin",
        input=scenario.pat + "\n",
    )
    assert created["created"] is True and created["type"] == "GitHubSourceControl"
    reused = fg.json(
        "connections", "create-github", "--name", name, "--repo-url", scenario.repo_url
    )
    assert reused == {**created, "created": False}

    connected = fg.json(
        "connect",
        "-w",
        scenario.workspace,
        "--repo-url",
        scenario.repo_url,
        "--connection-name",
        name,
    )
    assert connected["connected"] is True
    assert connected["connection"]["id"] == created["id"]
    assert connected["connection"]["created"] is False
    again = fg.json(
        "connect", "-w", scenario.workspace, "--repo-url", scenario.repo_url, "--connection", name
    )
    assert again["noop"] is True

    shown = fg.json("credentials", "show", "-w", scenario.workspace)
    assert shown["source"] == "ConfiguredConnection" and shown["connectionId"] == created["id"]
    assert fg.json("credentials", "set", "-w", scenario.workspace, "--source", "None")["changed"]
    assert fg.json("credentials", "show", "-w", scenario.workspace)["source"] == "None"
    refused = fg("init", "-w", scenario.workspace, expect=1)
    assert "GitCredentialsNotConfigured" in refused.stderr
    restored = fg.json(
        "credentials",
        "set",
        "-w",
        scenario.workspace,
        "--source",
        "configured-connection",
        "--connection",
        name,
    )
    assert restored["changed"] is True and restored["connectionId"] == created["id"]
    initialized = fg.json("init", "-w", scenario.workspace, "--strategy", "PreferRemote")
    assert initialized["requiredAction"] == "CommitToGit"
    assert initialized["strategy"] == "PreferRemote"  # the Fabric spelling works too

    listed = fg.json("connections", "list")["connections"]
    assert any(c["id"] == created["id"] and c["path"] == scenario.repo_url for c in listed)
    assert fg.json("disconnect", "-w", scenario.workspace)["disconnected"] is True
    assert fg.json("disconnect", "-w", scenario.workspace)["noop"] is True
    deleted = fg.json("connections", "delete", name)
    assert deleted["deleted"]["id"] == created["id"]
    assert all(c["id"] != created["id"] for c in fg.json("connections", "list")["connections"])


def test_azure_devops_with_automatic_credentials(fg: Fg) -> None:
    scenario = fg.scenario(pat=False)
    org = f"org-{scenario.owner}"
    fg.sandbox.admin(
        "POST",
        "/repos",
        {"provider": "AzureDevOps", "organization": org, "project": "data", "repo": "fabric"},
    )
    url = f"https://dev.azure.com/{org}/data/_git/fabric"
    document = fg.json("sync", "-w", scenario.workspace, "--repo-url", url, "--directory", "src")
    result = document["results"][0]["result"]
    assert result["actions"] == ["Connect", "InitializeConnection", "CommitToGit"]
    connection = fg.json("connection", "-w", scenario.workspace)
    assert connection["description"] == f"AzureDevOps {org}/data/fabric@main:/src"
    shown = fg.json("credentials", "show", "-w", scenario.workspace)
    assert shown["source"] == "Automatic" and shown["connectionId"] is None
