"""Definition parts whose paths Git's checks or Fabric refuse are never stored (the API side of
the path rules ``fabric-git lint`` shares with the emulator)."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from emulator.core.core_support import FakeClock, create_workspace
from fabric_git.emulator import Emulator, EmulatorConfig

HOSTILE = [".git/config", "a/.GIT/hooks/pre-commit", "Git~1/x", "a/.git /x", "x\ny\r.py"]


@pytest.fixture
def sync_client(clock: FakeClock) -> Iterator[httpx.Client]:
    with Emulator(EmulatorConfig(clock=clock, lro_mode="sync")) as emu, emu.client() as client:
        yield client


def _definition(path: str) -> dict[str, object]:
    payload = base64.b64encode(b"[core]\n").decode()
    return {"parts": [{"path": path, "payload": payload, "payloadType": "InlineBase64"}]}


@pytest.mark.parametrize("path", HOSTILE)
def test_hostile_part_paths_are_refused_and_nothing_is_stored(
    sync_client: httpx.Client, path: str
) -> None:
    ws = create_workspace(sync_client)
    created = sync_client.post(
        f"/workspaces/{ws}/items",
        json={"displayName": "nb", "type": "Notebook", "definition": _definition(path)},
    )
    assert created.status_code == 400
    body = created.json()
    assert body["errorCode"] == "InvalidDefinition"
    assert body["message"].startswith(f"Invalid part path: '{path}'")
    assert sync_client.get(f"/workspaces/{ws}/items").json()["value"] == []

    item = sync_client.post(
        f"/workspaces/{ws}/items",
        json={"displayName": "nb", "type": "Notebook", "definition": _definition("a.py")},
    ).json()
    url = f"/workspaces/{ws}/items/{item['id']}"
    updated = sync_client.post(f"{url}/updateDefinition", json={"definition": _definition(path)})
    assert updated.status_code == 400
    assert updated.json()["errorCode"] == "InvalidDefinition"
    parts = sync_client.post(f"{url}/getDefinition").json()["definition"]["parts"]
    assert sorted(p["path"] for p in parts) == [".platform", "a.py"]


def test_a_part_below_another_part_is_refused_naming_both(sync_client: httpx.Client) -> None:
    ws = create_workspace(sync_client)
    payload = base64.b64encode(b"x\n").decode()
    parts = [
        {"path": p, "payload": payload, "payloadType": "InlineBase64"}
        for p in ("notebook-content.py", "a", "a/b")
    ]
    created = sync_client.post(
        f"/workspaces/{ws}/items",
        json={"displayName": "nb", "type": "Notebook", "definition": {"parts": parts}},
    )
    assert created.status_code == 400, created.text
    assert created.json()["errorCode"] == "InvalidDefinition"
    assert "'a' is a file and also a directory of 'a/b'" in created.json()["message"]
    item = sync_client.post(
        f"/workspaces/{ws}/items",
        json={"displayName": "nb", "type": "Notebook", "definition": _definition("a.py")},
    ).json()
    url = f"/workspaces/{ws}/items/{item['id']}"
    updated = sync_client.post(f"{url}/updateDefinition", json={"definition": {"parts": parts}})
    assert updated.status_code == 400, updated.text
    assert updated.json()["errorCode"] == "InvalidDefinition"
    assert "'a/b'" in updated.json()["message"]
    parts_now = sync_client.post(f"{url}/getDefinition").json()["definition"]["parts"]
    assert sorted(p["path"] for p in parts_now) == [".platform", "a.py"]
