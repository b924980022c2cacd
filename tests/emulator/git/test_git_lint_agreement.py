"""``fabric-git lint`` and the emulator judge the same trees the same way.

Each tree is built for one finding: written to disk for lint, and committed with plain Git
(so names Git's own checks refuse get in, as a hostile push would) to a repository the
emulator updates a workspace from. An error finding is a tree the emulator refuses, on update or
on the next commit of its items, with the finding's code; a tree with warnings only is updated.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from emulator.git.git_support import Env, error_code, platform
from fabric_git.emulator.backend.git import commit
from fabric_git.repoformat.lint import lint_files
from fabric_git.repoformat.model import MAX_FILE_BYTES, ZERO_GUID
from fabric_git.repoformat.worktree import read_worktree

LAKE = "aaaaaaaa-0000-4000-8000-000000000001"
LOAD = "aaaaaaaa-0000-4000-8000-000000000002"
RUN = "aaaaaaaa-0000-4000-8000-000000000003"
GONE = "aaaaaaaa-0000-4000-8000-0000000000ff"
SMALL_LIMIT = 4096


def notebook(lakehouse: str) -> bytes:
    meta = {
        "dependencies": {
            "lakehouse": {
                "default_lakehouse": lakehouse,
                "default_lakehouse_workspace_id": ZERO_GUID,
            }
        }
    }
    lines = ["# Fabric notebook source", "", "# METADATA ********************", ""]
    lines += [f"# META {line}" for line in json.dumps(meta, indent=2).splitlines()]
    return ("\n".join([*lines, "", "# CELL ********************", "", "print(1)", ""])).encode()


def pipeline(notebook_id: str) -> bytes:
    activity = {"typeProperties": {"notebookId": notebook_id, "workspaceId": ZERO_GUID}}
    return json.dumps({"properties": {"activities": [activity]}}, indent=2).encode()


def base() -> dict[str, bytes]:
    return {
        "README.md": b"# Analytics\n",
        "Lake.Lakehouse/.platform": platform(LAKE, "Lake", "Lakehouse"),
        "Lake.Lakehouse/lakehouse.metadata.json": b"{}",
        "etl/Load.Notebook/.platform": platform(LOAD, "Load"),
        "etl/Load.Notebook/notebook-content.py": notebook(LAKE),
        "etl/Run.DataPipeline/.platform": platform(RUN, "Run", "DataPipeline"),
        "etl/Run.DataPipeline/pipeline-content.json": pipeline(LOAD),
    }


def item(directory: str, logical_id: str, name: str, type: str = "Notebook") -> dict[str, bytes]:
    return {
        f"{directory}/.platform": platform(logical_id, name, type),
        f"{directory}/content.txt": b"x\n",
    }


NEW = "bbbbbbbb-0000-4000-8000-000000000001"
DEEP = "/".join(f"f{n}" for n in range(11))


@dataclass(frozen=True)
class Case:
    name: str
    changes: Mapping[str, bytes | None]
    findings: frozenset[str]  # the codes lint reports
    refused: str | None = None  # the emulator's error code, None when it takes the tree
    stage: str = "initialize"  # where the emulator refuses it: initialize, update or commit
    limit: int = MAX_FILE_BYTES
    gone: tuple[str, ...] = field(default=())  # item names the workspace must not get


CASES = [
    Case("clean", {}, frozenset()),
    Case(
        "platform-not-json",
        {"New.Notebook/.platform": b'{"metadata": {\n  "type": "Notebook",\n'},
        frozenset({"InvalidSystemFiles"}),
        "InvalidSystemFiles",
    ),
    Case(
        "platform-nested-too-deep",
        {"New.Notebook/.platform": b'{"metadata": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"},
        frozenset({"InvalidSystemFiles"}),
        "InvalidSystemFiles",
    ),
    Case(
        "platform-without-logical-id",
        {"New.Notebook/.platform": b'{"metadata": {"type": "Notebook", "displayName": "New"}}'},
        frozenset({"InvalidSystemFiles"}),
        "InvalidSystemFiles",
    ),
    Case(
        "platform-without-display-name",
        {
            "New.Notebook/.platform": json.dumps(
                {"metadata": {"type": "Notebook"}, "config": {"logicalId": NEW}}
            ).encode()
        },
        frozenset({"InvalidSystemFiles"}),
        "InvalidSystemFiles",
    ),
    Case(
        "platform-without-type",
        {
            "New.Notebook/.platform": json.dumps(
                {"metadata": {"displayName": "New"}, "config": {"logicalId": NEW}}
            ).encode()
        },
        frozenset({"InvalidSystemFiles"}),
        "InvalidSystemFiles",
    ),
    Case(
        "half-of-the-version-1-pair",
        {"Old.Notebook/item.metadata.json": b'{"type": "Notebook", "displayName": "Old"}'},
        frozenset({"InvalidSystemFiles"}),
        "InvalidSystemFiles",
    ),
    Case(
        "duplicate-logical-id",
        item("Copy.Notebook", LOAD, "Copy of Load"),
        frozenset({"DuplicateLogicalId"}),
        "DuplicateLogicalId",
    ),
    Case(
        "two-directories-for-one-name",
        item("Load again.Notebook", NEW, "Load"),
        frozenset({"PotentialDuplicateDisplayNameAndType"}),
        "PotentialDuplicateDisplayNameAndType",
    ),
    Case(
        "display-name-over-the-limit",
        item("Long name.Notebook", NEW, "n" * 257),
        frozenset({"DisplayNameTooLong"}),
        "InvalidInput",
        stage="update",
    ),
    Case(
        "unsupported-type",
        item("Board.Dashboard", NEW, "Board", "Dashboard"),
        frozenset({"UnsupportedItemType"}),
        gone=("Board",),
    ),
    Case(
        "type-in-the-wrong-case",
        item("Lower.Notebook", NEW, "Lower", "notebook"),
        frozenset({"UnsupportedItemType"}),
        gone=("Lower",),
    ),
    Case(
        "item-directory-without-system-file",
        {"Orphan.Notebook/notebook-content.py": b"print(1)\n"},
        frozenset({"MissingSystemFile"}),
        gone=("Orphan",),
    ),
    Case(
        "reference-to-an-item-not-in-the-tree",
        {"etl/Run.DataPipeline/pipeline-content.json": pipeline(GONE)},
        frozenset({"UnknownReference"}),
    ),
    Case(
        "child-item-outside-children",
        {
            **item("Hub.Eventhouse", NEW, "Hub", "Eventhouse"),
            **item("Hub.Eventhouse/Db.KQLDatabase", GONE, "Db", "KQLDatabase"),
        },
        frozenset({"ChildOutsideChildren"}),
    ),
    Case(
        "path-over-the-limit",
        item("etl/" + "n" * 240 + ".Notebook", NEW, "Long"),
        frozenset({"GitFilePathTooLong"}),
        "GitFilePathTooLong",
        stage="initialize",  # read from Git: refused before it becomes a part
    ),
    Case(
        "file-over-the-size-limit",
        {"etl/Load.Notebook/data.bin": b"\0" * (SMALL_LIMIT + 1)},
        frozenset({"FileTooLarge"}),
        "GitProviderOperationFailed",
        stage="commit",
        limit=SMALL_LIMIT,
    ),
    Case(
        "folder-name-fabric-refuses",
        item("v1.2/Versioned.Notebook", NEW, "Versioned"),
        frozenset({"InvalidFolderDisplayName"}),
        "InvalidFolderDisplayName",
        stage="update",
    ),
    Case(
        "folders-too-deep",
        item(f"{DEEP}/Deep.Notebook", NEW, "Deep"),
        frozenset({"FolderDepthLimitExceeded"}),
        "FolderDepthLimitExceeded",
        stage="update",
    ),
    Case(
        "item-directory-name-with-a-colon",
        item("Sales: EU.Notebook", NEW, "Sales: EU"),
        frozenset({"InvalidPath"}),
        "InvalidPath",
    ),
    Case(
        "control-character-in-a-part",
        {"etl/Load.Notebook/x\ny\r.py": b"print(1)\n"},
        frozenset({"InvalidPath"}),
        "InvalidPath",
    ),
    *(
        Case(
            f"git-like-{label}",
            {f"etl/Load.Notebook/{segment}/config": b"[core]\n"},
            frozenset({"InvalidPath"}),
            "InvalidPath",
        )
        for label, segment in [
            ("upper-case", ".GIT"),
            ("short-name", "Git~1"),
            ("trailing-space", ".Git "),
            ("hfs-ignorable", ".g\u200cit"),
        ]
    ),
    Case(
        "git-like-outside-items",
        {"tools/.GIT/hooks/post-checkout": b"#!/bin/sh\n"},
        frozenset({"InvalidPath"}),
        "InvalidPath",
    ),
]


def tree_of(case: Case) -> dict[str, bytes]:
    files = base()
    for path, content in case.changes.items():
        if content is None:
            files.pop(path, None)
        else:
            files[path] = content
    return files


def write_to_disk(root: Path, files: Mapping[str, bytes]) -> None:
    for path, content in files.items():
        target = os.path.join(os.fsencode(root), os.fsencode(path))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(content)


def commit_with_plain_git(repo: Path, tree: Path, files: Collection[str]) -> str:
    """A commit on main of exactly ``files`` as they are under ``tree``, made with Git's
    plumbing (which, like a push, does not apply the checks a checkout would)."""
    environ = {**os.environ, "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com"}
    environ |= {"GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com"}

    def git(*args: str, data: bytes = b"") -> str:
        command = ["git", "-C", str(repo), *args]
        done = subprocess.run(command, input=data, capture_output=True, check=True, env=environ)
        return done.stdout.decode().strip()

    # One process hashes every file; a name with a line break is hashed from stdin.
    listed = sorted(p for p in files if "\n" not in p)
    listing = b"\n".join(os.path.join(os.fsencode(tree), os.fsencode(p)) for p in listed)
    hashed = git("hash-object", "-w", "--stdin-paths", data=listing).split()
    blobs = dict(zip(listed, hashed, strict=True))
    for path in set(files) - set(listed):
        content = (tree / path).read_bytes()
        blobs[path] = git("hash-object", "-w", "--stdin", data=content)
    ordered = sorted(files)
    nested: dict[str, Any] = {}
    for path in ordered:
        *folders, name = path.split("/")
        node = nested
        for folder in folders:
            node = node.setdefault(folder, {})
        node[name] = blobs[path]

    def write(node: Mapping[str, Any]) -> str:
        entries = [
            (
                f"040000 tree {write(child)}" if isinstance(child, dict) else f"100644 blob {child}"
            ).encode()
            + b"\t"
            + os.fsencode(name)
            for name, child in sorted(node.items())
        ]
        return git("mktree", "-z", data=b"\0".join(entries) + b"\0")

    tip = git("rev-parse", "refs/heads/main")
    commit = git("commit-tree", write(nested), "-p", tip, "-m", "Change made in Git")
    git("update-ref", "refs/heads/main", commit, tip)
    return commit


def emulator_verdict(env: Env, tree: Path, files: Collection[str]) -> tuple[str, str | None, str]:
    """(workspace, error code, stage) of the emulator taking ``files`` from Git into a new
    workspace and committing its items back; no code and no stage when it takes them all."""
    repo = env.repo()
    commit_with_plain_git(Path(repo.path), tree, files)
    ws = env.workspace()
    assert env.connect(ws).status_code == 200
    initialized = env.initialize(ws)
    if initialized.status_code != 200:
        return ws, error_code(initialized), "initialize"
    updated = env.update(ws, remoteCommitHash=env.tip())
    if updated.status_code != 200:
        return ws, error_code(updated), "update"
    for record in env.items(ws).values():  # every item changed, so a commit writes them all
        env.set_parts(record.id, {**env.parts(record.id), "touched.txt": b"1\n"})
    committed = env.commit(ws)
    if committed.status_code != 200:
        return ws, error_code(committed), "commit"
    return ws, None, ""


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_lint_and_the_emulator_agree(
    case: Case, env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = tree_of(case)
    write_to_disk(tmp_path, files)
    worktree = read_worktree(tmp_path)
    assert worktree.files == files
    findings = lint_files(worktree.files, max_file_bytes=case.limit)
    assert {f.code for f in findings} == case.findings, findings

    monkeypatch.setattr(commit, "MAX_FILE_BYTES", case.limit)
    ws, refused, stage = emulator_verdict(env, tmp_path, files)
    errors = [f for f in findings if f.severity == "error"]
    assert refused == case.refused, stage
    assert bool(errors) == (refused is not None)
    if refused is not None:
        assert stage == case.stage
    assert not set(env.items(ws)) & set(case.gone)


def test_a_tree_the_emulator_commits_lints_clean(env: Env, tmp_path: Path) -> None:
    env.repo()
    ws = env.workspace()
    lake = env.item(ws, "Lake", {"lakehouse.metadata.json": b"{}"}, type="Lakehouse")
    load = env.item(
        ws,
        'Load: "raw" data?',
        {"notebook-content.py": notebook(lake).replace(ZERO_GUID.encode(), ws.encode())},
        folder=("etl", "daily"),
    )
    env.item(
        ws,
        "Run",
        {"pipeline-content.json": pipeline(load).replace(ZERO_GUID.encode(), ws.encode())},
        type="DataPipeline",
        folder=("etl",),
    )
    env.item(ws, " Trailing. ", {"notebook-content.py": b"print(2)\n"})
    env.connected(ws)
    assert env.commit(ws).status_code == 200
    files = env.files()
    assert "etl/daily/Load&#58; &#34;raw&#34; data&#63;.Notebook/.platform" in files
    write_to_disk(tmp_path, files)
    worktree = read_worktree(tmp_path)
    assert worktree.files == files
    assert lint_files(worktree.files) == []
    # The references were written as the logical ids lint checks them against.
    found = lint_files({k: v for k, v in files.items() if not k.startswith("Lake.")})
    assert {f.code for f in found} == {"UnknownReference"}
