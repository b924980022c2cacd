"""Large commits write their objects as one pack: the same commits, readable by Git."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pygit2
import pytest

from fabric_git.emulator.gitrepo import repos
from fabric_git.emulator.gitrepo.packs import BLOB, TREE, PackWriter, object_id, tree_content
from fabric_git.emulator.gitrepo.repos import HostedRepo, RepoKey, RepositoryHost

AUTHOR = ("Zoë Lovelace", "zoe@example.invalid")
NOW = 1_700_000_000.0


def _history(root: Path, monkeypatch: pytest.MonkeyPatch, packed_from: int) -> list[str]:
    """Three commits (add, change and delete, files replacing directories) on a new repo."""
    monkeypatch.setattr(repos, "PACKED_COMMIT", packed_from)
    host = RepositoryHost(root, now=lambda: NOW)
    repo = host.create(RepoKey.github("octo", "packed"))
    first = {f"items/d{i % 7}/s{i % 3}/f{i}.txt": f"content {i}\r\n".encode() for i in range(90)}
    first |= {"é dir/ü.bin": b"\x00\xff", "a.b": b"file", "a/inner": b"dir file"}
    tips = [
        repo.commit(
            "main",
            expected_tip=repo.branch_tip("main"),
            changes=first,
            message="first\n\nbody",
            author=AUTHOR,
        )
    ]
    second: dict[str, bytes | None] = {
        f"items/d{i % 7}/s{i % 3}/f{i}.txt": None if i % 5 == 0 else f"new {i}\n".encode()
        for i in range(90)
    }
    second |= {"a/inner": None, "a": b"now a file"}
    tips.append(
        repo.commit("main", expected_tip=tips[-1], changes=second, message="second", author=AUTHOR)
    )
    everything = dict.fromkeys(repo.read_files(tips[-1]))
    tips.append(
        repo.commit(
            "main", expected_tip=tips[-1], changes=everything, message="empty", author=AUTHOR
        )
    )
    assert repo.fsck()
    return tips


def _packs(repo_path: Path) -> list[Path]:
    return sorted((repo_path / "objects" / "pack").glob("*.pack"))


def test_packed_commits_are_the_commits_written_object_by_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loose = _history(tmp_path / "loose", monkeypatch, packed_from=10**9)
    packed = _history(tmp_path / "packed", monkeypatch, packed_from=1)
    assert packed == loose
    repo_path = tmp_path / "packed" / RepoKey.github("octo", "packed").url_path
    assert len(_packs(repo_path)) == 2  # the commit deleting everything writes no file
    assert not _packs(tmp_path / "loose" / RepoKey.github("octo", "packed").url_path)
    # Plain git reads every object of the packs.
    listed = subprocess.run(
        ["git", f"--git-dir={repo_path}", "ls-tree", "-r", "--name-only", packed[1]],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    assert "a" in listed and "a.b" in listed and "a/inner" not in listed


def test_a_packed_commit_keeps_executable_files_executable(
    host: RepositoryHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = host.create(RepoKey.github("octo", "modes"))
    raw = pygit2.Repository(str(repo.path))
    builder = raw.TreeBuilder()
    builder.insert("run.sh", raw.create_blob(b"#!/bin/sh\n"), pygit2.enums.FileMode.BLOB_EXECUTABLE)
    signature = pygit2.Signature(*AUTHOR, int(NOW), 0)
    tip = repo.branch_tip("main")
    assert tip is not None
    start = raw.create_commit(
        "refs/heads/main", signature, signature, "x", builder.write(), [pygit2.Oid(hex=tip)]
    )
    monkeypatch.setattr(repos, "PACKED_COMMIT", 1)
    after = repo.commit(
        "main",
        expected_tip=str(start),
        changes={"run.sh": b"#!/bin/sh\necho\n"},
        message="edit",
        author=AUTHOR,
    )
    entry = raw[after].peel(pygit2.Tree)["run.sh"]
    assert entry.filemode == pygit2.enums.FileMode.BLOB_EXECUTABLE
    assert repo.read_files(after) == {"run.sh": b"#!/bin/sh\necho\n"}


def test_tree_content_orders_entries_as_git_does(tmp_path: Path) -> None:
    raw = pygit2.init_repository(str(tmp_path / "r"), bare=True)
    blob = raw.create_blob(b"x")
    sub = raw.TreeBuilder()
    sub.insert("inner", blob, pygit2.enums.FileMode.BLOB)
    sub_id = sub.write()
    builder = raw.TreeBuilder()
    for name, oid, mode in (
        ("a", sub_id, pygit2.enums.FileMode.TREE),
        ("a.b", blob, pygit2.enums.FileMode.BLOB),
        ("a-c", blob, pygit2.enums.FileMode.BLOB_EXECUTABLE),
    ):
        builder.insert(name, oid, mode)
    expected = builder.write()
    content = tree_content(
        [(b"a", 0o040000, sub_id.raw), (b"a-c", 0o100755, blob.raw), (b"a.b", 0o100644, blob.raw)]
    )
    assert object_id(TREE, content) == expected.raw
    assert object_id(BLOB, b"x") == blob.raw


def test_a_written_pack_is_read_by_git(tmp_path: Path) -> None:
    raw = pygit2.init_repository(str(tmp_path / "r"), bare=True)
    writer = PackWriter(Path(raw.path) / "objects" / "pack")
    big = bytes(range(256)) * 4096
    ids = [writer.add(BLOB, data) for data in (b"small", big, b"")]
    writer.add(BLOB, b"small")  # the same object twice is written once
    assert len(writer) == 3
    name = writer.write()
    verified = subprocess.run(
        ["git", "verify-pack", "-v", str(Path(raw.path) / "objects" / "pack" / f"{name}.idx")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "ok" in verified.stdout.splitlines()[-1]
    fresh = pygit2.Repository(raw.path)
    assert [fresh[pygit2.Oid(raw=oid)].data for oid in ids] == [b"small", big, b""]


def test_a_discarded_pack_leaves_nothing(tmp_path: Path) -> None:
    writer = PackWriter(tmp_path / "pack")
    writer.add(BLOB, b"content")
    assert [p.suffix for p in (tmp_path / "pack").iterdir()] == [".pack"]  # being written
    writer.discard()
    assert list((tmp_path / "pack").iterdir()) == []
    with pytest.raises(ValueError, match="empty"):
        PackWriter(tmp_path / "other").write()


def test_hosted_repo_reads_what_another_handle_packed(
    host: RepositoryHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = host.create(RepoKey.github("octo", "reader"))
    reader = HostedRepo(repo.key, repo.path)
    tip = reader.branch_tip("main")
    assert reader.read_files(str(tip)) == {}  # the reader's handle is open before the pack
    monkeypatch.setattr(repos, "PACKED_COMMIT", 1)
    files = {f"f{i}": f"{i}".encode() for i in range(5)}
    after = repo.commit("main", expected_tip=tip, changes=files, message="m", author=AUTHOR)
    assert reader.read_files(after) == files
