"""A tree Git's own client cannot push, written straight into the hosted repository as another
client (or a host that checks nothing) could: a tree entry with an empty name, which would make
the part's path start with a slash. The emulator refuses it with a 4xx naming the directory, never
500, and no part with such a path is made. Every other hostile tree is pushed with plain Git
over smart HTTP in ``test_git_hostile_pushes``."""

from __future__ import annotations

from pathlib import Path

from emulator.git.git_support import Env, error_code
from emulator.git.test_git_lint_agreement import base, commit_with_plain_git, write_to_disk


def test_an_empty_tree_entry_name_is_refused_cleanly(env: Env, tmp_path: Path) -> None:
    files = {**base(), "etl/Load.Notebook//etc/passwd": b"root:x:0:0\n"}
    write_to_disk(tmp_path, files)
    repo = env.repo()
    commit_with_plain_git(Path(repo.path), tmp_path, files)
    ws = env.workspace()
    refused = env.connect(ws)  # Connect reads the tree already
    assert refused.status_code == 400, refused.text
    assert error_code(refused) == "InvalidPath"
    assert "cannot be read at 'etl/Load.Notebook/'" in refused.json()["message"]
    assert env.items(ws) == {}
