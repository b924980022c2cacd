"""Start-up time of the ``fabric-git`` command: ``--help`` and ``--version`` as fresh processes."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.results import Figure, unavailable

TARGET_SECONDS = 0.150
RUNS = 10


def cli_path() -> Path:
    return Path(sys.executable).parent / "fabric-git"


def _run_once(argv: list[str]) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, check=False)
    return time.perf_counter() - start, done


def startup(flag: str, runs: int = RUNS) -> Figure:
    name = f"fabric-git {flag} start-up (median of {runs})"
    argv = [str(cli_path()), flag]
    samples: list[float] = []
    for _ in range(runs):
        seconds, done = _run_once(argv)
        if done.returncode != 0:
            why = f"exit {done.returncode}: {done.stderr.decode(errors='replace').strip()[:200]}"
            return unavailable(name, "ms", TARGET_SECONDS * 1000, "<", why)
        samples.append(seconds)
    return Figure(
        name,
        statistics.median(samples) * 1000,
        "ms",
        TARGET_SECONDS * 1000,
        "<",
        detail=f"min {min(samples) * 1000:.0f} ms, max {max(samples) * 1000:.0f} ms",
        data={"samples_ms": [s * 1000 for s in samples]},
    )


def interpreter_floor(runs: int = RUNS) -> Figure:
    """``python -c pass``: the part of start-up no code of ours can remove (for context)."""
    samples = [_run_once([sys.executable, "-c", "pass"])[0] for _ in range(runs)]
    return Figure(
        f"python -c pass (interpreter floor, median of {runs})",
        statistics.median(samples) * 1000,
        "ms",
        data={"samples_ms": [s * 1000 for s in samples]},
    )


def run() -> list[Figure]:
    return [interpreter_floor(), startup("--help"), startup("--version")]
