"""Connection settings and branch changes, workspace relations, Update Item Logical Id, the Git
outbound policy and Discover Git Connections over HTTP (docs/git-integration-rules.md)."""

from __future__ import annotations

import uuid

import pytest

from emulator.git.git_support import Env, error_code
from fabric_git.emulator.auth import Principal

ALICE = Principal.named("alice@contoso.com")


def _settings_put(env: Env, **values: object) -> None:
    response = env.client.put("http://localhost/_emulator/settings", json=values)
    assert response.status_code == 200, response.text


def _settings(env: Env, ws: str, client=None):  # type: ignore[no-untyped-def]
    return (client or env.client).get(f"/workspaces/{ws}/git/connectionSettings")


# --- connection settings ------------------------------------------------------------------


def test_settings_default_to_none_and_need_a_connection(env: Env) -> None:
    ws = env.workspace()
    env.repo()
    assert error_code(_settings(env, ws)) == "WorkspaceNotConnectedToGit"
    patch = env.client.patch(
        f"/workspaces/{ws}/git/connectionSettings",
        json={"additionalRolesAuthorizedToChangeBranch": "MemberAndContributor"},
    )
    assert error_code(patch) == "WorkspaceNotConnectedToGit"
    assert env.connect(ws).status_code == 200
    assert _settings(env, ws).json() == {"additionalRolesAuthorizedToChangeBranch": "None"}


def test_settings_roles_contributor_reads_admin_writes(env: Env) -> None:
    ws = env.workspace()
    env.repo()
    assert env.connect(ws).status_code == 200
    alice = env.client_for(ALICE, role="Contributor", ws=ws)
    assert _settings(env, ws, alice).status_code == 200
    body = {"additionalRolesAuthorizedToChangeBranch": "MemberAndContributor"}
    denied = alice.patch(f"/workspaces/{ws}/git/connectionSettings", json=body)
    assert denied.status_code == 403 and error_code(denied) == "InsufficientPrivileges"
    done = env.client.patch(f"/workspaces/{ws}/git/connectionSettings", json=body)
    assert done.status_code == 200 and done.json() == body
    kept = env.client.patch(f"/workspaces/{ws}/git/connectionSettings", json={})
    assert kept.json() == body
    bad = env.client.patch(
        f"/workspaces/{ws}/git/connectionSettings",
        json={"additionalRolesAuthorizedToChangeBranch": "Everyone"},
    )
    assert error_code(bad) == "InvalidInput"


def _branch(env: Env, name: str) -> None:
    repo = env.state.repos.get(env.repo_key)
    repo.commit(
        name,
        expected_tip=None,
        changes={"README.md": b"x\n"},
        message="branch",
        author=("Dev", "dev@example.com"),
    )


def test_a_contributor_changes_the_branch_only_when_the_settings_allow_it(env: Env) -> None:
    ws = env.workspace()
    env.repo()
    _branch(env, "feature")
    assert env.connect(ws).status_code == 200
    alice = env.client_for(ALICE, role="Contributor", ws=ws)
    refused = alice.post(f"/workspaces/{ws}/git/disconnect")
    assert refused.status_code == 403
    env.client.patch(
        f"/workspaces/{ws}/git/connectionSettings",
        json={"additionalRolesAuthorizedToChangeBranch": "MemberAndContributor"},
    )
    assert alice.post(f"/workspaces/{ws}/git/disconnect").status_code == 200
    details = {
        "gitProviderType": "AzureDevOps",
        "organizationName": "contoso",
        "projectName": "analytics",
        "repositoryName": "fabric",
        "branchName": "feature",
        "directoryName": "",
    }
    elsewhere = alice.post(
        f"/workspaces/{ws}/git/connect",
        json={"gitProviderDetails": {**details, "directoryName": "other"}},
    )
    assert elsewhere.status_code == 403
    connected = alice.post(f"/workspaces/{ws}/git/connect", json={"gitProviderDetails": details})
    assert connected.status_code == 200, connected.text
    got = env.client.get(f"/workspaces/{ws}/git/connection").json()
    assert got["gitProviderDetails"]["branchName"] == "feature"
    # The settings carried over to the new branch.
    assert _settings(env, ws).json()["additionalRolesAuthorizedToChangeBranch"] == (
        "MemberAndContributor"
    )


def test_a_contributor_may_not_connect_a_workspace_never_connected(env: Env) -> None:
    ws = env.workspace()
    env.repo()
    alice = env.client_for(ALICE, role="Contributor", ws=ws)
    details = {
        "gitProviderType": "AzureDevOps",
        "organizationName": "contoso",
        "projectName": "analytics",
        "repositoryName": "fabric",
        "branchName": "main",
        "directoryName": "",
    }
    response = alice.post(f"/workspaces/{ws}/git/connect", json={"gitProviderDetails": details})
    assert response.status_code == 403


