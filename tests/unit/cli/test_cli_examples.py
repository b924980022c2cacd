"""The pipeline templates parse, and every fabric-git command, flag and choice they use exists."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from fabric_git.cli import cli
from unit.cli.command_lines import check as _check
from unit.cli.command_lines import invocations as _invocations
from unit.cli.command_lines import scripts as _scripts

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
TEMPLATES = {
    "github-actions": EXAMPLES / "github-actions" / "fabric-git.yml",
    "azure-pipelines": EXAMPLES / "azure-pipelines" / "azure-pipelines.yml",
    "github-actions-feature": EXAMPLES / "github-actions" / "feature-workspace.yml",
    "azure-pipelines-feature": EXAMPLES / "azure-pipelines" / "feature-workspace.yml",
}


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_parses_and_uses_only_real_commands_and_flags(name: str) -> None:
    document = yaml.safe_load(TEMPLATES[name].read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    calls = [args for script in _scripts(document) for args in _invocations(script)]
    assert len(calls) >= 4, "the template should exercise several commands"
    for args in calls:
        _check(args)
    readme = TEMPLATES[name].parent / "README.md"
    assert readme.is_file() and "exit code" in readme.read_text().lower()


def test_template_auth_settings_are_valid_choices() -> None:
    auth = next(p for p in cli.params if p.name == "auth")
    assert isinstance(auth.type, click.Choice)
    github = yaml.safe_load(TEMPLATES["github-actions"].read_text())
    assert github["env"]["FABRIC_GIT_AUTH"] == "federated"
    assert "federated" in auth.type.choices
    assert github["jobs"]["fabric"]["permissions"]["id-token"] == "write"
    azure = yaml.safe_load(TEMPLATES["azure-pipelines"].read_text())
    values = {v["name"]: v["value"] for v in azure["variables"] if "name" in v}
    assert values["FABRIC_GIT_AUTH"] in auth.type.choices


def test_checker_rejects_what_does_not_exist() -> None:
    with pytest.raises(AssertionError):
        _check(["sync", "--no-such-flag"])
    with pytest.raises(AssertionError):
        _check(["synchronise", "-w", "x"])
    with pytest.raises(AssertionError):
        _check(["update", "--conflict-policy", "prefer-nobody"])
    with pytest.raises(AssertionError):
        _check(["operation"])
    with pytest.raises(AssertionError):
        _check(["status", "-w", "x", "--output", "xml"])
    with pytest.raises(AssertionError):
        _check(["sync", "-w", "x", "--strategy", "PreferRemote"])  # accepted, but not as shown
    _check(["--auth", "federated", "operation", "wait", "ID"])
    _check(["operation", "wait", "ID", "--auth", "federated", "-o", "json"])


_PINNED = re.compile(r"^fabric-git @ git\+\S+@\S+$")


def _installs(script: str) -> Iterator[list[str]]:
    """The arguments of every ``pip install`` in a shell script."""
    for line in script.replace("\\\n", " ").splitlines():
        tokens = shlex.split(line)
        for index, token in enumerate(tokens[:-1]):
            if token == "pip" and tokens[index + 1] == "install":
                yield tokens[index + 2 :]


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_installs_fabric_git_from_its_repository_at_a_pinned_ref(name: str) -> None:
    document = yaml.safe_load(TEMPLATES[name].read_text(encoding="utf-8"))
    wanted = [
        arg
        for script in _scripts(document)
        for args in _installs(script)
        for arg in args
        if "fabric-git" in arg
    ]
    # Never by bare name: no package of that name is ours on a public index.
    assert wanted and all(_PINNED.match(arg) for arg in wanted), wanted
    readme = (TEMPLATES[name].parent / "README.md").read_text(encoding="utf-8")
    assert "git+https://github.com/" in readme and "<tag-or-sha>" in readme


def test_pinned_install_check_rejects_a_bare_name() -> None:
    assert not _PINNED.match("fabric-git")
    assert not _PINNED.match("fabric-git==1.0")
    assert not _PINNED.match("fabric-git @ git+https://github.com/o/fabric-git")  # no ref
    assert _PINNED.match("fabric-git @ git+https://github.com/o/fabric-git@v1.2.0")


# Text a pipeline expands into a script before the shell runs it: Azure macros ``$(name)``
# (a shell command substitution has a space or no name shape: ``$(sed -n ...)``), template
# expressions ``${{ }}`` and runtime expressions ``$[ ]``. A value so expanded runs as code.
_EXPANDED = re.compile(r"\$\(\s*[A-Za-z_][\w.]*\s*\)|\$\{\{|\$\[")


def _expanded_in_scripts(document: Any) -> list[str]:
    return [m.group(0) for script in _scripts(document) for m in _EXPANDED.finditer(script)]


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_scripts_take_values_from_the_environment_not_by_expansion(name: str) -> None:
    document = yaml.safe_load(TEMPLATES[name].read_text(encoding="utf-8"))
    assert _expanded_in_scripts(document) == []


def test_expansion_check_finds_each_form_and_spares_command_substitution() -> None:
    found = _expanded_in_scripts(
        {
            "steps": [
                {"bash": 'fabric-git status -w "$(FABRIC_WORKSPACE)"'},
                {"script": 'echo "$(Build.SourceBranchName)"'},
                {"run": 'fabric-git sync --connection-name "${{ github.event.repository.name }}"'},
                {"bash": "echo $[ variables.x ]"},
                {"bash": "code=$(sed -n 's/^x: //p' log) && echo \"$FABRIC_WORKSPACE\""},
            ]
        }
    )
    assert found == ["$(FABRIC_WORKSPACE)", "$(Build.SourceBranchName)", "${{", "$["]
