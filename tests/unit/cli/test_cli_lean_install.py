"""``pip install fabric-git`` without the ``emulator`` extra: the client and every client command
work, and the emulator's commands say in one line what to install.

A fresh interpreter stands for the lean install: the emulator's packages are blocked there
(``sys.modules[name] = None`` makes both ``import`` and ``find_spec`` fail, as if absent).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fabric_git.testing import Sandbox

EMULATOR_PACKAGES = ("pygit2", "starlette", "uvicorn", "jwt", "anyio")

PRELUDE = (
    "import sys\n"
    f"for name in {EMULATOR_PACKAGES!r}:\n"
    "    sys.modules[name] = None\n"
    "from fabric_git.cli import cli\n"
)


def _lean(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PRELUDE + code],
        env={**os.environ, "CI": "", "GITHUB_ACTIONS": "", "TF_BUILD": "", **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _fabric_git(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return _lean(
        f"sys.argv = ['fabric-git', *{list(args)!r}]\ncli.main(prog_name='fabric-git')\n", env
    )


def test_the_library_and_every_client_command_load_without_the_emulator_packages() -> None:
    done = _lean(
        "import click\n"
        "import fabric_git, fabric_git.api, fabric_git.models, fabric_git.workflows\n"
        "for package in (fabric_git, fabric_git.api, fabric_git.models, fabric_git.workflows):\n"
        "    for name in package.__all__:\n"
        "        getattr(package, name)\n"
        "ctx = click.Context(cli)\n"
        "for name in cli.list_commands(ctx):\n"
        "    cli.get_command(ctx, name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('fabric_git.emulator')))\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2] == "[]"


@pytest.mark.parametrize("argv", [("emulator", "serve", "--in-memory"), ("demo",)])
def test_the_emulator_commands_name_the_extra_to_install(argv: tuple[str, ...]) -> None:
    done = _fabric_git(*argv)
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: MissingExtra: the emulator needs packages")
    assert "pygit2" in lines[0] and "pip install 'fabric-git[emulator]'" in lines[0]
    # The next step is the install, not a look at a workspace the command never touched.
    assert lines[0].endswith("Next: install the extra as shown, then re-run the command.")


def test_the_pytest_plugin_names_the_extra_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(PRELUDE.replace("from fabric_git.cli import cli\n", ""))
    (tmp_path / "test_pipeline.py").write_text("def test_it(fabric_env):\n    pass\n")
    done = subprocess.run(
        # -rN: no short summary, which repeats the error's line (in full where CI is set).
        [sys.executable, "-m", "pytest", "-q", "-rN", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout
    assert "fabric_emulator: the emulator needs packages that are not installed" in done.stdout
    assert "pip install 'fabric-git[emulator]'" in done.stdout
    assert "Traceback" not in done.stdout and "_sandbox.py" not in done.stdout
    assert "During handling" not in done.stdout
    assert done.stdout.count("the emulator needs packages") == 1, done.stdout


@pytest.mark.server
def test_a_lean_cli_talks_to_a_running_service(
    fabric_emulator: Sandbox, fabric_env: dict[str, str]
) -> None:
    fabric_emulator.create_workspace("Lean install")
    done = _fabric_git("-o", "json", "workspaces", "list")
    assert done.returncode == 0, done.stderr
    assert "Lean install" in [w["displayName"] for w in json.loads(done.stdout)["workspaces"]]


def test_python_m_the_emulator_names_the_extra_in_one_line(tmp_path: Path) -> None:
    # docs/emulator.md: `python -m fabric_git.emulator serve` is the same command. The packages
    # are blocked before the interpreter runs the module, as a lean install lacks them.
    (tmp_path / "sitecustomize.py").write_text(
        PRELUDE.replace("from fabric_git.cli import cli\n", "")
    )
    done = subprocess.run(
        [sys.executable, "-m", "fabric_git.emulator", "serve", "--in-memory"],
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: MissingExtra: the emulator needs packages")
    assert "pip install 'fabric-git[emulator]'" in lines[0]
