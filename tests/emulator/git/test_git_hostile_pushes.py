"""Hostile trees pushed with plain Git over the emulator's smart HTTP endpoint, as an attacker
with write access to the repository would: each tree is built in a scratch clone with Git's
plumbing (``hash-object``, ``mktree`` and ``commit-tree`` check no names) and pushed with
``git push`` through ``git http-backend``, authenticated with the PAT the repository requires.
The emulator's receive side takes every one of them (it runs no ``fsck`` on a push, as a host
need not); a workspace connected to the branch then sees the tree through Get Status and
Update From Git. Each tree is refused with a 4xx whose message names the path (or the item),
at status already when the tree cannot be read, else at update; the workspace keeps the items
and parts it had, and the branch keeps the pushed commit (the emulator writes nothing)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from emulator.git.git_support import Env, error_code, platform
from emulator.git.push_support import PAT, Pusher, connected_workspace, git, git_env
from emulator.git.test_git_lint_agreement import base
from fabric_git.emulator import EmulatorConfig, EmulatorServer
from fabric_git.emulator.backend.git import update
from fabric_git.emulator.gitrepo import repos
from fabric_git.emulator.gitrepo.repos import RepoKey

pytestmark = pytest.mark.server

OWNER = "contoso"
NEW = "cccccccc-0000-4000-8000-000000000002"
SMALL_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Case:
    name: str
    changes: Mapping[str, bytes]
    code: str  # the error code of the refusal
    named: str  # what the refusal's message must name: the path, or the item
    at: str = "status"  # where it is refused: "push", "status" (and update) or "update" only
    also: tuple[tuple[str, bytes], ...] = ()  # further tree entries: a path given twice


def _config(directory: str) -> dict[str, bytes]:
    return {f"{directory}/config": b"[core]\n\thooksPath = /tmp\n"}


CASES = [
    # Names a checkout would take for .git, at the root, in an item and deep in folders.
    Case("dot-git-at-the-root", _config(".git"), "InvalidPath", ".git/config"),
    Case(
        "upper-case-in-an-item",
        _config("etl/Load.Notebook/.GIT"),
        "InvalidPath",
        "etl/Load.Notebook/.GIT/config",
    ),
    Case("short-name-deep", _config("a/b/c/d/Git~1"), "InvalidPath", "a/b/c/d/Git~1/config"),
    Case("trailing-space", _config("etl/.Git "), "InvalidPath", "etl/.Git /config"),
    Case("trailing-dot", _config("etl/.git."), "InvalidPath", "etl/.git./config"),
    Case(
        "ntfs-stream",
        _config("etl/.git::$INDEX_ALLOCATION"),
        "InvalidPath",
        "etl/.git::$INDEX_ALLOCATION/config",
    ),
    Case("hfs-ignorable", _config("etl/.g\u200cit"), "InvalidPath", "etl/.g\u200cit/config"),
    # The other names Git's fsck flags: empty (an absolute-looking part), "." and "..".
    # Git's own client cannot send an empty name (its tree walker stops at one): refused at
    # the push, before anything reaches the emulator (test_git_hostile_trees has the emulator
    # read such a tree, as another client could push it).
    Case(
        "absolute-part",
        {"etl/Load.Notebook//etc/passwd": b"root:x:0:0\n"},
        "",
        "empty filename in tree entry",
        at="push",
    ),
    Case(
        "dot-dot-part",
        {"etl/Load.Notebook/../../escape.py": b"print(1)\n"},
        "InvalidPath",
        "etl/Load.Notebook/../../escape.py",
    ),
    Case("dot-segment", {"etl/./Load.py": b"print(1)\n"}, "InvalidPath", "etl/./Load.py"),
    # Two entries of one name in a tree (fsck's duplicateEntries): which one a checkout
    # writes is the file system's guess.
    Case(
        "duplicate-entry",
        {},
        "InvalidPath",
        "'etl/Load.Notebook/notebook-content.py' appears twice",
        also=(("etl/Load.Notebook/notebook-content.py", b"import os\n"),),
    ),
    # A file fsck reads as submodule configuration (gitmodulesName, gitmodulesUrl) in an item.
    Case(
        "gitmodules-in-an-item",
        {"etl/Load.Notebook/.gitmodules": b'[submodule "../../x"]\n\turl = -upload-pack=x\n'},
        "InvalidPath",
        "etl/Load.Notebook/.gitmodules",
    ),
    # Control characters, and bytes that are not UTF-8, in names.
    Case(
        "control-characters",
        {"etl/Load.Notebook/x\ny\r.py": b"print(1)\n"},
        "InvalidPath",
        "x\ny\r.py",
    ),
    Case(
        "non-utf8-part-name",
        {"etl/Load.Notebook/\udcff\udcfe.py": b"print(1)\n"},
        "InvalidPath",
        "'etl/Load.Notebook/\ufffd",  # the bytes that are not UTF-8 shown as U+FFFD
    ),
    Case(
        "non-utf8-directory",
        {"etl/\udcffBad.Notebook/.platform": platform(NEW, "Bad")},
        "InvalidPath",
        "Bad.Notebook/.platform' is not valid UTF-8",
    ),
    # Malformed system files: nested too deep, a name that is not text.
    Case(
        "platform-nested-1000",
        {"New.Notebook/.platform": b'{"metadata": ' + b"[" * 1000 + b"]" * 1000 + b"}"},
        "InvalidSystemFiles",
        "New.Notebook",
    ),
    Case(
        "lone-surrogate-in-platform",
        {
            "New.Notebook/.platform": json.dumps(
                {
                    "metadata": {"type": "Notebook", "displayName": "x\ud800y"},
                    "config": {"version": "2.0", "logicalId": NEW},
                }
            ).encode()
        },
        "InvalidSystemFiles",
        "New.Notebook",
    ),
    # An item file over the 250-character path limit (from the repository root, as a commit
    # counts it): it would become a part no commit could write back.
    Case(
        "path-too-long",
        {"etl/Load.Notebook/" + "p" * 237 + ".py": b"print(1)\n"},
        "GitFilePathTooLong",
        "is 258 characters long; the limit is 250",
    ),
    # A system file over the file size limit (lowered here) is not read: status refuses it.
    Case(
        "oversize-platform",
        {"Big.Notebook/.platform": b" " * SMALL_LIMIT + platform(NEW, "Big")},
        "GitProviderOperationFailed",
        "The file Big.Notebook/.platform is larger than",
    ),
    # A part over the file size limit (lowered here): status lists it, update refuses it.
    Case(
        "oversize-blob",
        {
            "Big.Notebook/.platform": platform(NEW, "Big"),
            "Big.Notebook/data.bin": b"\0" * (SMALL_LIMIT + 1),
        },
        "GitProviderOperationFailed",
        "Big.Notebook/data.bin",
        at="update",
    ),
]


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(port=0, lro_mode="sync")) as running:
        yield running


@pytest.fixture
def client(server: EmulatorServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {server.token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
        yield http


def hosted(server: EmulatorServer, name: str, workdir: Path) -> tuple[RepoKey, Pusher]:
    """A hosted GitHub repository that requires the PAT, and a clone pushing to it."""
    key = RepoKey.github(OWNER, name)
    server.state.repos.create(key, required_pat=PAT)
    return key, Pusher(f"{server.git_url}/{key.url_path}", workdir)


def snapshot(env: Env, ws: str) -> dict[str, tuple[str, str | None, dict[str, bytes]]]:
    """The workspace's items: display name -> (type, logical id, parts)."""
    return {
        name: (record.type, record.logical_id, env.parts(record.id))
        for name, record in env.items(ws).items()
    }


