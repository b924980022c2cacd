"""Benchmark figures: what was measured, against which target, and whether it was met."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

Comparison = Literal["<=", ">=", "<"]

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Figure:
    """One reported number. ``met`` is None when there is no target or it could not be run."""

    name: str
    value: float | None
    unit: str
    target: float | None = None
    comparison: Comparison = "<="
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        if self.comparison == "<=":
            return self.value <= self.target
        if self.comparison == "<":
            return self.value < self.target
        return self.value >= self.target

    def row(self) -> tuple[str, str, str, str]:
        value = "n/a" if self.value is None else _number(self.value)
        target = "" if self.target is None else f"{self.comparison} {_number(self.target)}"
        verdict = {True: "met", False: "NOT MET", None: "-"}[self.met]
        return self.name, f"{value} {self.unit}".strip(), target, verdict


def unavailable(
    name: str, unit: str, target: float | None, comparison: Comparison, why: str
) -> Figure:
    return Figure(name, None, unit, target, comparison, detail=f"not measured: {why}")


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def alternate(runs: int, *measures: Callable[[], float]) -> list[list[float]]:
    """``runs`` samples of each measure, taken in turn (A B A B ...): whatever the machine does
    meanwhile (other work, disk caches filling) weighs on every side of a ratio alike, where
    all of A before all of B would put it on one side."""
    samples: list[list[float]] = [[] for _ in measures]
    for _ in range(runs):
        for taken, measure in zip(samples, measures, strict=True):
            taken.append(measure())
    return samples


def median_of(runs: int, measure: Callable[[], float]) -> tuple[float, list[float]]:
    samples = [measure() for _ in range(runs)]
    return statistics.median(samples), samples


def timed(action: Callable[[], object]) -> float:
    """Seconds ``action`` took, on the monotonic performance counter."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def save(figures: Sequence[Figure], directory: Path = RESULTS_DIR) -> Path:
    """Write a timestamped JSON file and ``latest.json``; return the timestamped path."""
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    document = {
        "date": now.isoformat(timespec="seconds"),
        "machine": machine(),
        "figures": [{**asdict(f), "met": f.met} for f in figures],
    }
    text = json.dumps(document, indent=2)
    path = directory / f"bench-{now.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(text, encoding="utf-8")
    (directory / "latest.json").write_text(text, encoding="utf-8")
    return path


def table(figures: Sequence[Figure]) -> str:
    rows = [("benchmark", "value", "target", "verdict"), *(f.row() for f in figures)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for figure in figures:
        if figure.detail:
            lines.append(f"  * {figure.name}: {figure.detail}")
    return "\n".join(lines)
