"""A bounded HTTP/1.1 load generator: N keep-alive connections, a fixed request count, a time cap.

Run as ``python -m bench.loadgen --url URL --connections 32 --requests 20000`` with the bearer
token in ``BENCH_TOKEN`` (never on the command line); it prints one JSON document. It speaks
HTTP/1.1 on asyncio streams rather than through a full client library so that, on a small
machine, the generator costs far less CPU than the server it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from urllib.parse import urlsplit


class LoadError(RuntimeError):
    pass


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        lowered = name.strip().lower()
        if lowered == "content-length":
            length = int(value.strip())
        elif lowered == "transfer-encoding" and "chunked" in value.lower():
            raise LoadError("chunked responses are not supported by this generator")
    if length:
        await reader.readexactly(length)
    return status


async def _worker(
    host: str,
    port: int,
    request: bytes,
    budget: list[int],
    deadline: float,
    latencies: list[float],
    statuses: dict[int, int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while budget[0] > 0 and time.perf_counter() < deadline:
            budget[0] -= 1
            started = time.perf_counter()
            writer.write(request)
            status = await _read_response(reader)
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


async def run_load(
    url: str, token: str, connections: int, requests: int, time_cap: float
) -> dict[str, object]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    request = (
        f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nAuthorization: Bearer {token}\r\n"
        "Accept: application/json\r\nConnection: keep-alive\r\n\r\n"
    ).encode("latin-1")
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    budget = [requests]
    started = time.perf_counter()
    deadline = started + time_cap
    await asyncio.gather(
        *(
            _worker(host, port, request, budget, deadline, latencies, statuses)
            for _ in range(connections)
        )
    )
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))] * 1000

    return {
        "connections": connections,
        "requests": len(latencies),
        "elapsed_s": elapsed,
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": ordered[-1] * 1000,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "hit_time_cap": len(latencies) < requests,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadgen")
    parser.add_argument("--url", required=True)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--time-cap", type=float, default=60.0)
    args = parser.parse_args(argv)
    token = os.environ.get("BENCH_TOKEN", "")
    result = asyncio.run(run_load(args.url, token, args.connections, args.requests, args.time_cap))
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
