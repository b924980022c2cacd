"""Parts Git's fsck would read as ``.gitmodules`` (and check as submodule configuration:
gitmodulesName, gitmodulesUrl) never reach a tree: the item definition API refuses them naming
the path, a commit of such parts stored before the rule answers 400, and the hosted repository
stays clean under ``git fsck --strict`` and a ``transfer.fsckObjects`` clone."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest

from emulator.git.git_support import Env, error_code

HOSTILE = b'[submodule "../../../../x"]\n\tpath = x\n\turl = -upload-pack=touch /tmp/owned\n'
NAMES = ["sub/.GITMODULES", "gi7eba~1"]  # every spelling: tests/unit/repoformat


def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("name", NAMES)
def test_gitmodules_parts_are_refused_and_the_repository_stays_fsck_clean(
    env: Env, tmp_path: Path, name: str
) -> None:
    repo = env.repo()
    ws = env.workspace()
    item = env.item(ws, "nb")
    env.connected(ws)

    parts = [
        {"path": p, "payload": base64.b64encode(c).decode(), "payloadType": "InlineBase64"}
        for p, c in (("notebook-content.py", b"# nb\n"), (name, HOSTILE))
    ]
    url = f"/workspaces/{ws}/items/{item}/updateDefinition"
    refused = env.client.post(url, json={"definition": {"parts": parts}})
    assert refused.status_code == 400, refused.text
    assert error_code(refused) == "InvalidDefinition"
    assert f"'{name}' has a segment Git reads as '.gitmodules'" in refused.json()["message"]

    # A database from before the rule may hold such a part: the commit refuses it.
    with env.state.store.write() as conn:
        conn.execute(
            "INSERT INTO item_parts (item_id, path, payload) VALUES (?, ?, ?)",
            (item, name, HOSTILE),
        )
    tip = env.tip()
    commit = env.commit(ws, mode="Selective", items=[{"objectId": item}])
    assert commit.status_code == 400, commit.text
    assert error_code(commit) == "InvalidPath"
    assert f"nb.Notebook/{name}" in commit.json()["message"]
    assert env.tip() == tip

    # Without the part, the commit goes through, and Git's strictest checks find nothing.
    with env.state.store.write() as conn:
        conn.execute("DELETE FROM item_parts WHERE item_id = ? AND path = ?", (item, name))
    assert env.commit(ws, mode="Selective", items=[{"objectId": item}]).status_code == 200
    fsck = _git("fsck", "--strict", "--no-dangling", cwd=Path(repo.path))
    assert fsck.returncode == 0 and not fsck.stdout.strip(), fsck.stdout + fsck.stderr
    clone = _git(
        "-c", "transfer.fsckObjects=true", "clone", "-q", f"file://{repo.path}", "clone",
        cwd=tmp_path,
    )  # fmt: skip
    assert clone.returncode == 0, clone.stderr
    assert (tmp_path / "clone" / "nb.Notebook" / "notebook-content.py").is_file()
