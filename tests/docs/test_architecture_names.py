"""docs/architecture.md names only modules that exist, and its emulator layout names every
module of the emulator package, so the map does not rot as modules move."""

from __future__ import annotations

import re

from spec import REPO_ROOT

DOC = REPO_ROOT / "docs" / "architecture.md"
EMULATOR = REPO_ROOT / "src" / "fabric_git" / "emulator"
MODULE = re.compile(r"(?<![\w<>])([A-Za-z_][\w]*\.py)\b")


def _code_blocks() -> list[str]:
    blocks: list[str] = []
    current: list[str] | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            if current is None:
                current = []
            else:
                blocks.append("\n".join(current))
                current = None
        elif current is not None:
            current.append(line)
    return blocks


def _emulator_block() -> str:
    (block,) = [b for b in _code_blocks() if b.startswith("emulator/")]
    return block


def test_every_module_the_layout_names_exists() -> None:
    existing = {
        path.name for top in ("src", "tests", "bench") for path in (REPO_ROOT / top).rglob("*.py")
    }
    named = {m for block in _code_blocks() for m in MODULE.findall(block)}
    assert named, "the layout names no module"
    assert sorted(named - existing) == []


def test_the_emulator_layout_names_every_emulator_module() -> None:
    named = set(MODULE.findall(_emulator_block()))
    modules = {p.name for p in EMULATOR.rglob("*.py") if p.name != "__init__.py"}
    assert sorted(modules - named) == []
