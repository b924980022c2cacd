"""Names are data, never commands: hostile display names of workspaces, items (set through the
API and through a pushed ``.platform``) and connections, shown by the real CLI under GitHub
Actions, under Azure Pipelines and on a terminal. No name starts a CI command, no escape
sequence from a name reaches the output, and the step summary carries no HTML from a name. The
JSON output keeps every name exactly."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from e2e.conftest import NEUTRAL_ENV, NOTEBOOK, Fg, Scenario

# What each name carries: a new line that starts a GitHub workflow command, an Azure Pipelines
# logging command and a legacy "##[" command mid-line, terminal escapes (clear the screen, set
# the window title), a bidirectional override, and HTML for the step summary.
PAYLOAD = (
    "\n::error title=pwned::injected\r##vso[task.complete result=Failed]x ##[group]g"
    "\x1b[2J\x1b]0;pwned\x07\u202e<img src=x onerror=alert(1)><script>alert(2)</script>"
)
# The tool's own annotations: a title property of ours, then the (escaped) message.
_OURS_GITHUB = re.compile(r"^::(error|warning) title=fabric-git[^:]*::")
# Ours: an annotation, or the run summary's file (a path of the tool's own making).
_OURS_AZURE = re.compile(
    r"^##vso\[(?:task\.logissue type=(?:error|warning)\][^\n]*|task\.uploadsummary\][^\n]*\.md)$"
)
# What rich writes itself on a terminal: colours and weights, and the live progress table's
# cursor hiding, line erasing and moving up.
_RICH_OWN = re.compile(r"\x1b\[(?:[0-9;]*m|\?25[hl]|2K|[0-9]*A)")


def _hostile(prefix: str) -> str:
    return f"::warning::{prefix}-{uuid.uuid4().hex[:6]}{PAYLOAD}"


def _check_github(text: str) -> None:
    assert "\x1b" not in text and "\r" not in text
    for line in text.splitlines():
        if line.lstrip().startswith("::"):
            assert _OURS_GITHUB.match(line), line
        assert "##[" not in line and "##vso[" not in line.lower(), line


def _check_azure(text: str) -> None:
    assert "\x1b" not in text and "\r" not in text
    for line in text.splitlines():
        if "##vso[" in line.lower():
            assert _OURS_AZURE.match(line) and line.lower().count("##vso[") == 1, line
        assert "##[" not in line, line


def _check_summary(markdown: str) -> None:
    assert "\x1b" not in markdown and "\r" not in markdown
    # CommonMark with raw HTML on, as GitHub would take it before its sanitizer.
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    for tag in ("<img", "<script", "<a "):
        assert tag not in html, html


def _workspace(fg: Fg, tmp_path: Path) -> tuple[Scenario, str, str]:
    """A connected workspace with a hostile name, an item renamed through a pushed ``.platform``
    (then edited) and a hostile item not yet committed. Returns the scenario and both names."""
    scenario = fg.scenario(items=False)
    name = _hostile("ws")
    scenario.workspace_id = fg.sandbox.create_workspace(name)
    scenario.workspace = name
    load = fg.sandbox.create_item(
        scenario.workspace_id, "Load", "Notebook", {"notebook-content.py": NOTEBOOK}
    )
    fg.json(
        "sync",
        "-w",
        scenario.workspace_id,
        "--repo-url",
        scenario.repo_url,
        env={"FABRIC_GIT_PAT": scenario.pat},
    )
    clone = scenario.clone(tmp_path / "clone")
    platform = next(clone.path.glob("**/Load.Notebook/.platform"))
    relative = platform.relative_to(clone.path).as_posix()
    document = json.loads(clone.read(relative))
    renamed = _hostile("git")
    document["metadata"]["displayName"] = renamed
    clone.write(relative, json.dumps(document, indent=2) + "\n")
    clone.commit_and_push("a name from Git")
    assert fg.json("update", "-w", scenario.workspace_id)["status"]["inSync"] is True
    # Both items differ from Git: one edited in the workspace, one new.
    fg.sandbox.update_item(
        scenario.workspace_id, load, {"notebook-content.py": NOTEBOOK + "# edited\n"}
    )
    added = _hostile("item")
    fg.sandbox.create_item(
        scenario.workspace_id, added, "Notebook", {"notebook-content.py": NOTEBOOK}
    )
    return scenario, renamed, added


def test_names_never_become_ci_commands_or_terminal_escapes(fg: Fg, tmp_path: Path) -> None:
    scenario, renamed, added = _workspace(fg, tmp_path)
    ws = scenario.workspace_id
    connection = _hostile("conn")
    branch = _hostile("branch")
    fg.sandbox.create_workspace(branch)
    fg("relations", "add", "-w", ws, branch, "--type", "branch")

    # JSON keeps every name exactly.
    status = fg.json("status", "-w", ws)
    assert status["workspace"]["name"] == scenario.workspace
    assert {c["displayName"] for c in status["changes"]} == {renamed, added}

    summary = tmp_path / "summary.md"
    github = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    runs = [
        fg("status", "-w", ws, env=github),
        fg("update", "-w", ws, "--dry-run", env=github),
        fg("workspaces", "list", env=github),
        # A service-side list of changed items in an error line and its annotation.
        fg("commit", "-w", ws, "Ghost", env=github, expect=1),
        fg(
            "connections",
            "create-github",
            "--name",
            connection,
            "--repo-url",  # another repository: the scenario's connection is not reused
            f"https://github.com/{scenario.owner}/elsewhere",
            env={**github, "FABRIC_GIT_PAT": scenario.pat},
        ),
        fg("connections", "list", env=github),
        fg("--verbose", "status", "-w", ws, env=github),
        fg("status", "-w", ws, "--files", env=github),
        fg("relations", "list", "-w", ws, env=github),
        fg("feature", "list", "--base", ws, env=github),
        fg("workspaces", "roles", "list", "-w", ws, env=github),
        fg("doctor", "-w", ws, env=github),
    ]
    for result in runs:
        _check_github(result.stdout)
        _check_github(result.stderr)
    shown = "".join(r.stdout + r.stderr for r in runs)
    # Each name is there, as data: its first line and its escaped payload.
    for name in (scenario.workspace, renamed, added, connection, branch):
        assert name.split("\n")[0][len("::warning::") :] in shown, (name, shown)
    assert "\\n::error title=pwned::injected\\r\\x23#vso[task.complete" in shown
    assert "\\x3a:warning::ws-" in shown  # at the start of a line
    assert "\\x1b[2J\\x1b]0;pwned\\x07\\u202e<img" in shown
    errors = [line for line in runs[3].stderr.splitlines() if line.startswith("error: ")]
    annotations = [line for line in runs[3].stderr.splitlines() if line.startswith("::error")]
    assert len(errors) == len(annotations) == 1 and "UnknownItems" in errors[0]
    assert "item-" in annotations[0] and "\\x1b[2J" in annotations[0]  # the name, as data
    assert "DEBUG" in runs[6].stderr and "Traceback" not in runs[6].stderr
    _check_summary(summary.read_text(encoding="utf-8"))
    assert "onerror" in summary.read_text(encoding="utf-8")  # the names are in the summary

    azure = {"TF_BUILD": "True"}
    runs = [
        fg("status", "-w", ws, env=azure),
        fg("commit", "-w", ws, "Ghost", env=azure, expect=1),
        fg("connections", "list", env=azure),
    ]
    for result in runs:
        _check_azure(result.stdout)
        _check_azure(result.stderr)
    lines = runs[1].stderr.splitlines()
    assert sum(line.startswith("##vso[task.logissue") for line in lines) == 1


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run ``fabric-git`` with stdout and stderr on a pseudo-terminal; everything it wrote."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "fabric-git"), *args],
        stdin=subprocess.DEVNULL,
        stdout=secondary,
        stderr=secondary,
        env=env,
    )
    os.close(secondary)
    chunks: list[bytes] = []
    try:
        while True:
            ready, _, _ = select.select([primary], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(primary)
        process.wait(timeout=60)
    assert process.returncode == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode("utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal needs POSIX")
def test_names_on_a_terminal_carry_no_escape_sequence(fg: Fg, tmp_path: Path) -> None:
    scenario, renamed, added = _workspace(fg, tmp_path)
    base = {k: v for k, v in os.environ.items() if k not in NEUTRAL_ENV}
    env = {**base, **{k: v for k, v in fg.env.items() if v is not None}, "COLUMNS": "400"}
    for args in (["status", "-w", scenario.workspace_id], ["workspaces", "list"]):
        output = _on_a_terminal(args, env)
        fg.scan.outputs.append(output)
        left = _RICH_OWN.sub("", output)
        assert "\x1b" not in left, repr(left[left.find("\x1b") :][:400])
        assert "\x07" not in output and "\u202e" not in output
        assert "\\x1b[2J\\x1b]0;pwned\\x07" in output
