"""Syncing 50 workspaces whose operations take 2 s each: concurrent against sequential.

Each variant runs on a fresh emulator (a socket on 127.0.0.1, LRO mode ``async``, every
long-running operation ``Running`` for 2 s, ``Retry-After: 1``) holding 50 new workspaces with
a few items each, one hosted repository and one GitHub connection. One ``fabric-git sync``
process syncs all 50 into a directory per workspace (``--directory /{workspace}``), which for
each workspace means: connect, initialize, read the status, commit everything, read the status
again (four 2 s operations).

- concurrent: the default ``--concurrency``;
- sequential: ``--concurrency 1``, the same command one workspace after another;
- throttled: the default concurrency while the emulator answers a seeded tenth of all API
  requests with ``429`` and ``Retry-After: 1``.

A run counts only if the command exits 0 and every workspace ends connected, initialized and
with nothing left to commit or update (checked over the API afterwards). The figure is the
concurrent time over the sequential time, against the target of at most 0.1.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.api import FabricApi
from bench.cli_startup import cli_path
from bench.results import Figure, unavailable

TARGET_RATIO = 0.1
WORKSPACES = 50
ITEMS_PER_WORKSPACE = 3
LRO_SECONDS = 2.0
RETRY_AFTER = 1
THROTTLED_FRACTION = 0.1
OWNER = "bench"
REPOSITORY = "sync-many"
PAT = "bench-pat-not-a-secret"
# A bound on one variant: 50 workspaces one after another take minutes; a hang must not take
# the whole benchmark run with it.
VARIANT_TIMEOUT = 1800.0


@dataclass(frozen=True)
class Outcome:
    seconds: float
    synced: int
    throttled: int
    problem: str | None


def _notebook(name: str, index: int) -> dict[str, Any]:
    text = f"# Fabric notebook source\n# {name} {index}\nprint({index})\n"
    part = {
        "path": "notebook-content.py",
        "payload": base64.b64encode(text.encode()).decode(),
        "payloadType": "InlineBase64",
    }
    return {"parts": [part]}


def _arrange(api: FabricApi, capacity: str, count: int) -> tuple[list[str], str]:
    """``count`` workspaces with items, the repository and the connection; LROs then slow."""
    api.admin("PUT", "/settings", {"lroMode": "sync", "lroDuration": 0, "retryAfter": 1})
    names = [f"sync-ws-{index:02d}" for index in range(count)]
    # Each workspace's directory exists on the branch, as Fabric requires before connecting.
    repo = {"provider": "GitHub", "owner": OWNER, "repo": REPOSITORY, "directories": names}
    api.admin("POST", "/repos", repo)
    connection = api.create_github_connection(
        "bench sync-many", f"https://github.com/{OWNER}/{REPOSITORY}", PAT
    )
    for name in names:
        workspace = api.create_workspace(name, capacity)
        for item in range(ITEMS_PER_WORKSPACE):
            api.create_item(
                workspace, "Notebook", f"Notebook {item}", definition=_notebook(name, item)
            )
    api.admin(
        "PUT",
        "/settings",
        {"lroMode": "async", "lroDuration": LRO_SECONDS, "retryAfter": RETRY_AFTER},
    )
    return names, connection


def _in_sync(api: FabricApi, names: list[str]) -> int:
    """How many of ``names`` are connected, initialized and have nothing to commit or update."""
    api.admin("PUT", "/settings", {"lroMode": "sync", "lroDuration": 0, "retryAfter": 1})
    ids = {w["displayName"]: w["id"] for w in api.call("GET", "/workspaces").json()["value"]}
    synced = 0
    for name in names:
        workspace = ids[name]
        connection = api.call("GET", f"/workspaces/{workspace}/git/connection").json()
        if connection.get("gitConnectionState") != "ConnectedAndInitialized":
            continue
        status = api.lro("GET", f"/workspaces/{workspace}/git/status")
        # The branch is shared, so its tip moves past a workspace's head with other
        # workspaces' commits; in sync means no item differs.
        if not status["changes"]:
            synced += 1
    return synced


def _run_variant(count: int, concurrency: int | None, throttle: bool, scratch: Path) -> Outcome:
    from fabric_git.emulator import EmulatorConfig, EmulatorServer

    config = EmulatorConfig(data_dir=scratch / "data")
    with EmulatorServer(config) as server, FabricApi(server.url, server.token) as api:
        names, connection = _arrange(api, server.capacity_id, count)
        listing = scratch / "workspaces.txt"
        listing.write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
        argv = [
            str(cli_path()),
            "--output",
            "json",
            "--no-progress",
            "sync",
            "--workspaces-file",
            str(listing),
            "--provider",
            "GitHub",
            "--owner",
            OWNER,
            "--repository",
            REPOSITORY,
            "--directory",
            "/{workspace}",
            "--connection",
            connection,
        ]
        if concurrency is not None:
            argv += ["--concurrency", str(concurrency)]
        if throttle:
            rule = {
                "path": "^/v1/",
                "status": 429,
                "retryAfter": RETRY_AFTER,
                "probability": THROTTLED_FRACTION,
                "seed": 7,
            }
            api.admin("POST", "/faults", rule)
        env = {**os.environ, "FABRIC_API_URL": server.url, "FABRIC_TOKEN": server.token}
        started = time.perf_counter()
        done = subprocess.run(
            argv, env=env, capture_output=True, check=False, timeout=VARIANT_TIMEOUT
        )
        seconds = time.perf_counter() - started
        throttled = sum(f["fired"] for f in api.admin("GET", "/faults")["value"])
        api.admin("DELETE", "/faults")
        problem = None
        if done.returncode != 0:
            tail = done.stderr.decode(errors="replace").strip()[-300:]
            problem = f"exit {done.returncode}: {tail}"
        synced = _in_sync(api, names)
        if problem is None and synced != count:
            problem = f"only {synced} of {count} workspaces in sync afterwards"
        if problem is None:
            problem = _report_problem(done.stdout, count)
    return Outcome(seconds, synced, throttled, problem)


def _report_problem(stdout: bytes, count: int) -> str | None:
    """Whatever in the command's JSON document says a workspace was not synced and committed."""
    try:
        document = json.loads(stdout)
    except ValueError:
        return "the JSON output is not a JSON document"
    entries = document.get("results") if isinstance(document, dict) else None
    if not isinstance(entries, list) or len(entries) != count:
        return f"the JSON output does not list {count} workspaces"
    failed = [e["workspace"] for e in entries if not e.get("ok")]
    if failed:
        return f"{len(failed)} workspaces reported failed: {', '.join(failed[:5])}"
    uncommitted = [
        e["workspace"] for e in entries if "CommitToGit" not in e["result"].get("actions", [])
    ]
    if uncommitted:
        return f"{len(uncommitted)} workspaces were not committed: {', '.join(uncommitted[:5])}"
    return None


