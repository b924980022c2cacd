"""Hosted bare repositories: create, read, compare-and-swap commits, PATs, fsck."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pygit2
import pytest

from fabric_git.emulator.gitrepo import repos
from fabric_git.emulator.gitrepo.repos import (
    RefMoved,
    RepoKey,
    RepositoryExists,
    RepositoryHost,
    RepositoryLocked,
    UnknownCommit,
)

AUTHOR = ("Ada Lovelace", "ada@example.invalid")


def test_repo_keys_and_url_paths() -> None:
    assert RepoKey.github("octo", "demo").url_path == "github/octo/demo.git"
    key = RepoKey.azure_devops("org", "My Project", "repo")
    assert key.url_path == "azure-devops/org/My Project/_git/repo"
    assert str(key) == "org/My Project/repo"
    for bad in ("..", "a/b", "", ".hidden", "x.git", "trailing."):
        with pytest.raises(ValueError):
            RepoKey.github("octo", bad)
    with pytest.raises(ValueError):
        RepoKey("Bitbucket", "a", "b")


def test_create_makes_one_empty_initial_commit_on_the_named_branch(host: RepositoryHost) -> None:
    repo = host.create(RepoKey.github("octo", "demo"), branch="develop")
    tip = repo.branch_tip("develop")
    assert tip is not None
    assert repo.branch_tip("main") is None
    assert repo.branches() == ["develop"]
    raw = pygit2.Repository(str(repo.path))
    commit = raw[tip].peel(pygit2.Commit)
    assert commit.parents == []
    assert len(commit.tree) == 0
    assert raw.is_bare
    assert raw.head.shorthand == "develop"
    assert raw.config.get_bool("http.receivepack")
    assert repo.read_files(tip) == {}


def test_create_refuses_an_existing_repository_case_insensitively(host: RepositoryHost) -> None:
    host.create(RepoKey.github("Octo", "Demo"))
    with pytest.raises(RepositoryExists):
        host.create(RepoKey.github("octo", "demo"))
    found = host.get(RepoKey.github("OCTO", "demo"))
    assert found is not None and found.key == RepoKey.github("Octo", "Demo")
    assert host.get(RepoKey.github("octo", "other")) is None


def test_list_and_delete(host: RepositoryHost) -> None:
    gh = RepoKey.github("octo", "demo")
    ado = RepoKey.azure_devops("org", "proj", "repo")
    host.create(gh)
    host.create(ado)
    assert host.list() == [ado, gh]
    assert RepositoryHost(host.root).list() == [ado, gh]  # survives a new host object
    assert host.delete(gh)
    assert not host.delete(gh)
    assert host.list() == [ado]


def test_commit_and_read_files(host: RepositoryHost) -> None:
    repo = host.create(RepoKey.github("octo", "demo"))
    tip = repo.branch_tip("main")
    first = repo.commit(
        "main",
        expected_tip=tip,
        changes={"ws/a.txt": b"a", "ws/sub/b.bin": b"\x00\x01", "top.md": b"top"},
        message="Add files",
        author=AUTHOR,
    )
    assert repo.branch_tip("main") == first
    assert repo.read_files(first) == {
        "ws/a.txt": b"a",
        "ws/sub/b.bin": b"\x00\x01",
        "top.md": b"top",
    }
    assert repo.read_files(first, "ws") == {"ws/a.txt": b"a", "ws/sub/b.bin": b"\x00\x01"}
    assert repo.read_files(first, "/ws/sub/") == {"ws/sub/b.bin": b"\x00\x01"}
    assert repo.read_files(first, "missing") == {}
    assert set(repo.file_ids(first)) == {"ws/a.txt", "ws/sub/b.bin", "top.md"}

    second = repo.commit(
        "main",
        expected_tip=first,
        changes={"ws/sub/b.bin": None, "ws/a.txt": b"A"},
        message="Change",
        author=AUTHOR,
    )
    assert repo.read_files(second) == {"ws/a.txt": b"A", "top.md": b"top"}
    raw = pygit2.Repository(str(repo.path))
    commit = raw[second].peel(pygit2.Commit)
    assert [str(p) for p in commit.parent_ids] == [first]
    assert commit.message == "Change"
    assert (commit.author.name, commit.author.email) == AUTHOR
    # The emptied directory is gone from the tree, and unchanged subtrees are shared.
    assert "sub" not in raw[second].peel(pygit2.Tree)["ws"].peel(pygit2.Tree)
    assert raw[first].peel(pygit2.Tree)["top.md"].id == commit.tree["top.md"].id


def test_commit_with_a_stale_expected_tip_raises_ref_moved(host: RepositoryHost) -> None:
    repo = host.create(RepoKey.github("octo", "demo"))
    base = repo.branch_tip("main")
    winner = repo.commit("main", expected_tip=base, changes={"a": b"1"}, message="w", author=AUTHOR)
    with pytest.raises(RefMoved) as caught:
        repo.commit("main", expected_tip=base, changes={"a": b"2"}, message="l", author=AUTHOR)
    assert caught.value.actual == winner and caught.value.expected == base
    assert repo.branch_tip("main") == winner
    with pytest.raises(RefMoved):
        repo.commit("main", expected_tip=None, changes={}, message="x", author=AUTHOR)


def test_commit_can_create_a_new_branch(host: RepositoryHost) -> None:
    repo = host.create(RepoKey.github("octo", "demo"))
    sha = repo.commit("feature", expected_tip=None, changes={"f": b"x"}, message="m", author=AUTHOR)
    assert repo.branch_tip("feature") == sha
    assert repo.branches() == ["feature", "main"]


def test_the_ref_compare_and_swap_holds_against_another_writer(host: RepositoryHost) -> None:
    """A ref moved by plain git after our check is still detected by the swap itself."""
    repo = host.create(RepoKey.github("octo", "demo"))
    base = repo.branch_tip("main")
    assert base is not None
    other = repo.commit("side", expected_tip=None, changes={"o": b"o"}, message="o", author=AUTHOR)
    raw = pygit2.Repository(str(repo.path))
    ref = raw.lookup_reference("refs/heads/main")
    subprocess.run(
        ["git", f"--git-dir={repo.path}", "update-ref", "refs/heads/main", other, base], check=True
    )
    with pytest.raises(pygit2.GitError):
        ref.set_target(pygit2.Oid(hex=base))
    with pytest.raises(RefMoved):
        repo.commit("main", expected_tip=base, changes={"x": b"x"}, message="m", author=AUTHOR)


def test_racing_commits_never_both_win(host: RepositoryHost) -> None:
    key = RepoKey.github("octo", "race")
    host.create(key)
    base = host.get(key).branch_tip("main")  # type: ignore[union-attr]
    results: list[str] = []
    barrier = threading.Barrier(4)

    def attempt(n: int) -> None:
        # Separate host objects: no shared in-process lock, only the ref's own CAS.
        repo = RepositoryHost(host.root).get(key)
        assert repo is not None
        barrier.wait()
        try:
            repo.commit(
                "main", expected_tip=base, changes={f"f{n}": b"x"}, message="m", author=AUTHOR
            )
            results.append("won")
        except RefMoved:
            results.append("lost")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["lost", "lost", "lost", "won"]
    repo = host.get(key)
    assert repo is not None
    tip = repo.branch_tip("main")
    assert tip is not None and len(repo.read_files(tip)) == 1


def test_commit_rejects_conflicting_or_unsafe_paths(host: RepositoryHost) -> None:
    repo = host.create(RepoKey.github("octo", "demo"))
    tip = repo.branch_tip("main")
    for changes in (
        {"a": b"1", "a/b": b"2"},
        {"../x": b"1"},
        {".git/config": b"1"},
        {"a//b": b"1"},
    ):
        with pytest.raises(ValueError):
            repo.commit("main", expected_tip=tip, changes=changes, message="m", author=AUTHOR)
    assert repo.branch_tip("main") == tip


def test_a_file_can_replace_a_directory(host: RepositoryHost) -> None:
    repo = host.create(RepoKey.github("octo", "demo"))
    first = repo.commit(
        "main",
        expected_tip=repo.branch_tip("main"),
        changes={"a/b": b"1"},
        message="m",
        author=AUTHOR,
    )
    second = repo.commit(
        "main", expected_tip=first, changes={"a/b": None, "a": b"file"}, message="m", author=AUTHOR
    )
    assert repo.read_files(second) == {"a": b"file"}


def test_is_ancestor_and_has_commit(host: RepositoryHost) -> None:
    repo = host.create(RepoKey.github("octo", "demo"))
    root = repo.branch_tip("main")
    assert root is not None
    child = repo.commit("main", expected_tip=root, changes={"a": b"1"}, message="m", author=AUTHOR)
    assert repo.has_commit(root) and repo.has_commit(child)
    assert not repo.has_commit("0" * 40) and not repo.has_commit("not-a-sha")
    assert repo.is_ancestor(root, child)
    assert repo.is_ancestor(child, child)
    assert not repo.is_ancestor(child, root)
    assert not repo.is_ancestor("0" * 40, child)
    tree_id = str(pygit2.Repository(str(repo.path))[child].peel(pygit2.Commit).tree_id)
    assert not repo.has_commit(tree_id)
    with pytest.raises(UnknownCommit):
        repo.read_files("0" * 40)


def test_accepts_pat_and_the_pat_is_never_stored_in_clear(host: RepositoryHost) -> None:
    open_repo = host.create(RepoKey.github("octo", "open"))
    assert open_repo.accepts_pat(None) and open_repo.accepts_pat("anything")
    assert not open_repo.requires_pat

    secret = "ghp_s3cretValue1234567890"
    locked = host.create(RepoKey.github("octo", "locked"), required_pat=secret)
    assert locked.requires_pat
    assert locked.accepts_pat(secret)
    assert not locked.accepts_pat(None)
    assert not locked.accepts_pat("ghp_other")
    stored = b"".join(p.read_bytes() for p in Path(locked.path).rglob("*") if p.is_file())
    assert secret.encode() not in stored
    assert secret not in repr(locked)

    locked.set_required_pat(None)
    assert locked.accepts_pat(None)
    locked.set_required_pat("new")
    assert locked.accepts_pat("new") and not locked.accepts_pat(secret)


def test_fsck_reports_a_sound_and_a_broken_repository(host: RepositoryHost) -> None:
    repo = host.create(RepoKey.github("octo", "demo"))
    tip = repo.commit(
        "main",
        expected_tip=repo.branch_tip("main"),
        changes={"a/b.txt": b"hello"},
        message="m",
        author=AUTHOR,
    )
    # Objects left behind by an interrupted commit (written, never referenced) are fine.
    pygit2.Repository(str(repo.path)).create_blob(b"dangling")
    assert repo.fsck()
    blob_id = repo.file_ids(tip)["a/b.txt"]
    (Path(repo.path) / "objects" / blob_id[:2] / blob_id[2:]).unlink()
    assert not repo.fsck()


def test_state_survives_a_new_host(host: RepositoryHost) -> None:
    key = RepoKey.azure_devops("org", "proj", "repo")
    repo = host.create(key, required_pat="pat")
    sha = repo.commit(
        "main",
        expected_tip=repo.branch_tip("main"),
        changes={"x": b"1"},
        message="m",
        author=AUTHOR,
    )
    again = RepositoryHost(host.root).get(key)
    assert again is not None
    assert again.branch_tip("main") == sha
    assert again.accepts_pat("pat") and not again.accepts_pat("nope")


def test_read_files_returns_a_fresh_map_each_time(host: RepositoryHost) -> None:
    repo = host.create(RepoKey.github("octo", "demo"))
    sha = repo.commit(
        "main",
        expected_tip=repo.branch_tip("main"),
        changes={"a": b"1"},
        message="m",
        author=AUTHOR,
    )
    first = repo.read_files(sha)
    first["a"] = b"mutated"
    first["b"] = b"added"
    assert repo.read_files(sha) == {"a": b"1"}
    # A new host (cold cache) reads the same content.
    assert RepositoryHost(host.root).get(RepoKey.github("octo", "demo")).read_files(sha) == {  # type: ignore[union-attr]
        "a": b"1"
    }


_COMMIT_LOOP = """
import sys
from pathlib import Path
from fabric_git.emulator.gitrepo.repos import RepoKey, RepositoryHost

