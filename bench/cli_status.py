"""``fabric-git status --output json`` against a running emulator: wall time of the command."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.api import FabricApi
from bench.cli_startup import cli_path
from bench.emulator_ops import OWNER, PAT, create_repo
from bench.results import Figure, unavailable

TARGET_MS = 250.0
RUNS = 10


def run() -> list[Figure]:
    from fabric_git.emulator import EmulatorConfig, EmulatorServer

    name = f"fabric-git status --output json (median of {RUNS})"
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as scratch:
        config = EmulatorConfig(data_dir=Path(scratch) / "data", lro_mode="sync")
        with EmulatorServer(config) as server, FabricApi(server.url, server.token) as api:
            ws = api.create_workspace("Bench status", server.capacity_id)
            api.create_item(ws, "Notebook", "Status notebook", definition={"parts": []})
            create_repo(api, "status")
            connection = api.create_github_connection(
                "bench status", f"https://github.com/{OWNER}/status", PAT
            )
            api.connect_github(ws, OWNER, "status", connection)
            api.initialize(ws)
            env = {**os.environ, "FABRIC_API_URL": server.url, "FABRIC_TOKEN": server.token}
            argv = [str(cli_path()), "--output", "json", "status", "--workspace", ws]
            samples = []
            for _ in range(RUNS):
                started = time.perf_counter()
                done = subprocess.run(argv, env=env, capture_output=True, check=False)
                samples.append(time.perf_counter() - started)
                if done.returncode != 0:
                    why = f"exit {done.returncode}: {done.stderr.decode(errors='replace')[:200]}"
                    return [unavailable(name, "ms", TARGET_MS, "<", why)]
    return [
        Figure(
            name,
            statistics.median(samples) * 1000,
            "ms",
            TARGET_MS,
            "<",
            detail="a fresh process per run, emulator on 127.0.0.1 with LRO mode sync",
            data={"samples_ms": [s * 1000 for s in samples]},
        )
    ]
