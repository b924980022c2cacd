"""``fabric-git plan`` and ``apply`` on a fleet whose operations take 2 s: default concurrency
against one workspace at a time.

One emulator per benchmark (a socket on 127.0.0.1; every long-running operation ``Running`` for
2 s, ``Retry-After: 1``), one hosted repository and one GitHub connection. The fleet is written
to a ``fabric-git.yml`` (a directory per workspace, ``/{workspace}``) and brought in line once
by ``fabric-git apply`` with instant operations, untimed.

- plan: 200 workspaces, each connected, initialized and holding one committed notebook. Reading
  one is a connection read and a 2 s Get Status. ``fabric-git plan`` with the default
  concurrency (A) against ``--concurrency 1`` (B), interleaved A B A B on the same fleet.
- apply: 50 workspaces, drifted again before every run: half disconnected by hand (apply
  connects and initializes them), half behind their branch, where one pushed commit changed
  their notebooks (apply updates them). ``fabric-git apply`` with the default concurrency (A)
  against ``--concurrency 1`` (B), interleaved A B A B. (No drift that commits: 25 commits on
  one branch at once mostly measure their collisions, each retried after a fresh status.)

A run counts only if the command exits 0 and reports what it should (every workspace "nothing"
for plan; every workspace applied, and a plan right after finding nothing, for apply). The
figure is the sum of the A times over the sum of the B times, against the target of 0.05.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.api import FabricApi
from bench.cli_startup import cli_path
from bench.results import Figure, unavailable

TARGET_RATIO = 0.05
PLAN_WORKSPACES = 200
APPLY_WORKSPACES = 50
LRO_SECONDS = 2.0
RETRY_AFTER = 1
OWNER = "bench"
REPOSITORY = "fleet"
PAT = "bench-pat-not-a-secret"
RUN_TIMEOUT = 1800.0


def _notebook(text: str) -> dict[str, Any]:
    part = {
        "path": "notebook-content.py",
        "payload": base64.b64encode(text.encode()).decode(),
        "payloadType": "InlineBase64",
    }
    return {"parts": [part]}


def _fast(api: FabricApi) -> None:
    api.admin("PUT", "/settings", {"lroMode": "sync", "lroDuration": 0, "retryAfter": 1})


def _slow(api: FabricApi) -> None:
    settings = {"lroMode": "async", "lroDuration": LRO_SECONDS, "retryAfter": RETRY_AFTER}
    api.admin("PUT", "/settings", settings)


class _Fleet:
    def __init__(self, api: FabricApi, url: str, token: str, capacity: str, scratch: Path) -> None:
        self.api = api
        self.env = {**os.environ, "FABRIC_API_URL": url, "FABRIC_TOKEN": token}
        self.capacity = capacity
        self.scratch = scratch
        self.ids: dict[str, str] = {}
        self.items: dict[str, str] = {}

    def arrange(self, prefix: str, count: int) -> Path:
        """``count`` workspaces with a notebook each, committed to their directories."""
        _fast(self.api)
        names = [f"{prefix}-{index:03d}" for index in range(count)]
        # Each workspace's directory exists on the branch, as Fabric requires before connecting.
        repo = {"provider": "GitHub", "owner": OWNER, "repo": REPOSITORY, "directories": names}
        self.api.admin("POST", "/repos", repo)
        connection = self.api.create_github_connection(
            "bench fleet", f"https://github.com/{OWNER}/{REPOSITORY}", PAT
        )
        for index, name in enumerate(names):
            self.ids[name] = self.api.create_workspace(name, self.capacity)
            self.items[name] = self.api.create_item(
                self.ids[name], "Notebook", "Load", definition=_notebook(f"print({index})\n")
            )
        config = self.scratch / "fabric-git.yml"
        lines = [
            "defaults:",
            f"  repo-url: https://github.com/{OWNER}/{REPOSITORY}",
            "  directory: /{workspace}",
            f"  connection: {connection}",
            "  strategy: prefer-workspace",
            "workspaces:",
            *(f"  - workspace: {name}" for name in names),
        ]
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        # A few at a time: with instant operations, many commits on one branch at once would
        # mostly measure their collisions (untimed set-up).
        done = self.cli("apply", "-f", str(config), "--concurrency", "4")
        if done.returncode != 0:
            raise RuntimeError(f"arranging the fleet failed: {_tail(done)}")
        return config

    def cli(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        argv = [str(cli_path()), "--output", "json", "--no-progress", *args]
        return subprocess.run(
            argv, env=self.env, capture_output=True, check=False, timeout=RUN_TIMEOUT
        )

    def drift(self, names: list[str], round_: int, git_url: str) -> None:
        """Half disconnected by hand; half behind their branch (one pushed commit changes
        their notebooks)."""
        from fabric_git.cli._sandbox import GitWorkTree

        _fast(self.api)
        clone = self.scratch / f"clone-{round_}"
        tree = GitWorkTree(clone, pat=None)
        url = f"{git_url}/github/{OWNER}/{REPOSITORY}.git"
        tree.git("clone", "--quiet", url, str(clone), cwd=self.scratch)
        tree.git("config", "user.name", "Bench")
        tree.git("config", "user.email", "bench@example.com")
        for index, name in enumerate(names):
            if index % 2 == 0:
                self.api.disconnect(self.ids[name])
            else:
                relative = f"{name}/Load.Notebook/notebook-content.py"
                tree.write(relative, tree.read(relative) + f"# change {round_}\n")
        tree.commit_and_push(f"round {round_}")


def _tail(done: subprocess.CompletedProcess[bytes]) -> str:
    return f"exit {done.returncode}: " + done.stderr.decode(errors="replace").strip()[-300:]


def _timed(run: Callable[[], subprocess.CompletedProcess[bytes]]) -> tuple[float, Any]:
    started = time.perf_counter()
    done = run()
    seconds = time.perf_counter() - started
    return seconds, done


def _plan_problem(done: subprocess.CompletedProcess[bytes], count: int) -> str | None:
    if done.returncode != 0:
        return _tail(done)
    document = json.loads(done.stdout)
    plans = [w["plan"] for w in document["workspaces"]]
    if len(plans) != count or set(plans) != {"nothing"}:
        return f"plan did not find {count} workspaces with nothing to do: {sorted(set(plans))}"
    return None


def _apply_problem(
    fleet: _Fleet, config: Path, done: subprocess.CompletedProcess[bytes], count: int
) -> str | None:
    if done.returncode != 0:
        return _tail(done)
    document = json.loads(done.stdout)
    summary = document["summary"]
    if summary["succeeded"] != count or summary["noop"] != 0:
        return f"apply summary {summary}, expected {count} workspaces changed"
    _fast(fleet.api)
    check = fleet.cli("plan", "-f", str(config), "--exit-code")
    if check.returncode != 0:
        return f"plan after apply: {_tail(check)}"
    return None


def _say(text: str) -> None:
    print(f"   {text}", file=sys.stderr, flush=True)


def _plan_runs(scratch: Path) -> tuple[list[float], list[float], str | None]:
    from fabric_git.emulator import EmulatorConfig, EmulatorServer

    config_ = EmulatorConfig(data_dir=scratch / "data")
    with EmulatorServer(config_) as server, FabricApi(server.url, server.token) as api:
        fleet = _Fleet(api, server.url, server.token, server.capacity_id, scratch)
        config = fleet.arrange("plan-ws", PLAN_WORKSPACES)
        _slow(api)
        concurrent: list[float] = []
        sequential: list[float] = []
        for label, extra, into in (
            ("A", (), concurrent),
            ("B", ("--concurrency", "1"), sequential),
        ) * 2:
            seconds, done = _timed(lambda extra=extra: fleet.cli("plan", "-f", str(config), *extra))
            problem = _plan_problem(done, PLAN_WORKSPACES)
            _say(f"plan {label}: {seconds:.1f} s, problem: {problem}")
            if problem:
                return concurrent, sequential, problem
            into.append(seconds)
    return concurrent, sequential, None


def _apply_runs(scratch: Path) -> tuple[list[float], list[float], str | None]:
    from fabric_git.emulator import EmulatorConfig, EmulatorServer

    config_ = EmulatorConfig(data_dir=scratch / "data")
    with EmulatorServer(config_) as server, FabricApi(server.url, server.token) as api:
        fleet = _Fleet(api, server.url, server.token, server.capacity_id, scratch)
        config = fleet.arrange("apply-ws", APPLY_WORKSPACES)
        names = sorted(fleet.ids)
        concurrent: list[float] = []
        sequential: list[float] = []
        for round_, (label, extra, into) in enumerate(
            (("A", (), concurrent), ("B", ("--concurrency", "1"), sequential)) * 2
        ):
            fleet.drift(names, round_, server.git_url)
            _slow(api)
            seconds, done = _timed(
                lambda extra=extra: fleet.cli("apply", "-f", str(config), *extra)
            )
            problem = _apply_problem(fleet, config, done, APPLY_WORKSPACES)
            _say(f"apply {label}: {seconds:.1f} s, problem: {problem}")
            if problem:
                return concurrent, sequential, problem
            into.append(seconds)
    return concurrent, sequential, None


def _ratio(name: str, what: str, runs: tuple[list[float], list[float], str | None]) -> list[Figure]:
    concurrent, sequential, problem = runs
    if problem:
        return [unavailable(name, "x", TARGET_RATIO, "<=", problem)]
    ratio = sum(concurrent) / sum(sequential)
    return [
        Figure(
            name,
            ratio,
            "x",
            TARGET_RATIO,
            "<=",
            detail=(
                f"default concurrency {' + '.join(f'{s:.1f}' for s in concurrent)} s against "
                f"--concurrency 1 {' + '.join(f'{s:.1f}' for s in sequential)} s, interleaved "
                f"A B A B on one emulator; {what}"
            ),
            data={"concurrent_s": concurrent, "sequential_s": sequential},
        )
    ]


def _guarded(
    runs: Callable[[Path], tuple[list[float], list[float], str | None]], prefix: str
) -> tuple[list[float], list[float], str | None]:
    """One benchmark's runs; a failure becomes its problem, so the other still reports."""
    with tempfile.TemporaryDirectory(prefix=prefix) as scratch:
        try:
            return runs(Path(scratch))
        except Exception as error:
            return [], [], f"failed: {error!r}"[:300]


def run() -> list[Figure]:
    return [
        *_ratio(
            f"plan {PLAN_WORKSPACES} workspaces (2 s operations): concurrent / sequential",
            "per workspace a connection read and a 2 s Get Status",
            _guarded(_plan_runs, "bench-fleet-plan-"),
        ),
        *_ratio(
            f"apply {APPLY_WORKSPACES} drifted workspaces (2 s operations): "
            "concurrent / sequential",
            "half reconnected and initialized, half updated to a pushed commit",
            _guarded(_apply_runs, "bench-fleet-apply-"),
        ),
    ]
