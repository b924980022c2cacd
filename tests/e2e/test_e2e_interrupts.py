"""A wait that stops before its operation ends: Ctrl-C and SIGTERM sent to a real process, and a
connection lost while polling. Each prints the operation's id and how to resume the wait (the
operation goes on in the service), never click's "Aborted!"."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from e2e.conftest import NEUTRAL_ENV, NOTEBOOK, Fg, ManualClock, Scenario, SecretScan
from fabric_git.cli._sandbox import Sandbox

FABRIC_GIT = str(Path(sys.executable).parent / "fabric-git")


# Tests here move the emulator's clock themselves (the ``clock`` fixture).
MANUAL_CLOCK = True


@pytest.fixture
def fg(sandbox: Sandbox, scan: SecretScan) -> Iterator[Fg]:
    sandbox.clear_faults()
    sandbox.settings(lroDuration=0.01)
    yield Fg(sandbox, scan)
    for process in _STARTED:  # a test that failed half-way leaves no process polling
        if process.poll() is None:
            process.kill()
            process.wait()
    _STARTED.clear()


_STARTED: list[subprocess.Popen[str]] = []


def _edited(fg: Fg) -> Scenario:
    scenario = fg.scenario()
    fg.synced(scenario)
    fg.sandbox.update_item(
        scenario.workspace_id, scenario.items["Load"], {"notebook-content.py": NOTEBOOK + "#\n"}
    )
    return scenario


class Running:
    """``fabric-git`` as a process whose stderr is read line by line while it runs."""

    def __init__(self, fg: Fg, *args: str) -> None:
        base = {k: v for k, v in os.environ.items() if k not in NEUTRAL_ENV}
        env = {**base, **{k: v for k, v in fg.env.items() if v is not None}}
        self.process = subprocess.Popen(
            [FABRIC_GIT, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        _STARTED.append(self.process)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)
        self.lines.put("")  # the end

    def wait_for(self, text: str) -> None:
        while True:
            line = self.lines.get(timeout=20)
            self.seen.append(line)
            if text in line:
                return
            assert line, f"the process ended before printing {text!r}: {''.join(self.seen)}"

    def finish(self) -> tuple[int, str, str]:
        assert self.process.stdout is not None
        stdout = self.process.stdout.read()  # stderr is the reader thread's
        self.process.wait(timeout=60)
        while (line := self.lines.get(timeout=60)) != "":
            self.seen.append(line)
        self.process.stdout.close()
        assert self.process.stderr is not None
        self.process.stderr.close()
        return self.process.returncode, stdout, "".join(self.seen)


def _operation_id(stderr: str) -> str:
    line = next(s for s in stderr.splitlines() if s.startswith("operation id: "))
    return line.removeprefix("operation id: ").strip()


@pytest.mark.parametrize(("sent", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_a_wait_names_the_operation_that_goes_on(
    fg: Fg, clock: ManualClock, sent: signal.Signals, code: int
) -> None:
    scenario = _edited(fg)
    fg.sandbox.settings(lroDuration=3600)  # on the emulator's clock, which the test moves
    running = Running(fg, "commit", "-w", scenario.workspace, "-m", "interrupted")
    running.wait_for(f"[{scenario.workspace}] status: ")
    clock.advance(7200)  # the status read ends; the commit starts and runs for an hour
    running.wait_for(f"[{scenario.workspace}] commit: ")  # polling the commit
    running.process.send_signal(sent)
    returncode, stdout, stderr = running.finish()
    fg.scan.outputs.extend([stdout, stderr])
    assert returncode == code, stderr
    assert "Aborted!" not in stderr and "Traceback" not in stderr and stdout == ""
    operation_id = _operation_id(stderr)
    [line] = [s for s in stderr.splitlines() if s.startswith("error: ")]
    name = "SIGTERM" if sent == signal.SIGTERM else "Ctrl-C"
    assert f"Interrupted ({name})" in line and f"CommitToGit operation {operation_id}" in line
    assert f"Next: `fabric-git operation wait {operation_id}` resumes the wait." in line

    clock.advance(7200)  # the commit went on in the service and ends
    assert fg.json("operation", "wait", operation_id)["status"] == "Succeeded"
    fg.sandbox.settings(lroDuration=0.01)
    assert fg.json("status", "-w", scenario.workspace)["inSync"] is True


def test_ctrl_c_during_a_multi_workspace_sync_names_each_running_operation(
    fg: Fg, clock: ManualClock
) -> None:
    first, second = _edited(fg), _edited(fg)
    fg.sandbox.settings(lroDuration=3600)
    args = ["sync", "-w", first.workspace, "-w", second.workspace, "--strategy"]
    running = Running(fg, *args, "prefer-workspace")
    running.wait_for("status: ")
    running.wait_for("status: ")
    clock.advance(7200)  # both status reads end; both commits start and run for an hour
    running.wait_for("commit: ")
    running.wait_for("commit: ")  # both commits run
    running.process.send_signal(signal.SIGINT)
    returncode, stdout, stderr = running.finish()
    fg.scan.outputs.extend([stdout, stderr])
    assert returncode == 130, stderr
    assert "Aborted!" not in stderr and "Traceback" not in stderr
    ids = [s.removeprefix("operation id: ") for s in stderr.splitlines() if "operation id" in s]
    assert len(ids) == 2
    for scenario in (first, second):
        assert f"of {scenario.workspace}" in stderr
    clock.advance(7200)
    for operation_id in ids:
        assert fg.json("operation", "wait", operation_id)["status"] == "Succeeded"


def _fast_retries(fg: Fg) -> dict[str, Any]:
    """A client that gives up on a lost connection after one quick retry."""
    from fabric_git._transport import RetryPolicy
    from fabric_git.client import FabricClient
    from fabric_git.lro import PollPolicy

    sandbox = fg.sandbox

    def factory(options: Any) -> FabricClient:
        interval = sandbox.poll_interval
        return FabricClient(
            base_url=sandbox.url,
            credential=sandbox.token,
            poll=PollPolicy(default_interval=interval, min_interval=interval, timeout=60),
            retry=RetryPolicy(max_attempts=2, backoff_base=0.01, jitter=0),
        )

    return {"client_factory": factory}


def test_a_connection_lost_during_a_wait_names_the_operation_that_goes_on(fg: Fg) -> None:
    scenario = _edited(fg)
    fg.sandbox.add_fault(path="/operations/[^/]+$", method="GET", drop=True, times=2)
    lost = fg("status", "-w", scenario.workspace, obj=_fast_retries(fg), expect=1)
    operation_id = _operation_id(lost.stderr)
    [line] = [s for s in lost.stderr.splitlines() if s.startswith("error: ")]
    assert "OperationWaitLost" in line and operation_id in line
    assert f"resume with `fabric-git operation wait {operation_id}`" in line
    waited = fg.json("operation", "wait", operation_id)
    assert waited["status"] == "Succeeded" and waited["result"]["changes"]
