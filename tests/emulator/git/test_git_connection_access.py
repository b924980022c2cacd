"""A Git credential may only use a connection its caller may use: a principal with no role on
a connection cannot bind it (connect, Update My Git Credentials) nor keep using it once its
role is removed. Fabric answers ConnectionNotFound for a connection not shared with the
caller."""

from __future__ import annotations

from typing import Any

import httpx

from emulator.git.git_support import Env, error_code
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.gitrepo.repos import RepoKey

PAT = "ghp_victimsPrivatePat0001"
MALLORY = Principal.named("mallory@example.com")


def _victim_connection(env: Env) -> str:
    body = {
        "connectivityType": "ShareableCloud",
        "displayName": "victim GitHub",
        "connectionDetails": {
            "type": "GitHubSourceControl",
            "creationMethod": "GitHubSourceControl.Contents",
            "parameters": [
                {"dataType": "Text", "name": "url", "value": "https://github.com/octo/private"}
            ],
        },
        "credentialDetails": {"credentials": {"credentialType": "Key", "key": PAT}},
    }
    response = env.client.post("/connections", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _connect_body(connection_id: str) -> dict[str, Any]:
    return {
        "gitProviderDetails": {
            "gitProviderType": "GitHub",
            "ownerName": "octo",
            "repositoryName": "private",
            "branchName": "main",
            "directoryName": "",
        },
        "myGitCredentials": {"source": "ConfiguredConnection", "connectionId": connection_id},
    }


def _own_workspace(client: httpx.Client, env: Env) -> str:
    response = client.post(
        "/workspaces", json={"displayName": "mallory's", "capacityId": env.emu.capacity_id}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _share(env: Env, connection_id: str, principal: Principal, role: str = "User") -> str:
    response = env.client.post(
        f"/connections/{connection_id}/roleAssignments",
        json={"principal": {"id": principal.id, "type": principal.type}, "role": role},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_an_unshared_connection_cannot_be_bound(env: Env) -> None:
    env.state.repos.create(RepoKey.github("octo", "private"), required_pat=PAT)
    connection_id = _victim_connection(env)
    with env.emu.client(env.emu.token_for(user=MALLORY.name)) as mallory:
        ws = _own_workspace(mallory, env)
        response = mallory.post(f"/workspaces/{ws}/git/connect", json=_connect_body(connection_id))
        assert response.status_code == 404
        assert error_code(response) == "ConnectionNotFound"
        assert PAT not in response.text
        assert mallory.get(f"/workspaces/{ws}/git/connection").json()["gitConnectionState"] == (
            "NotConnected"
        )


def test_credentials_update_and_every_operation_need_a_role(env: Env) -> None:
    env.state.repos.create(RepoKey.github("octo", "private"), required_pat=PAT)
    connection_id = _victim_connection(env)
    assignment = _share(env, connection_id, MALLORY)
    url = "/workspaces/{}/git/myGitCredentials"
    with env.emu.client(env.emu.token_for(user=MALLORY.name)) as mallory:
        ws = _own_workspace(mallory, env)
        connected = mallory.post(f"/workspaces/{ws}/git/connect", json=_connect_body(connection_id))
        assert connected.status_code == 200, connected.text
        initialized = mallory.post(f"/workspaces/{ws}/git/initializeConnection", json={})
        assert initialized.status_code == 200, initialized.text
        assert mallory.get(f"/workspaces/{ws}/git/status").status_code == 200

        # The owner takes the role back: the stored credentials stop working at once.
        removed = env.client.delete(f"/connections/{connection_id}/roleAssignments/{assignment}")
        assert removed.status_code == 200
        status = mallory.get(f"/workspaces/{ws}/git/status")
        assert error_code(status) == "ConnectionNotFound"
        commit = mallory.post(f"/workspaces/{ws}/git/commitToGit", json={"mode": "All"})
        assert error_code(commit) == "ConnectionNotFound"
        rebind = mallory.patch(
            url.format(ws), json={"source": "ConfiguredConnection", "connectionId": connection_id}
        )
        assert rebind.status_code == 404
        assert error_code(rebind) == "ConnectionNotFound"


def test_head_on_an_operation_route_starts_nothing(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    env.connected(ws)
    with env.state.store.read() as conn:
        (before,) = conn.execute("SELECT COUNT(*) FROM operations").fetchone()
    response = env.client.head(f"/workspaces/{ws}/git/status")
    assert response.status_code == 405
    with env.state.store.read() as conn:
        (after,) = conn.execute("SELECT COUNT(*) FROM operations").fetchone()
    assert after == before
    assert env.client.get(f"/workspaces/{ws}/git/status").status_code == 200
    with env.state.store.read() as conn:
        (counted,) = conn.execute("SELECT COUNT(*) FROM operations").fetchone()
    assert counted == before + 1  # the GET does start one: the count would show a HEAD's
