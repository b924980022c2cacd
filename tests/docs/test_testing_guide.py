"""docs/testing.md's complete example runs as written: its pipeline script and its test, in a
project of their own, under a pytest that finds the plugin through its entry point."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "testing.md"

pytestmark = pytest.mark.server

# Plugins of this project's own environment that a user's run does not need (and that take a
# second to load); fabric-git's is left to load through its entry point.
UNRELATED_PLUGINS = ("cacheprovider", "xdist", "schemathesis", "hypothesispytest")


def _block(text: str, language: str, starting: str) -> str:
    for body in re.findall(rf"```{language}\n(.*?)```", text, re.S):
        if body.startswith(starting):
            return str(body)
    raise AssertionError(f"docs/testing.md has no {language} block starting {starting!r}")


def test_the_guide_example_passes_as_a_users_project(tmp_path: Path) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    project = tmp_path / "pipeline"
    (project / "tests").mkdir(parents=True)
    deploy = project / "deploy.sh"
    deploy.write_text(_block(text, "sh", "#!/bin/sh"), encoding="utf-8")
    deploy.chmod(0o755)
    (project / "tests" / "test_deploy.py").write_text(_block(text, "python", "import json"))
    bin_dir = str(Path(sys.executable).parent)  # fabric-git, as the user's PATH has it
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *(f"-pno:{p}" for p in UNRELATED_PLUGINS)],
        cwd=project,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
