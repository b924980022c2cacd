"""The newer Git API surface through the real CLI against the emulator: capacities, workspace
roles, items, ``status --exit-code``, connection tests, per-file status and file-level commits,
connection settings, workspace relations, logical ids, Azure DevOps service-principal connections
and connection sharing."""

from __future__ import annotations

import json
import secrets
import uuid
from pathlib import Path

from e2e.conftest import MODEL, NOTEBOOK, Fg


def test_capacities_list_and_assign_a_workspace(fg: Fg) -> None:
    capacity = fg.sandbox.running.capacity_id
    listed = fg.json("capacities", "list")
    (found,) = [c for c in listed["capacities"] if c["id"] == capacity]
    assert set(found) == {"id", "displayName", "sku", "region", "state"}
    assert found["displayName"] in fg("capacities", "list").stdout

    name = f"ws-cap-{uuid.uuid4().hex[:8]}"
    created = fg.json("workspaces", "create", name)
    assert created["capacityId"] is None
    assigned = fg.json("workspaces", "assign-capacity", "-w", name, found["displayName"])
    assert assigned["capacity"]["id"] == capacity
    assert assigned["workspace"] == {"id": created["id"], "name": name}
    workspaces = fg.json("workspaces", "list")["workspaces"]
    assert {w["id"]: w["capacityId"] for w in workspaces}[created["id"]] == capacity

    unassigned = fg.json("workspaces", "unassign-capacity", "-w", name)
    assert unassigned["capacity"] is None
    workspaces = fg.json("workspaces", "list")["workspaces"]
    assert {w["id"]: w["capacityId"] for w in workspaces}[created["id"]] is None
    missing = fg("workspaces", "assign-capacity", "-w", name, "No such capacity", expect=1)
    assert "No capacity is named 'No such capacity'" in missing.stderr


def test_workspace_roles_add_change_list_and_remove(fg: Fg) -> None:
    scenario = fg.scenario(items=False, pat=False)
    alice = fg.sandbox.user(f"alice-{uuid.uuid4().hex[:6]}@contoso.com")
    fg.scan.secrets.add(alice.token)
    ws = scenario.workspace
    add = ("workspaces", "roles", "add", "-w", ws, "--principal", alice.id)

    added = fg.json(*add, "--role", "contributor")
    again = fg.json(*add, "--role", "Contributor")
    changed = fg.json(*add, "--role", "viewer")

    assert added["changed"] is True and added["roleAssignment"]["role"] == "Contributor"
    assert added["roleAssignment"]["principal"]["type"] == "User"
    assert again["changed"] is False
    assert changed["changed"] is True and changed["roleAssignment"]["role"] == "Viewer"
    listed = fg.json("workspaces", "roles", "list", "-w", ws)
    roles = {a["principal"]["id"]: a["role"] for a in listed["roleAssignments"]}
    assert roles[alice.id] == "Viewer"
    # The role is real: alice sees the workspace now, and not after it is removed.
    as_alice = {"FABRIC_TOKEN": alice.token}
    seen = fg.json("workspaces", "list", env=as_alice)["workspaces"]
    assert scenario.workspace_id in {w["id"] for w in seen}

    removed = fg.json("workspaces", "roles", "remove", "-w", ws, "--principal", alice.id)
    assert removed["removed"]["role"] == "Viewer"
    assert (
        fg.json("workspaces", "roles", "remove", "-w", ws, "--principal", alice.id)["removed"]
        is None
    )
    seen = fg.json("workspaces", "list", env=as_alice)["workspaces"]
    assert scenario.workspace_id not in {w["id"] for w in seen}


def test_items_list_with_and_without_a_type(fg: Fg) -> None:
    scenario = fg.scenario(pat=False)
    everything = fg.json("items", "list", "-w", scenario.workspace)
    notebooks = fg.json("items", "list", "-w", scenario.workspace, "--type", "Notebook")

    assert {i["displayName"] for i in everything["items"]} == set(scenario.items)
    assert {i["displayName"] for i in notebooks["items"]} == {"Load", "Clean"}
    assert {i["id"] for i in everything["items"]} == set(scenario.items.values())
    assert "Nightly" in fg("items", "list", "-w", scenario.workspace).stdout


