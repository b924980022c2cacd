"""The long-running-operation poller: immediate answers, polling, failures, timeouts, resume."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fabric_git import (
    ConfigurationError,
    FabricClient,
    InitializeGitConnectionResponse,
    OperationFailedError,
    OperationState,
    OperationTimeoutError,
    PollPolicy,
    RequiredAction,
    TransportError,
)
from fabric_git.errors import UnknownOperationStatusError
from unit.lib.lib_support import FakeClock, FakeService, MakeClient, json_response

WS = "11111111-2222-3333-4444-555555555555"
OP = "431e8d7b-4a95-4c02-8ccd-6faef5ba1bd7"
LOCATION = f"https://api.fabric.microsoft.com/v1/operations/{OP}"
HEADS = {"workspaceHead": "a" * 40, "remoteCommitHash": "b" * 40}


def accepted(retry_after: str | None = "5", *, op_header: bool = True) -> httpx.Response:
    headers = {"Location": LOCATION}
    if op_header:
        headers["x-ms-operation-id"] = OP
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    return httpx.Response(202, headers=headers)


def state(status: str, percent: int | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": status,
        "createdTimeUtc": "2024-01-01T00:00:00Z",
        "lastUpdatedTimeUtc": "2024-01-01T00:00:05Z",
        **extra,
    }
    if percent is not None:
        body["percentComplete"] = percent
    return body


def poll_reply(status: str, percent: int | None = None, retry_after: str | None = "3") -> Any:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return json_response(200, state(status, percent), headers)


# --- immediate answers ------------------------------------------------------------------------


def test_immediate_200_needs_no_polling(
    client: FabricClient, service: FakeService, clock: FakeClock
) -> None:
    body = {**HEADS, "requiredAction": "UpdateFromGit"}
    service.on("POST", f"/workspaces/{WS}/git/initializeConnection", json_response(200, body))
    poller = client.git.begin_initialize_connection(WS, "PreferRemote")
    assert poller.done()
    assert poller.operation_id is None
    assert poller.status() == "Succeeded"
    result = poller.wait()
    assert result.required_action is RequiredAction.UPDATE_FROM_GIT
    assert len(service.requests) == 1
    assert clock.sleeps == []


def test_immediate_200_for_commit_returns_none(
    client: FabricClient, service: FakeService, clock: FakeClock
) -> None:
    service.on("POST", f"/workspaces/{WS}/git/commitToGit", httpx.Response(200))
    assert client.git.commit_to_git(WS) is None
    assert len(service.requests) == 1 and clock.sleeps == []


# --- 202, polling -----------------------------------------------------------------------------


def test_202_running_succeeded_with_result(
    client: FabricClient, service: FakeService, clock: FakeClock
) -> None:
    service.on("POST", f"/workspaces/{WS}/git/initializeConnection", accepted("5"))
    service.on(
        "GET",
        f"/operations/{OP}",
        poll_reply("NotStarted", 0),
        poll_reply("Running", 40),
        poll_reply("Succeeded", 100),
    )
    service.on(
        "GET", f"/operations/{OP}/result", json_response(200, {**HEADS, "requiredAction": "None"})
    )
    seen: list[OperationState] = []
    result = client.git.initialize_connection(WS, progress=seen.append)
    assert isinstance(result, InitializeGitConnectionResponse)
    assert result.required_action is RequiredAction.NONE
    assert result.workspace_head == "a" * 40
    assert [(s.status_text, s.percent_complete) for s in seen] == [
        ("NotStarted", 0),
        ("Running", 40),
        ("Succeeded", 100),
    ]
    assert clock.sleeps == [5.0, 3.0, 3.0]
    assert [r.url.path for r in service.requests] == [
        f"/v1/workspaces/{WS}/git/initializeConnection",
        f"/v1/operations/{OP}",
        f"/v1/operations/{OP}",
        f"/v1/operations/{OP}",
        f"/v1/operations/{OP}/result",
    ]


def test_202_status_result_is_parsed(client: FabricClient, service: FakeService) -> None:
    service.on("GET", f"/workspaces/{WS}/git/status", accepted("1"))
    service.on("GET", f"/operations/{OP}", poll_reply("Succeeded", 100))
    service.on("GET", f"/operations/{OP}/result", json_response(200, {**HEADS, "changes": []}))
    status = client.git.get_status(WS)
    assert status.remote_commit_hash == "b" * 40 and status.changes == []


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.git.commit_to_git(WS, comment="c"),
        lambda c: c.git.update_from_git(WS, remote_commit_hash="b" * 40),
    ],
)
def test_202_without_result_never_fetches_one(
    client: FabricClient, service: FakeService, call: Any
) -> None:
    service.on("POST", f"/workspaces/{WS}/git/commitToGit", accepted())
    service.on("POST", f"/workspaces/{WS}/git/updateFromGit", accepted())
    service.on("GET", f"/operations/{OP}", poll_reply("Running"), poll_reply("Succeeded"))
    assert call(client) is None
    assert service.calls("GET", f"/operations/{OP}/result") == []
    assert len(service.calls("GET", f"/operations/{OP}")) == 2


def test_operation_id_taken_from_location_when_header_missing(
    client: FabricClient, service: FakeService
) -> None:
    service.on("POST", f"/workspaces/{WS}/git/commitToGit", accepted(op_header=False))
    service.on("GET", f"/operations/{OP}", poll_reply("Succeeded"))
    poller = client.git.begin_commit_to_git(WS)
    assert poller.operation_id == OP
    poller.wait()


def test_202_without_any_operation_id_is_an_error(
    client: FabricClient, service: FakeService
) -> None:
    service.on("POST", f"/workspaces/{WS}/git/commitToGit", httpx.Response(202))
    with pytest.raises(TransportError, match="without an operation id"):
        client.git.begin_commit_to_git(WS)


def test_statuses_compared_ignoring_case_and_the_specs_undefined_keeps_waiting(
    client: FabricClient, service: FakeService
) -> None:
    service.on("POST", f"/workspaces/{WS}/git/commitToGit", accepted())
    service.on(
        "GET",
        f"/operations/{OP}",
        poll_reply("notStarted"),
        poll_reply("Undefined"),
        poll_reply("SUCCEEDED"),
    )
    seen: list[str] = []
    client.git.commit_to_git(WS, progress=lambda s: seen.append(s.status_text))
    assert seen == ["notStarted", "Undefined", "SUCCEEDED"]


def test_a_status_the_spec_does_not_define_ends_the_wait_at_once(
    client: FabricClient, service: FakeService, clock: FakeClock
) -> None:
    service.on("POST", f"/workspaces/{WS}/git/commitToGit", accepted())
    service.on("GET", f"/operations/{OP}", poll_reply("Running"), poll_reply("Queued"))
    with pytest.raises(UnknownOperationStatusError) as caught:
        client.git.commit_to_git(WS)
    assert caught.value.code == "UnknownOperationStatus"
    assert caught.value.operation_id == OP and caught.value.status == "Queued"
    assert "'Queued'" in str(caught.value)
    assert clock.sleeps == [5.0, 3.0]  # two polls, not the 30 minutes of the default timeout


# --- Retry-After between polls ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        (None, 1.0),  # missing: the short default
        ("0", 1.0),  # zero: never a busy loop
        ("-1", 1.0),
        ("abc", 1.0),
        ("600", 600.0),  # long: obeyed (only the wait's timeout bounds it)
        ("30", 30.0),  # the spec examples' 30 s: never polled sooner
        ("0.1", 0.5),  # tiny: raised to the minimum
        ("7", 7.0),
    ],
)
def test_poll_interval_from_retry_after(
    client: FabricClient,
    service: FakeService,
    clock: FakeClock,
    retry_after: str | None,
    expected: float,
) -> None:
    service.on("POST", f"/workspaces/{WS}/git/commitToGit", accepted(retry_after))
    service.on(
        "GET",
        f"/operations/{OP}",
        poll_reply("Running", retry_after=retry_after),
        poll_reply("Succeeded"),
    )
    client.git.commit_to_git(WS)
    assert clock.sleeps == [expected, expected]


def test_poll_policy_is_configurable(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    client = make_client(poll=PollPolicy(default_interval=2.0, max_interval=4.0))
    service.on("POST", f"/workspaces/{WS}/git/commitToGit", accepted(None))
    service.on(
        "GET", f"/operations/{OP}", poll_reply("Running", retry_after="60"), poll_reply("Succeeded")
    )
    client.git.commit_to_git(WS)
    assert clock.sleeps == [2.0, 60.0]  # the client's own ceiling never cuts a Retry-After


def test_invalid_poll_policy() -> None:
    with pytest.raises(ConfigurationError):
        PollPolicy(default_interval=0.0)
    with pytest.raises(ConfigurationError):
        PollPolicy(default_interval=30.0, max_interval=20.0)


# --- failure ----------------------------------------------------------------------------------


def test_failed_operation_raises_with_service_details(
    client: FabricClient, service: FakeService
) -> None:
    error = {
        "errorCode": "WorkspacePreviousOperationInProgress",
        "message": "Another operation is running.",
        "requestId": "req-9",
        "moreDetails": [
            {
                "errorCode": "GitSyncFailed",
                "message": "sync failed",
                "relatedResource": {"resourceId": "item-3", "resourceType": "Notebook"},
            }
        ],
        "relatedResource": {"resourceId": WS, "resourceType": "Workspace"},
    }
    service.on("POST", f"/workspaces/{WS}/git/updateFromGit", accepted())
    service.on(
        "GET",
        f"/operations/{OP}",
        poll_reply("Running", 10),
        json_response(200, state("Failed", error=error)),
    )
    with pytest.raises(OperationFailedError) as caught:
        client.git.update_from_git(WS, remote_commit_hash="b" * 40)
    failure = caught.value
    assert failure.operation_id == OP
    assert failure.error_code == failure.code == "WorkspacePreviousOperationInProgress"
    assert failure.message == "Another operation is running."
    assert failure.request_id == "req-9"
    (detail,) = failure.more_details
    assert detail.error_code == "GitSyncFailed"
    assert detail.related_resource is not None
    assert detail.related_resource.resource_id == "item-3"
    assert failure.related_resource is not None
    assert failure.related_resource.resource_type == "Workspace"
    assert str(failure) == (
        f"Operation {OP} failed: WorkspacePreviousOperationInProgress: Another operation is "
        "running. [GitSyncFailed: sync failed] (request id req-9)"
    )
    assert service.calls("GET", f"/operations/{OP}/result") == []


def test_failed_operation_without_error_body(client: FabricClient, service: FakeService) -> None:
    service.on("POST", f"/workspaces/{WS}/git/commitToGit", accepted())
    service.on("GET", f"/operations/{OP}", poll_reply("Failed"))
    poller = client.git.begin_commit_to_git(WS)
    with pytest.raises(OperationFailedError) as caught:
        poller.wait()
    assert caught.value.error_code == "OperationFailed"
    assert poller.done() and poller.status() == "Failed"
    # Waiting again reports the same failure without asking the service again.
    polls = len(service.requests)
    with pytest.raises(OperationFailedError):
        poller.wait()
    assert len(service.requests) == polls


# --- timeout and resume -----------------------------------------------------------------------


def test_timeout_carries_the_id_and_resume_finishes(
    client: FabricClient, service: FakeService, clock: FakeClock
) -> None:
    service.on("POST", f"/workspaces/{WS}/git/commitToGit", accepted("4"))
    service.on(
        "GET",
        f"/operations/{OP}",
        poll_reply("Running", 10, "4"),
        poll_reply("Running", 20, "4"),
        poll_reply("Running", 60, "4"),
        poll_reply("Succeeded", 100),
    )
    with pytest.raises(OperationTimeoutError) as caught:
        client.git.commit_to_git(WS, timeout=10.0)
    timeout = caught.value
    assert timeout.operation_id == OP
    assert timeout.last_status == "Running"
    assert timeout.waited == pytest.approx(10.0)
    assert f"wait_for_operation('{OP}')" in str(timeout)
    assert timeout.operation_kind == "CommitToGit"
    assert timeout.description == "commit to Git"
    assert f"Operation {OP} (commit to Git) still Running" in str(timeout)
    # The last sleep was shortened so the wait ends at the deadline, not after it.
    assert clock.sleeps == [4.0, 4.0, 2.0]

    seen: list[int | None] = []
    final = client.wait_for_operation(OP, progress=lambda s: seen.append(s.percent_complete))
    assert final.status_text == "Succeeded"
    # The wait ended 2 s before the next Retry-After allowed a poll: none was made then.
    assert seen == [60, 100]


def test_zero_timeout_raises_before_polling(client: FabricClient, service: FakeService) -> None:
    service.on("POST", f"/workspaces/{WS}/git/commitToGit", accepted())
    with pytest.raises(OperationTimeoutError) as caught:
        client.git.commit_to_git(WS, timeout=0)
    assert caught.value.last_status is None
    assert service.calls("GET", f"/operations/{OP}") == []


def test_default_timeout_comes_from_the_poll_policy(
    make_client: MakeClient, service: FakeService, clock: FakeClock
) -> None:
    client = make_client(poll=PollPolicy(timeout=6.0))
    service.on("POST", f"/workspaces/{WS}/git/commitToGit", accepted("2"))
    service.on("GET", f"/operations/{OP}", poll_reply("Running", retry_after="2"))
    with pytest.raises(OperationTimeoutError):
        client.git.commit_to_git(WS)
    assert sum(clock.sleeps) == pytest.approx(6.0)


def test_wait_for_operation_raises_on_failure(client: FabricClient, service: FakeService) -> None:
    service.on(
        "GET",
        f"/operations/{OP}",
        json_response(200, state("Failed", error={"errorCode": "Boom", "message": "m"})),
    )
    with pytest.raises(OperationFailedError, match="Boom"):
        client.wait_for_operation(OP)


def test_operations_api_reads_state_and_result(client: FabricClient, service: FakeService) -> None:
    service.on("GET", f"/operations/{OP}", poll_reply("Running", 25))
    service.on("GET", f"/operations/{OP}/result", json_response(200, {"id": "x", "type": "Report"}))
    assert client.operations.get_state(OP).percent_complete == 25
    assert client.operations.get_result(OP) == {"id": "x", "type": "Report"}


def test_poller_repr_and_status_before_polling(client: FabricClient, service: FakeService) -> None:
    service.on("POST", f"/workspaces/{WS}/git/commitToGit", accepted())
    poller = client.git.begin_commit_to_git(WS)
    assert not poller.done()
    assert poller.status() == "NotStarted"
    assert OP in repr(poller)
    service.on("GET", f"/operations/{OP}", poll_reply("Running", 5))
    assert poller.poll().status_text == "Running"
    assert poller.status() == "Running"
    assert not poller.done()


@pytest.mark.parametrize(
    ("start", "method", "path", "kind", "description"),
    [
        (
            lambda c: c.git.initialize_connection(WS, timeout=1.0),
            "POST",
            "initializeConnection",
            "InitializeConnection",
            "initialize connection",
        ),
        (lambda c: c.git.get_status(WS, timeout=1.0), "GET", "status", "GetStatus", "get status"),
        (
            lambda c: c.git.update_from_git(WS, remote_commit_hash="a" * 40, timeout=1.0),
            "POST",
            "updateFromGit",
            "UpdateFromGit",
            "update from Git",
        ),
    ],
)
def test_timeout_names_the_operation_kind(
    client: FabricClient,
    service: FakeService,
    start: Any,
    method: str,
    path: str,
    kind: str,
    description: str,
) -> None:
    service.on(method, f"/workspaces/{WS}/git/{path}", accepted("1"))
    service.on("GET", f"/operations/{OP}", poll_reply("Running", retry_after="1"))
    with pytest.raises(OperationTimeoutError) as caught:
        start(client)
    assert (caught.value.operation_kind, caught.value.description) == (kind, description)
    assert caught.value.last_status == "Running"


def test_resumed_wait_timeout_has_no_kind(client: FabricClient, service: FakeService) -> None:
    service.on("GET", f"/operations/{OP}", poll_reply("Running", retry_after="1"))
    with pytest.raises(OperationTimeoutError) as caught:
        client.wait_for_operation(OP, timeout=2.0)
    assert caught.value.operation_kind is None
    assert caught.value.description is None
    assert caught.value.operation_id == OP
