"""Plain-git baselines: ``git add -A && git commit`` and ``git checkout`` of the same files.

The emulator's commit and update are judged against what the real ``git`` client needs for the
same tree on the same machine in the same run, so the ratio does not depend on disk speed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bench.results import timed

Populate = Callable[[Path], None]

_IDENTITY = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def git_env() -> dict[str, str]:
    """The environment for every git call: no user or system config, a fixed identity."""
    env = {**os.environ, **_IDENTITY}
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["GIT_CONFIG_GLOBAL"] = os.devnull
    env["GIT_TERMINAL_PROMPT"] = "0"
    return env


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=git_env(), check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def init_repo(path: Path, branch: str = "main") -> None:
    path.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", branch, cwd=path)


def commit_all(path: Path, message: str) -> float:
    """Time ``git add -A && git commit`` in ``path`` (a repository with files written)."""

    def run() -> None:
        git("add", "-A", cwd=path)
        git("commit", "-q", "-m", message, cwd=path)

    return timed(run)


def commit_baseline(populate: Populate, runs: int = 3) -> list[float]:
    """Seconds for ``git add -A && git commit`` of a fresh repository holding the files."""
    samples = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-git-") as scratch:
            repo = Path(scratch) / "repo"
            init_repo(repo)
            populate(repo)
            samples.append(commit_all(repo, "Baseline commit"))
    return samples


def checkout_baseline(source: Path, revision: str = "HEAD", runs: int = 3) -> list[float]:
    """Seconds for ``git checkout`` of ``revision`` of ``source`` into an empty working tree.

    Each run clones without checkout first (objects present, working tree and index empty),
    then times only the checkout, which writes every file of the tree and the index.
    """
    samples = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-checkout-") as scratch:
            clone = Path(scratch) / "clone"
            git("clone", "-q", "--no-checkout", str(source), str(clone), cwd=Path(scratch))
            sha = git("rev-parse", revision, cwd=source)
            samples.append(timed(partial(git, "checkout", "-q", "-f", sha, cwd=clone)))
    return samples


def copy_worktree(source: Path) -> Populate:
    """A populate step that copies a working tree's files (not ``.git``) into a directory."""

    def populate(target: Path) -> None:
        for entry in source.iterdir():
            if entry.name == ".git":
                continue
            if entry.is_dir():
                shutil.copytree(entry, target / entry.name)
            else:
                shutil.copy2(entry, target / entry.name)

    return populate
