"""Responses of the core routes validate against the spec's schemas (one call per route)."""

from __future__ import annotations

import base64

import httpx
import pytest

from emulator.core.core_support import create_workspace
from fabric_git.emulator import Emulator, EmulatorConfig
from spec import operation, validate


@pytest.fixture
def sync_client(clock):
    with Emulator(EmulatorConfig(clock=clock, lro_mode="sync")) as emu, emu.client() as client:
        yield emu, client


def _check(operation_id: str, response: httpx.Response) -> None:
    op = operation(operation_id)
    assert op.method == response.request.method, operation_id
    schema = op.response_schema(response.status_code)
    responses = op.spec["responses"]
    declared = str(response.status_code) in responses
    assert declared or (response.status_code >= 400 and "default" in responses), operation_id
    if schema is not None and response.content:
        assert validate(response.json(), schema) == [], (operation_id, response.text)


def test_core_responses_match_the_spec(sync_client):
    emu, client = sync_client
    _check("Capacities_ListCapacities", client.get("/capacities"))
    _check("Capacities_GetCapacity", client.get(f"/capacities/{emu.capacity_id}"))
    created = client.post("/workspaces", json={"displayName": "S", "capacityId": emu.capacity_id})
    _check("Workspaces_CreateWorkspace", created)
    ws = created.json()["id"]
    _check("Workspaces_GetWorkspace", client.get(f"/workspaces/{ws}"))
    _check("Workspaces_ListWorkspaces", client.get("/workspaces"))
    _check(
        "Workspaces_UpdateWorkspace", client.patch(f"/workspaces/{ws}", json={"description": "d"})
    )
    _check(
        "Workspaces_ListWorkspaceRoleAssignments", client.get(f"/workspaces/{ws}/roleAssignments")
    )
    folder = client.post(f"/workspaces/{ws}/folders", json={"displayName": "F"})
    _check("Folders_CreateFolder", folder)
    folder_id = folder.json()["id"]
    _check("Folders_ListFolders", client.get(f"/workspaces/{ws}/folders"))
    _check("Folders_GetFolder", client.get(f"/workspaces/{ws}/folders/{folder_id}"))
    part = {
        "path": "a.py",
        "payload": base64.b64encode(b"1").decode(),
        "payloadType": "InlineBase64",
    }
    item = client.post(
        f"/workspaces/{ws}/items",
        json={
            "displayName": "N",
            "type": "Notebook",
            "folderId": folder_id,
            "definition": {"parts": [part]},
        },
    )
    _check("Items_CreateItem", item)
    item_id = item.json()["id"]
    _check("Items_ListItems", client.get(f"/workspaces/{ws}/items"))
    _check("Items_GetItem", client.get(f"/workspaces/{ws}/items/{item_id}"))
    _check(
        "Items_UpdateItem",
        client.patch(f"/workspaces/{ws}/items/{item_id}", json={"displayName": "M"}),
    )
    _check(
        "Items_GetItemDefinition", client.post(f"/workspaces/{ws}/items/{item_id}/getDefinition")
    )
    _check("Items_MoveItem", client.post(f"/workspaces/{ws}/items/{item_id}/move", json={}))
    _check("Folders_MoveFolder", client.post(f"/workspaces/{ws}/folders/{folder_id}/move", json={}))
    connection = client.post(
        "/connections",
        json={
            "connectivityType": "ShareableCloud",
            "displayName": "GitHub",
            "connectionDetails": {
                "type": "GitHubSourceControl",
                "creationMethod": "GitHubSourceControl.Contents",
            },
            "credentialDetails": {"credentials": {"credentialType": "Key", "key": "k"}},
        },
    )
    _check("Connections_CreateConnection", connection)
    _check("Connections_GetConnection", client.get(f"/connections/{connection.json()['id']}"))
    _check("Connections_ListConnections", client.get("/connections"))
    _check(
        "Connections_ListSupportedConnectionTypes",
        client.get("/connections/supportedConnectionTypes"),
    )
    _check(
        "Items_GetItem", client.get(f"/workspaces/{ws}/items/11111111-2222-3333-4444-555555555555")
    )


def test_operation_state_matches_the_spec(emu, client, clock):
    ws = create_workspace(client)
    part = {"path": "a.py", "payload": "MQ==", "payloadType": "InlineBase64"}
    started = client.post(
        f"/workspaces/{ws}/items",
        json={"displayName": "N", "type": "Notebook", "definition": {"parts": [part]}},
    )
    _check("Items_CreateItem", started)
    op_id = started.headers["x-ms-operation-id"]
    _check("LongRunningOperations_GetOperationState", client.get(f"/operations/{op_id}"))
    emu.wait_for_operations()
    clock.advance(5)
    _check("LongRunningOperations_GetOperationState", client.get(f"/operations/{op_id}"))
    _check("LongRunningOperations_GetOperationResult", client.get(f"/operations/{op_id}/result"))
