"""The benchmarks take the samples of a ratio's two sides in turn, never one side first."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[3]


def _bench_module(name: str) -> ModuleType:
    """A module of the repository's ``bench`` package (not installed, so loaded from its file)."""
    spec = importlib.util.spec_from_file_location(f"bench.{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def test_samples_of_each_side_alternate() -> None:
    results = _bench_module("results")
    order: list[str] = []

    def measure(side: str, seconds: float) -> Callable[[], float]:
        def take() -> float:
            order.append(side)
            return seconds

        return take

    emulator, git = results.alternate(3, measure("A", 1.0), measure("B", 2.0))
    assert order == ["A", "B", "A", "B", "A", "B"]
    assert emulator == [1.0, 1.0, 1.0] and git == [2.0, 2.0, 2.0]


def test_every_bench_with_a_baseline_samples_through_alternate() -> None:
    # The ratios against git (commit, checkout) and the start-up figures against the
    # interpreter floor: each file takes its samples with ``alternate``.
    for name in ("emulator_ops", "cli_startup"):
        text = (ROOT / "bench" / f"{name}.py").read_text(encoding="utf-8")
        assert "alternate(" in text, name
        assert "runs=runs" not in text, f"{name} takes a whole side's samples at once"