def _variant(name: str, count: int, concurrency: int | None, throttle: bool) -> Outcome:
    print(f"   {name} ...", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as scratch:
        outcome = _run_variant(count, concurrency, throttle, Path(scratch))
    print(
        f"   {name}: {outcome.seconds:.1f} s, {outcome.synced}/{count} in sync,"
        f" {outcome.throttled} requests throttled, problem: {outcome.problem}",
        file=sys.stderr,
        flush=True,
    )
    return outcome


def run(count: int = WORKSPACES) -> list[Figure]:
    ratio_name = f"sync {count} workspaces (2 s operations): concurrent / sequential"
    concurrent = _variant("concurrent", count, None, throttle=False)
    sequential = _variant("sequential", count, 1, throttle=False)
    throttled = _variant("concurrent, 10% of requests throttled", count, None, throttle=True)
    figures = [
        _seconds(f"sync {count} workspaces, default concurrency", concurrent),
        _seconds(f"sync {count} workspaces, --concurrency 1", sequential),
        _seconds(f"sync {count} workspaces, default concurrency, 10% 429s", throttled),
    ]
    if concurrent.problem or sequential.problem:
        why = concurrent.problem or sequential.problem or ""
        figures.insert(0, unavailable(ratio_name, "x", TARGET_RATIO, "<=", why))
        return figures
    ratio = concurrent.seconds / sequential.seconds
    figures.insert(
        0,
        Figure(
            ratio_name,
            ratio,
            "x",
            TARGET_RATIO,
            "<=",
            detail=(
                f"{concurrent.seconds:.1f} s with the default concurrency against"
                f" {sequential.seconds:.1f} s with --concurrency 1, fresh emulator and"
                " workspaces each; per workspace a connect, then initialize, status, commit and"
                " status, each a 2 s operation"
            ),
            data={"concurrent_s": concurrent.seconds, "sequential_s": sequential.seconds},
        ),
    )
    return figures


def _seconds(name: str, outcome: Outcome) -> Figure:
    if outcome.problem:
        return unavailable(name, "s", None, "<=", outcome.problem)
    return Figure(
        name,
        outcome.seconds,
        "s",
        detail=f"{outcome.synced} workspaces in sync; {outcome.throttled} requests answered 429",
        data={"synced": outcome.synced, "throttled_requests": outcome.throttled},
    )
