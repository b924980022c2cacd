"""Reading a working tree from disk into a file map, each file once.

In a Git working tree the files are those Git would commit (``git ls-files``: tracked, and
untracked but not ignored), so a virtual environment or build output beside the items is not
read; elsewhere every file under the directory is. Symbolic links are read as Git stores them
(their target), never followed. Paths that are not UTF-8 keep their bytes as surrogate escapes,
so the path rules can name them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Worktree", "read_worktree"]


@dataclass
class Worktree:
    """The files of a tree: ``files`` maps repository-relative POSIX paths to contents."""

    files: dict[str, bytes] = field(default_factory=dict)
    symlinks: set[str] = field(default_factory=set)
    used_git: bool = False


def read_worktree(root: Path, directory: str = "") -> Worktree:
    """The files under ``root / directory``, keyed relative to ``root``.

    Raises OSError when a file cannot be read (a file removed meanwhile is skipped).
    """
    directory = directory.strip("/")
    listed = _git_listing(root, directory)
    tree = Worktree(used_git=listed is not None)
    if listed is None:
        entries = _walk(root, directory)
    else:  # Git lists names only: whether each is a link is asked of the file system
        entries = ((p, os.path.islink(os.path.join(root, p))) for p in listed)
    for relative, is_link in entries:
        full = os.path.join(root, relative)
        try:
            if is_link:
                tree.files[relative] = os.fsencode(os.readlink(full))
                tree.symlinks.add(relative)
                continue
            with open(full, "rb") as handle:
                tree.files[relative] = handle.read()
        except (FileNotFoundError, IsADirectoryError):
            continue  # deleted since listed, or a submodule's directory
    return tree


def _walk(root: Path, directory: str) -> Iterator[tuple[str, bool]]:
    """(path, is a symbolic link) of every file under ``directory``, from the directory
    entries themselves (no extra system call per file)."""
    start = os.path.join(root, directory) if directory else str(root)
    pending = [(start, directory)]
    while pending:
        current, prefix = pending.pop()
        with os.scandir(current) as entries:
            for entry in entries:
                relative = f"{prefix}/{entry.name}" if prefix else entry.name
                if relative == ".git":
                    continue  # the repository itself, not content
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, relative))
                else:
                    yield relative, entry.is_symlink()


def _git_listing(root: Path, directory: str) -> list[str] | None:
    """What ``git ls-files`` lists under ``directory``, or None when ``root`` is not the top
    of a Git working tree (or Git is not installed)."""
    git = shutil.which("git")
    if git is None or not (root / ".git").exists():
        return None
    command = [git, "-C", str(root), "ls-files", "-z", "--cached", "--others"]
    command += ["--exclude-standard", "--", f":(literal){directory}" if directory else "."]
    try:
        done = subprocess.run(command, capture_output=True, check=False, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    names = (os.fsdecode(raw) for raw in done.stdout.split(b"\0") if raw)
    return list(dict.fromkeys(names))  # a conflicted file is listed once per stage
