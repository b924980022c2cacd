"""Connections: the GitHub source-control connection with a PAT that no response reveals."""

from __future__ import annotations

from fabric_git.emulator.auth import ADMIN_USER, principal_id
from fabric_git.emulator.backend.connections import get_connection_secret

PAT = "ghp_exampleSecretValue123"


def _github(name: str = "GitHub", url: str | None = "https://github.com/contoso/sales"):
    details: dict = {
        "type": "GitHubSourceControl",
        "creationMethod": "GitHubSourceControl.Contents",
    }
    if url is not None:
        details["parameters"] = [{"dataType": "Text", "name": "url", "value": url}]
    return {
        "connectivityType": "ShareableCloud",
        "displayName": name,
        "connectionDetails": details,
        "credentialDetails": {"credentials": {"credentialType": "Key", "key": PAT}},
    }


def test_create_get_list_update_delete(client, emu):
    response = client.post("/connections", json=_github())
    assert response.status_code == 201
    created = response.json()
    assert PAT not in response.text
    assert created["connectionDetails"] == {
        "type": "GitHubSourceControl",
        "path": "https://github.com/contoso/sales",
    }
    assert created["credentialDetails"]["credentialType"] == "Key"
    connection_id = created["id"]

    fetched = client.get(f"/connections/{connection_id}")
    assert fetched.json() == created
    listed = client.get("/connections")
    assert [c["id"] for c in listed.json()["value"]] == [connection_id]
    assert PAT not in fetched.text + listed.text

    updated = client.patch(
        f"/connections/{connection_id}",
        json={
            "connectivityType": "ShareableCloud",
            "displayName": "GitHub renamed",
            "credentialDetails": {"credentials": {"credentialType": "Key", "key": "ghp_new"}},
        },
    )
    assert updated.status_code == 200
    assert updated.json()["displayName"] == "GitHub renamed"
    assert "ghp_new" not in updated.text
    with emu.state.store.read() as conn:
        assert get_connection_secret(conn, connection_id, emu.state.sealer) == "ghp_new"

    assert client.delete(f"/connections/{connection_id}").status_code == 200
    gone = client.get(f"/connections/{connection_id}")
    assert gone.status_code == 404
    assert gone.json()["errorCode"] == "ConnectionNotFound"


def test_connection_without_url_parameters(client):
    response = client.post("/connections", json=_github(url=None))
    assert response.status_code == 201
    assert response.json()["connectionDetails"]["path"] == ""


def test_secret_is_not_stored_in_clear(client, emu):
    client.post("/connections", json=_github())
    with emu.state.store.read() as conn:
        dump = "\n".join(conn.iterdump())
    assert PAT not in dump


def test_duplicate_display_name_conflicts(client):
    assert client.post("/connections", json=_github("Same")).status_code == 201
    response = client.post("/connections", json=_github("same"))
    assert response.status_code == 409
    assert response.json()["errorCode"] == "DuplicateConnectionName"


def test_connections_belong_to_their_creator(client, emu):
    connection_id = client.post("/connections", json=_github()).json()["id"]
    with emu.client(token=emu.token_for(user="mallory")) as other:
        assert other.get("/connections").json()["value"] == []
        # A connection nobody shared with the caller does not exist for it.
        for response in (
            other.get(f"/connections/{connection_id}"),
            other.delete(f"/connections/{connection_id}"),
            other.get(f"/connections/{connection_id}/roleAssignments"),
        ):
            assert response.status_code == 404
            assert response.json()["errorCode"] == "ConnectionNotFound"


def _user(name: str) -> dict:
    return {"id": principal_id(name, "User"), "type": "User"}


def test_role_assignments_share_a_connection(client, emu):
    connection_id = client.post("/connections", json=_github()).json()["id"]
    base = f"/connections/{connection_id}/roleAssignments"
    (owner,) = client.get(base).json()["value"]
    assert owner["role"] == "Owner"
    assert owner["principal"]["id"] == principal_id(ADMIN_USER, "User")

    added = client.post(base, json={"principal": _user("bob"), "role": "User"})
    assert added.status_code == 201, added.text
    assert added.headers["Location"].endswith(f"{base}/{added.json()['id']}")
    bob_assignment = added.json()["id"]
    assert client.get(f"{base}/{bob_assignment}").json()["role"] == "User"
    again = client.post(base, json={"principal": _user("bob"), "role": "Owner"})
    assert again.status_code == 409

    with emu.client(token=emu.token_for(user="bob")) as bob:
        assert [c["id"] for c in bob.get("/connections").json()["value"]] == [connection_id]
        assert bob.get(f"/connections/{connection_id}").status_code == 200
        assert PAT not in bob.get(f"/connections/{connection_id}").text
        # A User may use and see, not share, change or delete.
        refused = bob.post(base, json={"principal": _user("carol"), "role": "User"})
        assert refused.status_code == 403
        assert bob.delete(f"/connections/{connection_id}").status_code == 403
        patch = {"connectivityType": "ShareableCloud", "displayName": "Mine"}
        assert bob.patch(f"/connections/{connection_id}", json=patch).status_code == 403

    updated = client.patch(f"{base}/{bob_assignment}", json={"role": "UserWithReshare"})
    assert updated.json()["role"] == "UserWithReshare"
    with emu.client(token=emu.token_for(user="bob")) as bob:
        shared = bob.post(base, json={"principal": _user("carol"), "role": "User"})
        assert shared.status_code == 201
        above = bob.post(base, json={"principal": _user("dave"), "role": "Owner"})
        assert above.status_code == 403
        assert bob.delete(f"{base}/{shared.json()['id']}").status_code == 403

    assert client.delete(f"{base}/{bob_assignment}").status_code == 200
    with emu.client(token=emu.token_for(user="bob")) as bob:
        assert bob.get(f"/connections/{connection_id}").status_code == 404
    missing = client.get(f"{base}/{bob_assignment}")
    assert missing.json()["errorCode"] == "ConnectionRoleAssignmentNotFound"


def test_the_last_owner_stays(client):
    connection_id = client.post("/connections", json=_github()).json()["id"]
    base = f"/connections/{connection_id}/roleAssignments"
    (owner,) = client.get(base).json()["value"]
    demoted = client.patch(f"{base}/{owner['id']}", json={"role": "User"})
    assert demoted.status_code == 400
    assert demoted.json()["errorCode"] == "ConnectionMustHaveAtLeastOneOwner"
    assert client.delete(f"{base}/{owner['id']}").status_code == 400
    assert client.post(base, json={"principal": _user("bob"), "role": "Nobody"}).status_code == 400


def test_validation(client):
    body = _github()
    body["credentialDetails"]["credentials"] = {"credentialType": "Key"}
    response = client.post("/connections", json=body)
    assert response.status_code == 400
    assert "key" in response.json()["moreDetails"][0]["message"]
    body = _github(url="not a url")
    assert client.post("/connections", json=body).status_code == 400
    body = _github()
    body["connectivityType"] = "OnPremisesGateway"
    assert client.post("/connections", json=body).status_code == 400


def test_supported_connection_types(client):
    listed = client.get("/connections/supportedConnectionTypes").json()["value"]
    assert listed[0]["type"] == "GitHubSourceControl"
    assert listed[0]["supportedCredentialTypes"] == ["Key"]
