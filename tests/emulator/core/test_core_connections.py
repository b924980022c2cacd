"""Connections: the GitHub source-control connection with a PAT that no response reveals."""

from __future__ import annotations

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
        denied = other.get(f"/connections/{connection_id}")
        assert denied.status_code == 403
        assert other.delete(f"/connections/{connection_id}").status_code == 403


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