def test_status_exit_code_is_0_in_sync_and_7_when_not(fg: Fg) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    ws = scenario.workspace

    in_sync = fg("-o", "json", "status", "-w", ws, "--exit-code")
    assert json.loads(in_sync.stdout)["inSync"] is True

    fg.sandbox.update_item(
        scenario.workspace_id, scenario.items["Load"], {"notebook-content.py": NOTEBOOK + "#\n"}
    )
    behind = fg("-o", "json", "status", "-w", ws, "--exit-code", expect=7)
    document = json.loads(behind.stdout)
    assert document["inSync"] is False and document["summary"]["outgoing"] == 1
    fg("status", "-w", ws)  # without --exit-code: 0


# --- served once the emulator has them ----------------------------------------------------------


def test_status_files_then_commit_one_file_leaves_the_other_pending(fg: Fg, tmp_path: Path) -> None:
    scenario = fg.scenario()
    fg.synced(scenario)
    ws = scenario.workspace
    model = {
        "definition.pbism": json.dumps({"version": "4.1"}) + "\n",
        "model.bim": json.dumps({"model": {"tables": [{"name": "Sales"}]}}) + "\n",
    }
    fg.sandbox.update_item(scenario.workspace_id, scenario.items["Model"], model)

    status = fg.json("status", "-w", ws, "--files")
    (change,) = status["changes"]
    assert {f["path"] for f in change["files"]} == {"definition.pbism", "model.bim"}
    assert all(f["workspaceChange"] == "Modified" for f in change["files"])
    text = fg("status", "-w", ws, "--files").stdout
    assert "Model.SemanticModel  model.bim" in text

    committed = fg.json("commit", "-w", ws, "--file", "Model.SemanticModel:model.bim")
    assert committed["mode"] == "FileLevelSelective"
    assert [f["path"] for f in committed["items"][0]["files"]] == ["model.bim"]
    (left,) = committed["status"]["changes"]
    assert [f["path"] for f in left["files"]] == ["definition.pbism"]

    tree = scenario.clone(tmp_path / "clone")
    assert tree.read("Model.SemanticModel/model.bim") == model["model.bim"]
    assert tree.read("Model.SemanticModel/definition.pbism") == MODEL["definition.pbism"]
    rerun = fg.json("commit", "-w", ws, "--file", "Model.SemanticModel:model.bim")
    assert rerun["noop"] is True


