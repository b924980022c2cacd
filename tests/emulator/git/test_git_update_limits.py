"""Update From Git has the size limits a commit has (25 MB a file, 50 MB a GitHub commit or
125 MB an Azure DevOps one), decided from the blobs' headers: a file over the limit is never
read into memory. A commit checks the limits from the parts' stored sizes before it reads a
part, and reads no file of the tree it leaves alone. The tests lower the limits so that their
repositories stay small."""

from __future__ import annotations

import pytest

from emulator.git.git_support import Env, error_code, item_files, platform
from fabric_git.emulator.backend.git import commit, update
from fabric_git.emulator.gitrepo.repos import HostedRepo

KB = 1024
LID = "dddddddd-0000-4000-8000-000000000001"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the blobs the emulator reads."""
    seen: list[int] = []
    original = HostedRepo.blob_content

    def counting(self: HostedRepo, oid: object) -> bytes:
        content = original(self, oid)  # type: ignore[arg-type]
        seen.append(len(content))
        return content

    monkeypatch.setattr(HostedRepo, "blob_content", counting)
    return seen


def test_the_limits_are_the_commits() -> None:
    assert update.MAX_FILE_BYTES == commit.MAX_FILE_BYTES == 25 * 1024 * 1024
    assert update.MAX_COMMIT_MB is commit.MAX_COMMIT_MB


def test_a_file_over_the_limit_is_refused_unread(
    env: Env, reads: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(update, "MAX_FILE_BYTES", 64 * KB)
    env.repo()
    ws = env.workspace()
    env.connected(ws)
    big = b"\0" * (1024 * KB)
    env.push({"Big.Notebook/.platform": platform(LID, "Big"), "Big.Notebook/data.bin": big})
    response = env.update(ws)
    assert response.status_code == 400, response.text
    assert error_code(response) == "GitProviderOperationFailed"
    assert "Big.Notebook/data.bin" in response.json()["message"]
    assert "Big" not in env.items(ws)
    assert max(reads, default=0) < 64 * KB  # the large blob was never read


def test_an_update_over_the_commit_limit_is_refused(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(update, "MAX_COMMIT_MB", {"AzureDevOps": 1})
    env.repo()
    ws = env.workspace()
    env.connected(ws)
    files: dict[str, bytes | None] = {}
    for n in range(3):  # 3 x 400 KB, each under the file limit, over 1 MB in all
        lid = f"dddddddd-0000-4000-8000-00000000001{n}"
        files.update(item_files(f"Part{n}.Notebook", lid, f"Part{n}", b"#" * (400 * KB)))
    env.push(files)
    response = env.update(ws)
    assert error_code(response) == "GitProviderOperationFailed"
    assert "Maximum commit size exceeded" in response.json()["message"]
    assert env.items(ws) == {}


def test_a_full_disk_during_a_commit_says_so(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from fabric_git.emulator.gitrepo import trees

    env.repo()
    ws = env.workspace()
    env.item(ws, "nb")
    env.connected(ws)
    tip = env.tip()

    def no_space(self: object, kind: int, data: bytes) -> bytes:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(trees.LooseObjects, "add", no_space)
    response = env.commit(ws)
    assert response.status_code == 507, response.text
    assert error_code(response) == "InsufficientStorage"
    assert env.tip() == tip
    monkeypatch.undo()
    assert env.commit(ws).status_code == 200  # nothing was left half-done


def test_a_commit_reads_no_file_it_leaves_alone(env: Env, reads: list[int]) -> None:
    """A commit compares the files it rewrites by blob id and never reads the rest of the
    tree: a large file beside the items, and the unchanged parts of the item committed."""
    env.repo()
    ws = env.workspace()
    item = env.item(ws, "nb", {"notebook-content.py": b"# nb\n", "data.bin": b"\1" * (512 * KB)})
    env.connected(ws)
    assert env.commit(ws).status_code == 200
    env.push({"tools/big.bin": b"\2" * (1024 * KB)})
    assert env.update(ws).status_code == 200
    env.set_parts(item, {**env.parts(item), "notebook-content.py": b"# changed\n"})
    reads.clear()
    assert env.commit(ws).status_code == 200
    assert max(reads, default=0) < 512 * KB, reads  # neither data.bin nor tools/big.bin
    assert env.files()["nb.Notebook/notebook-content.py"] == b"# changed\n"
    assert len(env.files()["tools/big.bin"]) == 1024 * KB


def test_a_commit_over_the_limits_is_refused_before_a_part_is_read(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fabric_git.emulator.backend import items

    monkeypatch.setattr(commit, "MAX_FILE_BYTES", 64 * KB)
    monkeypatch.setattr(commit, "MAX_COMMIT_MB", {"AzureDevOps": 1})
    env.repo()
    ws = env.workspace()
    big = env.item(ws, "Big", {"notebook-content.py": b"#" * (128 * KB)})
    env.connected(ws)
    read: list[str] = []
    original = items.get_parts

    def counting(conn: object, item_id: str) -> dict[str, bytes]:
        read.append(item_id)
        return original(conn, item_id)  # type: ignore[arg-type]

    monkeypatch.setattr(items, "get_parts", counting)
    tip = env.tip()
    response = env.commit(ws)
    assert error_code(response) == "GitProviderOperationFailed"
    assert "Big.Notebook/notebook-content.py is larger" in response.json()["message"]
    assert read == []
    env.set_parts(big, {"notebook-content.py": b"#" * (60 * KB)})
    for n in range(20):  # 20 x 60 KB: each file under the limit, over 1 MB in all
        env.item(ws, f"Part{n}", {"notebook-content.py": b"#" * (60 * KB)})
    read.clear()
    response = env.commit(ws)
    assert "Maximum commit size exceeded" in response.json()["message"]
    assert read == []
    assert env.tip() == tip