# --- workspace relations ------------------------------------------------------------------


def _relate(env: Env, ws: str, related: str, kind: str = "Base", client=None):  # type: ignore[no-untyped-def]
    return (client or env.client).post(
        f"/workspaces/{ws}/git/workspaceRelations",
        json={"relatedWorkspaceId": related, "relationType": kind},
    )


def test_a_relation_is_listed_from_both_sides(env: Env) -> None:
    base, branch = env.workspace("base"), env.workspace("branch")
    created = _relate(env, branch, base)
    assert created.status_code == 201, created.text
    relation = created.json()
    assert relation["workspaceId"] == branch and relation["relatedWorkspaceId"] == base
    assert relation["relationType"] == "Base"
    seen = env.client.get(f"/workspaces/{base}/git/workspaceRelations").json()["value"]
    assert seen == [
        {
            "id": relation["id"],
            "workspaceId": base,
            "relatedWorkspaceId": branch,
            "relationType": "Branch",
        }
    ]


def test_a_branch_workspace_has_one_base_and_no_cycle(env: Env) -> None:
    a, b, c = env.workspace("a"), env.workspace("b"), env.workspace("c")
    assert _relate(env, a, b, "Branch").status_code == 201  # a -> b
    assert error_code(_relate(env, b, c)) == "BranchWorkspaceAlreadyHasBase"
    assert error_code(_relate(env, c, b, "Branch")) == "BranchWorkspaceAlreadyHasBase"
    assert _relate(env, c, b).status_code == 201  # a -> b -> c
    assert error_code(_relate(env, a, c)) == "WorkspaceRelationCycle"
    assert error_code(_relate(env, a, a)) == "InvalidInput"


def test_relation_roles(env: Env) -> None:
    base, branch = env.workspace("base"), env.workspace("branch")
    alice = env.client_for(ALICE, role="Admin", ws=branch)
    # Admin on the branch, but no role on the base: refused.
    assert _relate(env, branch, base, client=alice).status_code == 403
    env.client.post(
        f"/workspaces/{base}/roleAssignments",
        json={"principal": {"id": ALICE.id, "type": "User"}, "role": "Contributor"},
    )
    created = _relate(env, branch, base, client=alice)
    assert created.status_code == 201
    # A Contributor on the base may not delete the relation from the base's side.
    relation_id = created.json()["id"]
    denied = alice.delete(f"/workspaces/{base}/git/workspaceRelations/{relation_id}")
    assert denied.status_code == 403
    viewer = Principal.named("viewer@contoso.com")
    reader = env.client_for(viewer, role="Viewer", ws=branch)
    assert reader.get(f"/workspaces/{branch}/git/workspaceRelations").status_code == 200
    assert (
        alice.delete(f"/workspaces/{branch}/git/workspaceRelations/{relation_id}").status_code
        == 200
    )
    assert env.client.get(f"/workspaces/{base}/git/workspaceRelations").json()["value"] == []


def test_deleting_either_workspace_or_disconnecting_removes_the_relation(env: Env) -> None:
    base, branch, gone = env.workspace("base"), env.workspace("branch"), env.workspace("gone")
    assert _relate(env, branch, base).status_code == 201
    assert _relate(env, gone, base).status_code == 201
    assert env.client.delete(f"/workspaces/{gone}").status_code == 200
    listed = env.client.get(f"/workspaces/{base}/git/workspaceRelations").json()["value"]
    assert [r["relatedWorkspaceId"] for r in listed] == [branch]
    env.repo()
    assert env.connect(branch).status_code == 200
    assert env.client.post(f"/workspaces/{branch}/git/disconnect").status_code == 200
    assert env.client.get(f"/workspaces/{base}/git/workspaceRelations").json()["value"] == []


def test_deleting_a_relation_of_another_workspace_is_not_found(env: Env) -> None:
    a, b, c = env.workspace("a"), env.workspace("b"), env.workspace("c")
    relation_id = _relate(env, a, b).json()["id"]
    response = env.client.delete(f"/workspaces/{c}/git/workspaceRelations/{relation_id}")
    assert response.status_code == 404 and error_code(response) == "WorkspaceRelationNotFound"


# --- logical id ---------------------------------------------------------------------------


def _set_logical_id(env: Env, ws: str, item: str, value: str):  # type: ignore[no-untyped-def]
    return env.client.patch(f"/workspaces/{ws}/items/{item}/logicalId", json={"logicalId": value})


