"""Item-type paths (``/notebooks``, ``/lakehouses``, ...): one item reachable both ways, and the
path table the emulator serves equal to the one the spec implies."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

import item_type_table
from emulator.core.core_support import FakeClock, create_workspace
from fabric_git.emulator import Emulator, EmulatorConfig
from fabric_git.emulator.item_types import ITEM_TYPES
from fabric_git.emulator.routes import api_routes


@pytest.fixture
def sync_client(clock: FakeClock) -> Iterator[httpx.Client]:
    with Emulator(EmulatorConfig(clock=clock, lro_mode="sync")) as emu, emu.client() as client:
        yield client


def _part(path: str, data: bytes) -> dict[str, str]:
    return {"path": path, "payload": base64.b64encode(data).decode(), "payloadType": "InlineBase64"}


def test_the_table_is_the_one_the_spec_implies():
    derived = item_type_table.derive()
    served = [
        {
            "type": t.type,
            "collection": t.collection,
            "id_param": t.id_param,
            "operations": t.operations,
            "formats": list(t.formats),
            **(
                {"update_definition_returns_item": True} if t.update_definition_returns_item else {}
            ),
        }
        for t in ITEM_TYPES
    ]
    expected = [{k: v for k, v in e.items() if k != "folder"} for e in derived]
    for entry in expected:
        entry.setdefault("id_param", "")
    assert served == expected, "run `make item-types` to regenerate emulator/item_types.py"
    assert {"Notebook", "Environment", "SemanticModel", "Report"} <= {t.type for t in ITEM_TYPES}


def test_every_operation_of_the_table_has_a_route():
    names = {getattr(r, "name", "") for r in api_routes()}
    for paths in ITEM_TYPES:
        assert set(paths.operations.values()) <= names


def test_one_item_reachable_both_ways(sync_client):
    ws = create_workspace(sync_client)
    created = sync_client.post(
        f"/workspaces/{ws}/notebooks",
        json={
            "displayName": "Clean",
            "description": "d",
            "definition": {"parts": [_part("notebook-content.py", b"# Fabric notebook source\n")]},
        },
    )
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["type"] == "Notebook"
    assert created.headers["Location"].endswith(f"/v1/workspaces/{ws}/notebooks/{item['id']}")
    assert sync_client.get(f"/workspaces/{ws}/items/{item['id']}").json() == item
    assert sync_client.get(f"/workspaces/{ws}/notebooks/{item['id']}").json() == item
    lake = sync_client.post(f"/workspaces/{ws}/lakehouses", json={"displayName": "Lake"}).json()
    listed = sync_client.get(f"/workspaces/{ws}/notebooks").json()["value"]
    assert [i["id"] for i in listed] == [item["id"]]
    # A notebook path does not serve a lakehouse: that item is not found there.
    wrong = sync_client.get(f"/workspaces/{ws}/notebooks/{lake['id']}")
    assert wrong.status_code == 404 and wrong.json()["errorCode"] == "ItemNotFound"
    renamed = sync_client.patch(
        f"/workspaces/{ws}/notebooks/{item['id']}", json={"displayName": "Renamed"}
    )
    assert renamed.json()["displayName"] == "Renamed"
    assert sync_client.get(f"/workspaces/{ws}/items/{item['id']}").json()["displayName"] == (
        "Renamed"
    )
    update = sync_client.post(
        f"/workspaces/{ws}/notebooks/{item['id']}/updateDefinition",
        json={"definition": {"parts": [_part("notebook-content.py", b"# new\n")]}},
    )
    assert update.status_code == 200, update.text
    got = sync_client.post(f"/workspaces/{ws}/items/{item['id']}/getDefinition").json()
    parts = {p["path"]: base64.b64decode(p["payload"]) for p in got["definition"]["parts"]}
    assert parts["notebook-content.py"] == b"# new\n"
    assert sync_client.delete(f"/workspaces/{ws}/lakehouses/{item['id']}").status_code == 404
    assert sync_client.delete(f"/workspaces/{ws}/notebooks/{item['id']}").status_code == 200
    assert sync_client.get(f"/workspaces/{ws}/items/{item['id']}").status_code == 404


def test_item_type_paths_keep_roles_and_long_running_behaviour(clock):
    config = EmulatorConfig(clock=clock, lro_mode="async", lro_duration=2.0, retry_after=1)
    with Emulator(config) as emu, emu.client() as admin:
        ws = create_workspace(admin)
        accepted = admin.post(f"/workspaces/{ws}/reports", json={"displayName": "R"})
        assert accepted.status_code == 202
        assert accepted.headers["Location"].endswith(
            f"/v1/operations/{accepted.headers['x-ms-operation-id']}"
        )
        with emu.client(emu.token_for(user="stranger")) as stranger:
            refused = stranger.get(f"/workspaces/{ws}/reports")
        assert refused.status_code == 403
        assert refused.headers["x-ms-public-api-error-code"] == refused.json()["errorCode"]
