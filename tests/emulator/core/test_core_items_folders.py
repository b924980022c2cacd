"""Items (with definitions) and workspace folders, in-process with synchronous LROs."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx
import pytest

from emulator.core.core_support import FakeClock, create_workspace
from fabric_git.emulator import Emulator, EmulatorConfig


@pytest.fixture
def sync_client(clock: FakeClock) -> Iterator[httpx.Client]:
    with Emulator(EmulatorConfig(clock=clock, lro_mode="sync")) as emu, emu.client() as client:
        yield client


def _part(path: str, data: bytes) -> dict[str, str]:
    return {"path": path, "payload": base64.b64encode(data).decode(), "payloadType": "InlineBase64"}


def _parts(response: httpx.Response) -> dict[str, bytes]:
    return {
        p["path"]: base64.b64decode(p["payload"]) for p in response.json()["definition"]["parts"]
    }


def _create(client: httpx.Client, ws: str, name: str, item_type: str = "Notebook", **extra):
    response = client.post(
        f"/workspaces/{ws}/items", json={"displayName": name, "type": item_type, **extra}
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_item_crud(sync_client):
    ws = create_workspace(sync_client)
    item = _create(sync_client, ws, "Lake", "Lakehouse", description="raw data")
    assert item["workspaceId"] == ws
    assert item["description"] == "raw data"
    assert sync_client.get(f"/workspaces/{ws}/items/{item['id']}").json() == item
    renamed = sync_client.patch(
        f"/workspaces/{ws}/items/{item['id']}", json={"displayName": "Lake 2"}
    ).json()
    assert renamed["displayName"] == "Lake 2"
    assert sync_client.delete(f"/workspaces/{ws}/items/{item['id']}").status_code == 200
    missing = sync_client.get(f"/workspaces/{ws}/items/{item['id']}")
    assert missing.status_code == 404
    assert missing.json()["errorCode"] == "ItemNotFound"


def test_list_filters_by_type(sync_client):
    ws = create_workspace(sync_client)
    _create(sync_client, ws, "A", "Notebook")
    _create(sync_client, ws, "B", "Report")
    listed = sync_client.get(f"/workspaces/{ws}/items", params={"type": "Report"}).json()
    assert [i["displayName"] for i in listed["value"]] == ["B"]


def test_display_name_unique_per_type(sync_client):
    ws = create_workspace(sync_client)
    _create(sync_client, ws, "Same", "Notebook")
    _create(sync_client, ws, "Same", "Report")  # another type: allowed
    response = sync_client.post(
        f"/workspaces/{ws}/items", json={"displayName": "Same", "type": "Notebook"}
    )
    assert response.status_code == 409
    assert response.json()["errorCode"] == "ItemDisplayNameAlreadyInUse"


def test_unknown_item_type_is_a_validation_error(sync_client):
    ws = create_workspace(sync_client)
    response = sync_client.post(
        f"/workspaces/{ws}/items", json={"displayName": "x", "type": "Nope"}
    )
    assert response.status_code == 400
    assert "type" in response.json()["moreDetails"][0]["message"]


def test_definition_round_trip_with_synthesised_platform(sync_client):
    ws = create_workspace(sync_client)
    item = _create(
        sync_client,
        ws,
        "Hello",
        definition={"parts": [_part("notebook-content.py", b"print('hi')\n")]},
    )
    response = sync_client.post(f"/workspaces/{ws}/items/{item['id']}/getDefinition")
    assert response.status_code == 200
    parts = _parts(response)
    assert parts["notebook-content.py"] == b"print('hi')\n"
    platform = json.loads(parts[".platform"])
    assert platform["metadata"] == {"type": "Notebook", "displayName": "Hello"}
    assert platform["config"]["logicalId"] == "00000000-0000-0000-0000-000000000000"
    assert not parts[".platform"].endswith(b"\n")


def test_update_definition_replaces_parts(sync_client):
    ws = create_workspace(sync_client)
    item = _create(
        sync_client, ws, "P", "DataPipeline", definition={"parts": [_part("a.json", b"1")]}
    )
    response = sync_client.post(
        f"/workspaces/{ws}/items/{item['id']}/updateDefinition",
        json={"definition": {"parts": [_part("pipeline-content.json", b"{}")]}},
    )
    assert response.status_code == 200
    parts = _parts(sync_client.post(f"/workspaces/{ws}/items/{item['id']}/getDefinition"))
    assert set(parts) == {"pipeline-content.json", ".platform"}


def test_update_metadata_applies_platform(sync_client):
    ws = create_workspace(sync_client)
    item = _create(
        sync_client, ws, "Old", definition={"parts": [_part("notebook-content.py", b"")]}
    )
    platform = {
        "metadata": {"type": "Notebook", "displayName": "New", "description": "from .platform"},
        "config": {"version": "2.0", "logicalId": "00000000-0000-0000-0000-000000000000"},
    }
    parts = [_part("notebook-content.py", b"x"), _part(".platform", json.dumps(platform).encode())]
    url = f"/workspaces/{ws}/items/{item['id']}/updateDefinition"
    assert sync_client.post(url, json={"definition": {"parts": parts}}).status_code == 200
    unchanged = sync_client.get(f"/workspaces/{ws}/items/{item['id']}").json()
    assert unchanged["displayName"] == "Old"
    response = sync_client.post(
        url, params={"updateMetadata": "true"}, json={"definition": {"parts": parts}}
    )
    assert response.status_code == 200
    updated = sync_client.get(f"/workspaces/{ws}/items/{item['id']}").json()
    assert updated["displayName"] == "New"
    assert updated["description"] == "from .platform"
    # Without a .platform part, updateMetadata=true updates the definition alone.
    without = sync_client.post(
        url,
        params={"updateMetadata": "true"},
        json={"definition": {"parts": [_part("notebook-content.py", b"y")]}},
    )
    assert without.status_code == 200, without.text
    assert sync_client.get(f"/workspaces/{ws}/items/{item['id']}").json()["displayName"] == "New"


def test_invalid_definition_parts_name_the_field(sync_client):
    ws = create_workspace(sync_client)
    bad = {"path": "../escape.py", "payload": "", "payloadType": "InlineBase64"}
    response = sync_client.post(
        f"/workspaces/{ws}/items",
        json={"displayName": "x", "type": "Notebook", "definition": {"parts": [bad]}},
    )
    assert response.status_code == 400
    assert "definition.parts[0].path" in response.json()["moreDetails"][0]["message"]


def test_folders_tree_and_item_moves(sync_client):
    ws = create_workspace(sync_client)
    top = sync_client.post(f"/workspaces/{ws}/folders", json={"displayName": "Top"})
    assert top.status_code == 201
    top_id = top.json()["id"]
    child = sync_client.post(
        f"/workspaces/{ws}/folders", json={"displayName": "Child", "parentFolderId": top_id}
    ).json()
    assert child["parentFolderId"] == top_id
    item = _create(sync_client, ws, "In child", folderId=child["id"])
    assert item["folderId"] == child["id"]
    _create(sync_client, ws, "At root")

    direct = sync_client.get(f"/workspaces/{ws}/items", params={"recursive": "false"}).json()
    assert [i["displayName"] for i in direct["value"]] == ["At root"]
    under_top = sync_client.get(f"/workspaces/{ws}/items", params={"rootFolderId": top_id}).json()
    assert [i["displayName"] for i in under_top["value"]] == ["In child"]

    moved = sync_client.post(
        f"/workspaces/{ws}/items/{item['id']}/move", json={"targetFolderId": top_id}
    ).json()
    assert moved["value"][0]["folderId"] == top_id

    all_folders = sync_client.get(f"/workspaces/{ws}/folders").json()["value"]
    assert [f["displayName"] for f in all_folders] == ["Top", "Child"]
    top_level = sync_client.get(f"/workspaces/{ws}/folders", params={"recursive": "false"}).json()
    assert [f["displayName"] for f in top_level["value"]] == ["Top"]


def test_folder_rules(sync_client):
    ws = create_workspace(sync_client)
    base = f"/workspaces/{ws}/folders"
    for name in ("a.b", " lead", "trail ", "$Recycle.Bin", "x" * 256, "pipe|d"):
        response = sync_client.post(base, json={"displayName": name})
        assert response.status_code == 400, name
        assert response.json()["errorCode"] == "InvalidFolderDisplayName"
    first = sync_client.post(base, json={"displayName": "Reports"}).json()
    duplicate = sync_client.post(base, json={"displayName": "reports"})
    assert duplicate.status_code == 409
    assert duplicate.json()["errorCode"] == "FolderDisplayNameAlreadyInUse"

    child = sync_client.post(base, json={"displayName": "C", "parentFolderId": first["id"]}).json()
    not_empty = sync_client.delete(f"{base}/{first['id']}")
    assert not_empty.status_code == 400
    assert not_empty.json()["errorCode"] == "FolderNotEmpty"
    into_itself = sync_client.post(
        f"{base}/{first['id']}/move", json={"targetFolderId": child["id"]}
    )
    assert into_itself.json()["errorCode"] == "InvalidFolderMove"
    to_root = sync_client.post(f"{base}/{child['id']}/move", json={}).json()
    assert "parentFolderId" not in to_root
    renamed = sync_client.patch(f"{base}/{child['id']}", json={"displayName": "Renamed"}).json()
    assert renamed["displayName"] == "Renamed"
    assert sync_client.delete(f"{base}/{first['id']}").status_code == 200


def test_folder_depth_is_limited(sync_client):
    ws = create_workspace(sync_client)
    parent = None
    for level in range(10):
        body = {"displayName": f"L{level}"}
        if parent:
            body["parentFolderId"] = parent
        response = sync_client.post(f"/workspaces/{ws}/folders", json=body)
        assert response.status_code == 201
        parent = response.json()["id"]
    too_deep = sync_client.post(
        f"/workspaces/{ws}/folders", json={"displayName": "L10", "parentFolderId": parent}
    )
    assert too_deep.status_code == 400
    assert too_deep.json()["errorCode"] == "FolderDepthLimitExceeded"


def test_backend_contract_for_git_layer(emu):
    from fabric_git.emulator.backend import folders, items

    with emu.state.store.write() as conn:
        ws_row = conn.execute("SELECT id FROM capacities").fetchone()
        assert ws_row is not None
    with emu.client() as client:
        ws = create_workspace(client)
    with emu.state.store.write() as conn:
        folder_id = folders.ensure_folder_path(conn, ws, ("a", "b"))
        assert folders.folder_path(conn, folder_id) == ("a", "b")
        assert folders.ensure_folder_path(conn, ws, ("a", "b")) == folder_id
        assert folders.ensure_folder_path(conn, ws, ()) is None
        record = items.create_item(
            conn,
            ws,
            type="Notebook",
            display_name="N",
            folder_id=folder_id,
            parts={"notebook-content.py": b"1", ".platform": b"ignored"},
            logical_id="11111111-1111-1111-1111-111111111111",
        )
        assert items.get_parts(conn, record.id) == {"notebook-content.py": b"1"}
        moved = items.update_item(conn, record.id, folder_id=None)
        assert moved.folder_id is None
        assert moved.logical_id == "11111111-1111-1111-1111-111111111111"
        cleared = items.update_item(conn, record.id, logical_id=None)
        assert cleared.logical_id is None
        items.delete_item(conn, record.id)
        assert items.list_items(conn, ws) == []
