"""Memory under a long stream of operations: it levels off once finished operations expire.

An in-memory emulator (so every operation row it keeps is memory) runs on 127.0.0.1 in this
process with LRO mode ``sync`` and a short operation retention; the load generator
(:mod:`bench.loadgen`, a separate process) sends Get Status requests, each a new long-running
operation whose result lists the workspace's 20 uncommitted items, from a few keep-alive
connections for a fixed time. A sampler thread reads this
process's resident memory every second. The figure is the growth from the middle of the run to
its end, when expiry has long been dropping as many operations as the load starts; the rows
left in the operations table are shown beside it.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.api import FabricApi
from bench.emulator_ops import OWNER, PAT, create_repo
from bench.load import generate_load
from bench.results import Figure, unavailable

LOAD_SECONDS = 100.0
RETENTION_SECONDS = 20.0
CONNECTIONS = 8
GROWTH_TARGET_PERCENT = 5.0
SAMPLE_EVERY = 1.0
UNCOMMITTED_ITEMS = 20


def _rss_bytes() -> int | None:
    """This process's resident memory (Linux ``/proc``); None where it cannot be read."""
    try:
        fields = Path("/proc/self/statm").read_text(encoding="ascii").split()
    except OSError:
        return None
    import os

    return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")


class _Sampler:
    def __init__(self) -> None:
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> _Sampler:
        self._started = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            rss = _rss_bytes()
            if rss is not None:
                self.samples.append((time.perf_counter() - self._started, rss))
            if self._stop.wait(SAMPLE_EVERY):
                return

    def at(self, seconds: float) -> int:
        """The sample nearest to ``seconds`` into the run."""
        return min(self.samples, key=lambda s: abs(s[0] - seconds))[1]


def run(seconds: float = LOAD_SECONDS) -> list[Figure]:
    from fabric_git.emulator import EmulatorConfig, EmulatorServer

    name = f"memory growth, second half of {seconds:.0f} s of Get Status load"
    if _rss_bytes() is None:
        return [unavailable(name, "%", GROWTH_TARGET_PERCENT, "<=", "no /proc/self/statm")]
    config = EmulatorConfig(in_memory=True, lro_mode="sync", operation_retention=RETENTION_SECONDS)
    with EmulatorServer(config) as server, FabricApi(server.url, server.token) as api:
        ws = api.create_workspace("Bench memory", server.capacity_id)
        # Items never committed: each status result lists them, so each operation kept costs
        # a few kilobytes, as a real workspace's would.
        for index in range(UNCOMMITTED_ITEMS):
            api.create_item(ws, "Notebook", f"Memory notebook {index}", definition={"parts": []})
        create_repo(api, "memory")
        connection = api.create_github_connection(
            "bench memory", f"https://github.com/{OWNER}/memory", PAT
        )
        api.connect_github(ws, OWNER, "memory", connection)
        api.initialize(ws)
        url = f"{server.url}/workspaces/{ws}/git/status"
        print(f"   {seconds:.0f} s of load ...", file=sys.stderr, flush=True)
        with _Sampler() as sampler:
            result = generate_load(url, server.token, 10**9, CONNECTIONS, time_cap=seconds)
        with server.state.store.read() as conn:
            (kept,) = conn.execute("SELECT COUNT(*) FROM operations").fetchone()
    elapsed = float(result["elapsed_s"])
    middle, end = sampler.at(elapsed / 2), sampler.at(elapsed)
    start = sampler.samples[0][1]
    growth = (end - middle) / middle * 100
    ok = result["statuses"].get("200", 0)
    data: dict[str, Any] = {
        "rss_mb": [(round(t, 1), round(r / 2**20, 1)) for t, r in sampler.samples],
        "load": result,
        "operations_kept": kept,
    }
    return [
        Figure(
            name,
            growth,
            "%",
            GROWTH_TARGET_PERCENT,
            "<=",
            detail=(
                f"resident memory {start / 2**20:.0f} MB at the start, {middle / 2**20:.0f} MB"
                f" halfway, {end / 2**20:.0f} MB at the end; {result['requests']:,} operations"
                f" ({ok:,} answered 200) from {CONNECTIONS} connections, retention"
                f" {RETENTION_SECONDS:.0f} s, {kept:,} operations kept at the end"
            ),
            data=data,
        ),
    ]
