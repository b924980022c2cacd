"""The GitHub Action (action.yml, docs/github-action.md): pinned, injection-free, documented, and
its step runs fabric-git from its inputs as a shell would split them, never evaluating them."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from fabric_git.testing import Sandbox
from unit.cli.command_lines import check

REPO = Path(__file__).resolve().parents[3]
ACTION = REPO / "action.yml"
GUIDE = REPO / "docs" / "github-action.md"
RUN = REPO / "action" / "run.py"
SHA_PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def _action() -> dict[str, Any]:
    document = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def test_the_action_is_composite_pinned_and_takes_inputs_through_the_environment() -> None:
    action = _action()
    assert {"command", "workspace", "options"} <= set(action["inputs"])
    assert all(spec.get("description") for spec in action["inputs"].values())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    for step in steps:
        if "uses" in step:
            assert SHA_PINNED.match(step["uses"]), step["uses"]
        if "run" in step:
            assert "${{" not in step["run"], f"an expression inside run: {step['run']!r}"
    passed = {value for step in steps for value in step.get("env", {}).values()}
    for name in ("command", "options", "workspace"):
        assert f"${{{{ inputs.{name} }}}}" in passed


# The first major release of each action we use that runs on Node 24 (Node 20 is deprecated on
# GitHub's runners). An action missing here is one nobody checked yet.
NODE_24_FROM = {"actions/checkout": 5, "actions/setup-python": 6, "actions/upload-artifact": 6}
USES = re.compile(r"uses: ([\w.-]+/[\w.-]+)@[0-9a-f]{40} # v(\d+)\.")


def test_the_action_and_the_templates_use_actions_that_run_on_node_24() -> None:
    files = [ACTION, *sorted((REPO / "examples" / "github-actions").glob("*.yml"))]
    found = [
        (path.name, action, int(major))
        for path in files
        for action, major in USES.findall(path.read_text(encoding="utf-8"))
    ]
    assert {name for name, _, _ in found} >= {"action.yml", "fabric-git.yml"}
    for name, action, major in found:
        assert action in NODE_24_FROM, f"{name}: {action} is not checked for its runtime"
        assert major >= NODE_24_FROM[action], f"{name}: {action} v{major} runs on Node 20"


def test_the_guide_documents_every_input_and_uses_real_commands() -> None:
    action = _action()
    guide = GUIDE.read_text(encoding="utf-8")
    for name in [*action["inputs"], *action["outputs"]]:
        assert f"| `{name}` |" in guide, f"docs/github-action.md does not describe {name}"
    calls = []
    for block in re.findall(r"```yaml\n(.*?)```", guide, re.S):
        parsed = yaml.safe_load(block)
        steps = parsed if isinstance(parsed, list) else parsed["jobs"]["update"]["steps"]
        for step in steps:
            if "/fabric-git@" in str(step.get("uses", "")):
                inputs = step["with"]
                options = str(inputs.get("options", ""))
                if "${{" not in options:
                    check([*shlex.split(inputs["command"]), *shlex.split(options)])
                calls.append(inputs["command"])
    assert {"update", "status", "operation wait"} <= set(calls)


def _run(tmp_path: Path, **inputs: str) -> tuple[subprocess.CompletedProcess[str], str]:
    outputs = tmp_path / "outputs"
    outputs.write_text("")
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "GITHUB_OUTPUT": str(outputs),
        **{f"FABRIC_GIT_ACTION_{name.upper()}": value for name, value in inputs.items()},
    }
    done = subprocess.run(
        [sys.executable, str(RUN)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done, outputs.read_text()


def _outputs(text: str) -> dict[str, str]:
    found = dict(re.findall(r"^([\w-]+)<<(EOF_\w+)\n", text, re.M))
    return {
        name: text.split(f"{name}<<{mark}\n", 1)[1].split(f"\n{mark}\n", 1)[0]
        for name, mark in found.items()
    }


@pytest.mark.server
def test_the_step_runs_the_command_and_sets_its_outputs(
    fabric_emulator: Sandbox, fabric_env: dict[str, str], tmp_path: Path
) -> None:
    workspace = fabric_emulator.create_workspace("Action workspace")
    done, written = _run(tmp_path, command="workspaces list", options="--output json")
    assert done.returncode == 0, done.stderr
    outputs = _outputs(written)
    assert outputs["exit-code"] == "0"
    listed = json.loads(outputs["result"])["workspaces"]
    assert workspace in [w["id"] for w in listed]
    assert json.loads(done.stdout) == json.loads(outputs["result"])

    # The workspace input reaches the command; its failure is the step's, with its exit code.
    done, written = _run(tmp_path, command="status", workspace="No such workspace")
    assert done.returncode == 1 and "No such workspace" in done.stderr
    assert _outputs(written)["exit-code"] == "1"


def test_options_are_split_as_words_and_never_evaluated(tmp_path: Path) -> None:
    marker = tmp_path / "evaluated"
    done, written = _run(tmp_path, command="status", options=f'-w "$(touch {marker})" --nope')
    assert not marker.exists()
    assert done.returncode == 2 and "--nope" in done.stderr
    assert _outputs(written)["exit-code"] == "2"
    done, written = _run(tmp_path, command="", options="")
    assert done.returncode == 2 and "'command' input is empty" in done.stderr
