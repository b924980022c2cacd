"""One tree writer for every commit: loose and packed commits check tree-entry names alike."""

from __future__ import annotations

import pytest

from fabric_git.emulator.gitrepo import repos
from fabric_git.emulator.gitrepo.repos import RepoKey, RepositoryHost
from fabric_git.emulator.gitrepo.trees import check_path, nest

AUTHOR = ("Ada", "ada@example.invalid")
BAD_PATHS = ["a/.git/config", "a//b", "../up", "a/./b", "nul\0name", ".git"]


@pytest.mark.parametrize("packed_from", [1, 10**9], ids=["packed", "loose"])
@pytest.mark.parametrize("path", BAD_PATHS)
def test_both_object_paths_refuse_the_same_names(
    host: RepositoryHost, monkeypatch: pytest.MonkeyPatch, packed_from: int, path: str
) -> None:
    monkeypatch.setattr(repos, "PACKED_COMMIT", packed_from)
    repo = host.create(RepoKey.github("octo", "names"))
    tip = repo.branch_tip("main")
    with pytest.raises(ValueError, match="invalid path"):
        repo.commit(
            "main",
            expected_tip=tip,
            changes={path: b"x", "ok.txt": b"y"},
            message="m",
            author=AUTHOR,
        )
    assert repo.branch_tip("main") == tip


def test_good_paths_nest_into_directories() -> None:
    assert check_path("/a/b.txt") == ["a", "b.txt"]
    assert nest({"a/b": b"1", "a/c/d": None, "e": b"2"}) == {
        "a": {"b": b"1", "c": {"d": None}},
        "e": b"2",
    }
