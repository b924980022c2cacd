"""End-to-end fixtures: the real CLI (in-process through click's runner, or as a process)
against a real emulator on 127.0.0.1. Every output a test produces is scanned for the tokens and
PATs in play when the test ends."""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import pytest
from click.testing import CliRunner, Result

from fabric_git.cli import cli
from fabric_git.cli._sandbox import GitWorkTree, Sandbox

NOTEBOOK = "# Fabric notebook source\n\n# CELL ********************\n\nprint('hello')\n"
PIPELINE = json.dumps({"properties": {"activities": []}}, indent=2) + "\n"
MODEL = {
    "definition.pbism": json.dumps({"version": "4.0"}) + "\n",
    "model.bim": json.dumps({"model": {"tables": []}}) + "\n",
}

# Keep CI integrations of the machine running the suite out of the CLI under test.
NEUTRAL_ENV: dict[str, str | None] = {
    "CI": None,
    "GITHUB_ACTIONS": None,
    "GITHUB_STEP_SUMMARY": None,
    "TF_BUILD": None,
    "FABRIC_GIT_OUTPUT": None,
    "FABRIC_GIT_WORKSPACE": None,
    "FABRIC_GIT_PAT": None,
}


class ManualClock:
    """Emulator clock that moves only when told to (operation durations without waiting)."""

    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)


class SecretScan:
    """Collects every output of a test; the secrets must appear in none of them."""

    def __init__(self) -> None:
        self.secrets: set[str] = set()
        self.outputs: list[str] = []

    def check(self) -> None:
        leaks = [s for s in self.secrets if s and any(s in out for out in self.outputs)]
        assert not leaks, "a secret appeared in the CLI's output"


@dataclass
class Scenario:
    sandbox: Sandbox
    workspace: str
    workspace_id: str
    owner: str
    repo: str
    pat: str
    items: dict[str, str] = field(default_factory=dict)

    @property
    def repo_url(self) -> str:
        return f"https://github.com/{self.owner}/{self.repo}"

    def clone(self, into: Path) -> GitWorkTree:
        return self.sandbox.clone(self.owner, self.repo, pat=self.pat, into=into)


class Fg:
    """Runs ``fabric-git`` in-process against the sandbox."""

    def __init__(self, sandbox: Sandbox, scan: SecretScan) -> None:
        self.sandbox = sandbox
        self.scan = scan
        self.env: dict[str, str | None] = {**NEUTRAL_ENV, **sandbox.environment()}
        scan.secrets.add(sandbox.token)

    def __call__(
        self,
        *args: str,
        expect: int = 0,
        env: dict[str, str | None] | None = None,
        input: str | None = None,
    ) -> Result:
        runner = CliRunner()
        result = runner.invoke(cli, list(args), env={**self.env, **(env or {})}, input=input)
        self.scan.outputs.extend([result.stdout, result.stderr])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code == expect, (
            f"fabric-git {' '.join(args)}: exit {result.exit_code}, expected {expect}\n"
            f"stdout: {result.stdout}\nstderr: {result.stderr}"
        )
        return result

    def json(self, *args: str, **kwargs: Any) -> Any:
        result = self("--output", "json", *args, **kwargs)
        return json.loads(result.stdout)

    def scenario(self, *, items: bool = True, pat: bool = True) -> Scenario:
        suffix = uuid.uuid4().hex[:8]
        token = "pat_" + secrets.token_hex(12) if pat else ""
        if token:
            self.scan.secrets.add(token)
        workspace = f"ws-{suffix}"
        ws_id = self.sandbox.create_workspace(workspace)
        scenario = Scenario(self.sandbox, workspace, ws_id, f"org{suffix}", "fabric", token)
        self.sandbox.create_repo(scenario.owner, scenario.repo, pat=token or None)
        if items:
            scenario.items["Load"] = self.sandbox.create_item(
                ws_id, "Load", "Notebook", {"notebook-content.py": NOTEBOOK}
            )
            scenario.items["Clean"] = self.sandbox.create_item(
                ws_id, "Clean", "Notebook", {"notebook-content.py": NOTEBOOK + "# clean\n"}
            )
            scenario.items["Nightly"] = self.sandbox.create_item(
                ws_id, "Nightly", "DataPipeline", {"pipeline-content.json": PIPELINE}
            )
            scenario.items["Model"] = self.sandbox.create_item(
                ws_id, "Model", "SemanticModel", MODEL
            )
        return scenario

    def synced(self, scenario: Scenario) -> Any:
        """Connect, initialize and commit the scenario's workspace; the sync JSON document."""
        return self.json(
            "sync",
            "-w",
            scenario.workspace,
            "--repo-url",
            scenario.repo_url,
            env={"FABRIC_GIT_PAT": scenario.pat},
        )


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(lro_duration=0.01) as running:
        yield running


@pytest.fixture
def scan() -> Iterator[SecretScan]:
    found = SecretScan()
    yield found
    found.check()


@pytest.fixture
def fg(sandbox: Sandbox, scan: SecretScan) -> Fg:
    sandbox.clear_faults()
    return Fg(sandbox, scan)
