"""Every command against the emulator: its JSON shape, its text form, and its exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from e2e.conftest import NOTEBOOK, Fg
from fabric_git._httpx import httpx
from fabric_git.cli.escaping import markdown

WORKSPACE_KEYS = {"id", "name"}
STATUS_KEYS = {"workspace", "workspaceHead", "remoteCommitHash", "inSync", "summary", "changes"}
CHANGE_KEYS = {
    "displayName",
    "itemType",
    "objectId",
    "logicalId",
    "workspaceChange",
    "remoteChange",
    "conflictType",
}
SHAPES = {
    "connect": {"workspace", "provider", "connected", "reconnected", "noop", "connectionId"},
    "disconnect": {"workspace", "provider", "disconnected", "noop"},
    "connection": {
        "workspace",
        "state",
        "connectionType",
        "provider",
        "description",
        "head",
        "lastSyncTime",
    },
    "init": {
        "workspace",
        "strategy",
        "noop",
        "requiredAction",
        "workspaceHead",
        "remoteCommitHash",
    },
    "status": STATUS_KEYS,
    "commit": {
        "workspace",
        "dryRun",
        "noop",
        "action",
        "mode",
        "comment",
        "items",
        "previousHead",
        "newHead",
        "unchanged",
        "status",
    },
    "update": {
        "workspace",
        "dryRun",
        "noop",
        "action",
        "blockedBy",
        "fromHead",
        "toHead",
        "conflictPolicy",
        "allowOverrideItems",
        "changes",
        "conflicts",
        "status",
    },
    "sync": {"results", "summary"},
    "sync.result": {
        "workspace",
        "dryRun",
        "noop",
        "actions",
        "requiredAction",
        "changes",
        "notes",
        "status",
    },
    "credentials": {"workspace", "source", "connectionId", "changed"},
    "connection.item": {"id", "displayName", "connectivityType", "type", "path", "credentialType"},
    "create-github": {"id", "displayName", "type", "path", "created", "keyUpdated", "differs"},
    "operation": {
        "id",
        "status",
        "percentComplete",
        "createdTimeUtc",
        "lastUpdatedTimeUtc",
        "error",
    },
    "workspace": {"id", "displayName", "description", "type", "capacityId"},
}


def test_json_shape_of_every_command(fg: Fg) -> None:
    scenario = fg.scenario()
    ws = scenario.workspace
    name = f"shape-{scenario.owner}"
    env = {"FABRIC_GIT_PAT": scenario.pat}

    created = fg.json(
        "connections", "create-github", "--name", name, "--repo-url", scenario.repo_url, env=env
    )
    assert set(created) == SHAPES["create-github"]
    listed = fg.json("connections", "list")
    assert set(listed) == {"connections"}
    assert all(set(c) == SHAPES["connection.item"] for c in listed["connections"])

    connected = fg.json("connect", "-w", ws, "--repo-url", scenario.repo_url, "--connection", name)
    assert set(connected) == SHAPES["connect"] and set(connected["workspace"]) == WORKSPACE_KEYS
    connection = fg.json("connection", "-w", ws)
    assert set(connection) == SHAPES["connection"]
    assert connection["provider"]["gitProviderType"] == "GitHub"
    assert connection["provider"]["ownerName"] == scenario.owner

    initialized = fg.json("init", "-w", ws, "--strategy", "prefer-workspace")
    assert set(initialized) == SHAPES["init"] and initialized["requiredAction"] == "CommitToGit"
    assert initialized["strategy"] == "PreferWorkspace"  # the JSON keeps the Fabric spelling
    status = fg.json("status", "-w", ws)
    assert set(status) == STATUS_KEYS
    assert set(status["summary"]) == {"incoming", "outgoing", "conflicts"}
    assert status["changes"] and all(set(c) == CHANGE_KEYS for c in status["changes"])

    committed = fg.json("commit", "-w", ws)
    assert set(committed) == SHAPES["commit"] and set(committed["status"]) == STATUS_KEYS
    updated = fg.json("update", "-w", ws)
    assert set(updated) == SHAPES["update"] and updated["noop"] is True
    synced = fg.json("sync", "-w", ws)
    assert set(synced) == SHAPES["sync"]
    assert set(synced["summary"]) == {"total", "succeeded", "failed", "noop"}
    assert set(synced["results"][0]) == {"workspace", "ok", "attempts", "result"}
    assert set(synced["results"][0]["result"]) == SHAPES["sync.result"]

    shown = fg.json("credentials", "show", "-w", ws)
    assert set(shown) == SHAPES["credentials"]
    assert set(fg.json("credentials", "set", "-w", ws, "--source", "None")) == SHAPES["credentials"]

    workspaces = fg.json("workspaces", "list")
    assert set(workspaces) == {"workspaces"}
    assert all(set(w) == SHAPES["workspace"] for w in workspaces["workspaces"])
    new_ws = fg.json(
        "workspaces",
        "create",
        f"new-{scenario.owner}",
        "--capacity",
        fg.sandbox.running.capacity_id,
    )
    assert set(new_ws) == SHAPES["workspace"] | {"created"} and new_ws["capacityId"]

    disconnected = fg.json("disconnect", "-w", ws)
    assert set(disconnected) == SHAPES["disconnect"]
    deleted = fg.json("connections", "delete", created["id"])
    assert set(deleted) == {"deleted"} and set(deleted["deleted"]) == {"id", "displayName"}


def test_operation_show_and_wait_shapes(fg: Fg) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    response = fg.sandbox.http().get(f"/v1/workspaces/{scenario.workspace_id}/git/status")
    assert response.status_code == 202
    operation_id = response.headers["x-ms-operation-id"]
    waited = fg.json("operation", "wait", operation_id)
    assert set(waited) == SHAPES["operation"] | {"result"} and waited["status"] == "Succeeded"
    assert waited["id"] == operation_id and waited["percentComplete"] == 100
    # A status operation's result is the status itself.
    assert waited["result"]["remoteCommitHash"] == waited["result"]["workspaceHead"]
    assert waited["result"]["changes"] == []
    shown_text = fg("operation", "wait", operation_id)
    assert "Remote commit: " + waited["result"]["remoteCommitHash"] in shown_text.stdout
    assert "Changes: 0" in shown_text.stdout
    shown = fg.json("operation", "show", operation_id)
    assert set(shown) == SHAPES["operation"] and shown["status"] == "Succeeded"
    text = fg("operation", "show", operation_id)
    assert f"Operation {operation_id}: Succeeded" in text.stdout


def test_text_output_goes_to_stdout_and_messages_to_stderr(fg: Fg) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    result = fg("status", "-w", scenario.workspace)
    assert "State:          in sync" in result.stdout
    assert "no changes" in result.stdout
    assert "[" + scenario.workspace + "] status:" in result.stderr
    quiet = fg("--quiet", "status", "-w", scenario.workspace)
    assert quiet.stderr == "" and "in sync" in quiet.stdout
    no_progress = fg("--no-progress", "status", "-w", scenario.workspace)
    assert "Succeeded" not in no_progress.stderr


def test_global_options_after_the_command_name(fg: Fg) -> None:
    scenario = fg.scenario()
    ws = scenario.workspace
    synced = json.loads(
        fg(
            "sync", "-w", ws, "--repo-url", scenario.repo_url, "--output=json", "--no-progress",
            "--strategy", "prefer-workspace",
            env={"FABRIC_GIT_PAT": scenario.pat},
        ).stdout
    )  # fmt: skip
    assert synced["summary"] == {"total": 1, "succeeded": 1, "failed": 0, "noop": 0}
    status = fg("status", "--workspace", ws, "--output", "json")
    assert json.loads(status.stdout)["inSync"] is True
    listed = json.loads(fg("connections", "list", "-o", "json").stdout)
    assert any(c["path"] == scenario.repo_url for c in listed["connections"])
    workspaces = json.loads(fg("workspaces", "list", "-ojson").stdout)
    assert scenario.workspace_id in {w["id"] for w in workspaces["workspaces"]}
    dry = fg("update", "-w", ws, "--dry-run", "-qo", "json")
    assert json.loads(dry.stdout)["noop"] is True and dry.stderr == ""
    fg.sandbox.update_item(
        scenario.workspace_id, scenario.items["Load"], {"notebook-content.py": NOTEBOOK + "#\n"}
    )
    left = fg("sync", "-w", ws, "--output", "json")
    (note,) = json.loads(left.stdout)["results"][0]["result"]["notes"]
    assert "--strategy prefer-workspace" in note
    # A command's own value that reads like a global option stays its value.
    commit = fg("commit", "-w", ws, "--dry-run", "-m", "-o json", "-o", "json")
    planned = json.loads(commit.stdout)
    assert planned["comment"] == "-o json" and planned["dryRun"] is True
    # Nothing after ``--`` is an option: here it is an item that matches nothing.
    unknown = fg("commit", "-w", ws, "--", "-o", expect=1)
    assert "no item of the workspace matches '-o'" in unknown.stderr


def test_usage_errors_exit_2(fg: Fg) -> None:
    assert "Missing option '--workspace'" in fg("status", expect=2).stderr
    fg("--output", "xml", "status", "-w", "x", expect=2)
    fg("update", "-w", "x", "--conflict-policy", "whatever", expect=2)
    fg("connect", "-w", "x", expect=2)  # no repository named
    too_long = fg.scenario(items=False)
    fg.synced(too_long)
    fg.sandbox.create_item(too_long.workspace_id, "New", "Notebook", {"notebook-content.py": "x\n"})
    result = fg("commit", "-w", too_long.workspace, "-m", "x" * 301, expect=2)
    assert "300" in result.stderr and "Traceback" not in result.stderr


def test_unknown_workspace_exits_1_and_lists_what_exists(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    result = fg("status", "-w", "no-such-workspace", expect=1)
    assert "no-such-workspace" in result.stderr and scenario.workspace in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_rejected_token_exits_3(fg: Fg) -> None:
    result = fg("workspaces", "list", env={"FABRIC_TOKEN": "not-a-valid-token"}, expect=3)
    assert "FABRIC_TOKEN" in result.stderr and result.stdout == ""


def test_not_connected_sync_without_details_exits_1_with_next_step(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    result = fg("sync", "-w", scenario.workspace, expect=1)
    assert "WorkspaceNotConnectedToGit" in result.stderr and "fabric-git connect" in result.stderr


def test_verbose_shows_a_traceback_only_when_asked(fg: Fg) -> None:
    plain = fg("status", "-w", "missing-one", expect=1)
    verbose = fg("--verbose", "status", "-w", "missing-one", expect=1)
    assert "Traceback" not in plain.stderr and "Traceback" in verbose.stderr
    assert "DEBUG" in verbose.stderr  # library debug logs are on


def test_github_actions_annotations_and_step_summary(fg: Fg, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "CI": "true"}
    failed = fg("status", "-w", "missing-two", env=env, expect=1)
    assert "::error title=fabric-git%3A ResolutionError::" in failed.stderr or (
        "::error title=" in failed.stderr
    )
    scenario = fg.scenario()
    fg.synced(scenario)
    fg("status", "-w", scenario.workspace, env=env)
    text = summary.read_text()
    # Text in the summary is literal Markdown (punctuation backslash-escaped).
    assert "### " + markdown("fabric-git status failed (exit 1)") in text
    assert "### " + markdown(f"fabric-git status: {scenario.workspace}") in text
    assert "| Item | Type | Workspace | Remote | Conflict |" not in text  # in sync: no rows
    assert "_no changes_" in text


def test_azure_pipelines_logissue(fg: Fg) -> None:
    failed = fg("status", "-w", "missing-three", env={"TF_BUILD": "True"}, expect=1)
    assert "##vso[task.logissue type=error]" in failed.stderr


def test_sync_many_workspaces_from_a_file_then_noop(fg: Fg, tmp_path: Path) -> None:
    base = fg.scenario(  # owns the repository and the PAT
        items=False,
        directories=[f"workspaces/{{workspace}}{suffix}" for suffix in ("", "-0", "-1")],
    )
    names = [base.workspace]
    for index in range(2):
        name = f"{base.workspace}-{index}"
        ws_id = fg.sandbox.create_workspace(name)
        fg.sandbox.create_item(ws_id, f"Nb{index}", "Notebook", {"notebook-content.py": "x\n"})
        names.append(name)
    listing = tmp_path / "workspaces.txt"
    listing.write_text("# workspaces to sync\n" + "\n".join(names) + "\n\n")
    args = [
        "sync",
        "--workspaces-file",
        str(listing),
        "--repo-url",
        base.repo_url,
        "--directory",
        "workspaces/{workspace}",
        "--concurrency",
        "3",  # all at once: their commits race on the shared branch and must all land
    ]
    first = fg.json(*args, env={"FABRIC_GIT_PAT": base.pat})
    assert first["summary"] == {"total": 3, "succeeded": 3, "failed": 0, "noop": 0}
    described = {
        r["workspace"]: fg.json("connection", "-w", r["workspace"])["provider"]["directoryName"]
        for r in first["results"]
    }
    assert described == {name: f"workspaces/{name}" for name in names}
    second = fg.json(*args)
    assert second["summary"] == {"total": 3, "succeeded": 3, "failed": 0, "noop": 3}


def test_sync_many_reports_each_failure_and_exits_with_its_code(fg: Fg) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    result = fg(
        "--output", "json", "sync", "-w", scenario.workspace, "-w", "ghost-workspace", expect=1
    )
    import json

    document = json.loads(result.stdout)
    assert document["summary"]["failed"] == 1
    failed = next(r for r in document["results"] if not r["ok"])
    assert failed["workspace"] == "ghost-workspace"
    assert set(failed["error"]) == {"code", "message", "exitCode", "operationId", "requestId"}
    assert failed["error"]["exitCode"] == 1


def test_emulator_commands_take_the_url_from_their_option_or_the_global_one(fg: Fg) -> None:
    url = fg.sandbox.url
    unset = {"FABRIC_API_URL": None}
    own = fg("emulator", "token", "--user", "own@contoso.com", "--api-url", url, env=unset)
    shared = fg("--api-url", url, "emulator", "token", "--user", "global@contoso.com", env=unset)
    for issued in (own, shared):
        assert issued.stdout.strip().count(".") == 2  # a JWT
    signed_in = httpx.get(
        f"{url}/workspaces", headers={"Authorization": f"Bearer {shared.stdout.strip()}"}
    )
    assert signed_in.status_code == 200
    missing = fg("emulator", "token", "--user", "x@contoso.com", env=unset, expect=2)
    assert "--api-url" in missing.stderr and missing.stdout == ""