repo = RepositoryHost(Path(sys.argv[1])).get(RepoKey.github("octo", "crash"))
tip = repo.branch_tip("main")
n = 0
while True:
    n += 1
    changes = {f"d{n % 7}/f{i}.txt": (f"{n}-{i} " * 400).encode() for i in range(60)}
    tip = repo.commit("main", expected_tip=tip, changes=changes, message="m", author=("a", "b"))
    print(tip, flush=True)
"""


def test_a_process_killed_while_committing_leaves_a_sound_repository(host: RepositoryHost) -> None:
    key = RepoKey.github("octo", "crash")
    repo = host.create(key)
    process = subprocess.Popen(
        [sys.executable, "-c", _COMMIT_LOOP, str(host.root)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    seen = [process.stdout.readline().strip() for _ in range(5)]
    process.kill()  # SIGKILL, somewhere inside a later commit
    process.wait()
    process.stdout.close()

    host.recover()
    tip = repo.branch_tip("main")
    assert tip is not None and repo.has_commit(tip)
    assert repo.is_ancestor(seen[-1], tip)
    assert repo.fsck()
    # The repository still takes commits.
    after = repo.commit("main", expected_tip=tip, changes={"x": b"1"}, message="m", author=AUTHOR)
    assert repo.branch_tip("main") == after


def test_recover_removes_stale_locks_and_half_created_repositories(host: RepositoryHost) -> None:
    repo = host.create(RepoKey.github("octo", "demo"))
    (repo.path / "refs" / "heads" / "main.lock").write_text("0" * 40)
    (host.root / ".staging" / "partial").mkdir(parents=True)
    tip = repo.branch_tip("main")
    repo.lock_timeout = 0
    with pytest.raises(RepositoryLocked):
        repo.commit("main", expected_tip=tip, changes={"a": b"1"}, message="m", author=AUTHOR)
    assert repo.branch_tip("main") == tip
    assert host.recover() == {repo.key: ["refs/heads/main.lock"]}
    assert not (host.root / ".staging").exists()
    repo.commit("main", expected_tip=tip, changes={"a": b"1"}, message="m", author=AUTHOR)


def test_recover_removes_only_the_temporary_files_of_unfinished_packs(
    host: RepositoryHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repos, "PACKED_COMMIT", 2)
    repo = host.create(RepoKey.github("octo", "demo"))
    tip = repo.commit(
        "main",
        expected_tip=repo.branch_tip("main"),
        changes={f"f{i}": b"%d" % i for i in range(3)},
        message="packed",
        author=AUTHOR,
    )
    pack_dir = repo.path / "objects" / "pack"
    completed = sorted(path.name for path in pack_dir.iterdir())
    assert len(completed) == 2  # the commit's pack-<sha>.pack and .idx
    ours = ["tmp_" + "0123456789abcdef" * 2 + suffix for suffix in (".idx", ".pack")]
    gits = ["tmp_pack_Xy12Ab", "tmp_idx_Xy12Ab", "tmp_ABCDEF.pack"]
    for name in ours + gits:
        (pack_dir / name).write_bytes(b"PACK\0\0\0\2")  # a pack cut short
    assert host.recover() == {repo.key: [f"objects/pack/{name}" for name in ours]}
    assert sorted(path.name for path in pack_dir.iterdir()) == sorted(completed + gits)
    assert repo.fsck()
    after = repo.commit("main", expected_tip=tip, changes={"x": b"1"}, message="m", author=AUTHOR)
    assert repo.branch_tip("main") == after
