"""The newer Git surface and the item, folder, workspace and capacity calls: each method sends
the exact request (checked against the spec's schema where the spec has one) and parses the
answer, values the service adds later included."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from fabric_git import ConfigurationError, FabricClient, models
from spec import definition_schema, validate
from unit.lib.lib_support import FakeService, json_response

WS = "1565e6a3-c020-4c0c-dda7-92bafe99eec5"
WS2 = "2a2a2a2a-c020-4c0c-dda7-92bafe99eec5"
ITEM = "5b218778-e7a5-4d73-8187-f10824047715"
FOLDER = "bbbbbbbb-1111-4222-8333-444444444444"
FOLDER2 = "cccccccc-1111-4222-8333-444444444444"
LID = "0a0a0a0a-1111-4222-8333-444444444444"
OP = "431e8d7b-4a95-4c02-8ccd-6faef5ba1bd7"
GIT = f"/workspaces/{WS}/git"
ITEMS = f"/workspaces/{WS}/items"
FOLDERS = f"/workspaces/{WS}/folders"
PLATFORM = "platform/definitions/platform.json"
GIT_DEFS = "platform/definitions/gitIntegration.json"
COMMON = "common/definitions.json"


def assert_valid(body: Any, file: str, definition: str) -> None:
    assert validate(body, definition_schema(file, definition)) == []


def sent(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


def only(service: FakeService) -> httpx.Request:
    (request,) = service.requests
    return request


def accepted() -> httpx.Response:
    return httpx.Response(
        202,
        headers={
            "Location": f"https://api.fabric.microsoft.com/v1/operations/{OP}",
            "x-ms-operation-id": OP,
            "Retry-After": "1",
        },
    )


def succeeded(service: FakeService, result: Any) -> None:
    service.on("GET", f"/operations/{OP}", json_response(200, {"status": "Succeeded"}))
    service.on("GET", f"/operations/{OP}/result", json_response(200, result))


# --- status with file details -------------------------------------------------------------------

STATUS = {
    "workspaceHead": "a" * 40,
    "remoteCommitHash": "b" * 40,
    "changes": [
        {
            "itemMetadata": {
                "itemIdentifier": {"objectId": ITEM, "logicalId": LID},
                "itemType": "Notebook",
                "displayName": "N",
            },
            "workspaceChange": "Modified",
            "conflictType": "None",
            "fileChanges": [
                {
                    "path": "notebook-content.py",
                    "workspaceChange": "Modified",
                    "conflictType": "None",
                },
                {"path": "res/a.json", "remoteChange": "Renamed", "conflictType": "Tangled"},
            ],
        }
    ],
}


def test_status_with_file_details(client: FabricClient, service: FakeService) -> None:
    service.on("GET", f"{GIT}/status", json_response(200, STATUS))
    status = client.git.get_status(WS, include_files_details=True)
    assert only(service).url.params["includeFilesDetails"] == "true"
    (change,) = status.changes
    assert change.file_changes is not None
    first, second = change.file_changes
    assert (first.path, first.workspace_change, first.remote_change) == (
        "notebook-content.py",
        models.ChangeType.MODIFIED,
        None,
    )
    assert first.conflict_type is models.ConflictType.NONE
    # Values the service adds later are kept as strings.
    assert (second.remote_change, second.conflict_type) == ("Renamed", "Tangled")


def test_status_without_file_details_sends_no_parameter(
    client: FabricClient, service: FakeService
) -> None:
    plain = {**STATUS, "changes": [{**STATUS["changes"][0]}]}
    del plain["changes"][0]["fileChanges"]
    service.on("GET", f"{GIT}/status", json_response(200, plain))
    status = client.git.get_status(WS)
    assert "includeFilesDetails" not in only(service).url.params
    assert status.changes[0].file_changes is None


def test_status_with_file_details_waits_through_the_poller(
    client: FabricClient, service: FakeService
) -> None:
    service.on("GET", f"{GIT}/status", accepted())
    succeeded(service, STATUS)
    status = client.git.get_status(WS, include_files_details=True)
    assert status.changes[0].file_changes is not None
    assert service.requests[0].url.params["includeFilesDetails"] == "true"


# --- file-level commit --------------------------------------------------------------------------


def test_file_level_commit_body(client: FabricClient, service: FakeService) -> None:
    service.on("POST", f"{GIT}/commitToGit", httpx.Response(200))
    change = models.GitStatusResponse.model_validate(STATUS).changes[0]
    client.git.commit_to_git(
        WS,
        mode="FileLevelSelective",
        comment="one file",
        files=[
            (change, ["notebook-content.py"]),
            (models.ItemIdentifier(logical_id=LID), None),
            models.ItemIdentifierWithFileSelection(object_id="o-3", selected_files=["a/b.txt"]),
        ],
    )
    assert sent(only(service)) == {
        "mode": "FileLevelSelective",
        "comment": "one file",
        "itemsWithFileSelection": [
            {"objectId": ITEM, "logicalId": LID, "selectedFiles": ["notebook-content.py"]},
            {"logicalId": LID},
            {"objectId": "o-3", "selectedFiles": ["a/b.txt"]},
        ],
    }


def test_file_level_commit_from_a_mapping(client: FabricClient, service: FakeService) -> None:
    service.on("POST", f"{GIT}/commitToGit", httpx.Response(200))
    client.git.commit_to_git(
        WS, mode=models.CommitMode.FILE_LEVEL_SELECTIVE, files={ITEM: ("x.py", "d/y.json")}
    )
    assert sent(only(service))["itemsWithFileSelection"] == [
        {"objectId": ITEM, "selectedFiles": ["x.py", "d/y.json"]}
    ]


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"mode": "FileLevelSelective"}, "needs at least one item"),
        ({"mode": "Selective", "items": [ITEM], "files": {ITEM: ["a"]}}, "FileLevelSelective"),
        ({"mode": "All", "files": {ITEM: ["a"]}}, "FileLevelSelective"),
        ({"mode": "FileLevelSelective", "items": [ITEM], "files": {ITEM: ["a"]}}, "Selective"),
        ({"mode": "FileLevelSelective", "files": {ITEM: ["/a.py"]}}, "starts with '/'"),
        ({"mode": "FileLevelSelective", "files": {ITEM: ["dir/"]}}, "names a folder"),
        ({"mode": "FileLevelSelective", "files": {ITEM: ["*.py"]}}, "wildcard"),
        ({"mode": "FileLevelSelective", "files": {ITEM: ["a\\b.py"]}}, "backslash"),
        ({"mode": "FileLevelSelective", "files": {ITEM: ["a//b.py"]}}, "empty or blank name"),
        ({"mode": "FileLevelSelective", "files": {ITEM: ["d /b.py"]}}, "ending in a dot"),
        ({"mode": "FileLevelSelective", "files": {ITEM: ["d./b.py"]}}, "ending in a dot"),
        ({"mode": "FileLevelSelective", "files": {ITEM: ["  "]}}, "is empty"),
        ({"mode": "FileLevelSelective", "files": {ITEM: "a.py"}}, "as a list"),
    ],
)
def test_file_level_commit_arguments_checked_before_sending(
    client: FabricClient, service: FakeService, kwargs: dict[str, Any], says: str
) -> None:
    with pytest.raises(ConfigurationError, match=says):
        client.git.commit_to_git(WS, **kwargs)
    assert service.requests == []


# --- update with item options -------------------------------------------------------------------


def test_update_with_item_options(client: FabricClient, service: FakeService) -> None:
    service.on("POST", f"{GIT}/updateFromGit", httpx.Response(200))
    client.git.update_from_git(
        WS,
        remote_commit_hash="7" * 40,
        allow_override_items=True,
        item_options={LID: {"someOption": True}},
    )
    body = sent(only(service))
    assert body == {
        "remoteCommitHash": "7" * 40,
        "options": {
            "allowOverrideItems": True,
            "itemOptionsByLogicalId": [{"logicalId": LID, "options": {"someOption": True}}],
        },
    }
    # The spec's schema predates the per-item options; everything it knows still validates.
    assert_valid(body, GIT_DEFS, "UpdateFromGitRequest")


def test_update_with_item_options_objects(client: FabricClient, service: FakeService) -> None:
    service.on("POST", f"{GIT}/updateFromGit", httpx.Response(200))
    options = models.ItemOptions(logical_id=LID, options={})
    client.git.update_from_git(WS, remote_commit_hash="7" * 40, item_options=[options])
    assert sent(only(service))["options"] == {
        "itemOptionsByLogicalId": [{"logicalId": LID, "options": {}}]
    }


def test_update_refuses_item_options_without_a_logical_id(
    client: FabricClient, service: FakeService
) -> None:
    with pytest.raises(ConfigurationError, match="logical id"):
        client.git.update_from_git(WS, remote_commit_hash="7" * 40, item_options={" ": {}})
    assert service.requests == []


# --- connection settings, connection type -------------------------------------------------------


def test_connection_settings(client: FabricClient, service: FakeService) -> None:
    service.on(
        "GET",
        f"{GIT}/connectionSettings",
        json_response(200, {"additionalRolesAuthorizedToChangeBranch": "None"}),
    )
    service.on(
        "PATCH",
        f"{GIT}/connectionSettings",
        json_response(200, {"additionalRolesAuthorizedToChangeBranch": "MemberAndContributor"}),
    )
    settings = client.git.get_connection_settings(WS)
    assert settings.additional_roles_authorized_to_change_branch is (
        models.GitAdditionalBranchChangingRoles.NONE
    )
    updated = client.git.update_connection_settings(WS, "MemberAndContributor")
    assert sent(service.requests[1]) == {
        "additionalRolesAuthorizedToChangeBranch": "MemberAndContributor"
    }
    assert updated.additional_roles_authorized_to_change_branch == "MemberAndContributor"


def test_connection_settings_keep_a_value_added_later(
    client: FabricClient, service: FakeService
) -> None:
    service.on(
        "GET",
        f"{GIT}/connectionSettings",
        json_response(200, {"additionalRolesAuthorizedToChangeBranch": "Everyone", "new": 1}),
    )
    settings = client.git.get_connection_settings(WS)
    assert settings.additional_roles_authorized_to_change_branch == "Everyone"
    assert settings.model_dump(by_alias=True)["new"] == 1


@pytest.mark.parametrize("kind", ["Full", "Selective", "SomethingNew"])
def test_git_connection_type(client: FabricClient, service: FakeService, kind: str) -> None:
    service.on(
        "GET",
        f"{GIT}/connection",
        json_response(200, {"gitConnectionState": "Connected", "gitConnectionType": kind}),
    )
    assert client.git.get_connection(WS).git_connection_type == kind


# --- workspace relations ------------------------------------------------------------------------

RELATION = {"id": "r-1", "workspaceId": WS, "relatedWorkspaceId": WS2, "relationType": "Branch"}


def test_workspace_relations(client: FabricClient, service: FakeService) -> None:
    service.on(
        "GET",
        f"{GIT}/workspaceRelations",
        json_response(200, {"value": [RELATION], "continuationToken": "t2"}),
        json_response(200, {"value": [{**RELATION, "id": "r-2", "relationType": "Sibling"}]}),
    )
    service.on("POST", f"{GIT}/workspaceRelations", json_response(201, RELATION))
    service.on("DELETE", f"{GIT}/workspaceRelations/r-1", httpx.Response(200))
    relations = client.git.list_workspace_relations(WS)
    assert [(r.id, r.relation_type) for r in relations] == [
        ("r-1", models.WorkspaceRelationType.BRANCH),
        ("r-2", "Sibling"),
    ]
    assert service.requests[1].url.params["continuationToken"] == "t2"
    created = client.git.create_workspace_relation(
        WS, models.Workspace(id=WS2, display_name="feature"), "Branch"
    )
    body = sent(service.requests[2])
    assert body == {"relatedWorkspaceId": WS2, "relationType": "Branch"}
    assert_valid(body, GIT_DEFS, "CreateWorkspaceRelationRequest")
    assert created.related_workspace_id == WS2
    client.git.delete_workspace_relation(WS, "r-1")
    assert service.requests[3].method == "DELETE"


def test_only_base_and_branch_relations_are_created(
    client: FabricClient, service: FakeService
) -> None:
    with pytest.raises(ConfigurationError, match="'Base' or 'Branch'"):
        client.git.create_workspace_relation(WS, WS2, "RelatedWorkspace")
    assert service.requests == []


# --- items --------------------------------------------------------------------------------------

CREATED_ITEM = {"id": ITEM, "type": "Notebook", "displayName": "N", "workspaceId": WS}


def test_create_item_in_a_folder_with_a_definition(
    client: FabricClient, service: FakeService
) -> None:
    service.on("POST", ITEMS, json_response(201, {**CREATED_ITEM, "folderId": FOLDER}))
    definition = models.ItemDefinition(
        parts=[models.ItemDefinitionPart.inline("notebook-content.py", "print(1)\n")]
    )
    item = client.items.create(
        WS, "N", "Notebook", folder_id=FOLDER, description="d", definition=definition
    )
    body = sent(only(service))
    assert body == {
        "displayName": "N",
        "type": "Notebook",
        "description": "d",
        "folderId": FOLDER,
        "definition": {
            "parts": [
                {
                    "path": "notebook-content.py",
                    "payload": "cHJpbnQoMSkK",
                    "payloadType": "InlineBase64",
                }
            ]
        },
    }
    assert_valid(body, PLATFORM, "CreateItemRequest")
    assert (item.id, item.folder_id) == (ITEM, FOLDER)


def test_create_item_waits_through_the_poller(client: FabricClient, service: FakeService) -> None:
    service.on("POST", ITEMS, accepted())
    succeeded(service, CREATED_ITEM)
    item = client.items.create(WS, "N", models.ItemType.NOTEBOOK)
    assert sent(service.requests[0]) == {"displayName": "N", "type": "Notebook"}
    assert item.id == ITEM
    assert service.calls("GET", f"/operations/{OP}/result")


@pytest.mark.parametrize(("name", "type"), [("", "Notebook"), ("N", " ")])
def test_create_item_checks_arguments(
    client: FabricClient, service: FakeService, name: str, type: str
) -> None:
    with pytest.raises(ConfigurationError):
        client.items.create(WS, name, type)
    assert service.requests == []


def test_update_delete_and_move_items(client: FabricClient, service: FakeService) -> None:
    service.on("PATCH", f"{ITEMS}/{ITEM}", json_response(200, {**CREATED_ITEM, "displayName": "M"}))
    service.on("DELETE", f"{ITEMS}/{ITEM}", httpx.Response(200))
    service.on(
        "POST",
        f"{ITEMS}/{ITEM}/move",
        json_response(200, {"value": [{**CREATED_ITEM, "folderId": FOLDER}]}),
    )
    assert client.items.update(WS, ITEM, display_name="M").display_name == "M"
    assert sent(service.requests[0]) == {"displayName": "M"}
    assert_valid(sent(service.requests[0]), PLATFORM, "UpdateItemRequest")
    client.items.update(WS, ITEM, description="")
    assert sent(service.requests[1]) == {"description": ""}
    client.items.delete(WS, ITEM)
    assert "hardDelete" not in service.requests[2].url.params
    client.items.delete(WS, ITEM, hard_delete=True)
    assert service.requests[3].url.params["hardDelete"] == "true"
    moved = client.items.move(WS, ITEM, FOLDER)
    assert sent(service.requests[4]) == {"targetFolderId": FOLDER}
    assert_valid(sent(service.requests[4]), PLATFORM, "MoveItemRequest")
    assert [i.folder_id for i in moved] == [FOLDER]
    client.items.move(WS, ITEM)
    assert sent(service.requests[5]) == {}


def test_update_item_needs_a_change(client: FabricClient, service: FakeService) -> None:
    with pytest.raises(ConfigurationError, match="Nothing to update"):
        client.items.update(WS, ITEM)
    assert service.requests == []


def test_get_definition_waits_through_the_poller(
    client: FabricClient, service: FakeService
) -> None:
    service.on("POST", f"{ITEMS}/{ITEM}/getDefinition", accepted())
    part = {"path": ".platform", "payload": "e30=", "payloadType": "InlineBase64"}
    succeeded(service, {"definition": {"parts": [part]}})
    definition = client.items.get_definition(WS, ITEM, format="ipynb")
    assert service.requests[0].url.params["format"] == "ipynb"
    assert definition.parts[0].content() == b"{}"


def test_get_definition_answered_at_once(client: FabricClient, service: FakeService) -> None:
    part = {"path": "a.py", "payload": "eA==", "payloadType": "InlineBase64"}
    service.on(
        "POST",
        f"{ITEMS}/{ITEM}/getDefinition",
        json_response(200, {"definition": {"parts": [part]}}),
    )
    assert client.items.get_definition(WS, ITEM).parts[0].content() == b"x"
    assert "format" not in only(service).url.params


def test_update_definition(client: FabricClient, service: FakeService) -> None:
    service.on("POST", f"{ITEMS}/{ITEM}/updateDefinition", accepted())
    service.on("GET", f"/operations/{OP}", json_response(200, {"status": "Succeeded"}))
    definition = models.ItemDefinition(parts=[models.ItemDefinitionPart.inline("a.py", b"x")])
    client.items.update_definition(WS, ITEM, definition, update_metadata=True)
    first = service.requests[0]
    assert first.url.params["updateMetadata"] == "true"
    body = sent(first)
    assert body == {
        "definition": {
            "parts": [{"path": "a.py", "payload": "eA==", "payloadType": "InlineBase64"}]
        }
    }
    assert_valid(body, PLATFORM, "UpdateItemDefinitionRequest")
    assert service.calls("GET", f"/operations/{OP}")
    with pytest.raises(ConfigurationError):
        client.items.update_definition(WS, ITEM, models.ItemDefinition(parts=[]))


def test_update_logical_id(client: FabricClient, service: FakeService) -> None:
    service.on("PATCH", f"{ITEMS}/{ITEM}/logicalId", json_response(200, {"logicalId": LID}))
    assert client.items.update_logical_id(WS, ITEM, LID) == LID
    assert sent(only(service)) == {"logicalId": LID}
    with pytest.raises(ConfigurationError, match="empty GUID"):
        client.items.update_logical_id(WS, ITEM, "00000000-0000-0000-0000-000000000000")
    assert len(service.requests) == 1


# --- folders ------------------------------------------------------------------------------------

FOLDER_BODY = {"id": FOLDER, "displayName": "F", "workspaceId": WS}


def test_folders(client: FabricClient, service: FakeService) -> None:
    service.on("GET", FOLDERS, json_response(200, {"value": [FOLDER_BODY]}))
    service.on("POST", FOLDERS, json_response(201, {**FOLDER_BODY, "parentFolderId": FOLDER2}))
    service.on("GET", f"{FOLDERS}/{FOLDER}", json_response(200, FOLDER_BODY))
    service.on(
        "PATCH", f"{FOLDERS}/{FOLDER}", json_response(200, {**FOLDER_BODY, "displayName": "G"})
    )
    service.on("DELETE", f"{FOLDERS}/{FOLDER}", httpx.Response(200))
    service.on("POST", f"{FOLDERS}/{FOLDER}/move", json_response(200, FOLDER_BODY))
    assert [f.display_name for f in client.folders.list(WS)] == ["F"]
    assert service.requests[0].url.params == httpx.QueryParams()
    client.folders.list(WS, root_folder_id=FOLDER2, recursive=False)
    assert dict(service.requests[1].url.params) == {"rootFolderId": FOLDER2, "recursive": "false"}
    created = client.folders.create(WS, "F", parent_folder_id=FOLDER2)
    assert sent(service.requests[2]) == {"displayName": "F", "parentFolderId": FOLDER2}
    assert_valid(sent(service.requests[2]), PLATFORM, "CreateFolderRequest")
    assert created.parent_folder_id == FOLDER2
    assert client.folders.get(WS, FOLDER).id == FOLDER
    assert client.folders.update(WS, FOLDER, "G").display_name == "G"
    assert sent(service.requests[4]) == {"displayName": "G"}
    assert_valid(sent(service.requests[4]), PLATFORM, "UpdateFolderRequest")
    client.folders.delete(WS, FOLDER)
    client.folders.move(WS, FOLDER, FOLDER2)
    assert sent(service.requests[6]) == {"targetFolderId": FOLDER2}
    assert_valid(sent(service.requests[6]), PLATFORM, "MoveFolderRequest")
    client.folders.move(WS, FOLDER)
    assert sent(service.requests[7]) == {}
    with pytest.raises(ConfigurationError):
        client.folders.create(WS, " ")
    assert len(service.requests) == 8


# --- workspaces: capacity, roles, Git outbound policy -------------------------------------------


def test_capacity_assignment(client: FabricClient, service: FakeService) -> None:
    service.on("POST", f"/workspaces/{WS}/assignToCapacity", httpx.Response(202))
    service.on("POST", f"/workspaces/{WS}/unassignFromCapacity", httpx.Response(202))
    capacity = models.Capacity(id="cap-1", display_name="F2", sku="F2", region="r", state="Active")
    client.workspaces.assign_to_capacity(WS, capacity)
    assert sent(service.requests[0]) == {"capacityId": "cap-1"}
    assert_valid(sent(service.requests[0]), PLATFORM, "AssignWorkspaceToCapacityRequest")
    client.workspaces.unassign_from_capacity(WS)
    assert service.requests[1].content == b""


ASSIGNMENT = {
    "id": "p-1",
    "principal": {"id": "p-1", "type": "ServicePrincipal", "displayName": "ci"},
    "role": "Contributor",
}


def test_workspace_role_assignments(client: FabricClient, service: FakeService) -> None:
    base = f"/workspaces/{WS}/roleAssignments"
    service.on(
        "GET", base, json_response(200, {"value": [ASSIGNMENT, {**ASSIGNMENT, "role": "Owner"}]})
    )
    service.on("POST", base, json_response(201, ASSIGNMENT))
    service.on("GET", f"{base}/p-1", json_response(200, ASSIGNMENT))
    service.on("PATCH", f"{base}/p-1", json_response(200, {**ASSIGNMENT, "role": "Member"}))
    service.on("DELETE", f"{base}/p-1", httpx.Response(200))
    listed = client.workspaces.list_role_assignments(WS)
    assert [a.role for a in listed] == [models.WorkspaceRole.CONTRIBUTOR, "Owner"]
    assert listed[0].principal.type is models.PrincipalType.SERVICE_PRINCIPAL
    added = client.workspaces.add_role_assignment(WS, "p-1", "ServicePrincipal", "Contributor")
    body = sent(service.requests[1])
    assert body == {"principal": {"id": "p-1", "type": "ServicePrincipal"}, "role": "Contributor"}
    assert added.id == "p-1"
    assert client.workspaces.get_role_assignment(WS, "p-1").role == "Contributor"
    assert client.workspaces.update_role_assignment(WS, "p-1", "Member").role == "Member"
    assert sent(service.requests[3]) == {"role": "Member"}
    assert_valid(sent(service.requests[3]), PLATFORM, "UpdateWorkspaceRoleAssignmentRequest")
    client.workspaces.delete_role_assignment(WS, "p-1")
    assert service.requests[4].method == "DELETE"
    with pytest.raises(ConfigurationError):
        client.workspaces.add_role_assignment(WS, "p-1", "", "Viewer")
    with pytest.raises(ConfigurationError):
        client.workspaces.add_role_assignment(WS, "p-1", "User", " ")
    assert len(service.requests) == 5


def test_role_assignment_body_matches_the_spec_schema(
    client: FabricClient, service: FakeService
) -> None:
    service.on("POST", f"/workspaces/{WS}/roleAssignments", json_response(201, ASSIGNMENT))
    client.workspaces.add_role_assignment(
        WS, "6a002b3d-e4ec-43df-8c08-e8eb7547d9dd", models.PrincipalType.GROUP, "Viewer"
    )
    assert_valid(sent(only(service)), PLATFORM, "AddWorkspaceRoleAssignmentRequest")


def test_git_outbound_policy(client: FabricClient, service: FakeService) -> None:
    path = f"/workspaces/{WS}/networking/communicationPolicy/outbound/git"
    service.on("GET", path, json_response(200, {"defaultAction": "Deny"}))
    service.on("PUT", path, httpx.Response(200))
    policy = client.workspaces.get_git_outbound_policy(WS)
    assert policy.default_action is models.DefaultAction.DENY
    client.workspaces.set_git_outbound_policy(WS, "Allow")
    body = sent(service.requests[1])
    assert body == {"defaultAction": "Allow"}
    assert_valid(body, "platform/definitions/workspaceNetworkingPolicy.json", "NetworkRules")
    with pytest.raises(ConfigurationError):
        client.workspaces.set_git_outbound_policy(WS, "")
    assert len(service.requests) == 2
