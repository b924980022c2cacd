"""Hostile trees made with plain Git (``git hash-object`` and ``git mktree``, which check no
names, as a push does not) reach the emulator: every one is refused with a 4xx that names the
item or the path, or skipped, and none becomes an item part a client could not have given the
API, nor answers 500."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.git.git_support import Env, error_code, platform
from emulator.git.test_git_lint_agreement import base, commit_with_plain_git, write_to_disk

NEW = "cccccccc-0000-4000-8000-000000000001"

CASES = {
    # A tree entry with an empty name: the part's path would start with a slash.
    "absolute-part": {"etl/Load.Notebook//etc/passwd": b"root:x:0:0\n"},
    "dot-dot-part": {"etl/Load.Notebook/../../escape.py": b"print(1)\n"},
    "non-utf8-part-name": {"etl/Load.Notebook/\udcff\udcfe.py": b"print(1)\n"},
    "non-utf8-directory": {"etl/\udcffBad.Notebook/.platform": platform(NEW, "Bad")},
    "lone-surrogate-in-platform": {
        "New.Notebook/.platform": json.dumps(
            {
                "metadata": {"type": "Notebook", "displayName": "x\ud800y"},
                "config": {"version": "2.0", "logicalId": NEW},
            }
        ).encode()
    },
    "platform-nested-1000": {
        "New.Notebook/.platform": b'{"metadata": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    },
}


REFUSED = {
    "absolute-part": "InvalidPath",
    "dot-dot-part": "InvalidPath",
    "non-utf8-part-name": "InvalidPath",
    "non-utf8-directory": "InvalidPath",
    "lone-surrogate-in-platform": "InvalidSystemFiles",
    "platform-nested-1000": "InvalidSystemFiles",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_tree_is_refused_cleanly(env: Env, tmp_path: Path, name: str) -> None:
    files = {**base(), **CASES[name]}
    write_to_disk(tmp_path, {p: c for p, c in files.items() if ".." not in p})
    for path, content in files.items():
        if ".." in path:
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).write_bytes(content)
    repo = env.repo()
    commit_with_plain_git(Path(repo.path), tmp_path, files)
    ws = env.workspace()
    answers = [env.connect(ws)]
    if answers[-1].status_code == 200:
        answers.append(env.initialize(ws))
    if answers[-1].status_code == 200:
        answers.append(env.client.get(f"/workspaces/{ws}/git/status"))
        answers.append(env.update(ws, remoteCommitHash=env.tip()))
    for answer in answers:
        assert answer.status_code < 500, answer.text
    refused = [a for a in answers if a.status_code >= 400]
    assert [error_code(a) for a in refused] == [REFUSED[name]]
    for record in env.items(ws).values():
        for part in env.parts(record.id):
            assert not part.startswith("/") and ".." not in part.split("/"), part
            assert all(ord(c) >= 32 for c in part), part
            part.encode("utf-8")
        record.display_name.encode("utf-8")
