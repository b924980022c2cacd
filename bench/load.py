"""``GET /workspaces/{id}/git/connection`` under load from 32 keep-alive connections.

The emulator server runs on 127.0.0.1 in this process (uvicorn on its own thread); the load
generator (:mod:`bench.loadgen`) runs in a separate process, so the two share the machine's
two cores but not an interpreter. A short warm-up precedes the measured run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.api import FabricApi
from bench.emulator_ops import OWNER, PAT, create_repo
from bench.results import Figure

CONNECTIONS = 32
REQUESTS = 20000
WARMUP = 1000
TIME_CAP = 60.0
RPS_TARGET = 1000.0
P99_TARGET_MS = 50.0


def generate_load(
    url: str,
    token: str,
    requests: int,
    connections: int = CONNECTIONS,
    time_cap: float = TIME_CAP,
) -> dict[str, Any]:
    argv = [
        sys.executable,
        "-m",
        "bench.loadgen",
        "--url",
        url,
        "--connections",
        str(connections),
        "--requests",
        str(requests),
        "--time-cap",
        str(time_cap),
    ]
    env = {**os.environ, "BENCH_TOKEN": token}
    root = Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout))


def run() -> list[Figure]:
    from fabric_git.emulator import EmulatorConfig, EmulatorServer

    with tempfile.TemporaryDirectory(prefix="bench-load-") as scratch:
        config = EmulatorConfig(data_dir=Path(scratch) / "data", lro_mode="sync")
        with EmulatorServer(config) as server, FabricApi(server.url, server.token) as api:
            ws = api.create_workspace("Bench load", server.capacity_id)
            create_repo(api, "load")
            connection = api.create_github_connection(
                "bench load", f"https://github.com/{OWNER}/load", PAT
            )
            api.connect_github(ws, OWNER, "load", connection)
            url = f"{server.url}/workspaces/{ws}/git/connection"
            generate_load(url, server.token, WARMUP)
            result = generate_load(url, server.token, REQUESTS)
    ok = result["statuses"].get("200", 0)
    detail = (
        f"{result['requests']} requests in {result['elapsed_s']:.1f} s from {CONNECTIONS} "
        f"keep-alive connections; statuses {result['statuses']}; p50 {result['p50_ms']:.1f} ms, "
        f"p90 {result['p90_ms']:.1f} ms, max {result['max_ms']:.1f} ms"
    )
    if ok != result["requests"]:
        detail += "; NOT ALL 200"
    return [
        Figure(
            "GET git/connection throughput (32 connections)",
            ok / result["elapsed_s"],
            "req/s",
            RPS_TARGET,
            ">=",
            detail=detail,
            data=result,
        ),
        Figure(
            "GET git/connection p99 latency (32 connections)",
            result["p99_ms"],
            "ms",
            P99_TARGET_MS,
            "<",
            data=result,
        ),
    ]
