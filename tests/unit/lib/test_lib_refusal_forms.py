"""A Git rule refusal arrives in one of two forms, as Fabric's behaviour varies by operation:
the request itself refused (400 with the error body) or a long-running operation that fails.
The library keeps the service's code in both; the CLI gives both one code and one exit code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from fabric_git import ApiError, FabricClient, OperationFailedError
from fabric_git.cli.constants import ExitCode
from fabric_git.cli.failures import classify
from fabric_git.errors import FabricGitError
from unit.lib.lib_support import FakeService, json_response

WS = "11111111-2222-3333-4444-555555555555"
OP = "431e8d7b-4a95-4c02-8ccd-6faef5ba1bd7"

Call = Callable[[FabricClient], Any]
_UPDATE: Call = lambda c: c.git.update_from_git(WS, remote_commit_hash="b" * 40)  # noqa: E731
_COMMIT: Call = lambda c: c.git.commit_to_git(WS, comment="c")  # noqa: E731
_INIT: Call = lambda c: c.git.initialize_connection(WS)  # noqa: E731

CASES = [
    ("updateFromGit", _UPDATE, "MissingWorkspaceConflictResolution", ExitCode.CONFLICTS),
    ("updateFromGit", _UPDATE, "OverrideItemsNotAllowed", ExitCode.CONFLICTS),
    ("initializeConnection", _INIT, "MissingInitializationPolicy", ExitCode.CONFLICTS),
    ("commitToGit", _COMMIT, "WorkspaceUpdateRequired", ExitCode.ERROR),
    ("commitToGit", _COMMIT, "NoChangesToCommit", ExitCode.ERROR),
    ("commitToGit", _COMMIT, "NoItemsSelected", ExitCode.ERROR),
]


def _error(code: str) -> dict[str, Any]:
    return {"errorCode": code, "message": f"refused: {code}", "requestId": "req-1"}


def _refused_request(service: FakeService, path: str, code: str) -> None:
    service.on("POST", f"/workspaces/{WS}/git/{path}", json_response(400, _error(code)))


def _failed_operation(service: FakeService, path: str, code: str) -> None:
    headers = {
        "Location": f"https://api.fabric.microsoft.com/v1/operations/{OP}",
        "x-ms-operation-id": OP,
        "Retry-After": "0",
    }
    service.on("POST", f"/workspaces/{WS}/git/{path}", httpx.Response(202, headers=headers))
    failed = {
        "status": "Failed",
        "createdTimeUtc": "2024-01-01T00:00:00Z",
        "lastUpdatedTimeUtc": "2024-01-01T00:00:05Z",
        "error": _error(code),
    }
    service.on("GET", f"/operations/{OP}", json_response(200, failed))


@pytest.mark.parametrize(("path", "call", "code", "exit_code"), CASES)
def test_both_forms_carry_one_code_and_one_exit_code(
    make_client: Callable[..., FabricClient],
    path: str,
    call: Call,
    code: str,
    exit_code: ExitCode,
) -> None:
    caught: list[FabricGitError] = []
    for arrange, form in ((_refused_request, ApiError), (_failed_operation, OperationFailedError)):
        service = FakeService()
        arrange(service, path, code)
        client = make_client(transport=service.transport)
        with pytest.raises(form) as raised:
            call(client)
        caught.append(raised.value)
    refused, failed = caught
    assert isinstance(refused, ApiError) and refused.status == 400
    assert isinstance(failed, OperationFailedError) and failed.operation_id == OP
    assert refused.code == failed.code == code
    assert refused.error_code == failed.error_code == code
    lines = [classify(error, command="update") for error in caught]
    assert {line.code for line in lines} == {code}
    assert {line.exit_code for line in lines} == {exit_code}
    assert lines[0].hint == lines[1].hint
