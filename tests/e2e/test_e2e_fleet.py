"""Many workspaces as a config file: plan, apply and import through the real CLI, on a fleet
that mixes every drift (disconnected by hand, on another branch, behind its branch, holding
uncommitted changes, conflicting), against the real emulator."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from e2e.conftest import NOTEBOOK, Fg
from fabric_git.cli._sandbox import GitWorkTree


@dataclass
class Fleet:
    fg: Fg
    owner: str
    pat: str
    root: Path
    ids: dict[str, str] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)  # workspace -> its notebook's id

    @property
    def repo_url(self) -> str:
        return f"https://github.com/{self.owner}/fabric"

    @property
    def env(self) -> dict[str, str | None]:
        return {"FABRIC_GIT_PAT": self.pat}

    def name(self, label: str) -> str:
        return f"{self.owner}-{label}"

    def workspace(self, label: str, *, capacity: bool = True) -> str:
        name = self.name(label)
        if capacity:
            self.ids[name] = self.fg.sandbox.create_workspace(name)
        else:
            self.ids[name] = self.fg.sandbox.client().workspaces.create(name).id
        self.items[name] = self.fg.sandbox.create_item(
            self.ids[name], "Load", "Notebook", {"notebook-content.py": NOTEBOOK}
        )
        return name

    def synced(self, label: str, *extra: str) -> str:
        name = self.workspace(label)
        self.sync(name, *extra)
        return name

    def sync(self, name: str, *extra: str) -> Any:
        return self.fg.json(
            "sync",
            "-w",
            name,
            "--repo-url",
            self.repo_url,
            "--directory",
            "/{workspace}",
            *extra,
            env=self.env,
        )

    def edit_in_workspace(self, name: str, text: str) -> None:
        self.fg.sandbox.update_item(
            self.ids[name], self.items[name], {"notebook-content.py": NOTEBOOK + text}
        )

    def clone(self) -> GitWorkTree:
        into = self.root / uuid.uuid4().hex[:8]
        return self.fg.sandbox.clone(self.owner, "fabric", pat=self.pat, into=into)

    def branch(self, branch: str) -> None:
        self.clone().git("push", "--quiet", "origin", f"HEAD:refs/heads/{branch}")

    def push(self, name: str, text: str) -> None:
        clone = self.clone()
        relative = f"{name}/Load.Notebook/notebook-content.py"
        clone.write(relative, clone.read(relative) + text)
        clone.commit_and_push(f"change {name} from git")

    def write(self, entries: list[dict[str, Any]], **defaults: Any) -> Path:
        document = {
            "defaults": {"repo-url": self.repo_url, "directory": "/{workspace}", **defaults},
            "workspaces": entries,
        }
        path = self.root / f"fleet-{uuid.uuid4().hex[:6]}.yml"
        path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        return path


# Every workspace label the tests use: each workspace's directory (``/{workspace}``) exists on
# the branch from the start, as Connect needs (it refuses a directory the branch lacks).
_LABELS = (
    "behind", "both", "conflicting", "edited", "elsewhere", "fine", "first", "ghost", "in-sync",
    "loose", "mine", "moved", "new", "no-capacity", "no-pat", "second", "synced", "unplugged",
    "dev", "test", "prod", "a", "b", "c",
)  # fmt: skip


def _fleet(fg: Fg, tmp_path: Path) -> Fleet:
    owner = f"fleet{uuid.uuid4().hex[:8]}"
    pat = "pat_" + secrets.token_hex(12)
    fg.scan.secrets.add(pat)
    directories = [f"{owner}-{label}" for label in _LABELS]
    fg.sandbox.create_repo(owner, "fabric", pat=pat, directories=directories)
    return Fleet(fg, owner, pat, tmp_path)


def _plans(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["workspace"]: entry for entry in document["workspaces"]}


def test_plan_shows_every_drift_apply_fixes_it_and_plan_then_shows_nothing(
    fg: Fg, tmp_path: Path
) -> None:
    fleet = _fleet(fg, tmp_path)
    in_sync = fleet.synced("in-sync")
    new = fleet.workspace("new")
    unplugged = fleet.synced("unplugged")
    fg("disconnect", "-w", unplugged)
    # Reconnected preferring the workspace, whose items match the branch: nothing to commit.
    mine = fleet.synced("mine")
    fg("disconnect", "-w", mine)
    moved = fleet.synced("moved")
    fleet.branch("elsewhere")
    fleet.sync(moved, "--branch", "elsewhere", "--reconnect", "--strategy", "prefer-remote")
    behind = fleet.synced("behind")
    fleet.push(behind, "print('from git')\n")
    edited = fleet.synced("edited")
    fleet.edit_in_workspace(edited, "print('in the workspace')\n")
    both = fleet.synced("both")
    fleet.push(both, "print('git side')\n")
    fleet.edit_in_workspace(both, "print('workspace side')\n")
    config = fleet.write(
        [
            {"workspace": in_sync},
            {"workspace": new},
            {"workspace": unplugged},
            {"workspace": mine, "strategy": "prefer-workspace"},
            {"workspace": moved, "reconnect": True},
            {"workspace": behind},
            {"workspace": edited, "strategy": "prefer-workspace", "message": "{workspace} work"},
            {"workspace": both},
        ],
        strategy="prefer-remote",  # reconnected workspaces and the branch both hold content
    )

    shown = fg("plan", "-f", str(config), "--exit-code", env=fleet.env, expect=7)
    assert "update 1 item" in shown.stdout and "commit 1 item" in shown.stdout
    plan = fg.json("plan", "-f", str(config), env=fleet.env)
    assert plan["changes"] is True
    plans = _plans(plan)
    assert plans[in_sync]["plan"] == "nothing" and plans[in_sync]["steps"] == []
    assert plans[new]["steps"] == ["connect", "initialize"]
    assert plans[unplugged]["steps"] == ["connect", "initialize"]
    assert plans[mine]["steps"] == ["connect", "initialize"]
    assert plans[moved]["steps"] == ["reconnect", "initialize"]
    assert any("elsewhere" in note for note in plans[moved]["notes"])
    assert plans[behind]["plan"] == "update 1 item"
    assert plans[edited]["plan"] == "commit 1 item"
    assert plans[both]["plan"] == "update 1 item" and plans[both]["items"]["conflicts"] == 1
    assert plan["summary"] == {"total": 8, "nothing": 1, "changes": 7, "blocked": 0, "failed": 0}
    # The plan changed nothing.
    assert fg.json("connection", "-w", unplugged)["state"] == "NotConnected"
    assert fg.json("status", "-w", behind)["summary"]["incoming"] == 1

    applied = fg.json("apply", "-f", str(config), env=fleet.env)
    assert applied["summary"]["failed"] == 0 and applied["summary"]["stillRunning"] == []
    done = {e["workspace"]: e["done"] for e in applied["workspaces"]}
    assert done[in_sync] == "nothing to do"
    assert done[new].startswith("connected, initialized")
    assert done[mine] == "connected, initialized"
    assert done[moved].startswith("disconnected, connected, initialized")
    assert done[behind] == "updated 1 item(s)"
    assert done[edited] == "committed 1 item(s)"
    assert fg.json("connection", "-w", moved)["provider"]["branchName"] == "main"

    again = fg.json("plan", "-f", str(config), "--exit-code", env=fleet.env)
    assert {e["plan"] for e in again["workspaces"]} == {"nothing"}, again
    assert again["changes"] is False
    clone = fleet.clone()
    assert "in the workspace" in clone.read(f"{edited}/Load.Notebook/notebook-content.py")
    assert clone.git("log", "-1", "--format=%s", "--", edited).strip() == f"{edited} work"
    assert "git side" in clone.read(f"{both}/Load.Notebook/notebook-content.py")


def test_import_writes_a_config_that_plan_finds_nothing_to_do_in(fg: Fg, tmp_path: Path) -> None:
    fleet = _fleet(fg, tmp_path)
    names = [fleet.synced(label) for label in ("dev", "test", "prod")]
    fleet.workspace("loose")  # not connected: skipped
    target = tmp_path / "fabric-git.yml"
    result = fg("import", "-w", f"{fleet.owner}-*", "-f", str(target))
    assert f"skipped {fleet.name('loose')}: not connected to Git" in result.stderr
    document = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert document["defaults"]["repo-url"] == fleet.repo_url
    assert document["defaults"]["directory"] == "/{workspace}"
    assert document["defaults"]["branch"] == "main"
    assert document["defaults"]["connection"] == f"fabric-git-{fleet.owner}-fabric"
    assert [e["workspace"] for e in document["workspaces"]] == names
    assert all(set(e) == {"workspace"} for e in document["workspaces"])

    plan = fg.json("plan", "-f", str(target), "--exit-code")
    assert [e["plan"] for e in plan["workspaces"]] == ["nothing"] * 3

    # To stdout, as YAML (the same document); -o json gives it inside the JSON document.
    printed = fg("import", "-w", names[0], "-w", names[1])
    assert yaml.safe_load(printed.stdout)["workspaces"] == document["workspaces"][:2]
    as_json = fg.json("import", "-w", names[2])
    assert as_json["config"]["workspaces"][0] == {
        "workspace": names[2],
        "repo-url": fleet.repo_url,
        "branch": "main",
        "directory": f"/{names[2]}",
        "connection": f"fabric-git-{fleet.owner}-fabric",
    }
    refused = fg("import", "-w", names[0], "-f", str(target), expect=2)
    assert "--force" in refused.stderr


def test_one_failing_workspace_leaves_the_others_applied(fg: Fg, tmp_path: Path) -> None:
    fleet = _fleet(fg, tmp_path)
    names = [fleet.synced(label) for label in ("a", "b", "c")]
    for name in names:
        fleet.edit_in_workspace(name, f"print('{name}')\n")
    failing = fleet.ids[names[1]]
    fg.sandbox.add_fault(
        operation="CommitToGit",
        path=f"/workspaces/{failing}/",
        fail="GitSyncFailed",
        message="The remote hung up",
        times=1,
    )
    config = fleet.write([{"workspace": name} for name in names], strategy="prefer-workspace")
    result = fg("--output", "json", "apply", "-f", str(config), env=fleet.env, expect=5)
    document = json.loads(result.stdout)
    assert document["summary"]["succeeded"] == 2 and document["summary"]["failed"] == 1
    failed = _plans(document)[names[1]]
    assert failed["ok"] is False and failed["error"]["code"] == "GitSyncFailed"
    assert f"{names[1]}: GitSyncFailed" in result.stderr
    for name in (names[0], names[2]):
        assert fg.json("status", "-w", name)["changes"] == []  # (the shared branch moved on)
    assert fg.json("status", "-w", names[1])["summary"]["outgoing"] == 1
    plan = fg.json("plan", "-f", str(config))
    assert [e["plan"] for e in plan["workspaces"]] == ["nothing", "commit 1 item", "nothing"]


def test_blocked_workspaces_are_shown_with_the_reason_and_apply_leaves_them(
    fg: Fg, tmp_path: Path
) -> None:
    fleet = _fleet(fg, tmp_path)
    conflicting = fleet.synced("conflicting")
    fleet.push(conflicting, "print('git side')\n")
    fleet.edit_in_workspace(conflicting, "print('workspace side')\n")
    elsewhere = fleet.synced("elsewhere")
    fleet.branch("other")
    fleet.sync(elsewhere, "--branch", "other", "--reconnect", "--strategy", "prefer-remote")
    no_capacity = fleet.workspace("no-capacity", capacity=False)
    no_pat = fleet.workspace("no-pat")
    fine = fleet.workspace("fine")
    config = fleet.write(
        [
            {"workspace": conflicting},
            {"workspace": elsewhere},
            {"workspace": no_capacity},
            {
                "workspace": no_pat,
                "repo-url": f"https://github.com/{fleet.owner}/unknown",
                "connection-name": "missing-{workspace}",
                "pat-env": "NO_PAT",
            },
            {"workspace": fine},
        ]
    )
    plan = fg.json("plan", "-f", str(config), env=fleet.env)
    plans = _plans(plan)
    assert "set `strategy: prefer-remote`" in plans[conflicting]["blocked"]
    assert "reconnect: true" in plans[elsewhere]["blocked"]
    assert "@other" in plans[elsewhere]["blocked"]
    assert "no capacity" in plans[no_capacity]["blocked"]
    assert f"missing-{no_pat}" in plans[no_pat]["blocked"]
    assert "$NO_PAT" in plans[no_pat]["blocked"]
    assert plans[fine]["steps"] == ["connect", "initialize"]
    assert plan["summary"]["blocked"] == 4
    fg("plan", "-f", str(config), "--exit-code", env=fleet.env, expect=7)

    applied = fg("--output", "json", "apply", "-f", str(config), env=fleet.env, expect=2)
    entries = _plans(json.loads(applied.stdout))
    assert entries[fine]["ok"] is True
    assert entries[conflicting]["error"]["code"] == "ConflictsNeedPolicy"
    assert entries[elsewhere]["error"]["code"] == "ConnectedElsewhere"
    assert entries[no_capacity]["error"]["code"] == "Blocked"
    assert entries[no_pat]["error"]["exitCode"] == 2  # no PAT to create the connection with
    assert fg.json("connection", "-w", elsewhere)["provider"]["branchName"] == "other"
    assert fg.json("connection", "-w", no_pat)["state"] == "NotConnected"


def test_ci_gets_the_table_in_the_job_summary_and_an_annotation_per_drift(
    fg: Fg, tmp_path: Path
) -> None:
    fleet = _fleet(fg, tmp_path)
    synced = fleet.synced("synced")
    new = fleet.workspace("new")
    config = fleet.write([{"workspace": synced}, {"workspace": new}])
    summary = tmp_path / "summary.md"
    github = {**fleet.env, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    result = fg("plan", "-f", str(config), env=github)
    assert f"::warning title=fabric-git plan::{new}: connect, initialize" in result.stderr
    assert synced not in "".join(line for line in result.stderr.splitlines() if "::" in line)
    # Markdown escapes every punctuation character of names (names are data): read it unescaped.
    text = re.sub(r"\\(.)", r"\1", summary.read_text(encoding="utf-8"))
    assert "### fabric-git plan" in text and f"| {new} | connect, initialize |" in text

    azure = {**fleet.env, "TF_BUILD": "True", "AGENT_TEMPDIRECTORY": str(tmp_path)}
    applied = fg("apply", "-f", str(config), env=azure)
    marker = "##vso[task.uploadsummary]"
    uploaded = [line for line in applied.stderr.splitlines() if line.startswith(marker)]
    assert len(uploaded) == 1
    page = re.sub(r"\\(.)", r"\1", Path(uploaded[0][len(marker) :]).read_text(encoding="utf-8"))
    assert "### fabric-git apply" in page and new in page
    fg.scan.watch(Path(uploaded[0][len(marker) :]))


def test_a_bad_file_is_a_usage_error_naming_file_line_and_key_before_any_call(
    fg: Fg, tmp_path: Path
) -> None:
    offline = {"FABRIC_API_URL": "http://127.0.0.1:9/v1"}  # nothing listens: no call may happen
    cases = {
        "workspaces:\n  - workspace: Sales\n    brnch: dev\n": (3, "workspaces[0].brnch"),
        "defaults:\n  reconnect: sometimes\nworkspaces:\n  - workspace: Sales\n": (
            2,
            "defaults.reconnect",
        ),
        "workspaces:\n  - workspace: Sales\n  - workspace: sales\n": (3, "workspaces[1].workspace"),
        "workspaces:\n  - workspace: Sales\n    pat: x\n": (3, "workspaces[0].pat"),
        "workspaces:\n  - workspace: Sales\n    repo-url: https://example.com/x\n": (
            3,
            "workspaces[0].repo-url",
        ),
    }
    for index, (text, (line, key)) in enumerate(cases.items()):
        path = tmp_path / f"bad{index}.yml"
        path.write_text(text, encoding="utf-8")
        for command in ("plan", "apply"):
            result = fg(command, "-f", str(path), env=offline, expect=2)
            assert f"{path}:{line}: {key}:" in result.stderr, result.stderr
            assert "Traceback" not in result.stderr and result.stdout == ""
    missing = fg("plan", "-f", str(tmp_path / "nope.yml"), env=offline, expect=2)
    assert "nope.yml: no such file" in missing.stderr
    schema = json.loads(fg("config", "schema").stdout)
    assert "repo-url" in schema["properties"]["defaults"]["properties"]


def test_plan_backs_off_when_throttled_and_reports_a_missing_workspace(
    fg: Fg, tmp_path: Path
) -> None:
    fleet = _fleet(fg, tmp_path)
    first, second = fleet.synced("first"), fleet.synced("second")
    # More 429s than one call's retries allow: the workspace is read again after Retry-After.
    fg.sandbox.add_fault(
        path=f"/workspaces/{fleet.ids[first]}/git/connection$", status=429, retryAfter=0, times=7
    )
    config = fleet.write(
        [{"workspace": first}, {"workspace": fleet.name("ghost")}, {"workspace": second}]
    )
    result = fg("--output", "json", "plan", "-f", str(config), "--exit-code", expect=1)
    assert all(f["fired"] == f["times"] for f in fg.sandbox.admin("GET", "/faults")["value"])
    plans = _plans(json.loads(result.stdout))
    assert plans[first]["plan"] == plans[second]["plan"] == "nothing"
    ghost = plans[fleet.name("ghost")]
    assert ghost["plan"] == "failed to read" and ghost["error"]["code"] == "NotFound"
    assert f"{fleet.name('ghost')}: NotFound" in result.stderr
