"""apply's summary: per workspace what was done, and the ids of operations still running."""

from __future__ import annotations

import io
import json

from fabric_git.cli.app import AppContext, GlobalOptions
from fabric_git.cli.constants import ExitCode
from fabric_git.cli.fleet import _show_apply
from fabric_git.cli.terminal import Environment, Terminal
from fabric_git.errors import OperationTimeoutError
from fabric_git.fleet.run import Target
from fabric_git.workflows.results import BatchEntry, Change, SyncResult, WorkspaceRef
from fabric_git.workflows.syncing import SyncOptions

QUIET = Environment(
    interactive=False,
    ci=True,
    github_actions=True,
    azure_pipelines=False,
    step_summary_path=None,
    color=False,
)


def _app(output: str) -> tuple[AppContext, io.StringIO, io.StringIO]:
    stdout, stderr = io.StringIO(), io.StringIO()
    options = GlobalOptions(None, "default", output, 60.0, False, False, False)
    return (
        AppContext(options, Terminal(environment=QUIET, stdout=stdout, stderr=stderr)),
        stdout,
        stderr,
    )


def test_apply_lists_what_was_done_and_operations_still_running() -> None:
    app, stdout, stderr = _app("json")
    edited = Change("Load", "Notebook", "o1", "l1", "Modified", None, "None")
    done = SyncResult(
        WorkspaceRef("1", "Dev"), dry_run=False, actions=("CommitToGit",), changes=(edited,)
    )
    waiting = OperationTimeoutError(
        operation_id="op-42", waited=60.0, last_status="Running", operation_kind="UpdateFromGit"
    )
    targets = [Target("Dev", 3, SyncOptions()), Target("Test", 4, SyncOptions())]
    entries = [BatchEntry("Dev", result=done), BatchEntry("Test", error=waiting)]

    codes = _show_apply(app, "fleet.yml", targets, entries)

    assert codes == {ExitCode.WAIT_TIMED_OUT}
    document = json.loads(stdout.getvalue())
    dev, test = document["workspaces"]
    assert dev["done"] == "committed 1 item(s)" and dev["line"] == 3
    assert test["stillRunning"] == ["op-42"] and test["error"]["exitCode"] == 6
    assert document["summary"]["stillRunning"] == ["op-42"]
    messages = stderr.getvalue()
    assert "::notice title=fabric-git apply::Dev: committed 1 item(s)" in messages
    assert "::error title=fabric-git apply::Test: OperationTimeout" in messages


def test_the_text_summary_names_the_running_operation() -> None:
    app, stdout, _ = _app("table")
    waiting = OperationTimeoutError(operation_id="op-7", waited=5.0, last_status="Running")
    _show_apply(
        app, "fleet.yml", [Target("Prod", 2, SyncOptions())], [BatchEntry("Prod", error=waiting)]
    )
    text = stdout.getvalue()
    assert "operations still running: op-7" in text and "operation wait" in text
