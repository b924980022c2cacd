"""Git integration over HTTP against the in-process emulator (operations answer at once)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from emulator.git.git_support import Env, error_code, item_files, platform
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend.git import access, records
from fabric_git.emulator.errors import EmulatorError
from fabric_git.emulator.gitrepo.layout import PLATFORM_SCHEMA_URL, ZERO_GUID

LID_A = "0a0a0a0a-0000-4000-8000-00000000000a"
LID_B = "0b0b0b0b-0000-4000-8000-00000000000b"


# --- connect, get connection, disconnect ------------------------------------------------------


def test_get_connection_before_and_after_connect(env: Env) -> None:
    ws = env.workspace()
    env.repo(directories=["fabric"])
    assert env.client.get(f"/workspaces/{ws}/git/connection").json() == {
        "gitProviderDetails": None,
        "gitSyncDetails": None,
        "gitConnectionState": "NotConnected",
    }
    assert env.connect(ws, directory="/fabric/").status_code == 200
    body = env.client.get(f"/workspaces/{ws}/git/connection").json()
    assert list(body["gitProviderDetails"]) == [
        "organizationName",
        "projectName",
        "gitProviderType",
        "repositoryName",
        "branchName",
        "directoryName",
    ]
    assert body["gitProviderDetails"]["directoryName"] == "/fabric/"
    assert body["gitConnectionState"] == "Connected"
    assert body["gitConnectionType"] == "Full"
    assert body["gitSyncDetails"] is None
    init = env.initialize(ws).json()
    assert init["requiredAction"] == "None"
    body = env.client.get(f"/workspaces/{ws}/git/connection").json()
    assert body["gitConnectionState"] == "ConnectedAndInitialized"
    assert body["gitSyncDetails"]["head"] == init["workspaceHead"] == init["remoteCommitHash"]
    assert body["gitSyncDetails"]["lastSyncTime"].endswith("Z")


def test_connect_refusals(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    no_capacity = env.workspace("bare", capacity=False)
    assert error_code(env.connect(no_capacity)) == "WorkspaceHasNoCapacityAssigned"
    assert error_code(env.connect(ws, branch="nope")) == "GitProviderResourceNotFound"
    assert env.connect(ws, branch="nope").status_code == 404
    assert error_code(env.connect(ws, directory="a/b:c")) == "InvalidGitDirectoryName"
    assert error_code(env.connect(ws, directory=" lead")) == "InvalidGitDirectoryName"
    assert env.connect(ws).status_code == 200
    assert error_code(env.connect(ws)) == "WorkspaceAlreadyConnectedToGit"
    other = env.workspace("other")
    response = env.client.post(
        f"/workspaces/{other}/git/connect",
        json={
            "gitProviderDetails": {
                "gitProviderType": "AzureDevOps",
                "organizationName": "contoso",
                "projectName": "analytics",
                "repositoryName": "missing",
                "branchName": "main",
                "directoryName": "",
            }
        },
    )
    assert response.status_code == 404
    assert error_code(response) == "GitProviderResourceNotFound"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("repositoryName", "bad$name"),
        ("repositoryName", "fabric.git"),
        ("projectName", "a/b"),
        ("organizationName", "trailing."),
    ],
)
def test_a_repository_name_no_provider_could_host_is_not_found(
    env: Env, field: str, value: str
) -> None:
    ws = env.workspace()
    details = {
        "gitProviderType": "AzureDevOps",
        "organizationName": "contoso",
        "projectName": "analytics",
        "repositoryName": "fabric",
        "branchName": "main",
        "directoryName": "",
        field: value,
    }
    response = env.client.post(
        f"/workspaces/{ws}/git/connect", json={"gitProviderDetails": details}
    )
    assert response.status_code == 404, response.text
    body = response.json()
    assert body["errorCode"] == "GitProviderResourceNotFound"
    assert field in body["message"]
    assert body["moreDetails"][0]["message"].startswith(f"{field}: ")


def test_a_stored_connection_with_an_empty_owner_is_not_found() -> None:
    record = records.GitConnectionRecord(
        workspace_id="ws",
        provider_type="GitHub",
        owner_name="",
        organization_name=None,
        project_name=None,
        custom_domain_name=None,
        repository_name="repo",
        branch_name="main",
        directory_name="",
        state=records.INITIALIZED,
    )
    with pytest.raises(EmulatorError) as raised:
        access.repo_key(record)
    assert raised.value.status == 404
    assert raised.value.error_code == "GitProviderResourceNotFound"
    assert "ownerName" in raised.value.message


def test_github_automatic_credentials_are_not_supported(env: Env) -> None:
    ws = env.workspace()
    response = env.client.post(
        f"/workspaces/{ws}/git/connect",
        json={
            "gitProviderDetails": {
                "gitProviderType": "GitHub",
                "ownerName": "octo",
                "repositoryName": "repo",
                "branchName": "main",
                "directoryName": "",
            },
            "myGitCredentials": {"source": "Automatic"},
        },
    )
    assert response.status_code == 403
    assert error_code(response) == "PrincipalTypeNotSupported"


def test_roles_and_principal_types(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    contributor = env.client_for(Principal.named("carol"), role="Contributor", ws=ws)
    response = contributor.post(
        f"/workspaces/{ws}/git/connect",
        json={"gitProviderDetails": {"gitProviderType": "AzureDevOps"}},
    )
    assert response.status_code == 403 and error_code(response) == "InsufficientPrivileges"
    viewer = env.client_for(Principal.named("vic"), role="Viewer", ws=ws)
    assert error_code(viewer.get(f"/workspaces/{ws}/git/connection")) == "InsufficientPrivileges"
    robot = Principal.named("robot", "ServicePrincipal")
    sp = env.client_for(robot, role="Admin", ws=ws)
    details = {
        "gitProviderType": "AzureDevOps",
        "organizationName": "contoso",
        "projectName": "analytics",
        "repositoryName": "fabric",
        "branchName": "main",
        "directoryName": "",
    }
    response = sp.post(f"/workspaces/{ws}/git/connect", json={"gitProviderDetails": details})
    assert error_code(response) == "PrincipalTypeNotSupported"
    # A contributor can read the connection once it exists, and has Automatic credentials.
    env.connected(ws)
    assert contributor.get(f"/workspaces/{ws}/git/connection").status_code == 200
    creds = contributor.get(f"/workspaces/{ws}/git/myGitCredentials")
    assert creds.json() == {"source": "Automatic"}
    assert error_code(contributor.post(f"/workspaces/{ws}/git/disconnect")) == (
        "InsufficientPrivileges"
    )


def test_repository_requiring_a_pat_refuses_automatic_credentials(env: Env) -> None:
    env.repo(required_pat="s3cret-pat")
    ws = env.workspace()
    response = env.connect(ws)
    assert error_code(response) == "GitProviderAuthenticationFailed"
    assert "s3cret" not in response.text


def test_directory_with_subfolders_but_no_items(env: Env) -> None:
    env.repo()
    env.push({"docs/guide/readme.md": b"hello"})
    ws = env.workspace()
    assert error_code(env.connect(ws, directory="docs")) == "GitDirectoryHasNoItems"
    # A directory the branch lacks: 404 as Fabric's API answers, unless the emulator's
    # settings choose the portal's "Create and sync" (the first commit creates it).
    missing = env.connect(ws, directory="new-folder")
    assert missing.status_code == 404 and error_code(missing) == "GitProviderResourceNotFound"
    assert "new-folder" in missing.json()["message"]
    assert (
        env.client.get("/workspaces/" + ws + "/git/connection").json()["gitConnectionState"]
        == "NotConnected"
    )
    settings = env.emu.url.removesuffix("/v1") + "/_emulator/settings"
    changed = env.client.put(settings, json={"missingDirectory": "create"})
    assert changed.status_code == 200 and changed.json()["missingDirectory"] == "create"
    assert error_code(env.client.put(settings, json={"missingDirectory": "maybe"})) == (
        "InvalidInput"
    )
    assert env.connect(ws, directory="new-folder").status_code == 200


def test_disconnect_keeps_items_and_logical_ids(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    item = env.item(ws, "nb")
    env.connected(ws)
    assert env.commit(ws).status_code == 200
    logical_id = env.items(ws)["nb"].logical_id
    assert logical_id
    assert env.client.post(f"/workspaces/{ws}/git/disconnect").status_code == 200
    assert error_code(env.client.post(f"/workspaces/{ws}/git/disconnect")) == (
        "WorkspaceNotConnectedToGit"
    )
    assert env.items(ws)["nb"].id == item
    assert env.items(ws)["nb"].logical_id == logical_id
    state = env.client.get(f"/workspaces/{ws}/git/connection").json()["gitConnectionState"]
    assert state == "NotConnected"


# --- initialize ---------------------------------------------------------------------------------


def test_initialize_decisions(env: Env) -> None:
    env.repo()
    empty = env.workspace("empty")
    with_items = env.workspace("with-items")
    env.item(with_items, "local")
    env.connect(empty)
    env.connect(with_items)
    assert env.initialize(with_items).json()["requiredAction"] == "CommitToGit"
    assert error_code(env.initialize(with_items)) == "WorkspaceGitConnectionAlreadyInitialized"
    assert env.commit(with_items).status_code == 200
    # Git now has an item: an empty workspace must update, one with content must choose.
    init = env.initialize(empty).json()
    assert init["requiredAction"] == "UpdateFromGit"
    assert "workspaceHead" in init and init["workspaceHead"] is None
    assert init["remoteCommitHash"] == env.tip()
    assert env.status(empty)["workspaceHead"] == ""
    both = env.workspace("both")
    env.item(both, "mine")
    env.connect(both)
    response = env.initialize(both)
    assert response.status_code == 400
    assert error_code(response) == "MissingInitializationPolicy"
    assert error_code(env.initialize(both, "None")) == "MissingInitializationPolicy"
    assert env.initialize(both, "PreferRemote").json()["requiredAction"] == "UpdateFromGit"


def test_initialize_takes_logical_ids_by_name_and_type(env: Env) -> None:
    env.repo()
    env.push(item_files("nb.Notebook", LID_A, "nb", b"# git\n"))
    ws = env.workspace()
    item = env.item(ws, "nb")
    env.connect(ws)
    init = env.initialize(ws, "PreferRemote").json()
    assert init["requiredAction"] == "UpdateFromGit"
    assert env.items(ws)["nb"].logical_id == LID_A
    status = env.status(ws)
    assert status["workspaceHead"] == ""
    (change,) = status["changes"]
    assert change["itemMetadata"]["itemIdentifier"] == {"logicalId": LID_A, "objectId": item}
    assert change["conflictType"] == "Conflict"
    assert error_code(env.commit(ws)) == "WorkspaceUpdateRequired"
    # The first update after PreferRemote overwrites the workspace: no policy needed.
    assert env.update(ws, remoteCommitHash=init["remoteCommitHash"]).status_code == 200
    assert env.parts(item) == {"notebook-content.py": b"# git\n"}
    assert env.status(ws)["changes"] == []


def test_operations_need_initialization_and_a_connection(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    assert error_code(env.client.get(f"/workspaces/{ws}/git/status")) == (
        "WorkspaceNotConnectedToGit"
    )
    env.connect(ws)
    assert error_code(env.client.get(f"/workspaces/{ws}/git/status")) == (
        "WorkspaceGitConnectionNotInitialized"
    )


# --- status, commit, update -----------------------------------------------------------------------


def test_commit_all_writes_the_fabric_format(env: Env) -> None:
    env.repo(directories=["fabric"])
    ws = env.workspace()
    lakehouse = env.item(ws, "lake", {"lakehouse.metadata.json": b"{}"}, type="Lakehouse")
    notebook = env.item(
        ws,
        "nb",
        {"notebook-content.py": f'lake = "{lakehouse}"\nws = "{ws}"\n'.encode()},
        folder=("etl", "daily"),
    )
    init = env.connected(ws, directory="fabric")
    assert init["requiredAction"] == "CommitToGit"
    status = env.status(ws)
    assert status["workspaceHead"] == init["workspaceHead"]
    by_name = {c["itemMetadata"]["displayName"]: c for c in status["changes"]}
    assert by_name["nb"] == {
        "itemMetadata": {
            "itemIdentifier": {"objectId": notebook},
            "itemType": "Notebook",
            "displayName": "nb",
        },
        "workspaceChange": "Added",
        "conflictType": "None",
    }
    assert env.commit(ws, workspaceHead=status["workspaceHead"], comment="first").status_code == 200
    items = env.items(ws)
    lake_lid, nb_lid = items["lake"].logical_id, items["nb"].logical_id
    assert lake_lid and nb_lid and lake_lid != nb_lid
    files = env.files("fabric")
    platform_file = files["fabric/etl/daily/nb.Notebook/.platform"]
    assert platform_file == platform(nb_lid, "nb")
    content = files["fabric/etl/daily/nb.Notebook/notebook-content.py"].decode()
    assert content == f'lake = "{lake_lid}"\nws = "{ZERO_GUID}"\n'
    assert "fabric/lake.Lakehouse/lakehouse.metadata.json" in files
    after = env.status(ws)
    assert after["changes"] == []
    assert after["workspaceHead"] == after["remoteCommitHash"] != init["workspaceHead"]
    assert env.parts(notebook)["notebook-content.py"].decode().startswith(f'lake = "{lakehouse}"')
    connection = env.client.get(f"/workspaces/{ws}/git/connection").json()
    assert connection["gitSyncDetails"]["head"] == after["workspaceHead"]


def test_commit_refusals(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    first = env.item(ws, "first")
    env.item(ws, "second")
    env.connected(ws)
    assert error_code(env.commit(ws, workspaceHead="0" * 40)) == "WorkspaceHeadMismatch"
    assert error_code(env.commit(ws, mode="Selective", items=[])) == "NoItemsSelected"
    unknown = {"objectId": "0c0c0c0c-0000-4000-8000-00000000000c"}
    assert error_code(env.commit(ws, mode="Selective", items=[unknown])) == "ItemNotFound"
    assert error_code(env.commit(ws, comment="x" * 301)) == "InvalidInput"
    assert error_code(env.commit(ws, mode="Sometimes")) == "InvalidInput"
    selective = env.commit(ws, mode="Selective", items=[{"objectId": first}])
    assert selective.status_code == 200
    remaining = [c["itemMetadata"]["displayName"] for c in env.status(ws)["changes"]]
    assert remaining == ["second"]
    assert env.commit(ws).status_code == 200
    assert error_code(env.commit(ws)) == "NoChangesToCommit"


def test_selective_commit_while_git_has_changes_names_the_items_to_update(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    mine = env.item(ws, "mine")
    clash = env.item(ws, "clash")
    env.item(ws, "theirs")
    env.connected(ws)
    assert env.commit(ws).status_code == 200
    env.push(
        {
            "theirs.Notebook/notebook-content.py": b"# edited in git\n",
            "clash.Notebook/notebook-content.py": b"# git side\n",
            **item_files("added.Notebook", LID_A, "added", b"# added in git\n"),
        }
    )
    env.set_parts(mine, {"notebook-content.py": b"# mine, edited\n"})
    env.set_parts(clash, {"notebook-content.py": b"# workspace side\n"})
    # The selected item has no change in Git, but the branch does: update first.
    response = env.commit(ws, mode="Selective", items=[{"objectId": mine}])
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["errorCode"] == "WorkspaceUpdateRequired"
    message = body["message"]
    assert message.startswith("Run Update From Git first, then commit: 3 items have changes")
    for name in ("'added' (Notebook)", "'clash' (Notebook)", "'theirs' (Notebook)"):
        assert name in message
    assert "'mine'" not in message
    assert sorted(d["message"] for d in body["moreDetails"]) == [
        "'added' (Notebook) was added in Git.",
        "'clash' (Notebook) was modified in Git and conflicts with the workspace's change.",
        "'theirs' (Notebook) was modified in Git.",
    ]


def test_remote_change_then_update(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    item = env.item(ws, "nb")
    env.connected(ws)
    env.commit(ws)
    lid = env.items(ws)["nb"].logical_id
    env.push({"nb.Notebook/notebook-content.py": b"# changed in git\n"})
    status = env.status(ws)
    (change,) = status["changes"]
    assert change == {
        "itemMetadata": {
            "itemIdentifier": {"logicalId": lid, "objectId": item},
            "itemType": "Notebook",
            "displayName": "nb",
        },
        "remoteChange": "Modified",
        "conflictType": "None",
    }
    assert error_code(env.commit(ws)) == "WorkspaceUpdateRequired"
    stale = env.update(ws, remoteCommitHash=status["workspaceHead"])
    assert error_code(stale) == "RemoteCommitHashMismatch"
    assert error_code(env.update(ws, workspaceHead="1" * 40)) == "WorkspaceHeadMismatch"
    response = env.update(
        ws, remoteCommitHash=status["remoteCommitHash"], workspaceHead=status["workspaceHead"]
    )
    assert response.status_code == 200, response.text
    assert env.parts(item) == {"notebook-content.py": b"# changed in git\n"}
    after = env.status(ws)
    assert after["changes"] == [] and after["workspaceHead"] == status["remoteCommitHash"]


def test_update_creates_deletes_and_mirrors_folders(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    doomed = env.item(ws, "doomed")
    env.connected(ws)
    env.commit(ws)
    ref_target = LID_A
    pipeline = json.dumps({"notebookId": ref_target, "workspaceId": ZERO_GUID}).encode()
    env.push(
        {
            "doomed.Notebook/.platform": None,
            "doomed.Notebook/notebook-content.py": None,
            **item_files("reports/monthly/new.Notebook", LID_A, "new", b"# new\n"),
            "reports/run.DataPipeline/.platform": platform(LID_B, "run", "DataPipeline"),
            "reports/run.DataPipeline/pipeline-content.json": pipeline,
        }
    )
    kinds = {
        c["itemMetadata"]["displayName"]: (
            c.get("remoteChange"),
            c["itemMetadata"]["itemIdentifier"],
        )
        for c in env.status(ws)["changes"]
    }
    assert kinds["doomed"][0] == "Deleted" and "objectId" in kinds["doomed"][1]
    assert kinds["new"] == ("Added", {"logicalId": LID_A})
    assert env.update(ws).status_code == 200
    items = env.items(ws)
    assert "doomed" not in items and doomed not in {i.id for i in items.values()}
    created = items["new"]
    assert created.logical_id == LID_A
    from fabric_git.emulator.backend import folders

    with env.state.store.read() as conn:
        assert folders.folder_path(conn, created.folder_id) == ("reports", "monthly")
    resolved = json.loads(env.parts(items["run"].id)["pipeline-content.json"])
    assert resolved == {"notebookId": created.id, "workspaceId": ws}
    assert env.status(ws)["changes"] == []


def test_update_applies_names_swapped_and_passed_on_in_git(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    alpha, beta, gamma = (env.item(ws, name) for name in ("alpha", "beta", "gamma"))
    env.connected(ws)
    assert env.commit(ws).status_code == 200
    lids = {name: env.items(ws)[name].logical_id for name in ("alpha", "beta", "gamma")}
    # In Git: alpha and beta swap names, gamma becomes delta and a new item takes "gamma".
    env.push(
        {
            "alpha.Notebook/.platform": platform(lids["alpha"], "beta"),
            "beta.Notebook/.platform": platform(lids["beta"], "alpha"),
            "gamma.Notebook/.platform": platform(lids["gamma"], "delta"),
            **item_files("new.Notebook", LID_A, "gamma", b"# new gamma\n"),
        }
    )
    response = env.update(ws)
    assert response.status_code == 200, response.text
    items = env.items(ws)
    assert {name: record.id for name, record in items.items() if name != "gamma"} == {
        "beta": alpha,
        "alpha": beta,
        "delta": gamma,
    }
    assert items["gamma"].logical_id == LID_A
    assert env.parts(items["gamma"].id) == {"notebook-content.py": b"# new gamma\n"}
    assert env.status(ws)["changes"] == []


def labelled_platform(label: str, name: str = "Sales") -> bytes:
    document = {
        "$schema": PLATFORM_SCHEMA_URL,
        "metadata": {
            "type": "Notebook",
            "displayName": name,
            "sensitivityLabelId": label,
            "creationPayload": {"defaultCollation": "Latin1_General_100_CI_AS_KS_WS_SC_UTF8"},
            "x-future": [1, True],
        },
        "config": {"version": "2.0", "logicalId": LID_A},
    }
    return json.dumps(document, indent=2).encode()


def test_platform_metadata_from_git_survives_update_and_commit(env: Env) -> None:
    from fabric_git.emulator.backend import items

    env.repo()
    ws = env.workspace()
    env.connected(ws)
    first = labelled_platform("label-1")
    env.push({"Sales.Notebook/.platform": first, "Sales.Notebook/notebook-content.py": b"# 1\n"})
    assert env.update(ws).status_code == 200
    assert env.status(ws)["changes"] == []  # the stored metadata matches Git's
    item = env.items(ws)["Sales"].id
    env.set_parts(item, {"notebook-content.py": b"# 2\n"})
    assert env.commit(ws).status_code == 200
    assert env.files()["Sales.Notebook/.platform"] == first
    assert env.files()["Sales.Notebook/notebook-content.py"] == b"# 2\n"
    # A label changed in Git is an incoming change, applied by the update.
    env.push({"Sales.Notebook/.platform": labelled_platform("label-2")})
    (change,) = env.status(ws)["changes"]
    assert change["remoteChange"] == "Modified" and "workspaceChange" not in change
    assert env.update(ws).status_code == 200
    with env.state.store.write() as conn:
        items.update_item(conn, item, display_name="Sales renamed")
    assert env.commit(ws).status_code == 200
    assert env.files()["Sales.Notebook/.platform"] == labelled_platform("label-2", "Sales renamed")


def test_conflicts_and_policies(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    item = env.item(ws, "nb")
    env.connected(ws)
    env.commit(ws)
    env.push({"nb.Notebook/notebook-content.py": b"# git side\n"})
    env.set_parts(item, {"notebook-content.py": b"# workspace side\n"})
    (change,) = env.status(ws)["changes"]
    assert (change["workspaceChange"], change["remoteChange"], change["conflictType"]) == (
        "Modified",
        "Modified",
        "Conflict",
    )
    assert list(change) == ["itemMetadata", "remoteChange", "workspaceChange", "conflictType"]
    assert error_code(env.update(ws)) == "MissingWorkspaceConflictResolution"
    keep = {"conflictResolutionType": "Workspace", "conflictResolutionPolicy": "PreferWorkspace"}
    assert env.update(ws, conflictResolution=keep).status_code == 200
    assert env.parts(item) == {"notebook-content.py": b"# workspace side\n"}
    (change,) = env.status(ws)["changes"]
    assert change["workspaceChange"] == "Modified" and "remoteChange" not in change
    assert env.commit(ws).status_code == 200
    assert env.files()["nb.Notebook/notebook-content.py"] == b"# workspace side\n"


def test_prefer_remote_takes_git_content(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    item = env.item(ws, "nb")
    env.connected(ws)
    env.commit(ws)
    env.push({"nb.Notebook/notebook-content.py": b"# git side\n"})
    env.set_parts(item, {"notebook-content.py": b"# workspace side\n"})
    take = {"conflictResolutionType": "Workspace", "conflictResolutionPolicy": "PreferRemote"}
    assert env.update(ws, conflictResolution=take).status_code == 200
    assert env.parts(item) == {"notebook-content.py": b"# git side\n"}


def test_override_needs_consent(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    env.connected(ws)
    local = env.item(ws, "shared")
    env.push(item_files("shared.Notebook", LID_B, "shared", b"# from git\n"))
    assert error_code(env.update(ws)) == "OverrideItemsNotAllowed"
    assert env.parts(local) == {"notebook-content.py": b"# shared\n"}
    assert env.update(ws, options={"allowOverrideItems": True}).status_code == 200
    taken = env.items(ws)["shared"]
    assert (taken.id, taken.logical_id) == (local, LID_B)
    assert env.parts(local) == {"notebook-content.py": b"# from git\n"}


def test_failed_update_changes_nothing(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    item = env.item(ws, "nb")
    env.connected(ws)
    env.commit(ws)
    before = env.status(ws)["workspaceHead"]
    env.push({"nb.Notebook/notebook-content.py": b"# new\n", "bad.Notebook/.platform": b"{"})
    response = env.update(ws, remoteCommitHash=env.tip())
    assert error_code(response) == "InvalidSystemFiles"
    assert env.parts(item) == {"notebook-content.py": b"# nb\n"}
    connection = env.client.get(f"/workspaces/{ws}/git/connection").json()
    assert connection["gitSyncDetails"]["head"] == before


def test_duplicate_names_from_git(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    other = env.item(ws, "other")
    env.connected(ws)
    env.commit(ws)
    env.item(ws, "taken")  # uncommitted: Git does not know it
    other_lid = env.items(ws)["other"].logical_id
    env.push({"other.Notebook/.platform": platform(other_lid, "taken")})
    assert error_code(env.update(ws)) == "PotentialDuplicateDisplayNameAndType"
    assert env.items(ws)["other"].id == other
    # Two items of one name inside Git fail the same way, before any comparison.
    env.push(item_files("copy.Notebook", LID_A, "taken", b"# copy\n"))
    response = env.update(ws, remoteCommitHash=env.tip())
    assert error_code(response) == "PotentialDuplicateDisplayNameAndType"


def test_status_with_invalid_system_files_names_every_bad_directory(env: Env) -> None:
    env.repo(directories=["fabric"])
    ws = env.workspace()
    env.item(ws, "good")
    env.connected(ws, directory="fabric")
    assert env.commit(ws).status_code == 200
    env.push(
        {
            "fabric/broken.Notebook/.platform": b"{not json",
            "fabric/broken.Notebook/notebook-content.py": b"# broken\n",
            "fabric/sub/nameless.Notebook/.platform": json.dumps(
                {"metadata": {"type": "Notebook"}, "config": {"logicalId": LID_A}}
            ).encode(),
            **item_files("fabric/fine.Notebook", LID_B, "fine", b"# fine\n"),
        }
    )
    response = env.client.get(f"/workspaces/{ws}/git/status")
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["errorCode"] == "InvalidSystemFiles"
    assert body["message"] == (
        "2 item directories have invalid system files: 'fabric/broken.Notebook', "
        "'fabric/sub/nameless.Notebook'"
    )
    details = body["moreDetails"]
    assert [d["errorCode"] for d in details] == ["InvalidSystemFiles"] * 2
    assert "'fabric/broken.Notebook/.platform' is not a JSON object" in details[0]["message"]
    assert "'fabric/sub/nameless.Notebook'" in details[1]["message"]
    assert "displayName" in details[1]["message"]
    # Update refuses the same tree the same way, and changes nothing.
    update = env.update(ws, remoteCommitHash=env.tip())
    assert update.json()["message"] == body["message"]
    assert sorted(env.items(ws)) == ["good"]


# --- credentials ----------------------------------------------------------------------------------


def test_my_git_credentials(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    assert error_code(env.client.get(f"/workspaces/{ws}/git/myGitCredentials")) == (
        "WorkspaceNotConnectedToGit"
    )
    env.connected(ws)
    url = f"/workspaces/{ws}/git/myGitCredentials"
    assert env.client.get(url).json() == {"source": "Automatic"}
    assert env.client.patch(url, json={"source": "None"}).json() == {"source": "None"}
    assert env.client.get(url).json() == {"source": "None"}
    assert error_code(env.client.get(f"/workspaces/{ws}/git/status")) == (
        "GitCredentialsNotConfigured"
    )
    missing = {"source": "ConfiguredConnection", "connectionId": LID_A}
    response = env.client.patch(url, json=missing)
    assert response.status_code == 404 and error_code(response) == "ConnectionNotFound"
    assert error_code(env.client.patch(url, json={"source": "Other"})) == "InvalidInput"
    assert env.client.patch(url, json={"source": "Automatic"}).json() == {"source": "Automatic"}
    assert env.status(ws)["changes"] == []


def test_folder_move_is_a_modification_and_moves_the_directory(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    item = env.item(ws, "nb", folder=("old",))
    env.connected(ws)
    env.commit(ws)
    from fabric_git.emulator.backend import folders, items

    with env.state.store.write() as conn:
        target = folders.ensure_folder_path(conn, ws, ("new", "deeper"))
        items.update_item(conn, item, folder_id=target)
    (change,) = env.status(ws)["changes"]
    assert change["workspaceChange"] == "Modified"
    assert env.commit(ws).status_code == 200
    files = env.files()
    assert "new/deeper/nb.Notebook/.platform" in files
    assert not any(path.startswith("old/") for path in files)
    assert env.status(ws)["changes"] == []


def test_child_items_are_committed_under_their_parent_and_read_back(env: Env) -> None:
    """An Eventhouse's KQL database goes to ``<Parent>.Eventhouse/.children/`` (also when a
    workspace is exported into a new folder), naming its parent by logical id; an update into
    another workspace creates it with the new parent's object id."""
    env.repo()
    env.state.settings = dataclasses.replace(env.state.settings, missing_directory="create")
    ws = env.workspace()
    house = env.item(ws, "Telemetry", {"EventhouseProperties.json": b"{}"}, type="Eventhouse")
    props = {"databaseType": "ReadWrite", "parentEventhouseItemId": house}
    env.item(
        ws,
        "Logs",
        {"DatabaseProperties.json": json.dumps(props).encode(), "DatabaseSchema.kql": b"//\n"},
        type="KQLDatabase",
    )
    init = env.connected(ws, directory="exported")  # a new folder: the commit creates it
    assert env.commit(ws, workspaceHead=init["workspaceHead"]).status_code == 200
    files = env.files("exported")
    child = "exported/Telemetry.Eventhouse/.children/Logs.KQLDatabase"
    assert set(files) == {
        "exported/Telemetry.Eventhouse/.platform",
        "exported/Telemetry.Eventhouse/EventhouseProperties.json",
        f"{child}/.platform",
        f"{child}/DatabaseProperties.json",
        f"{child}/DatabaseSchema.kql",
    }
    house_lid = json.loads(files["exported/Telemetry.Eventhouse/.platform"])["config"]["logicalId"]
    # The bytes Fabric writes: key order, $schema first, no empty description, two-space
    # indent, LF, no final newline (docs/repository-format.md).
    database_lid = json.loads(files[f"{child}/.platform"])["config"]["logicalId"]
    assert (
        files[f"{child}/.platform"]
        == (
            "{\n"
            f'  "$schema": "{PLATFORM_SCHEMA_URL}",\n'
            '  "metadata": {\n'
            '    "type": "KQLDatabase",\n'
            '    "displayName": "Logs"\n'
            "  },\n"
            '  "config": {\n'
            '    "version": "2.0",\n'
            f'    "logicalId": "{database_lid}"\n'
            "  }\n"
            "}"
        ).encode()
    )
    written = json.loads(files[f"{child}/DatabaseProperties.json"])
    assert written["parentEventhouseItemId"] == house_lid != house
    assert env.status(ws)["changes"] == []

    other = env.workspace("other")
    assert env.connected(other, directory="exported")["requiredAction"] == "UpdateFromGit"
    assert env.update(other).status_code == 200
    created = env.items(other)
    assert {(r.display_name, r.type) for r in created.values()} == {
        ("Telemetry", "Eventhouse"),
        ("Logs", "KQLDatabase"),
    }
    database = json.loads(env.parts(created["Logs"].id)["DatabaseProperties.json"])
    assert database["parentEventhouseItemId"] == created["Telemetry"].id
    assert env.status(other)["changes"] == []


