"""The client library against the emulator's Git API, and every Git response against the spec."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emulator.git.git_support import Env, item_files
from fabric_git import FabricClient
from fabric_git.emulator import Emulator
from fabric_git.errors import FabricGitError
from fabric_git.models.git import AzureDevOpsDetails
from spec import operation, validate

LID = "0e0e0e0e-0000-4000-8000-00000000000e"


class InstantClock:
    """The library's clock: sleeping only advances time (the emulator's operations are done
    by the time the next poll arrives, since they take no emulated time)."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return 1_700_000_000.0 + self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def async_env() -> Iterator[Env]:
    with Emulator(lro_mode="async", lro_duration=0, retry_after=0) as emu, emu.client() as client:
        yield Env(emu, client)


def test_library_flow_against_the_emulator(async_env: Env) -> None:
    env = async_env
    env.repo(directories=["fabric"])
    ws = env.workspace()
    item = env.item(ws, "nb")
    details = AzureDevOpsDetails(
        organization_name="contoso",
        project_name="analytics",
        repository_name="fabric",
        branch_name="main",
        directory_name="fabric",
    )
    # The library refuses plain http:// to a non-loopback host; the in-process transport
    # serves any host, so the client is pointed at localhost.
    with FabricClient(
        base_url="http://localhost/v1",
        credential=env.emu.token,
        transport=env.emu.transport(),
        clock=InstantClock(),
    ) as client:
        client.git.connect(ws, details, None)
        init = client.git.initialize_connection(ws)
        assert init.required_action == "CommitToGit"
        client.git.commit_to_git(ws, mode="All", workspace_head=init.workspace_head)
        status = client.git.get_status(ws)
        assert status.changes == [] and status.workspace_head == status.remote_commit_hash
        with pytest.raises(FabricGitError) as caught:
            client.git.commit_to_git(ws, mode="All")
        assert getattr(caught.value, "code", "") == "NoChangesToCommit" or (
            "NoChangesToCommit" in str(caught.value)
        )
        lid = env.items(ws)["nb"].logical_id
        env.push({"fabric/nb.Notebook/notebook-content.py": b"# from git\n"})
        status = client.git.get_status(ws)
        (change,) = status.changes
        assert change.remote_change == "Modified"
        assert change.item_metadata.item_identifier.logical_id == lid
        client.git.update_from_git(
            ws,
            remote_commit_hash=status.remote_commit_hash,
            workspace_head=status.workspace_head,
        )
        assert env.parts(item) == {"notebook-content.py": b"# from git\n"}
        connection = client.git.get_connection(ws)
        assert connection.git_connection_state == "ConnectedAndInitialized"


def check(response: httpx.Response, operation_id: str) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    schema = operation(operation_id).response_schema(200)
    body: dict[str, Any] = response.json() if response.content else {}
    if schema is not None:
        assert validate(body, schema) == []
    return body


def test_responses_validate_against_the_spec(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    url = f"/workspaces/{ws}/git"
    check(env.client.get(f"{url}/connection"), "Git_GetConnection")
    local = env.item(ws, "local")
    env.connect(ws)
    check(env.client.get(f"{url}/connection"), "Git_GetConnection")
    init = check(env.initialize(ws), "Git_InitializeConnection")
    assert init["requiredAction"] == "CommitToGit"
    env.commit(ws)
    env.push(item_files("remote.Notebook", LID, "remote", b"# remote\n"))
    env.set_parts(local, {"notebook-content.py": b"# edited\n"})
    env.item(ws, "added")
    status = check(env.client.get(f"{url}/status"), "Git_GetStatus")
    assert len(status["changes"]) == 3
    check(env.client.get(f"{url}/connection"), "Git_GetConnection")
    check(env.client.get(f"{url}/myGitCredentials"), "Git_GetMyGitCredentials")
    check(
        env.client.patch(f"{url}/myGitCredentials", json={"source": "None"}),
        "Git_UpdateMyGitCredentials",
    )
    error = env.client.get(f"{url}/status")
    assert validate(error.json(), operation("Git_GetStatus").response_schema(400) or {}) == []
