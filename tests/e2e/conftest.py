"""End-to-end fixtures: the real CLI (in-process through click's runner, or as a process)
against a real emulator on 127.0.0.1. When a test ends, everything it produced is scanned for the
tokens and PATs in play: the CLI's stdout and stderr, the log records of the library and of the
emulator server (its access log included), and the files the run wrote (step summaries, the
demo's kept directory)."""

from __future__ import annotations

import json
import logging
import secrets
import time
import uuid
from collections.abc import Iterator, Sequence
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


# Loggers whose records the scan reads: the library and CLI, the emulator, and uvicorn (whose
# loggers do not propagate to the root).
_SCANNED_LOGGERS = ("fabric_git", "uvicorn", "uvicorn.error", "uvicorn.access")


class _Collect(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self._into = into

    def emit(self, record: logging.LogRecord) -> None:
        self._into.append(self.format(record))


class SecretScan:
    """Collects everything a test produces; the secrets must appear in none of it.

    ``outputs`` are texts (CLI streams); ``logs`` are log records, collected while the scan is
    started; ``files`` are read when it checks (a directory: every file under it)."""

    def __init__(self) -> None:
        self.secrets: set[str] = set()
        self.outputs: list[str] = []
        self.logs: list[str] = []
        self.files: list[Path] = []
        self._handler = _Collect(self.logs)
        self._levels: dict[str, int] = {}

    def watch(self, path: Path) -> None:
        if path not in self.files:
            self.files.append(path)

    def start(self) -> None:
        for name in _SCANNED_LOGGERS:
            logger = logging.getLogger(name)
            self._levels[name] = logger.level
            logger.setLevel(logging.DEBUG)
            logger.addHandler(self._handler)

    def stop(self) -> None:
        for name, level in self._levels.items():
            logger = logging.getLogger(name)
            logger.removeHandler(self._handler)
            logger.setLevel(level)
        self._levels.clear()

    def written(self) -> list[tuple[Path, bytes]]:
        found: list[tuple[Path, bytes]] = []
        for root in self.files:
            paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
            found.extend((path, path.read_bytes()) for path in paths)
        return found

    def check(self) -> None:
        texts = [*self.outputs, *self.logs]
        files = self.written()
        for secret in filter(None, self.secrets):
            assert not any(secret in text for text in texts), "a secret appeared in output or logs"
            leaked = [str(path) for path, data in files if secret.encode() in data]
            assert not leaked, f"a secret appeared in files written by the run: {leaked}"


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
        obj: dict[str, Any] | None = None,
    ) -> Result:
        runner = CliRunner()
        environment = {**self.env, **(env or {})}
        summary = environment.get("GITHUB_STEP_SUMMARY")
        if summary:
            self.scan.watch(Path(summary))
        result = runner.invoke(cli, list(args), env=environment, input=input, obj=obj)
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

    def scenario(
        self, *, items: bool = True, pat: bool = True, directories: Sequence[str] = ()
    ) -> Scenario:
        """A workspace and a repository; ``directories`` exist on its branch (Connect refuses
        a directory the branch lacks), ``{workspace}`` and ``{owner}`` filled in."""
        suffix = uuid.uuid4().hex[:8]
        token = "pat_" + secrets.token_hex(12) if pat else ""
        if token:
            self.scan.secrets.add(token)
        workspace = f"ws-{suffix}"
        ws_id = self.sandbox.create_workspace(workspace)
        scenario = Scenario(self.sandbox, workspace, ws_id, f"org{suffix}", "fabric", token)
        self.sandbox.create_repo(
            scenario.owner,
            scenario.repo,
            pat=token or None,
            directories=[d.format(workspace=workspace, owner=scenario.owner) for d in directories],
        )
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
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="module")
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """The module's emulator; on the module's ``clock`` when it sets ``MANUAL_CLOCK = True``
    (its tests then move the emulator's time themselves)."""
    manual = getattr(request.module, "MANUAL_CLOCK", False)
    clock = request.getfixturevalue("clock") if manual else None
    with Sandbox(lro_duration=0.01, clock=clock, access_log=True) as running:
        yield running


@pytest.fixture
def scan() -> Iterator[SecretScan]:
    found = SecretScan()
    found.start()
    try:
        yield found
    finally:
        found.stop()
    found.check()


@pytest.fixture
def fg(sandbox: Sandbox, scan: SecretScan) -> Fg:
    sandbox.clear_faults()
    sandbox.settings(lroDuration=0.01)  # a test that slowed operations slows no other
    return Fg(sandbox, scan)
