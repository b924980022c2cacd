"""Workspaces, role assignments, capacities and pagination, in-process."""

from __future__ import annotations

from emulator.core.core_support import create_workspace
from fabric_git.emulator import Emulator, EmulatorConfig
from fabric_git.emulator.auth import Principal


def test_create_get_update_delete(client, emu):
    response = client.post(
        "/workspaces",
        json={"displayName": "Sales", "description": "d", "capacityId": emu.capacity_id},
    )
    assert response.status_code == 201
    created = response.json()
    assert response.headers["Location"] == f"http://localhost/v1/workspaces/{created['id']}"
    assert created["displayName"] == "Sales"
    assert created["description"] == "d"
    assert created["type"] == "Workspace"
    assert created["capacityId"] == emu.capacity_id

    assert client.get(f"/workspaces/{created['id']}").json() == created
    patched = client.patch(f"/workspaces/{created['id']}", json={"displayName": "Sales 2"})
    assert patched.status_code == 200
    assert patched.json()["displayName"] == "Sales 2"

    assert client.delete(f"/workspaces/{created['id']}").status_code == 200
    missing = client.get(f"/workspaces/{created['id']}")
    assert missing.status_code == 404
    assert missing.json()["errorCode"] == "WorkspaceNotFound"


def test_workspace_without_capacity_has_none(client):
    workspace_id = create_workspace(client, "No capacity")
    body = client.get(f"/workspaces/{workspace_id}").json()
    assert "capacityId" not in body


def test_assign_and_unassign_capacity(client, emu):
    workspace_id = create_workspace(client)
    assigned = client.post(
        f"/workspaces/{workspace_id}/assignToCapacity", json={"capacityId": emu.capacity_id}
    )
    assert assigned.status_code == 202
    assert client.get(f"/workspaces/{workspace_id}").json()["capacityId"] == emu.capacity_id
    assert client.post(f"/workspaces/{workspace_id}/unassignFromCapacity").status_code == 202
    assert "capacityId" not in client.get(f"/workspaces/{workspace_id}").json()


def test_unknown_capacity_is_refused(client):
    response = client.post(
        "/workspaces",
        json={"displayName": "X", "capacityId": "11111111-2222-3333-4444-555555555555"},
    )
    assert response.status_code == 404
    assert response.json()["errorCode"] == "CapacityNotFound"


def test_duplicate_workspace_name_conflicts(client):
    create_workspace(client, "Twice")
    response = client.post("/workspaces", json={"displayName": "twice"})
    assert response.status_code == 409
    assert response.json()["errorCode"] == "WorkspaceNameAlreadyExists"


def test_list_shows_only_workspaces_with_a_role(emu, client):
    create_workspace(client, "Admin's")
    with emu.client(token=emu.token_for(user="bob@contoso.com")) as bob:
        assert bob.get("/workspaces").json()["value"] == []
        own = create_workspace(bob, "Bob's")
        names = [w["displayName"] for w in bob.get("/workspaces").json()["value"]]
        assert names == ["Bob's"]
        assert bob.get("/workspaces", params={"roles": "Viewer"}).json()["value"] == []
        admin_ids = [
            w["id"] for w in bob.get("/workspaces", params={"roles": "Admin"}).json()["value"]
        ]
        assert admin_ids == [own]


def test_caller_without_a_role_gets_403(emu, client):
    workspace_id = create_workspace(client)
    with emu.client(token=emu.token_for(user="eve")) as eve:
        response = eve.get(f"/workspaces/{workspace_id}")
    assert response.status_code == 403
    assert response.json()["errorCode"] == "InsufficientPrivileges"


def _grant(client, workspace_id: str, principal: Principal, role: str):
    return client.post(
        f"/workspaces/{workspace_id}/roleAssignments",
        json={"principal": {"id": principal.id, "type": principal.type}, "role": role},
    )


def test_roles_gate_operations(emu, client):
    workspace_id = create_workspace(client)
    viewer = Principal.named("viewer@contoso.com")
    member = Principal.named("member@contoso.com")
    assert _grant(client, workspace_id, viewer, "Viewer").status_code == 201
    assert _grant(client, workspace_id, member, "Member").status_code == 201

    with emu.client(token=emu.token_for(user=viewer.name)) as as_viewer:
        assert as_viewer.get(f"/workspaces/{workspace_id}").status_code == 200
        assert as_viewer.get(f"/workspaces/{workspace_id}/items").status_code == 200
        denied = as_viewer.post(
            f"/workspaces/{workspace_id}/items", json={"displayName": "n", "type": "Notebook"}
        )
        assert denied.status_code == 403
        assert denied.json()["errorCode"] == "InsufficientPrivileges"
        assert as_viewer.get(f"/workspaces/{workspace_id}/roleAssignments").status_code == 403

    with emu.client(token=emu.token_for(user=member.name)) as as_member:
        assert as_member.get(f"/workspaces/{workspace_id}/roleAssignments").status_code == 200
        assert (
            as_member.patch(f"/workspaces/{workspace_id}", json={"description": "x"}).status_code
            == 403
        )
        # A member may grant Member or lower, never Admin.
        other = Principal.named("other@contoso.com")
        assert _grant(as_member, workspace_id, other, "Admin").status_code == 403
        assert _grant(as_member, workspace_id, other, "Contributor").status_code == 201


