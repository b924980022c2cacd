"""Failure lines and exit codes: the code once, the ids, a full stop before "Next:", the kind of
operation a wait ran out on, and sign-in settings that are authentication failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fabric_git.cli import cli
from fabric_git.cli.constants import ExitCode
from fabric_git.cli.failures import classify, format_seconds
from fabric_git.errors import (
    ErrorDetail,
    OperationFailedError,
    OperationTimeoutError,
    api_error_from_response,
)
from fabric_git.workflows.errors import StatusTimeoutError

FABRIC_GIT = str(Path(sys.executable).parent / "fabric-git")
_ENV_OUT = ("FABRIC_TOKEN", "CI", "GITHUB_ACTIONS", "TF_BUILD", "GITHUB_STEP_SUMMARY")


def test_failed_operation_line_has_code_once_ids_and_a_next_step() -> None:
    error = OperationFailedError(
        operation_id="op-5040",
        error_code="GitSyncFailed",
        message="Remote unavailable",
        request_id="req-77",
    )
    failure = classify(error)
    line = failure.line()
    assert failure.exit_code == ExitCode.OPERATION_FAILED
    assert line.count("GitSyncFailed") == 1
    assert line.startswith(
        "GitSyncFailed: Remote unavailable (operation op-5040, request id req-77)."
    )
    assert "Next: `fabric-git operation show op-5040`" in line
    assert (failure.operation_id, failure.request_id) == ("op-5040", "req-77")


def test_details_repeating_the_code_are_not_repeated() -> None:
    error = OperationFailedError(
        operation_id="op-1",
        error_code="WorkspaceUpdateRequired",
        message="Run Update From Git first.",
        more_details=(
            ErrorDetail("WorkspaceUpdateRequired", "'Load' (Notebook) was modified in Git."),
            ErrorDetail("WorkspaceUpdateRequired", "Run Update From Git first."),
        ),
    )
    line = classify(error).line()
    assert line.count("WorkspaceUpdateRequired") == 1
    assert "['Load' (Notebook) was modified in Git.]" in line
    assert "Next: Git has changes to apply first: run `fabric-git update`." in line


def test_service_error_line_keeps_status_and_request_id() -> None:
    error = api_error_from_response(
        400,
        {"errorCode": "WorkspaceHeadMismatch", "message": "Head moved", "requestId": "r-1"},
    )
    line = classify(error).line()
    assert line == (
        "WorkspaceHeadMismatch (HTTP 400): Head moved (request id r-1). Next: the workspace "
        "moved meanwhile; check `fabric-git status`, retry."
    )


_HINT = "Next: `fabric-git connections list` shows the connections you can use."
_GUID = "0f6a9e1c-3b2d-4c5e-8f7a-1b2c3d4e5f60"


@pytest.mark.parametrize("code", ["ConnectionNotFound", "EntityNotFound"])
@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_a_404_for_one_connection_points_to_the_list_whatever_its_code(
    code: str, method: str
) -> None:
    error = api_error_from_response(
        404,
        {"errorCode": code, "message": "Not found.", "requestId": "r-4"},
        method=method,
        url=f"https://api.fabric.microsoft.com/v1/connections/{_GUID}",
    )
    failure = classify(error)
    assert failure.exit_code == ExitCode.ERROR
    assert failure.line() == f"{code} (HTTP 404): Not found (request id r-4). {_HINT}"


def test_connection_not_found_from_another_call_points_to_the_list_too() -> None:
    error = api_error_from_response(
        404,
        {"errorCode": "ConnectionNotFound", "message": "The requested connection was not found"},
        method="POST",
        url=f"https://api.fabric.microsoft.com/v1/workspaces/{_GUID}/git/connect",
    )
    assert classify(error).line().endswith(_HINT)


def test_other_404s_do_not_mention_connections() -> None:
    for url in (
        f"https://api.fabric.microsoft.com/v1/workspaces/{_GUID}",
        f"https://api.fabric.microsoft.com/v1/connections/{_GUID}/roleAssignments/x",
    ):
        error = api_error_from_response(
            404, {"errorCode": "EntityNotFound", "message": "Not found."}, method="GET", url=url
        )
        assert "connections list" not in classify(error).line()


@pytest.mark.parametrize(
    ("seconds", "text"), [(0.5, "0.5s"), (0.05, "0.05s"), (2.5, "2.5s"), (3.0, "3s"), (90, "90s")]
)
def test_waits_are_shown_with_their_fraction(seconds: float, text: str) -> None:
    assert format_seconds(seconds) == text


def test_a_timed_out_change_names_its_kind_and_keeps_exit_6() -> None:
    error = OperationTimeoutError(
        operation_id="op-9",
        waited=0.5,
        last_status="Running",
        operation_kind="UpdateFromGit",
        description="update from Git",
    )
    failure = classify(error)
    assert failure.exit_code == ExitCode.WAIT_TIMED_OUT
    assert failure.line() == (
        "OperationTimeout: UpdateFromGit operation op-9 is still Running after 0.5s. "
        "Next: resume with `fabric-git operation wait op-9`."
    )
    plain = classify(OperationTimeoutError(operation_id="op-2", waited=1, last_status=None))
    assert "operation op-2 is still running after 1s." in plain.line()


def test_a_status_read_that_ran_out_is_an_error_not_a_wait_to_resume() -> None:
    before = classify(
        StatusTimeoutError(workspace_id="w", operation_id="op-s", waited=0.5, done=None)
    )
    assert before.exit_code == ExitCode.ERROR
    assert "nothing was changed" in before.line() and "waited 0.5s" in before.line()
    assert "Next: re-run the command" in before.line()
    after = classify(
        StatusTimeoutError(workspace_id="w", operation_id="op-s", waited=2, done="the update")
    )
    assert after.exit_code == ExitCode.ERROR
    assert "the update finished" in after.line() and "`fabric-git status`" in after.line()


def _no_client(_: Any) -> Any:
    raise AssertionError("the service must not be called")


def test_usage_errors_have_no_traceback_hint_and_a_long_comment_calls_nothing() -> None:
    result = CliRunner().invoke(
        cli,
        ["commit", "-w", "Sales", "-m", "x" * 301],
        obj={"client_factory": _no_client},
        env={"FABRIC_TOKEN": "t"},
    )
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "301 characters" in result.stderr
    assert "--verbose" not in result.stderr and "Traceback" not in result.stderr


def test_unexpected_errors_still_point_at_the_traceback() -> None:
    def broken(_: Any) -> Any:
        raise RuntimeError("boom")

    result = CliRunner().invoke(cli, ["workspaces", "list"], obj={"client_factory": broken})
    assert result.exit_code == ExitCode.ERROR
    assert "(run with --verbose for the traceback)" in result.stderr


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in _ENV_OUT and not k.startswith("AZURE_")}
    return subprocess.run(
        [FABRIC_GIT, "--api-url", "http://127.0.0.1:9/v1", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_missing_sign_in_setting_is_an_authentication_failure() -> None:
    done = _run("--auth", "service-principal", "workspaces", "list")
    assert done.returncode == ExitCode.AUTH, done.stderr
    assert "AZURE_TENANT_ID" in done.stderr


def test_no_credential_prints_one_line_without_azure_identity_warnings() -> None:
    done = _run("workspaces", "list")
    lines = done.stderr.strip().splitlines()
    assert done.returncode in (ExitCode.AUTH, ExitCode.ERROR), done.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    verbose = _run("--verbose", "workspaces", "list")
    if done.returncode == ExitCode.AUTH:  # no credential on this machine: the chain explains
        assert "Attempted credentials" in verbose.stderr


def test_the_full_stop_of_a_message_moves_after_its_ids() -> None:
    error = api_error_from_response(
        400,
        {"errorCode": "WorkspaceNotConnectedToGit", "message": "Not connected.", "requestId": "r"},
    )
    assert (
        classify(error)
        .line()
        .startswith("WorkspaceNotConnectedToGit (HTTP 400): Not connected (request id r). Next: ")
    )
