"""Syncing 50 workspaces whose operations take 2 s each: concurrent against sequential.

Measured only once ``fabric-git sync`` accepts several workspaces; until then the figure is
reported as not measured, with the reason.
"""

from __future__ import annotations

import subprocess

from bench.cli_startup import cli_path
from bench.results import Figure, unavailable

TARGET_RATIO = 0.1


def run() -> list[Figure]:
    name = "sync 50 workspaces (2 s operations): concurrent / sequential"
    done = subprocess.run([str(cli_path()), "sync", "--help"], capture_output=True, check=False)
    text = done.stdout.decode(errors="replace")
    if done.returncode != 0 or "--workspaces-file" not in text:
        why = "fabric-git sync does not take several workspaces (no --workspaces-file option)"
        return [unavailable(name, "x", TARGET_RATIO, "<=", why)]
    return [
        unavailable(name, "x", TARGET_RATIO, "<=", "the multi-workspace run is not written yet")
    ]
