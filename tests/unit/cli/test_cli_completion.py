"""Shell completion (docs/cli.md): the scripts generate, and the installed command completes
its commands, options and choice values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FABRIC_GIT = str(Path(sys.executable).parent / "fabric-git")


def _complete(**env: str) -> str:
    return subprocess.run(
        [FABRIC_GIT],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F _fabric_git_completion fabric-git"),
        ("zsh", "compdef _fabric_git_completion fabric-git"),
        ("fish", "complete --no-files --command fabric-git"),
    ],
)
def test_the_completion_script_generates(shell: str, marker: str) -> None:
    assert marker in _complete(_FABRIC_GIT_COMPLETE=f"{shell}_source")


def _bash(*words: str) -> list[str]:
    answer = _complete(
        _FABRIC_GIT_COMPLETE="bash_complete",
        COMP_WORDS=" ".join(["fabric-git", *words]),
        COMP_CWORD=str(len(words)),
    )
    return [line.split(",", 1)[1] for line in answer.splitlines()]


def test_bash_completes_commands_options_and_choices() -> None:
    assert _bash("sta") == ["status"]
    assert set(_bash("connections", "")) >= {"list", "create-github", "delete"}
    assert "--workspace" in _bash("status", "--work")
    assert _bash("--output", "") == ["table", "json"]