def test_clashing_parts_stored_before_the_rule_are_refused_at_commit(env: Env) -> None:
    """Parts ``a`` and ``a/b`` (the API refuses them now; a database from before may hold
    them) cannot both be tree entries: the commit answers 400 naming both, never 500, and the
    branch does not move."""
    env.repo()
    ws = env.workspace()
    item = env.item(ws, "nb")
    env.connected(ws)
    with env.state.store.write() as conn:
        conn.executemany(
            "INSERT INTO item_parts (item_id, path, payload) VALUES (?, ?, ?)",
            [(item, "a", b"1"), (item, "a/b", b"2")],
        )
    tip = env.tip()
    refused = env.commit(ws, mode="Selective", items=[{"objectId": item}])
    assert refused.status_code == 400, refused.text
    assert error_code(refused) == "InvalidPath"
    assert (
        "'nb.Notebook/a' is a file and also a directory of 'nb.Notebook/a/b'"
        in (refused.json()["message"])
    )
    assert env.tip() == tip


@pytest.mark.parametrize("name", ["Next\x85line", "Esc\x9bcape", "Bell\x07"])
def test_a_display_name_with_a_control_character_commits_and_round_trips(
    env: Env, name: str
) -> None:
    """A display name the API takes never makes Commit All refuse the workspace: control
    characters (C0, DEL, C1) become HTML numeric references in the directory name, and the
    display name comes back whole from ``.platform``."""
    env.repo()
    ws = env.workspace()
    created = env.client.post(
        f"/workspaces/{ws}/items", json={"displayName": name, "type": "Notebook"}
    )
    assert created.status_code == 201, created.text
    env.connected(ws)
    committed = env.commit(ws)
    assert committed.status_code == 200, committed.text
    escaped = "".join(f"&#{ord(c)};" if ord(c) < 32 or 127 <= ord(c) < 160 else c for c in name)
    assert f"{escaped}.Notebook/.platform" in env.files()

    other = env.workspace("other")
    assert env.connected(other)["requiredAction"] == "UpdateFromGit"
    assert env.update(other).status_code == 200  # the item is created from its .platform
    assert list(env.items(other)) == [name]