def test_service_principal_token_and_roles(emu, client):
    workspace_id = create_workspace(client)
    sp = Principal.named("ci-pipeline", "ServicePrincipal")
    assert _grant(client, workspace_id, sp, "Contributor").status_code == 201
    with emu.client(token=emu.token_for(service_principal="ci-pipeline")) as as_sp:
        assert as_sp.get(f"/workspaces/{workspace_id}").status_code == 200
        assert as_sp.delete(f"/workspaces/{workspace_id}").status_code == 403
    listed = client.get(f"/workspaces/{workspace_id}/roleAssignments").json()["value"]
    entry = next(a for a in listed if a["id"] == sp.id)
    assert entry["principal"]["type"] == "ServicePrincipal"
    assert entry["role"] == "Contributor"


def test_role_assignment_lifecycle(client):
    workspace_id = create_workspace(client)
    user = Principal.named("dana@contoso.com")
    created = _grant(client, workspace_id, user, "Viewer")
    assert created.status_code == 201
    assignment_id = created.json()["id"]
    assert _grant(client, workspace_id, user, "Viewer").status_code == 409
    base = f"/workspaces/{workspace_id}/roleAssignments/{assignment_id}"
    assert client.get(base).json()["role"] == "Viewer"
    assert client.patch(base, json={"role": "Member"}).json()["role"] == "Member"
    assert client.delete(base).status_code == 200
    gone = client.get(base)
    assert gone.status_code == 404
    assert gone.json()["errorCode"] == "WorkspaceRoleAssignmentNotFound"


def test_last_admin_cannot_be_removed(client, emu):
    workspace_id = create_workspace(client)
    admin_id = emu.state.admin.id
    response = client.delete(f"/workspaces/{workspace_id}/roleAssignments/{admin_id}")
    assert response.status_code == 400
    assert response.json()["errorCode"] == "WorkspaceMustHaveAtLeastOneAdmin"


def test_role_assignment_validation_names_field(client):
    workspace_id = create_workspace(client)
    response = client.post(
        f"/workspaces/{workspace_id}/roleAssignments",
        json={"principal": {"id": "not-a-guid", "type": "User"}, "role": "Viewer"},
    )
    assert response.status_code == 400
    assert "principal.id" in response.json()["moreDetails"][0]["message"]


def test_capacities_list_and_get(client, emu):
    listed = client.get("/capacities").json()["value"]
    assert [c["id"] for c in listed] == [emu.capacity_id]
    assert listed[0]["state"] == "Active"
    assert client.get(f"/capacities/{emu.capacity_id}").json() == listed[0]
    missing = client.get("/capacities/11111111-2222-3333-4444-555555555555")
    assert missing.json()["errorCode"] == "CapacityNotFound"


def test_the_admin_adds_a_capacity_that_workspaces_can_use(client, emu):
    response = client.post("http://localhost/_emulator/capacities", json={"displayName": "Two"})
    assert response.status_code == 201
    added = response.json()
    assert added["displayName"] == "Two" and added["state"] == "Active" and added["sku"] == "F2"
    listed = client.get("/capacities").json()["value"]
    assert [c["id"] for c in listed] == [emu.capacity_id, added["id"]]
    workspace = client.post(
        "/workspaces", json={"displayName": "On two", "capacityId": added["id"]}
    )
    assert workspace.json()["capacityId"] == added["id"]
    nameless = client.post("http://localhost/_emulator/capacities", json={})
    assert nameless.status_code == 400


def test_pagination_follows_continuation_uri(clock):
    with Emulator(EmulatorConfig(clock=clock, page_size=2)) as emu, emu.client() as client:
        created = [create_workspace(client, f"W{i}") for i in range(5)]
        seen: list[str] = []
        url: str | None = "/workspaces"
        pages = 0
        while url:
            body = client.get(url).json()
            seen.extend(w["id"] for w in body["value"])
            pages += 1
            url = body.get("continuationUri")
            if url:
                assert url.startswith("http://localhost/v1/workspaces?continuationToken=")
                assert body["continuationToken"] in url
        assert seen == created
        assert pages == 3


def test_bad_continuation_token(client):
    response = client.get("/workspaces", params={"continuationToken": "garbage!"})
    assert response.status_code == 400
    assert response.json()["errorCode"] == "InvalidContinuationToken"
