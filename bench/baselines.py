"""The plain-git figures on the generated workspace's repository tree (context for the ratios)."""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from bench import gitbase
from bench.results import Figure
from bench.workspace import Workspace


def run(workspace: Workspace, runs: int = 3) -> list[Figure]:
    shape = f"{len(workspace.items)} items, {workspace.file_count} files, "
    shape += f"{workspace.total_bytes / 1e6:.1f} MB"
    commits = gitbase.commit_baseline(workspace.write_tree, runs=runs)
    with tempfile.TemporaryDirectory(prefix="bench-tree-") as scratch:
        repo = Path(scratch) / "repo"
        gitbase.init_repo(repo)
        workspace.write_tree(repo)
        gitbase.commit_all(repo, "Generated workspace")
        checkouts = gitbase.checkout_baseline(repo, runs=runs)
    return [
        Figure(
            "git add -A && git commit (generated tree)",
            statistics.median(commits) * 1000,
            "ms",
            detail=f"{shape}; median of {runs}",
            data={"samples_ms": [s * 1000 for s in commits]},
        ),
        Figure(
            "git checkout into an empty tree (generated tree)",
            statistics.median(checkouts) * 1000,
            "ms",
            detail=f"{shape}; median of {runs}",
            data={"samples_ms": [s * 1000 for s in checkouts]},
        ),
    ]
