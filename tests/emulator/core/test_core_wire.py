"""Wire details third-party clients rely on: the error-code header, folder ids meaning the
workspace root, and URLs built for a client behind a proxy."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from emulator.core.core_support import FakeClock, create_workspace
from fabric_git.emulator import Emulator, EmulatorConfig


@pytest.fixture
def sync_client(clock: FakeClock) -> Iterator[httpx.Client]:
    config = EmulatorConfig(clock=clock, lro_mode="sync", page_size=1)
    with Emulator(config) as emu, emu.client() as client:
        yield client


def test_error_answers_carry_the_error_code_header(sync_client):
    ws = create_workspace(sync_client)
    missing_item = sync_client.get(f"/workspaces/{ws}/items/{'0' * 8}-0000-0000-0000-{'0' * 12}")
    bad_body = sync_client.post(f"/workspaces/{ws}/items", json={"type": "Notebook"})
    no_route = sync_client.get("/no/such/path")
    wrong_method = sync_client.put(f"/workspaces/{ws}/items")
    for response in (missing_item, bad_body, no_route, wrong_method):
        assert response.status_code >= 400
        code = response.json()["errorCode"]
        assert response.headers["x-ms-public-api-error-code"] == code
    assert missing_item.headers["x-ms-public-api-error-code"] == "ItemNotFound"


def test_success_answers_have_no_error_code_header(sync_client):
    response = sync_client.get("/workspaces")
    assert response.status_code == 200
    assert "x-ms-public-api-error-code" not in response.headers


def test_empty_folder_id_means_the_workspace_root(sync_client):
    ws = create_workspace(sync_client)
    folder = sync_client.post(f"/workspaces/{ws}/folders", json={"displayName": "F"}).json()
    created = sync_client.post(
        f"/workspaces/{ws}/items",
        json={"displayName": "N", "type": "Notebook", "folderId": ""},
    )
    assert created.status_code == 201, created.text
    assert "folderId" not in created.json()
    item_id = created.json()["id"]
    moved_in = sync_client.post(
        f"/workspaces/{ws}/items/{item_id}/move", json={"targetFolderId": folder["id"]}
    )
    assert moved_in.json()["value"][0]["folderId"] == folder["id"]
    moved_out = sync_client.post(
        f"/workspaces/{ws}/items/{item_id}/move", json={"targetFolderId": ""}
    )
    assert moved_out.status_code == 200, moved_out.text
    assert "folderId" not in sync_client.get(f"/workspaces/{ws}/items/{item_id}").json()
    sub = sync_client.post(
        f"/workspaces/{ws}/folders", json={"displayName": "Sub", "parentFolderId": folder["id"]}
    ).json()
    to_root = sync_client.post(
        f"/workspaces/{ws}/folders/{sub['id']}/move", json={"targetFolderId": ""}
    )
    assert to_root.status_code == 200, to_root.text
    assert "parentFolderId" not in to_root.json()


def test_a_folder_id_that_is_not_a_guid_is_still_refused(sync_client):
    ws = create_workspace(sync_client)
    response = sync_client.post(
        f"/workspaces/{ws}/items", json={"displayName": "N", "type": "Notebook", "folderId": " "}
    )
    assert response.status_code == 400
    assert "folderId" in response.json()["moreDetails"][0]["message"]


PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "fabric.example.com"}


@pytest.mark.parametrize(
    ("headers", "expected_base"),
    [
        (PROXY, "https://fabric.example.com"),
        ({"X-Forwarded-Proto": "https"}, None),
        ({"X-Forwarded-Host": "fabric.example.com"}, None),
        ({}, None),
    ],
)
def test_location_and_continuation_follow_both_forwarded_headers_or_neither(
    sync_client, headers, expected_base
):
    own_base = str(sync_client.base_url.copy_with(path="/")).rstrip("/")
    base = expected_base or own_base
    created = sync_client.post("/workspaces", json={"displayName": "W"}, headers=headers)
    ws = created.json()["id"]
    assert created.headers["Location"] == f"{base}/v1/workspaces/{ws}"
    create_workspace(sync_client, "Second")
    page = sync_client.get("/workspaces", headers=headers).json()
    assert page["continuationUri"].startswith(f"{base}/v1/workspaces?")


@pytest.mark.parametrize(
    "content_type", [None, "application/json; charset=utf-8", "text/plain", "text/xml"]
)
def test_a_json_body_is_read_whatever_its_content_type(sync_client, content_type):
    """Chosen (DEVIATIONS.md): the Content-Type of a JSON route's body is not checked, as
    clients send none or variants of application/json; the body must still be JSON."""
    headers = {} if content_type is None else {"Content-Type": content_type}
    created = sync_client.post("/workspaces", content=b'{"displayName": "typed"}', headers=headers)
    assert created.status_code == 201, created.text
    refused = sync_client.post("/workspaces", content=b"<workspace/>", headers=headers)
    assert refused.status_code == 400
    assert refused.json()["errorCode"] == "InvalidRequest"
    sync_client.delete(f"/workspaces/{created.json()['id']}")
