"""The path rules shared by lint and the emulator: Git's own name checks and Fabric's."""

from __future__ import annotations

import json

import pytest

from fabric_git.repoformat.paths import (
    folder_name_problem,
    git_path_problem,
    gitmodules_problem,
    is_gitmodules_like,
    item_path_problem,
    may_have_problems,
    printable,
)
from fabric_git.repoformat.references import workspace_references

GIT_LIKE = [
    ".git/config",
    "a/.git",
    "a/b/.GIT/x",
    "a/.Git/x",
    "x/Git~1/y",
    "x/GIT~1",
    "a/.git /x",
    "a/.git./x",
    "a/.git. . /x",
    "a/.git::$INDEX_ALLOCATION/x",
    "a/.g\u200cit/x",
    "a/\ufeff.git/x",
    "a/.gi\u200dt/x",
    "a\\.git\\hooks",
]
NOT_GIT_LIKE = [
    ".github/workflows/ci.yml",
    "a/x.git",
    "a/.gitx",
    "a/git",
    "a/Git~2",
    "a/.gitignore",
    "a/.gitmodulesx",
    "Sales.Notebook/notebook-content.py",
]


@pytest.mark.parametrize("path", GIT_LIKE)
def test_every_spelling_of_dot_git_is_refused_at_any_depth(path: str) -> None:
    problem = git_path_problem(path)
    assert problem is not None and "'.git'" in problem
    assert item_path_problem(path) == problem


@pytest.mark.parametrize("path", NOT_GIT_LIKE)
def test_names_that_only_look_alike_pass(path: str) -> None:
    assert git_path_problem(path) is None
    assert item_path_problem(path) is None


@pytest.mark.parametrize("path", ["/etc/passwd", "a//b", "a/./b", "../a", "a/..", "", "a/"])
def test_absolute_empty_and_dot_segments_are_refused(path: str) -> None:
    assert git_path_problem(path) is not None


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("x\ny\r.py", "control character"),
        ("a/\x1b[31m.py", "control character"),
        ("a/\udcff.py", "not valid UTF-8"),
        ("a\\b.py", "backslash"),
    ],
)
def test_item_files_also_obey_the_api_rules(path: str, words: str) -> None:
    assert git_path_problem(path) is None
    problem = item_path_problem(path)
    assert problem is not None and words in problem


GITMODULES_LIKE = [".gitmodules", ".GITMODULES", ".gitmodules .", "GITMOD~1", "gi7eba~4",
                   ".gitattributes", "gitatt~1", ".gitignore", "gi250a~1", ".mailmap", "maba30~2",
                   ".gitm\u200codules"]  # fmt: skip


@pytest.mark.parametrize("name", GITMODULES_LIKE)
def test_gitmodules_like_names(name: str) -> None:
    assert is_gitmodules_like(name)


DOTGITMODULES = [
    "a/.gitmodules",
    "Sales.Notebook/.GitModules",
    "x/.gitmodules. .",
    "x/.gitmodules::$DATA",
    "x/GITMOD~1",
    "x/gi7eba~3",
    "x/gi7eb~12",
    "x/.g\u200citmodules",
    "x\\.gitmodules",
]


@pytest.mark.parametrize("path", DOTGITMODULES)
def test_names_fsck_reads_as_gitmodules_are_refused_in_items(path: str) -> None:
    """fsck checks a blob at any of these names as submodule configuration
    (gitmodulesName, gitmodulesUrl): no item file and no written path is one."""
    assert git_path_problem(path) is None  # a repository's own .gitmodules is its business
    assert gitmodules_problem(path) == f"'{path}' has a segment Git reads as '.gitmodules'"
    assert item_path_problem(path) is not None
    assert may_have_problems([path])


@pytest.mark.parametrize("name", [".gitmodulesx", "gitmod~0", "modules", ".github"])
def test_other_names_are_not_gitmodules_like(name: str) -> None:
    assert not is_gitmodules_like(name)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Sales", None),
        ("v1.2", "The folder name must not contain '.'"),
        (" lead", "The folder name must not begin or end with a space"),
        ("a" * 256, "The folder name must be at most 255 characters"),
        ("Recycled", "The folder name 'Recycled' is reserved"),
        ("a\tb", "The folder name must not contain control characters"),
    ],
)
def test_folder_names(name: str, problem: str | None) -> None:
    assert folder_name_problem(name) == problem


def test_printable_escapes_what_a_terminal_or_ci_would_act_on() -> None:
    assert printable("Sales report") == "Sales report"
    assert printable("a\n::error::x\x1b[2J\u202e\udcff") == "a\\x0a::error::x\\x1b[2J\\u202e\\udcff"


def test_same_workspace_references_in_json_and_notebook_meta() -> None:
    zero = "00000000-0000-0000-0000-000000000000"
    item = "12345678-1234-1234-1234-1234567890ab"
    other_ws = "87654321-4321-4321-4321-ba0987654321"
    pipeline = json.dumps(
        {
            "a": {"notebookId": item.upper(), "workspaceId": zero},
            "b": {"notebookId": item, "workspaceId": other_ws},
        },
        indent=2,
    )
    assert list(workspace_references(pipeline)) == [(item, 3)]
    notebook = (
        "# Fabric notebook source\n# META {\n"
        f'# META   "lakehouse": {{"default_lakehouse": "{item}",\n'
        f'# META     "default_lakehouse_workspace_id": "{zero}"}}\n# META }}\nprint(1)\n'
    )
    assert list(workspace_references(notebook)) == [(item, 3)]
    assert list(workspace_references(f'{{"id": "{item}"}}')) == []
    assert list(workspace_references("[" * 5000 + zero)) == []


def test_the_fast_check_misses_no_path_a_rule_refuses() -> None:
    refused = [*GIT_LIKE, "/etc/passwd", "a//b", "a/./b", "../a", "a/..", "", "a/", "x\ny\r.py"]
    refused += ["a/\x1b[31m.py", "a/\udcff.py", "a\\b.py", "a/\x85.py", *DOTGITMODULES]
    for path in refused:
        assert item_path_problem(path) is not None, path
        assert may_have_problems(["fine/path", path]), path
    assert not may_have_problems([p for p in NOT_GIT_LIKE if "git" not in p.lower()])
    assert item_path_problem("a/gi7eba~12") is None  # a fall-back short name has 8 characters
