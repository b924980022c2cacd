"""Every failure line ends with what to do next, and the hint fits the command that failed."""

from __future__ import annotations

import pytest

from fabric_git.cli.failures import classify
from fabric_git.errors import (
    ConfigurationError,
    FabricGitError,
    OperationFailedError,
    TransportError,
    api_error_from_response,
)
from fabric_git.workflows.errors import (
    ConflictsNeedPolicyError,
    ConnectionScopeError,
    NotConnectedError,
    VerificationError,
    WorkflowError,
)

_URL = "https://api.fabric.microsoft.com/v1/workspaces/7d3b4f0e-1c2a-4e5f-9a8b-0c1d2e3f4a5b"


def _api(status: int, code: str, path: str = "/git/status") -> FabricGitError:
    body = {"errorCode": code, "message": "Refused."}
    return api_error_from_response(status, body, method="GET", url=_URL + path)


@pytest.mark.parametrize(
    "error",
    [
        _api(400, "WorkspaceHasNoCapacityAssigned"),
        _api(404, "GitProviderResourceNotFound", "/git/connect"),
        _api(400, "ConnectionMismatch", "/git/connect"),
        _api(400, "InvalidGitDirectoryName", "/git/connect"),
        _api(400, "GitDirectoryHasNoItems", "/git/connect"),
        _api(400, "SomethingNewTheServiceSays"),
        _api(403, "Forbidden"),
        _api(500, "InternalError"),
        _api(409, "Conflict"),
        OperationFailedError(operation_id="op-1", error_code="Whatever", message="m"),
        ConfigurationError("bad setting"),
        TransportError("connection refused", method="GET", url=_URL),
        WorkflowError("stopped"),
        NotConnectedError("not connected"),
        VerificationError("head moved"),
        ConnectionScopeError("scoped elsewhere"),
        ConfigurationError("no pat", code="PatRequired"),
    ],
    ids=lambda e: getattr(e, "code", type(e).__name__),
)
def test_every_failure_says_what_to_do_next(error: FabricGitError) -> None:
    line = classify(error, command="status", workspace="Sales").line()
    assert " Next: " in line and line.endswith((".", ")"))


def test_the_policy_hint_names_the_option_of_the_command() -> None:
    error = ConflictsNeedPolicyError(workspace_id="w", conflicts=["A.Notebook"], what="the sync")
    assert "--strategy" in classify(error, command="sync").line()
    assert "--conflict-policy" not in classify(error, command="sync").line()
    assert "--conflict-policy" in classify(error, command="update").line()
    service = _api(400, "MissingWorkspaceConflictResolution", "/git/updateFromGit")
    assert "--strategy" in classify(service, command="sync").line()


def test_a_deleted_connection_hint_is_the_exact_credentials_command() -> None:
    line = classify(_api(404, "ConnectionNotFound"), command="status", workspace="Sales EU").line()
    assert (
        "`fabric-git credentials set -w 'Sales EU' --source configured-connection "
        "--connection NAME|ID`" in line
    )
    # At connect the connection is the one named in the request: list what exists.
    connect = _api(404, "ConnectionNotFound", "/git/connect")
    assert "connections list" in classify(connect).line()
    assert "credentials set" not in classify(connect).line()


def test_notes_added_on_the_way_out_reach_the_line() -> None:
    error = _api(401, "GitProviderAuthenticationFailed")
    error.add_note("Using connection c (id-1); its key is unchanged.")
    line = classify(error).line()
    assert "Using connection c (id-1); its key is unchanged." in line
    assert line.index("Using connection") < line.index("Next:")


def test_a_refused_directory_name_hint_fits_every_reason() -> None:
    # The service refuses characters (':' and the like) as well as '.'/'..' segments; the hint
    # must not point at dots when the message names a colon.
    body = {"errorCode": "InvalidGitDirectoryName", "message": "A directory name can't contain :"}
    error = api_error_from_response(400, body, method="POST", url=_URL + "/git/connect")
    line = classify(error, command="connect", workspace="Sales").line()
    hint = line.split(" Next: ", 1)[1]
    assert "--directory" in hint and "the message" in hint
    assert "(no '.' or '..')" not in hint


@pytest.mark.parametrize(
    ("provider", "present", "absent"),
    [
        ("GitHub", ["--rotate-pat"], ["create-azure-devops"]),
        ("AzureDevOps", ["create-azure-devops", "credentials set", "Entra"], ["--rotate-pat"]),
        (None, ["--rotate-pat", "create-azure-devops"], []),
    ],
)
def test_rejected_git_credentials_get_the_hint_of_their_provider(
    provider: str | None, present: list[str], absent: list[str]
) -> None:
    error = _api(400, "GitProviderAuthenticationFailed", "/git/connect")
    if provider is not None:
        error.git_provider = provider  # type: ignore[attr-defined]
    hint = classify(error, command="connect").line().split(" Next: ", 1)[1]
    assert all(words in hint for words in present), hint
    assert not any(words in hint for words in absent), hint
