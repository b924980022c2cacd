"""Git integration on the emulator at scale: commit All, status, update, against plain git.

One emulator server runs on 127.0.0.1 with a data directory and long-running operations in
"sync" mode, so each operation's server time is the time of its one request (measured on the
client over loopback: an upper bound on server time). The workspace is the generated one,
created through the API with its folders and cross-item references.

- Commit All: the workspace is connected to a fresh hosted repository and initialized
  (``CommitToGit``), then Commit All is timed; repeated on new repositories. The baseline is
  ``git add -A && git commit`` of the very files the emulator committed (cloned back over
  HTTP), in a fresh repository.
- Status: 10 items get a new definition, then Get Status is timed (the target is server time).
- Update: a new empty workspace is connected to the committed branch and initialized
  (``UpdateFromGit``), then Update From Git of all items is timed. The baseline is ``git
  checkout`` of the same commit into an empty working tree.
- Update beside others: the same update after 30,000 items were created in 30 other
  workspaces (through the backend's ``create_item`` in the server's own store, not one HTTP
  request each), against the same baseline: what an item costs must not grow with what the
  emulator holds elsewhere.

Every ratio alternates its samples: an emulator sample, then a git sample, and so on.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from bench import gitbase
from bench.api import FabricApi
from bench.results import Figure, alternate, timed
from bench.workspace import Item, Workspace, changed

OWNER = "bench"
PAT = "bench-pat-not-a-secret"
COMMIT_RATIO_TARGET = 1.5
UPDATE_RATIO_TARGET = 2.0
STATUS_TARGET_MS = 100.0
CHANGED_ITEMS = 10
# Items the emulator holds in other workspaces for the second update figure.
OTHER_ITEMS = 30_000
FILLER_ITEMS_PER_WORKSPACE = 1000  # the workspace item limit


def create_repo(api: FabricApi, name: str) -> None:
    """A hosted repository ``OWNER/name`` whose ``main`` holds one empty commit."""
    api.admin("POST", "/repos", {"provider": "GitHub", "owner": OWNER, "repo": name})


def populate(
    api: FabricApi, workspace: Workspace, name: str, capacity: str
) -> tuple[str, dict[str, str]]:
    """Create the workspace, its folders and items; return its id and logical -> object ids."""
    ws = api.create_workspace(name, capacity)
    folder_ids: dict[str, str] = {}
    for path in workspace.folders:
        parent, _, leaf = path.rpartition("/")
        folder_ids[path] = api.create_folder(ws, leaf, folder_ids.get(parent))
    object_ids: dict[str, str] = {}
    for item in workspace.items:
        object_ids[item.logical_id] = api.create_item(
            ws,
            item.type,
            item.display_name,
            definition=workspace.api_definition(item, object_ids, ws),
            folder=folder_ids.get(item.folder),
            description=item.description,
        )
    return ws, object_ids


def _connect_fresh(api: FabricApi, ws: str, repo: str) -> dict[str, object]:
    create_repo(api, repo)
    connection = api.create_github_connection(
        f"bench {repo}", f"https://github.com/{OWNER}/{repo}", PAT
    )
    api.connect_github(ws, OWNER, repo, connection)
    return api.initialize(ws)


def run(workspace: Workspace, runs: int = 3) -> list[Figure]:
    from fabric_git.emulator import EmulatorConfig, EmulatorServer

    shape = f"{len(workspace.items)} items, {workspace.file_count} files"
    with tempfile.TemporaryDirectory(prefix="bench-emulator-") as scratch:
        root = Path(scratch)
        config = EmulatorConfig(data_dir=root / "data", lro_mode="sync")
        with EmulatorServer(config) as server, FabricApi(server.url, server.token) as api:
            started = time.perf_counter()
            ws, object_ids = populate(api, workspace, "Bench source", server.capacity_id)
            populate_seconds = time.perf_counter() - started

            # Emulator and git samples alternate (A B A B): see ``alternate``.
            clone = root / "clone"
            repos: list[str] = []

            def emulator_commit() -> float:
                if repos:
                    api.disconnect(ws)
                repos.append(f"commit-{len(repos)}")
                init = _connect_fresh(api, ws, repos[-1])
                head = init.get("workspaceHead")
                seconds = timed(
                    partial(api.commit_all, ws, head if isinstance(head, str) else None)
                )
                if not clone.exists():  # the files the baseline commits: the emulator's own
                    url = f"{server.git_url}/github/{OWNER}/{repos[-1]}.git"
                    gitbase.git("clone", "-q", url, str(clone), cwd=root)
                return seconds

            def git_commit() -> float:
                return gitbase.commit_baseline(gitbase.copy_worktree(clone), runs=1)[0]

            commits, commit_baseline = alternate(runs, emulator_commit, git_commit)
            repo = repos[-1]
            committed_files = sum(
                1 for p in clone.rglob("*") if p.is_file() and ".git" not in p.parts
            )

            statuses = _status_after_changes(api, workspace, ws, object_ids, runs)
            status_ms = [seconds * 1000 for seconds, _ in statuses]

            updates, checkout_baseline, items_after = _updates(
                api, server.capacity_id, repo, clone, runs, "Bench update"
            )
            started = time.perf_counter()
            filled = fill_other_workspaces(server.state, OTHER_ITEMS)
            fill_seconds = time.perf_counter() - started
            full_updates, full_baseline, _ = _updates(
                api, server.capacity_id, repo, clone, runs, "Bench update beside others"
            )

    commit_median = statistics.median(commits)
    commit_base = statistics.median(commit_baseline)
    update_median = statistics.median(updates)
    update_base = statistics.median(checkout_baseline)
    full_median = statistics.median(full_updates)
    full_base = statistics.median(full_baseline)
    return [
        Figure(
            "populate workspace through the API (context)",
            populate_seconds,
            "s",
            detail=f"{shape}, {len(workspace.folders)} folders, one request per item",
        ),
        Figure(
            "commit All: emulator / git add -A && git commit",
            commit_median / commit_base,
            "x",
            COMMIT_RATIO_TARGET,
            "<=",
            detail=(
                f"emulator median {commit_median * 1000:.0f} ms vs git median "
                f"{commit_base * 1000:.0f} ms; {committed_files} files committed; {shape}"
            ),
            data={
                "emulator_ms": [s * 1000 for s in commits],
                "git_ms": [s * 1000 for s in commit_baseline],
            },
        ),
        Figure(
            f"status with {CHANGED_ITEMS} changed items (server time, median)",
            statistics.median(status_ms),
            "ms",
            STATUS_TARGET_MS,
            "<",
            detail=f"changes reported: {sorted({n for _, n in statuses})}; {shape}",
            data={"samples_ms": status_ms},
        ),
        Figure(
            "update all items: emulator / git checkout",
            update_median / update_base,
            "x",
            UPDATE_RATIO_TARGET,
            "<=",
            detail=(
                f"emulator median {update_median * 1000:.0f} ms vs git median "
                f"{update_base * 1000:.0f} ms; {items_after} items in the updated workspace"
            ),
            data={
                "emulator_ms": [s * 1000 for s in updates],
                "git_ms": [s * 1000 for s in checkout_baseline],
            },
        ),
        Figure(
            f"fill {filled:,} items in other workspaces through the store (context)",
            fill_seconds,
            "s",
            detail=(
                f"{filled // FILLER_ITEMS_PER_WORKSPACE} workspaces of notebooks, one part each,"
                " created with the backend's create_item (a transaction per workspace)"
            ),
        ),
        Figure(
            f"update all items beside {filled:,} items in other workspaces: emulator / git"
            " checkout",
            full_median / full_base,
            "x",
            UPDATE_RATIO_TARGET,
            "<=",
            detail=(
                f"emulator median {full_median * 1000:.0f} ms vs git median "
                f"{full_base * 1000:.0f} ms; the same update on the emptier emulator: median "
                f"{update_median * 1000:.0f} ms ({full_median / update_median:.2f} x)"
            ),
            data={
                "emulator_ms": [s * 1000 for s in full_updates],
                "git_ms": [s * 1000 for s in full_baseline],
            },
        ),
    ]


def _updates(
    api: FabricApi, capacity: str, repo: str, clone: Path, runs: int, name: str
) -> tuple[list[float], list[float], int]:
    """Update From Git of every item into new workspaces, alternating with ``git checkout`` of
    the same commit: (emulator seconds, git seconds, items in the last workspace updated)."""
    targets: list[str] = []

    def emulator_update() -> float:
        attempt = len(targets)
        targets.append(api.create_workspace(f"{name} {attempt}", capacity))
        connection_id = api.create_github_connection(
            f"{name} {attempt}", f"https://github.com/{OWNER}/{repo}", PAT
        )
        api.connect_github(targets[-1], OWNER, repo, connection_id)
        init = api.initialize(targets[-1], "PreferRemote")
        remote = str(init["remoteCommitHash"])
        head = init.get("workspaceHead")
        return timed(
            partial(api.update, targets[-1], remote, head if isinstance(head, str) else None)
        )

    def git_checkout() -> float:
        return gitbase.checkout_baseline(clone, runs=1)[0]

    updates, checkouts = alternate(runs, emulator_update, git_checkout)
    return updates, checkouts, len(api.list_items(targets[-1]))


def fill_other_workspaces(state: Any, count: int) -> int:
    """``count`` notebooks in workspaces of their own (1,000 a workspace), written through the
    emulator's backend in one transaction per workspace, as the API would create them but
    without one HTTP request per item. Returns how many were created."""
    from fabric_git.emulator.backend import items, workspaces

    created = 0
    while created < count:
        with state.store.write() as conn:
            ws = workspaces.create_workspace(
                conn,
                state.admin,
                display_name=f"Bench filler {created // FILLER_ITEMS_PER_WORKSPACE}",
                capacity_id=state.capacity_id,
                now=state.clock.now(),
            ).id
            for index in range(min(FILLER_ITEMS_PER_WORKSPACE, count - created)):
                body = f"# Fabric notebook source\n# filler {created + index}\nprint(1)\n"
                items.create_item(
                    conn,
                    ws,
                    type="Notebook",
                    display_name=f"Filler {index}",
                    parts={"notebook-content.py": body.encode()},
                )
            created += index + 1
    return created


def _status_after_changes(
    api: FabricApi, workspace: Workspace, ws: str, object_ids: dict[str, str], runs: int
) -> list[tuple[float, int]]:
    """Edit ``CHANGED_ITEMS`` items, then time Get Status ``runs`` times: (seconds, changes)."""
    edited: list[Item] = [
        changed(item, 1) for item in workspace.items[:: len(workspace.items) // CHANGED_ITEMS]
    ][:CHANGED_ITEMS]
    for item in edited:
        api.update_definition(
            ws, object_ids[item.logical_id], workspace.api_definition(item, object_ids, ws)
        )
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        status = api.status(ws)
        samples.append((time.perf_counter() - started, len(status["changes"])))
    return samples
