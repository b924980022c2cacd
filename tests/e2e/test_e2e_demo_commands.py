"""The demo names, for each step, the ``fabric-git`` command that does the same thing: every
such command line exists as written, and none carries a secret."""

from __future__ import annotations

import shlex
from pathlib import Path

from fabric_git.cli.demo import run_demo
from unit.cli.command_lines import check


def test_each_step_names_a_real_command_and_no_secret(tmp_path: Path) -> None:
    said: list[str] = []
    report = run_demo(said.append, work_dir=tmp_path)
    assert len(report.commands) == len(report.steps)
    shown = [c for commands in report.commands for c in commands]
    # Every step but the pushes made with git itself and the emulator's stop has one.
    bare = [
        step for step, commands in zip(report.steps, report.commands, strict=True) if not commands
    ]
    assert len(bare) == 2 and bare[-1].endswith("Stopped the emulator")
    names = {shlex.split(command)[1] for command in shown}
    assert {"emulator", "workspaces", "connections", "sync", "status", "update"} <= names
    for command in shown:
        args = shlex.split(command)
        assert args[0] == "fabric-git"
        check(args[1:])
        assert f"      $ {command}" in said  # printed under its step
        assert report.facts["pat"] not in command
