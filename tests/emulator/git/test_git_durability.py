"""GitHub connections, racing commits, crash recovery, the 202 path and real `git` over HTTP."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.git.git_support import Env, error_code
from fabric_git.emulator import Emulator, EmulatorConfig, EmulatorServer
from fabric_git.emulator.backend.git import commit as commit_operation
from fabric_git.emulator.backend.git import records
from fabric_git.emulator.backend.git.recovery import reconcile
from fabric_git.emulator.gitrepo.repos import HostedRepo, RepoKey

PAT = "ghp_emulatorTestToken123"


def github_connection(env: Env, *, url: str | None, token: str = PAT) -> str:
    from fabric_git.emulator.backend import connections

    with env.state.store.write() as conn:
        record = connections.create_connection(
            conn,
            env.state.admin,
            env.state.sealer,
            display_name=f"gh-{url}-{token[-3:]}",
            connectivity_type="ShareableCloud",
            type="GitHubSourceControl",
            creation_method="GitHubSourceControl.Contents",
            url=url,
            credential_type="Key",
            secret=token,
            privacy_level="Organizational",
            now=0.0,
        )
    return str(record.id)


def connect_github(env: Env, ws: str, connection_id: str, repo: str = "repo") -> httpx.Response:
    return env.client.post(
        f"/workspaces/{ws}/git/connect",
        json={
            "gitProviderDetails": {
                "gitProviderType": "GitHub",
                "ownerName": "octo",
                "repositoryName": repo,
                "branchName": "main",
                "directoryName": "",
            },
            "myGitCredentials": {"source": "ConfiguredConnection", "connectionId": connection_id},
        },
    )


def test_github_connection_scope_and_pat(env: Env) -> None:
    env.state.repos.create(RepoKey.github("octo", "repo"), required_pat=PAT)
    env.state.repos.create(RepoKey.github("octo", "other"))
    ws = env.workspace()
    scoped_elsewhere = github_connection(env, url="https://github.com/octo/other")
    response = connect_github(env, ws, scoped_elsewhere)
    assert error_code(response) == "ConnectionMismatch"
    wrong_pat = github_connection(env, url="https://github.com/octo/repo", token="ghp_wrong000")
    response = connect_github(env, ws, wrong_pat)
    assert error_code(response) == "GitProviderAuthenticationFailed"
    assert PAT not in response.text and "ghp_wrong" not in response.text
    good = github_connection(env, url="https://github.com/Octo/Repo")
    assert connect_github(env, ws, good).status_code == 200
    credentials = env.client.get(f"/workspaces/{ws}/git/myGitCredentials").json()
    assert credentials == {"source": "ConfiguredConnection", "connectionId": good}
    url = f"/workspaces/{ws}/git/myGitCredentials"
    automatic = env.client.patch(url, json={"source": "Automatic"})
    assert error_code(automatic) == "PrincipalTypeNotSupported"
    mismatch = env.client.patch(
        url, json={"source": "ConfiguredConnection", "connectionId": scoped_elsewhere}
    )
    assert error_code(mismatch) == "ConnectionMismatch"
    assert env.initialize(ws).json()["requiredAction"] == "None"


def test_racing_commits_never_both_apply(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    env.item(ws, "nb")
    env.connected(ws)
    head = env.status(ws)["workspaceHead"]
    barrier = threading.Barrier(2)
    results: list[httpx.Response] = []

    def commit() -> None:
        with env.emu.client() as client:
            barrier.wait()
            results.append(
                client.post(
                    f"/workspaces/{ws}/git/commitToGit",
                    json={"mode": "All", "workspaceHead": head},
                )
            )

    threads = [threading.Thread(target=commit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 400]
    loser = next(r for r in results if r.status_code == 400)
    assert error_code(loser) in {"WorkspacePreviousOperationInProgress", "WorkspaceHeadMismatch"}
    repo_path = env.state.repos.get(env.repo_key).path
    count = subprocess.run(
        ["git", "rev-list", "--count", "main"],
        cwd=repo_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert count.stdout.strip() == "2"  # the initial commit and one commit from the workspace


def test_reconcile_finishes_a_commit_cut_short(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    env.repo()
    ws = env.workspace()
    env.item(ws, "nb")
    before = env.connected(ws)["workspaceHead"]

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the process died after the ref moved")

    monkeypatch.setattr(commit_operation, "_finish_commit", crash)
    assert env.commit(ws).status_code == 500
    monkeypatch.undo()
    tip = env.tip()
    assert tip != before
    with env.state.store.read() as conn:
        assert records.get_connection(conn, ws).workspace_head == before  # type: ignore[union-attr]
        assert len(records.list_intents(conn)) == 1
    assert env.items(ws)["nb"].logical_id is None
    assert reconcile(env.state) == 1
    with env.state.store.read() as conn:
        assert records.get_connection(conn, ws).workspace_head == tip  # type: ignore[union-attr]
        assert records.list_intents(conn) == []
    assert env.items(ws)["nb"].logical_id is not None
    status = env.status(ws)
    assert status["changes"] == [] and status["workspaceHead"] == tip


def test_reconcile_drops_a_commit_whose_ref_never_moved(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    item = env.item(ws, "nb")
    head = env.connected(ws)["workspaceHead"]
    intent = records.Intent(
        id="intent-1",
        workspace_id=ws,
        expected_tip=head,
        expected_head=head,
        digest={"nb.Notebook/.platform": "0" * 64},
        logical_ids={item: "0d0d0d0d-0000-4000-8000-00000000000d"},
        created_at=0.0,
    )
    with env.state.store.write() as conn:
        records.put_intent(conn, intent)
    assert reconcile(env.state) == 1
    with env.state.store.read() as conn:
        assert records.get_connection(conn, ws).workspace_head == head  # type: ignore[union-attr]
        assert records.list_intents(conn) == []
    assert env.items(ws)["nb"].logical_id == "0d0d0d0d-0000-4000-8000-00000000000d"
    (change,) = env.status(ws)["changes"]
    assert (
        change["workspaceChange"] == "Added"
        and "logicalId" not in change["itemMetadata"]["itemIdentifier"]
    )


def test_a_locked_branch_fails_the_commit_cleanly_and_retriably(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    env.item(ws, "nb")
    head = env.connected(ws)["workspaceHead"]
    repo = env.state.repos.get(env.repo_key)
    repo.lock_timeout = 0  # give up at once instead of waiting for the other writer
    lock = repo.path / "refs" / "heads" / "main.lock"
    lock.write_text(head + "\n")  # another writer holds the branch
    response = env.commit(ws)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["errorCode"] == "GitProviderOperationFailed"
    assert body["isRetriable"] is True
    assert "main" in body["message"]
    # Nothing half-written: the branch, the head, the item and the journal are as they were.
    assert env.tip() == head
    with env.state.store.read() as conn:
        assert records.get_connection(conn, ws).workspace_head == head  # type: ignore[union-attr]
        assert records.list_intents(conn) == []
    assert env.items(ws)["nb"].logical_id is None
    assert [c["workspaceChange"] for c in env.status(ws)["changes"]] == ["Added"]
    assert repo.fsck()
    lock.unlink()  # the other writer finishes
    assert env.commit(ws).status_code == 200
    assert env.status(ws)["changes"] == []


def test_restart_clears_a_lock_left_by_a_killed_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without recovery the commit after the restart would fail at once instead of waiting.
    monkeypatch.setattr(HostedRepo, "lock_timeout", 0.0)
    with Emulator(lro_mode="sync", data_dir=tmp_path) as emu, emu.client() as client:
        env = Env(emu, client)
        env.repo()
        ws = env.workspace()
        env.item(ws, "nb")
        head = env.connected(ws)["workspaceHead"]
        lock = env.state.repos.get(env.repo_key).path / "refs" / "heads" / "main.lock"
        # What a writer killed while holding the branch's lock leaves behind.
        lock.write_text(head + "\n")
        assert error_code(env.commit(ws)) == "GitProviderOperationFailed"
    with Emulator(lro_mode="sync", data_dir=tmp_path) as emu, emu.client() as client:
        env = Env(emu, client)
        assert not lock.exists()
        assert env.commit(ws).status_code == 200
        assert env.tip() != head
        assert env.status(ws)["changes"] == []


@pytest.fixture
def async_env() -> Iterator[Env]:
    with Emulator(lro_mode="async", lro_duration=0, retry_after=0) as emu, emu.client() as client:
        yield Env(emu, client)


def wait(client: httpx.Client, response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 202, response.text
    location = response.headers["Location"]
    assert location.endswith(f"/v1/operations/{response.headers['x-ms-operation-id']}")
    assert "Retry-After" in response.headers
    for _ in range(5000):
        state = client.get(location).json()
        if state["status"] not in ("NotStarted", "Running"):
            return dict(state)
    raise AssertionError("the operation did not finish")


def test_long_running_operations(async_env: Env) -> None:
    env = async_env
    env.repo()
    ws = env.workspace()
    env.item(ws, "nb")
    assert env.connect(ws).status_code == 200
    client = env.client
    init = client.post(f"/workspaces/{ws}/git/initializeConnection", json={})
    state = wait(client, init)
    assert state["status"] == "Succeeded"
    result = client.get(f"/operations/{init.headers['x-ms-operation-id']}/result").json()
    assert result["requiredAction"] == "CommitToGit"
    commit = client.post(f"/workspaces/{ws}/git/commitToGit", json={"mode": "All"})
    assert wait(client, commit)["status"] == "Succeeded"
    no_result = client.get(f"/operations/{commit.headers['x-ms-operation-id']}/result")
    assert error_code(no_result) == "OperationHasNoResult"
    again = client.post(f"/workspaces/{ws}/git/commitToGit", json={"mode": "All"})
    failed = wait(client, again)
    assert failed["status"] == "Failed"
    assert failed["error"]["errorCode"] == "NoChangesToCommit"
    assert failed["error"]["requestId"] == again.headers["x-ms-request-id"]
    status = client.get(f"/workspaces/{ws}/git/status")
    wait(client, status)
    body = client.get(f"/operations/{status.headers['x-ms-operation-id']}/result").json()
    assert body["changes"] == [] and body["workspaceHead"] == body["remoteCommitHash"]


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Dev", "-c", "user.email=dev@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(cwd)},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.server
def test_clone_push_status_update_over_http(tmp_path: Path) -> None:
    config = EmulatorConfig(port=0, lro_mode="sync", data_dir=tmp_path / "data")
    with (
        EmulatorServer(config) as server,
        httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {server.token}"}, timeout=30
        ) as client,
    ):
        key = RepoKey.azure_devops("contoso", "analytics", "fabric")
        repo = server.state.repos.create(key)
        repo.commit(  # the directory the workspace connects to exists
            "main",
            expected_tip=repo.branch_tip("main"),
            changes={"fabric/README.md": b"items\n"},
            message="Create fabric/",
            author=("Dev", "dev@example.com"),
        )
        ws = client.post(
            "/workspaces", json={"displayName": "ws", "capacityId": server.capacity_id}
        ).json()["id"]
        env = Env(emu=server, client=client, repo_key=key)  # type: ignore[arg-type]
        item = env.item(ws, "nb")
        env.connected(ws, directory="fabric")
        assert env.commit(ws).status_code == 200
        clone = tmp_path / "clone"
        git("clone", f"{server.git_url}/{key.url_path}", str(clone), cwd=tmp_path)
        notebook = clone / "fabric" / "nb.Notebook" / "notebook-content.py"
        assert notebook.read_bytes() == b"# nb\n"
        notebook.write_bytes(b"# pushed with git\n")
        git("commit", "-am", "edit in git", cwd=clone)
        git("push", "origin", "HEAD:main", cwd=clone)
        (change,) = env.status(ws)["changes"]
        assert change["remoteChange"] == "Modified" and change["conflictType"] == "None"
        assert env.update(ws).status_code == 200
        assert env.parts(item) == {"notebook-content.py": b"# pushed with git\n"}
        fsck = subprocess.run(
            ["git", "fsck", "--strict"], cwd=server.state.repos.get(key).path, capture_output=True
        )
        assert fsck.returncode == 0


def test_a_selective_commit_naming_nothing_is_refused_before_it_starts(async_env: Env) -> None:
    """docs/git-integration-rules.md: the body alone decides NoItemsSelected, so the request
    is refused (no operation is started) even in async mode; NoChangesToCommit needs the
    comparison and fails the operation instead."""
    env = async_env
    env.repo()
    ws = env.workspace()
    env.item(ws, "nb")
    assert env.connect(ws).status_code == 200
    assert wait(env.client, env.initialize(ws))["status"] == "Succeeded"
    refused = env.commit(ws, mode="Selective", items=[])
    assert refused.status_code == 400 and "x-ms-operation-id" not in refused.headers
    assert error_code(refused) == "NoItemsSelected"
