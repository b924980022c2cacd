"""Start-up time of the ``fabric-git`` command: ``--help`` and ``--version`` as fresh processes."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.results import Figure, alternate, unavailable

TARGET_SECONDS = 0.150
RUNS = 10


def cli_path() -> Path:
    return Path(sys.executable).parent / "fabric-git"


def _run_once(argv: list[str]) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False)
    return time.perf_counter() - start, done


def _startup_figure(flag: str, samples: list[float]) -> Figure:
    return Figure(
        f"fabric-git {flag} start-up (median of {len(samples)})",
        statistics.median(samples) * 1000,
        "ms",
        TARGET_SECONDS * 1000,
        "<",
        detail=f"min {min(samples) * 1000:.0f} ms, max {max(samples) * 1000:.0f} ms",
        data={"samples_ms": [s * 1000 for s in samples]},
    )


class _Failed(Exception):
    def __init__(self, flag: str, why: str) -> None:
        super().__init__(why)
        self.flag = flag


def _command(flag: str) -> float:
    seconds, done = _run_once([str(cli_path()), flag])
    if done.returncode != 0:
        why = f"exit {done.returncode}: {done.stderr.decode(errors='replace').strip()[:200]}"
        raise _Failed(flag, why)
    return seconds


def run(runs: int = RUNS) -> list[Figure]:
    """The interpreter floor (``python -c pass``, context: the part of start-up no code of ours
    can remove), ``--help`` and ``--version``, a process of each in turn."""
    try:
        floor, helps, versions = alternate(
            runs,
            lambda: _run_once([sys.executable, "-c", "pass"])[0],
            lambda: _command("--help"),
            lambda: _command("--version"),
        )
    except _Failed as failed:
        name = f"fabric-git {failed.flag} start-up (median of {runs})"
        return [unavailable(name, "ms", TARGET_SECONDS * 1000, "<", str(failed))]
    return [
        Figure(
            f"python -c pass (interpreter floor, median of {runs})",
            statistics.median(floor) * 1000,
            "ms",
            data={"samples_ms": [s * 1000 for s in floor]},
        ),
        _startup_figure("--help", helps),
        _startup_figure("--version", versions),
    ]