def test_update_logical_id_and_its_checks(env: Env) -> None:
    ws = env.workspace()
    first, second = env.item(ws, "One"), env.item(ws, "Two")
    new = str(uuid.uuid4())
    done = _set_logical_id(env, ws, first, new)
    assert done.status_code == 200 and done.json() == {"logicalId": new}
    assert env.items(ws)["One"].logical_id == new
    assert error_code(_set_logical_id(env, ws, second, new.upper())) == "DuplicateLogicalId"
    empty = _set_logical_id(env, ws, second, "00000000-0000-0000-0000-000000000000")
    assert error_code(empty) == "InvalidInput"
    assert error_code(_set_logical_id(env, ws, second, "not-a-guid")) == "InvalidInput"
    missing = _set_logical_id(env, ws, str(uuid.uuid4()), new)
    assert missing.status_code == 404 and error_code(missing) == "ItemNotFound"


def test_update_logical_id_is_refused_while_a_git_operation_runs(env: Env) -> None:
    ws = env.workspace()
    env.repo()
    item = env.item(ws, "One")
    env.connected(ws)
    _settings_put(env, lroMode="async", lroDuration=600)
    started = env.client.post(f"/workspaces/{ws}/git/commitToGit", json={"mode": "All"})
    assert started.status_code == 202
    refused = _set_logical_id(env, ws, item, str(uuid.uuid4()))
    assert refused.status_code == 400
    assert error_code(refused) == "WorkspacePreviousOperationInProgress"


# --- Git outbound policy ------------------------------------------------------------------


def test_outbound_policy_allows_by_default_and_deny_stops_git(env: Env) -> None:
    ws = env.workspace()
    env.repo()
    env.item(ws, "One")
    env.connected(ws)
    path = f"/workspaces/{ws}/networking/communicationPolicy/outbound/git"
    got = env.client.get(path)
    assert got.json() == {"defaultAction": "Allow"} and got.headers["ETag"]
    stale = env.client.put(path, json={"defaultAction": "Deny"}, headers={"If-Match": '"x"'})
    assert stale.status_code == 412
    denied = env.client.put(
        path, json={"defaultAction": "Deny"}, headers={"If-Match": got.headers["ETag"]}
    )
    assert denied.status_code == 200
    assert env.client.get(path).json() == {"defaultAction": "Deny"}
    status = env.client.get(f"/workspaces/{ws}/git/status")
    assert error_code(status) == "GitOutboundAccessDenied"
    assert env.client.put(path, json={}).status_code == 200
    assert env.client.get(path).json() == {"defaultAction": "Allow"}
    assert env.client.get(f"/workspaces/{ws}/git/status").status_code == 200


def test_outbound_policy_roles(env: Env) -> None:
    ws = env.workspace()
    path = f"/workspaces/{ws}/networking/communicationPolicy/outbound/git"
    viewer = env.client_for(ALICE, role="Viewer", ws=ws)
    assert viewer.get(path).status_code == 200
    assert viewer.put(path, json={"defaultAction": "Deny"}).status_code == 403
    assert error_code(env.client.put(path, json={"defaultAction": "Maybe"})) == "InvalidInput"


# --- discovery ----------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", [1, 100])
def test_discovery_pages_every_connection_for_a_tenant_admin(env: Env, page_size: int) -> None:
    env.repo()
    connected = sorted(env.workspace(f"ws{i}") for i in range(3))
    for ws in connected:
        assert env.connect(ws).status_code == 200
    env.workspace("not connected")
    _settings_put(env, pageSize=page_size)
    token = env.emu.token_for(user="fabric-admin@contoso.com", tenant_admin=True)
    seen: list[str] = []
    pages = 0
    with env.emu.client(token) as admin:
        url: str | None = "/admin/workspaces/discoverGitConnections"
        while url:
            page = admin.get(url).json()
            pages += 1
            seen.extend(entry["workspaceId"] for entry in page["value"])
            assert all(e["gitProviderDetails"]["repositoryName"] == "fabric" for e in page["value"])
            url = page.get("continuationUri")
    assert seen == connected
    assert pages == (3 if page_size == 1 else 1)


def test_discovery_needs_a_tenant_admin_or_a_service_principal(env: Env) -> None:
    user = env.emu.token_for(user="someone@contoso.com")
    with env.emu.client(user) as client:
        refused = client.get("/admin/workspaces/discoverGitConnections")
    assert refused.status_code == 403 and error_code(refused) == "InsufficientPrivileges"
    app = env.emu.token_for(service_principal="deployer")
    with env.emu.client(app) as client:
        assert client.get("/admin/workspaces/discoverGitConnections").status_code == 200
