"""Per-file status and file-level commits on the emulator, against their item-level forms.

One emulator server on 127.0.0.1 (data directory, LRO mode "sync": one request is the whole
operation) holds the generated workspace (1,000 items), connected to a fresh repository,
initialized and committed. Then, each pair interleaved A B A B so that drift in the machine's
load falls on both alike:

- Status: 10 items get a new definition; A is Get Status, B is Get Status with
  ``includeFilesDetails=true``. Target: median B <= 1.5 x median A.
- Commit: before each pair, two items not committed since get two files edited each (untimed);
  A is a Selective commit of one of them, B a FileLevelSelective commit of one edited file of
  the other. Target: median B <= median A.

A figure the emulator cannot serve yet (no ``fileChanges`` in the answer, or the commit mode
refused) is reported as not measured, with the reason.
"""

from __future__ import annotations

import dataclasses
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.api import ApiError, FabricApi
from bench.emulator_ops import CHANGED_ITEMS, OWNER, PAT, create_repo, populate
from bench.results import Figure, unavailable
from bench.workspace import Item, Workspace, changed

STATUS_RATIO_TARGET = 1.5
COMMIT_RATIO_TARGET = 1.0
STATUS_NAME = f"status with per-file details / item-level status ({CHANGED_ITEMS} changed items)"
COMMIT_NAME = "file-level commit of one file / selective commit of the item"


class NotServed(Exception):
    """The emulator does not serve this part of the API yet."""


def run(workspace: Workspace, runs: int = 7) -> list[Figure]:
    from fabric_git.emulator import EmulatorConfig, EmulatorServer

    shape = f"{len(workspace.items)} items, {workspace.file_count} files"
    with tempfile.TemporaryDirectory(prefix="bench-files-") as scratch:
        config = EmulatorConfig(data_dir=Path(scratch) / "data", lro_mode="sync")
        with EmulatorServer(config) as server, FabricApi(server.url, server.token) as api:
            ws, object_ids = populate(api, workspace, "Bench files", server.capacity_id)
            create_repo(api, "files")
            connection = api.create_github_connection(
                "bench files", f"https://github.com/{OWNER}/files", PAT
            )
            api.connect_github(ws, OWNER, "files", connection)
            init = api.initialize(ws)
            head = init.get("workspaceHead")
            api.commit_all(ws, head if isinstance(head, str) else None)
            edits = _Edits(api, workspace, ws, object_ids)
            figures = [
                _measure(STATUS_NAME, STATUS_RATIO_TARGET, lambda: _status(api, ws, edits, runs))
            ]
            figures.append(
                _measure(COMMIT_NAME, COMMIT_RATIO_TARGET, lambda: _commits(api, ws, edits, runs))
            )
    for figure in figures:
        figure.detail = f"{figure.detail}; {shape}".lstrip("; ")
    return figures


def _measure(name: str, target: float, measure: Callable[[], Figure]) -> Figure:
    try:
        return measure()
    except NotServed as why:
        return unavailable(name, "x", target, "<=", f"the emulator does not serve {why}")


class _Edits:
    """Edits items of the workspace through the API, each item once."""

    def __init__(
        self, api: FabricApi, workspace: Workspace, ws: str, object_ids: dict[str, str]
    ) -> None:
        self.api, self.workspace, self.ws, self.object_ids = api, workspace, ws, object_ids
        # Items of a few small files: their edits cost the same in both arms of a pair.
        self._fresh: Iterator[Item] = iter(
            [i for i in workspace.items if 2 <= len(i.parts) <= 6 and _size(i) < 64_000]
        )

    def edit(self, item: Item, files: int) -> tuple[str, list[str]]:
        """Append a line to the first ``files`` files of ``item``; its object id and paths."""
        edited = item
        paths = sorted(item.parts)[:files]
        for path in paths:
            parts = dict(edited.parts)
            parts[path] = parts[path] + f"\n# edited {path}\n".encode()
            edited = dataclasses.replace(edited, parts=parts)
        object_id = self.object_ids[item.logical_id]
        definition = self.workspace.api_definition(edited, self.object_ids, self.ws)
        self.api.update_definition(self.ws, object_id, definition)
        return object_id, paths

    def fresh(self) -> Item:
        return next(self._fresh)


def _size(item: Item) -> int:
    return sum(len(data) for data in item.parts.values())


def _status(api: FabricApi, ws: str, edits: _Edits, runs: int) -> Figure:
    items = edits.workspace.items
    for item in items[:: len(items) // CHANGED_ITEMS][:CHANGED_ITEMS]:
        object_id = edits.object_ids[item.logical_id]
        api.update_definition(
            ws, object_id, edits.workspace.api_definition(changed(item, 1), edits.object_ids, ws)
        )
    path = f"/workspaces/{ws}/git/status"
    plain: list[float] = []
    detailed: list[float] = []
    changes = files = 0
    for _ in range(runs):
        started = time.perf_counter()
        api.lro("GET", path)
        plain.append(time.perf_counter() - started)
        started = time.perf_counter()
        answer: dict[str, Any] = api.lro("GET", f"{path}?includeFilesDetails=true")
        detailed.append(time.perf_counter() - started)
        changes = len(answer["changes"])
        files = sum(len(c.get("fileChanges") or ()) for c in answer["changes"])
        if not any("fileChanges" in c for c in answer["changes"]):
            raise NotServed("per-file status (no fileChanges in the answer)")
    a, b = statistics.median(plain), statistics.median(detailed)
    return Figure(
        STATUS_NAME,
        b / a,
        "x",
        STATUS_RATIO_TARGET,
        "<=",
        detail=(
            f"per-file {b * 1000:.1f} ms vs item-level {a * 1000:.1f} ms (medians of {runs}, "
            f"interleaved); {changes} changes, {files} changed files"
        ),
        data={
            "item_level_ms": [s * 1000 for s in plain],
            "per_file_ms": [s * 1000 for s in detailed],
        },
    )


def _commits(api: FabricApi, ws: str, edits: _Edits, runs: int) -> Figure:
    path = f"/workspaces/{ws}/git/commitToGit"
    selective: list[float] = []
    file_level: list[float] = []
    for round_ in range(runs):
        whole_id, _ = edits.edit(edits.fresh(), 2)
        one_id, paths = edits.edit(edits.fresh(), 2)
        body = {"mode": "Selective", "items": [{"objectId": whole_id}], "comment": f"A {round_}"}
        started = time.perf_counter()
        api.lro("POST", path, body)
        selective.append(time.perf_counter() - started)
        body = {
            "mode": "FileLevelSelective",
            "itemsWithFileSelection": [{"objectId": one_id, "selectedFiles": paths[:1]}],
            "comment": f"B {round_}",
        }
        started = time.perf_counter()
        try:
            api.lro("POST", path, body)
        except ApiError as error:
            if error.status_code == 400 and "mode" in str(error):
                raise NotServed(f"file-level commits ({error})") from None
            raise
        file_level.append(time.perf_counter() - started)
    a, b = statistics.median(selective), statistics.median(file_level)
    return Figure(
        COMMIT_NAME,
        b / a,
        "x",
        COMMIT_RATIO_TARGET,
        "<=",
        detail=(
            f"file-level {b * 1000:.1f} ms vs selective {a * 1000:.1f} ms (medians of {runs}, "
            "interleaved; each item with 2 edited files, one of them committed by B)"
        ),
        data={
            "selective_ms": [s * 1000 for s in selective],
            "file_level_ms": [s * 1000 for s in file_level],
        },
    )
