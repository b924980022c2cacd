"""``fabric-git lint`` of the benchmark repository against reading the same files.

The generated workspace's repository tree is written to a directory once. Then, interleaved
A B A B so both see the same machine state: A reads every file of the tree (a directory walk and
one read per file, the floor any linter pays), B lints it (``read_worktree`` and ``lint_files``,
what the command runs, in process). The figure is the median of B over the median of A. A file
open audit hook counts how often lint opens each file: it must read each file once.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.results import Figure
from bench.workspace import Workspace

TARGET_RATIO = 2.0
RUNS = 7


def read_all(root: Path) -> int:
    """A: every file under ``root`` read once; returns the bytes read."""
    total = 0
    for directory, _, names in os.walk(root):
        for name in names:
            with open(os.path.join(directory, name), "rb") as handle:
                total += len(handle.read())
    return total


def lint(root: Path) -> int:
    """B: what ``fabric-git lint ROOT`` runs; returns the number of findings."""
    from fabric_git.repoformat.lint import lint_files
    from fabric_git.repoformat.worktree import read_worktree

    tree = read_worktree(root)
    return len(lint_files(tree.files, symlinks=tree.symlinks))


_opened: Counter[str] | None = None


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _opened is not None and isinstance(args[0], str):
        _opened[args[0]] += 1


def opens_per_file(root: Path) -> Counter[str]:
    """How many times one lint opens each file of the tree."""
    global _opened
    _opened = Counter()
    try:
        lint(root)
        return Counter({p: n for p, n in _opened.items() if p.startswith(str(root))})
    finally:
        _opened = None


def run(workspace: Workspace, runs: int = RUNS) -> list[Figure]:
    sys.addaudithook(_audit)
    with tempfile.TemporaryDirectory(prefix="bench-lint-") as scratch:
        root = Path(scratch)
        workspace.write_tree(root)
        files = sum(len(names) for _, _, names in os.walk(root))
        findings = lint(root)  # warm-up: imports, and the page cache for both sides
        read_all(root)
        reads: list[float] = []
        lints: list[float] = []
        for _ in range(runs):
            start = time.perf_counter()
            read_all(root)
            reads.append(time.perf_counter() - start)
            start = time.perf_counter()
            lint(root)
            lints.append(time.perf_counter() - start)
        opened = opens_per_file(root)
    read_ms, lint_ms = statistics.median(reads) * 1000, statistics.median(lints) * 1000
    shape = f"{len(workspace.items)} items, {files} files, {workspace.total_bytes / 1e6:.1f} MB"
    most = max(opened.values(), default=0)
    return [
        Figure(
            "fabric-git lint of the benchmark repository",
            lint_ms / read_ms,
            "x",
            TARGET_RATIO,
            "<=",
            detail=(
                f"lint {lint_ms:.0f} ms, reading the files {read_ms:.0f} ms; {shape}; "
                f"median of {runs}, interleaved; {findings} findings"
            ),
            data={"lint_ms": [s * 1000 for s in lints], "read_ms": [s * 1000 for s in reads]},
        ),
        Figure(
            "files lint opens more than once",
            sum(1 for n in opened.values() if n > 1),
            "files",
            0,
            "<=",
            detail=f"{len(opened)} of {files} files opened, each at most {most} time(s)",
        ),
    ]
