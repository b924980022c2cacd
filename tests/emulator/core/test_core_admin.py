"""Admin endpoints: tokens, settings, reset, hosted repositories, info."""

from __future__ import annotations

from emulator.core.core_support import create_workspace

ADMIN = "http://localhost/_emulator"


def test_issue_tokens_for_users_and_service_principals(emu, client):
    user_token = client.post(f"{ADMIN}/tokens", json={"user": "alice@contoso.com"}).json()["token"]
    with emu.client(token=user_token) as alice:
        ws = create_workspace(alice, "Alice's")
        me = alice.get(f"/workspaces/{ws}/roleAssignments").json()["value"][0]["principal"]
    assert me["displayName"] == "alice@contoso.com"
    assert me["type"] == "User"
    sp_token = client.post(f"{ADMIN}/tokens", json={"servicePrincipal": "ci"}).json()["token"]
    with emu.client(token=sp_token) as ci:
        ws = create_workspace(ci, "CI's")
        me = ci.get(f"/workspaces/{ws}/roleAssignments").json()["value"][0]["principal"]
    assert me["type"] == "ServicePrincipal"
    both = client.post(f"{ADMIN}/tokens", json={"user": "a", "servicePrincipal": "b"})
    assert both.status_code == 400


def test_issue_a_token_for_azure_devops(emu, client):
    ado = "499b84ac-1321-427f-aa17-267ca6975798"
    body = {"servicePrincipal": "ci", "audience": ado}
    token = client.post(f"{ADMIN}/tokens", json=body).json()["token"]
    assert emu.state.is_azure_devops_token(token)
    with emu.client(token=token) as ci:  # not a token for the Fabric API
        assert ci.get("/workspaces").status_code == 401
    fabric = client.post(f"{ADMIN}/tokens", json={"servicePrincipal": "ci"}).json()["token"]
    assert not emu.state.is_azure_devops_token(fabric)
    other = client.post(f"{ADMIN}/tokens", json={"user": "a", "audience": "https://other"})
    assert other.status_code == 400 and "audience" in other.text


def test_settings_validation(client):
    assert client.get(f"{ADMIN}/settings").json()["lroMode"] == "async"
    bad = client.put(f"{ADMIN}/settings", json={"pageSize": 0})
    assert bad.status_code == 400
    assert "pageSize" in bad.json()["moreDetails"][0]["message"]
    assert client.put(f"{ADMIN}/settings", json={"lroMode": "later"}).status_code == 400


def test_reset_empties_state_but_keeps_identity(emu, client):
    ws = create_workspace(client, capacity_id=emu.capacity_id)
    client.post(f"{ADMIN}/faults", json={"status": 500, "operation": "Nope"})
    assert client.post(f"{ADMIN}/reset").status_code == 200
    assert client.get("/workspaces").json()["value"] == []
    assert client.get(f"/workspaces/{ws}").status_code == 404
    assert client.get(f"{ADMIN}/faults").json()["value"] == []
    assert client.get(f"/capacities/{emu.capacity_id}").status_code == 200


def test_info(client, emu):
    body = client.get(f"{ADMIN}/info").json()
    assert body == {
        "url": "http://localhost/v1",
        "gitUrl": "http://localhost/git",
        "capacityId": emu.capacity_id,
    }


def test_create_and_list_repositories(client):
    created = client.post(
        f"{ADMIN}/repos", json={"provider": "GitHub", "owner": "contoso", "repo": "sales"}
    )
    assert created.status_code == 201
    body = created.json()
    assert body["cloneUrl"] == "http://localhost/git/github/contoso/sales.git"
    assert body["branches"] == ["main"]
    assert body["requiresPat"] is False
    ado = client.post(
        f"{ADMIN}/repos",
        json={
            "provider": "AzureDevOps",
            "organization": "org",
            "project": "proj",
            "repo": "r",
            "branch": "dev",
            "requiredPat": "s3cret",
        },
    )
    assert ado.status_code == 201
    assert ado.json()["cloneUrl"].endswith("/git/azure-devops/org/proj/_git/r")
    assert ado.json()["requiresPat"] is True
    assert "s3cret" not in ado.text
    again = client.post(
        f"{ADMIN}/repos", json={"provider": "GitHub", "owner": "contoso", "repo": "sales"}
    )
    assert again.status_code == 409
    listed = client.get(f"{ADMIN}/repos").json()["value"]
    assert {r["repo"] for r in listed} == {"sales", "r"}
    missing_owner = client.post(f"{ADMIN}/repos", json={"provider": "GitHub", "repo": "x"})
    assert missing_owner.status_code == 400