def test_connection_settings_show_and_set(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    fg.synced(scenario)
    ws = scenario.workspace

    shown = fg.json("connection-settings", "-w", ws)
    assert shown["additionalRolesAuthorizedToChangeBranch"] in (None, "None")
    changed = fg.json(
        "connection-settings", "-w", ws, "--branch-changers", "member-and-contributor"
    )
    again = fg.json("connection-settings", "-w", ws, "--branch-changers", "member-and-contributor")

    assert changed["changed"] is True
    assert changed["additionalRolesAuthorizedToChangeBranch"] == "MemberAndContributor"
    assert again["changed"] is False
    assert (
        fg.json("connection-settings", "-w", ws)["additionalRolesAuthorizedToChangeBranch"]
        == "MemberAndContributor"
    )


def test_relations_add_list_and_remove(fg: Fg) -> None:
    base = fg.scenario(items=False)
    fg.synced(base)
    feature = f"{base.workspace}-feature"
    feature_id = fg.sandbox.create_workspace(feature)

    added = fg.json("relations", "add", "-w", base.workspace, feature, "--type", "branch")
    again = fg.json("relations", "add", "-w", base.workspace, feature, "--type", "branch")
    listed = fg.json("relations", "list", "-w", base.workspace)

    assert added["created"] is True and again["created"] is False
    assert added["relation"]["relatedWorkspace"] == {"id": feature_id, "name": feature}
    assert [(r["relationType"], r["relatedWorkspace"]["id"]) for r in listed["relations"]] == [
        ("Branch", feature_id)
    ]
    removed = fg.json("relations", "remove", "-w", base.workspace, feature)
    assert removed["removed"]["relatedWorkspace"]["id"] == feature_id
    assert fg.json("relations", "list", "-w", base.workspace)["relations"] == []
    assert fg.json("relations", "remove", "-w", base.workspace, feature)["removed"] is None


def test_items_set_logical_id(fg: Fg) -> None:
    scenario = fg.scenario(pat=False)
    new = str(uuid.uuid4())

    repaired = fg.json("items", "set-logical-id", "-w", scenario.workspace, "Load.Notebook", new)

    assert repaired["logicalId"] == new
    assert repaired["item"]["id"] == scenario.items["Load"]


def test_azure_devops_service_principal_connection_shared_with_the_principal(fg: Fg) -> None:
    secret = "sp_" + secrets.token_hex(12)
    fg.scan.secrets.add(secret)
    robot = fg.sandbox.service_principal(f"ci-{uuid.uuid4().hex[:6]}")
    fg.scan.secrets.add(robot.token)
    name = f"ado-{uuid.uuid4().hex[:8]}"
    args = (
        "connections",
        "create-azure-devops",
        "--name",
        name,
        "--repo-url",
        "https://dev.azure.com/contoso/analytics/_git/fabric",
        "--tenant-id",
        str(uuid.uuid4()),
        "--client-id",
        robot.id,
    )

    created = fg.json(*args, env={"AZURE_CLIENT_SECRET": secret})
    reused = fg.json(*args, "--secret-stdin", input=secret + "\n")
    shared = fg.json(
        "connections",
        "share",
        name,
        "--principal",
        robot.id,
        "--principal-type",
        "service-principal",
    )
    listed = fg.json("connections", "roles", "list", name)

    assert created["created"] is True and created["credentialType"] == "ServicePrincipal"
    assert reused["created"] is False and reused["id"] == created["id"]
    assert shared["changed"] is True and shared["roleAssignment"]["role"] == "User"
    assert robot.id in {a["principal"]["id"] for a in listed["roleAssignments"]}
    removed = fg.json("connections", "roles", "remove", name, "--principal", robot.id)
    assert removed["removed"]["principal"]["id"] == robot.id


def test_a_connection_reused_for_another_repository_says_so(fg: Fg) -> None:
    secret = "sp_" + secrets.token_hex(12)
    fg.scan.secrets.add(secret)
    name = f"vv-{uuid.uuid4().hex[:8]}"
    asked = "https://dev.azure.com/contoso/analytics/_git/adorepo"
    args = ["connections", "create-azure-devops", "--name", name, "--tenant-id"]
    args += [str(uuid.uuid4()), "--client-id", str(uuid.uuid4()), "--repo-url"]
    env = {"AZURE_CLIENT_SECRET": secret}
    created = fg.json(*args, "https://dev.azure.com/contoso/analytics/_git/open", env=env)

    reused = fg("--output", "json", *args, asked, env=env)
    again = fg.json(*args, "https://dev.azure.com/contoso/analytics/_git/open/", env=env)

    data = json.loads(reused.stdout)
    assert data["created"] is False and data["id"] == created["id"]
    assert data["path"] == created["path"]  # never changed
    assert data["differs"] == {"path": {"existing": created["path"], "asked": asked}}
    assert "warning: " in reused.stderr and asked in reused.stderr and name in reused.stderr
    assert again["differs"] == {} and created["differs"] == {}

    scenario = fg.scenario(items=False)
    github = f"gh-{uuid.uuid4().hex[:8]}"
    fg.sandbox.create_github_connection(github, scenario.repo_url, scenario.pat)
    other = "https://github.com/other/repo"
    shown = fg("connections", "create-github", "--name", github, "--repo-url", other)
    as_json = fg.json("connections", "create-github", "--name", github, "--repo-url", other)
    assert "warning: " in shown.stderr and other in shown.stderr
    assert as_json["created"] is False and as_json["keyUpdated"] is False
    assert as_json["differs"] == {"path": {"existing": scenario.repo_url, "asked": other}}


def test_connections_test_of_a_working_github_connection(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    name = f"gh-{uuid.uuid4().hex[:8]}"
    fg.sandbox.create_github_connection(name, scenario.repo_url, scenario.pat)

    tested = fg.json("connections", "test", name)

    assert tested["status"] == "Online" and tested["errors"] == []
    assert tested["connection"]["displayName"] == name


def test_connections_test_of_a_connection_with_a_wrong_pat_exits_1(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    name = f"gh-{uuid.uuid4().hex[:8]}"
    wrong = "pat_" + secrets.token_hex(12)
    fg.scan.secrets.add(wrong)
    connection = fg.sandbox.create_github_connection(name, scenario.repo_url, wrong)

    tested = json.loads(fg("--output", "json", "connections", "test", name, expect=1).stdout)
    table = fg("connections", "test", connection, expect=1).stdout

    assert tested["status"] == "Offline"
    assert [e["errorCode"] for e in tested["errors"]] == ["IncorrectCredentials"]
    assert f"{name} ({connection}): Offline" in table and "IncorrectCredentials" in table


def test_connections_test_of_a_connection_not_shared_with_the_caller(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    name = f"gh-{uuid.uuid4().hex[:8]}"
    connection = fg.sandbox.create_github_connection(name, scenario.repo_url, scenario.pat)
    robot = fg.sandbox.service_principal(f"robot-{uuid.uuid4().hex[:6]}")
    fg.scan.secrets.add(robot.token)
    as_robot = {"FABRIC_TOKEN": robot.token}

    refused = fg("connections", "test", connection, expect=1, env=as_robot)
    fg.json(
        "connections",
        "share",
        name,
        "--principal",
        robot.id,
        "--principal-type",
        "service-principal",
    )
    tested = fg.json("connections", "test", connection, env=as_robot)

    assert "ConnectionNotFound" in refused.stderr and refused.stdout == ""
    assert tested["status"] == "Online"


def test_credentials_setup_names_an_azure_devops_connection_as_what_it_is(fg: Fg) -> None:
    scenario = fg.scenario(items=False)
    fg.synced(scenario)
    secret = "sp_" + secrets.token_hex(12)
    fg.scan.secrets.add(secret)
    name = f"vv-{uuid.uuid4().hex[:8]}"
    fg.json(
        "connections", "create-azure-devops", "--name", name,
        "--repo-url", "https://dev.azure.com/contoso/analytics/_git/open",
        "--tenant-id", str(uuid.uuid4()), "--client-id", str(uuid.uuid4()),
        env={"AZURE_CLIENT_SECRET": secret},
    )  # fmt: skip

    refused = fg(
        "credentials", "setup", "-w", scenario.workspace, "--connection-name", name, expect=1
    )

    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith("error: ConnectionMismatch") and "no connection named" not in line
    assert f"'{name}'" in line and "Azure DevOps (service principal) connection" in line
    assert refused.stdout == ""


def test_credentials_setup_on_azure_devops_refuses_another_kind_or_repository_up_front(
    fg: Fg,
) -> None:
    scenario = fg.scenario(pat=False, items=False)
    org = f"org-{scenario.owner}"
    fg.sandbox.admin("POST", "/repos", {"provider": "AzureDevOps", "organization": org,
                     "project": "data", "repo": "fabric", "directories": ["src"]})  # fmt: skip
    url = f"https://dev.azure.com/{org}/data/_git/fabric"
    fg.json("sync", "-w", scenario.workspace, "--repo-url", url, "--directory", "src")
    pat = "ghp_" + secrets.token_hex(12)
    github = f"gh-{uuid.uuid4().hex[:8]}"
    fg.json("connections", "create-github", "--name", github, "--repo-url",
            f"https://github.com/{scenario.owner}/other", env={"FABRIC_GIT_PAT": pat})  # fmt: skip
    secret = "sp_" + secrets.token_hex(12)
    fg.scan.secrets.add(secret)
    elsewhere = f"ado-{uuid.uuid4().hex[:8]}"
    other_url = f"https://dev.azure.com/{org}/data/_git/elsewhere"
    fg.json("connections", "create-azure-devops", "--name", elsewhere, "--repo-url", other_url,
            "--tenant-id", str(uuid.uuid4()), "--client-id", str(uuid.uuid4()),
            env={"AZURE_CLIENT_SECRET": secret})  # fmt: skip

    refused = fg("credentials", "setup", "-w", scenario.workspace, "--connection-name", github,
                 expect=1)  # fmt: skip
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith("error: ConnectionMismatch") and "not an Azure DevOps" in line

    other = fg("credentials", "setup", "-w", scenario.workspace, "--connection-name", elsewhere,
               "--principal", str(uuid.uuid4()), expect=1)  # fmt: skip
    (line,) = other.stderr.strip().splitlines()
    assert line.startswith("error: ConnectionMismatch") and other_url in line and url in line
    assert "(HTTP" not in line  # refused before any change, not by the service afterwards
    # Nothing was shared on the way.
    connection = next(
        c for c in fg.json("connections", "list")["connections"] if c["displayName"] == elsewhere
    )
    roles = fg.json("connections", "roles", "list", connection["id"])
    assert len(roles["roleAssignments"]) == 1  # its owner alone
