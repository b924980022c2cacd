"""``fabric-git`` as a real process: start-up imports, exit codes, and one JSON run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from e2e.conftest import NEUTRAL_ENV, Fg

FABRIC_GIT = str(Path(sys.executable).parent / "fabric-git")


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in NEUTRAL_ENV}
    return subprocess.run(
        [FABRIC_GIT, *args],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_and_version_list_exit_codes_without_loading_commands() -> None:
    shown = _run("--help")
    assert shown.returncode == 0
    for command in ("sync", "commit", "update", "operation", "emulator", "demo"):
        assert command in shown.stdout
    assert "6  the wait timed out" in shown.stdout
    version = _run("--version")
    assert version.returncode == 0 and version.stdout.startswith("fabric-git, version ")

    probe = (
        "import sys\n"
        "from fabric_git.cli import cli\n"
        "try:\n"
        "    cli.main(['--help'], standalone_mode=False)\n"
        "finally:\n"
        "    heavy = ('httpx', 'pydantic', 'rich', 'starlette', 'uvicorn', 'pygit2', 'azure',\n"
        "             'fabric_git.workflows', 'fabric_git.client', 'fabric_git.models',\n"
        "             'fabric_git.cli.sync', 'fabric_git.cli.demo', 'fabric_git.cli.render',\n"
        "             'fabric_git.cli.progress', 'fabric_git.emulator.app')\n"
        "    print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert loaded.stdout.strip().splitlines()[-1] == "[]"


def test_status_loads_only_what_reading_a_status_needs(fg: Fg) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    base = {k: v for k, v in os.environ.items() if k not in NEUTRAL_ENV}
    env = {**base, **{k: v for k, v in fg.env.items() if v is not None}}
    argv = ["--output", "json", "status", "-w", scenario.workspace_id]
    probe = (
        "import sys\n"
        "from fabric_git.cli import cli\n"
        f"cli.main({argv!r}, standalone_mode=False)\n"
        "print(*sorted(sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    fg.scan.outputs.extend([done.stdout, done.stderr])
    assert done.returncode == 0, done.stderr
    *document, modules = done.stdout.rstrip("\n").split("\n")
    assert json.loads("\n".join(document))["inSync"] is True
    loaded = set(modules.split())
    assert {"fabric_git.workflows.status", "fabric_git.models.git", "httpx"} <= loaded
    needless = {
        "rich",
        "pygments",
        "httpx._main",
        "azure.identity",
        "starlette",
        "pygit2",
        "fabric_git.emulator",
        "fabric_git.cli.sync",
        "fabric_git.api.connections",
        "fabric_git.models.connections",
        "fabric_git.models.items",
        *(f"fabric_git.workflows.{flow}" for flow in ("sync", "commit", "update", "connection")),
    }
    assert not needless & loaded


def test_exit_codes_of_a_real_process(fg: Fg) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    env = {k: v for k, v in fg.env.items() if v is not None}
    assert _run("status", env=env).returncode == 2
    assert _run("status", "-w", "nope-process", env=env).returncode == 1
    rejected = _run("workspaces", "list", env={**env, "FABRIC_TOKEN": "wrong"})
    assert rejected.returncode == 3 and rejected.stdout == ""
    ok = _run("--output", "json", "status", "-w", scenario.workspace, env=env)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["inSync"] is True
    after = _run("status", "--workspace", scenario.workspace, "--output", "json", env=env)
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout) == json.loads(ok.stdout)
    missing = _run("status", "--workspace", scenario.workspace, "--output", env=env)
    assert missing.returncode == 2 and "requires an argument" in missing.stderr
    fg.scan.outputs.extend(
        [rejected.stdout, rejected.stderr, ok.stdout, ok.stderr, after.stdout, after.stderr]
    )