def test_a_push_needs_the_pat(server: EmulatorServer, tmp_path: Path) -> None:
    key = RepoKey.github(OWNER, "locked")
    server.state.repos.create(key, required_pat=PAT)
    refused = subprocess.run(
        ["git", "ls-remote", f"{server.git_url}/{key.url_path}"],
        env={**git_env(tmp_path), "GIT_CONFIG_COUNT": "0"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert git("ls-remote", f"{server.git_url}/{key.url_path}", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_push_is_refused_by_status_or_update(
    case: Case,
    server: EmulatorServer,
    client: httpx.Client,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(update, "MAX_FILE_BYTES", SMALL_LIMIT)
    monkeypatch.setattr(repos, "MAX_FILE_BYTES", SMALL_LIMIT)
    key, pusher = hosted(server, case.name, tmp_path)
    assert pusher.push(base())[1].returncode == 0
    ws = connected_workspace(server.capacity_id, client, case.name)
    env = Env(emu=server, client=client, repo_key=key)  # type: ignore[arg-type]
    initialized = env.initialize(ws)
    assert initialized.status_code == 200, initialized.text
    assert env.update(ws, remoteCommitHash=env.tip()).status_code == 200
    before = snapshot(env, ws)
    assert set(before) == {"Lake", "Load", "Run"}
    head = env.status(ws)["workspaceHead"]

    tip = env.tip()
    pushed, push = pusher.push({**base(), **case.changes}, case.also)
    if case.at == "push":
        assert push.returncode != 0
        assert case.named in push.stderr, push.stderr
        assert env.tip() == tip
        assert snapshot(env, ws) == before
        return
    assert push.returncode == 0, push.stderr
    assert env.tip() == pushed  # the receive side took the tree as it is

    status = client.get(f"/workspaces/{ws}/git/status")
    updated = client.post(
        f"/workspaces/{ws}/git/updateFromGit",
        json={"remoteCommitHash": pushed, "workspaceHead": head},
    )
    refusals = [updated] if case.at == "update" else [status, updated]
    for refused in refusals:
        assert 400 <= refused.status_code < 500, refused.text
        assert error_code(refused) == case.code
        assert case.named in refused.json()["message"], refused.json()["message"]
    if case.at == "update":
        assert status.status_code == 200, status.text
        assert status.json()["remoteCommitHash"] == pushed
    assert snapshot(env, ws) == before
    assert env.tip() == pushed
    assert server.state.repos.get(key).branches() == ["main"]
