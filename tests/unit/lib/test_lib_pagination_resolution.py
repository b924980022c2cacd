"""Pagination across pages, and display-name resolution of workspaces and connections."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fabric_git import FabricClient, NotFoundError, ResolutionError, TransportError
from unit.lib.lib_support import FakeService, json_response

API = "https://api.fabric.microsoft.com/v1"


def ws(name: str, index: int) -> dict[str, Any]:
    return {"id": f"00000000-0000-0000-0000-{index:012d}", "displayName": name, "type": "Workspace"}


def pages_by_token(service: FakeService, path: str, pages: list[list[dict[str, Any]]]) -> None:
    """Serve ``pages`` with continuationToken/continuationUri like the service."""

    def reply(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("continuationToken")
        index = int(token[1:]) if token else 0
        body: dict[str, Any] = {"value": pages[index]}
        if index + 1 < len(pages):
            body["continuationToken"] = f"p{index + 1}"
            body["continuationUri"] = f"{API}{path}?continuationToken=p{index + 1}"
        return httpx.Response(200, json=body)

    service.on("GET", path, reply)


# --- pagination -------------------------------------------------------------------------------


def test_list_follows_continuation_uri_across_pages(
    client: FabricClient, service: FakeService
) -> None:
    pages_by_token(service, "/workspaces", [[ws("a", 1), ws("b", 2)], [ws("c", 3)], [ws("d", 4)]])
    names = [w.display_name for w in client.workspaces.list()]
    assert names == ["a", "b", "c", "d"]
    assert [r.url.params.get("continuationToken") for r in service.requests] == [None, "p1", "p2"]


def test_list_uses_continuation_token_when_no_uri(
    client: FabricClient, service: FakeService
) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("continuationToken") == "next":
            return json_response(
                200,
                {
                    "value": [
                        {
                            "id": "c2",
                            "connectivityType": "ShareableCloud",
                            "connectionDetails": {"type": "GitHubSourceControl"},
                        }
                    ]
                },
            )
        return json_response(
            200,
            {
                "value": [
                    {
                        "id": "c1",
                        "connectivityType": "ShareableCloud",
                        "connectionDetails": {"type": "Web"},
                    }
                ],
                "continuationToken": "next",
            },
        )

    service.on("GET", "/connections", reply)
    assert [c.id for c in client.connections.list()] == ["c1", "c2"]


def test_item_type_filter_is_kept_on_every_page(client: FabricClient, service: FakeService) -> None:
    path = "/workspaces/w1/items"

    def reply(request: httpx.Request) -> httpx.Response:
        assert request.url.params["type"] == "Notebook"
        if request.url.params.get("continuationToken"):
            return json_response(200, {"value": [{"id": "i2", "type": "Notebook"}]})
        return json_response(
            200, {"value": [{"id": "i1", "type": "Notebook"}], "continuationToken": "t"}
        )

    service.on("GET", path, reply)
    assert [i.id for i in client.items.list("w1", type="Notebook")] == ["i1", "i2"]
    assert len(service.requests) == 2


def test_foreign_continuation_uri_falls_back_to_the_token(
    client: FabricClient, service: FakeService
) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("continuationToken") == "t2":
            return json_response(
                200,
                {
                    "value": [
                        {
                            "id": "cap2",
                            "displayName": "B",
                            "sku": "F2",
                            "region": "West Europe",
                            "state": "Active",
                        }
                    ]
                },
            )
        return json_response(
            200,
            {
                "value": [
                    {
                        "id": "cap1",
                        "displayName": "A",
                        "sku": "F2",
                        "region": "West Europe",
                        "state": "Active",
                    }
                ],
                "continuationToken": "t2",
                "continuationUri": "https://elsewhere.test/v1/capacities?continuationToken=t2",
            },
        )

    service.on("GET", "/capacities", reply)
    assert [c.id for c in client.capacities.list()] == ["cap1", "cap2"]
    assert all(r.url.host == "api.fabric.microsoft.com" for r in service.requests)


def test_repeated_continuation_stops_with_an_error(
    client: FabricClient, service: FakeService
) -> None:
    service.on("GET", "/workspaces", json_response(200, {"value": [], "continuationToken": "same"}))
    with pytest.raises(TransportError, match="same continuation twice"):
        client.workspaces.list()
    assert len(service.requests) == 2


def test_page_without_value_is_an_error(client: FabricClient, service: FakeService) -> None:
    service.on("GET", "/workspaces", json_response(200, {"items": []}))
    with pytest.raises(TransportError, match="'value'"):
        client.workspaces.list()


# --- resolution -------------------------------------------------------------------------------


def test_guid_is_fetched_as_an_id(client: FabricClient, service: FakeService) -> None:
    guid = "CFAFBEB1-8037-4D0C-896E-A46FB27FF227"
    service.on("GET", f"/workspaces/{guid}", json_response(200, ws("Sales", 5) | {"id": guid}))
    assert client.resolve_workspace(guid).display_name == "Sales"
    assert service.calls("GET", "/workspaces") == []


def test_unknown_guid_is_the_services_not_found(client: FabricClient, service: FakeService) -> None:
    guid = "cfafbeb1-8037-4d0c-896e-a46fb27ff227"
    service.on(
        "GET",
        f"/workspaces/{guid}",
        json_response(404, {"errorCode": "WorkspaceNotFound", "message": "nope"}),
    )
    with pytest.raises(NotFoundError):
        client.resolve_workspace(guid)


def test_name_resolves_across_pages(client: FabricClient, service: FakeService) -> None:
    pages_by_token(service, "/workspaces", [[ws("Dev", 1)], [ws("Prod", 2)], [ws("Test", 3)]])
    assert client.resolve_workspace("Test").id.endswith("000000000003")


def test_exact_match_wins_over_case_insensitive(client: FabricClient, service: FakeService) -> None:
    pages_by_token(service, "/workspaces", [[ws("sales", 1), ws("Sales", 2)]])
    assert client.resolve_workspace("Sales").id.endswith("000000000002")


def test_case_insensitive_match_when_no_exact_one(
    client: FabricClient, service: FakeService
) -> None:
    pages_by_token(service, "/workspaces", [[ws("Sales", 1), ws("Ops", 2)]])
    assert client.resolve_workspace("  SALES ").id.endswith("000000000001")


def test_no_match_lists_what_exists(client: FabricClient, service: FakeService) -> None:
    pages_by_token(service, "/workspaces", [[ws("Prod", 1)], [ws("Dev", 2)]])
    with pytest.raises(ResolutionError) as caught:
        client.resolve_workspace("Staging")
    error = caught.value
    assert error.code == "NotFound"
    assert error.kind == "workspace" and error.name == "Staging"
    assert error.candidates == ("Dev", "Prod")
    assert str(error) == "No workspace is named 'Staging'; existing: 'Dev', 'Prod'."


def test_no_match_when_nothing_exists(client: FabricClient, service: FakeService) -> None:
    service.on("GET", "/workspaces", json_response(200, {"value": []}))
    with pytest.raises(ResolutionError, match="there are no workspaces visible to you"):
        client.resolve_workspace("Any")


def test_long_lists_are_shortened(client: FabricClient, service: FakeService) -> None:
    pages_by_token(service, "/workspaces", [[ws(f"w{i:02d}", i) for i in range(25)]])
    with pytest.raises(ResolutionError) as caught:
        client.resolve_workspace("missing")
    assert "'w19'" in str(caught.value)
    assert "'w20'" not in str(caught.value)
    assert str(caught.value).endswith("and 5 more.")
    assert len(caught.value.candidates) == 25


def test_several_matches_are_ambiguous(client: FabricClient, service: FakeService) -> None:
    pages_by_token(service, "/workspaces", [[ws("Shared", 1)], [ws("Shared", 2), ws("x", 3)]])
    with pytest.raises(ResolutionError) as caught:
        client.resolve_workspace("Shared")
    error = caught.value
    assert error.code == "Ambiguous"
    assert error.candidates == (
        "00000000-0000-0000-0000-000000000001",
        "00000000-0000-0000-0000-000000000002",
    )
    assert "2 workspaces are named 'Shared'" in str(error)
    assert "Use the id instead." in str(error)


def test_connection_resolution(client: FabricClient, service: FakeService) -> None:
    def conn(cid: str, name: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": cid,
            "connectivityType": "ShareableCloud",
            "connectionDetails": {"type": "GitHubSourceControl", "path": "https://github.com"},
        }
        if name is not None:
            body["displayName"] = name
        return body

    pages_by_token(
        service,
        "/connections",
        [[conn("c1", "GitHub PAT"), conn("c2", None)], [conn("c3", "Other")]],
    )
    assert client.resolve_connection("github pat").id == "c1"
    with pytest.raises(ResolutionError) as caught:
        client.resolve_connection("nothing")
    assert caught.value.kind == "connection"
    assert caught.value.candidates == ("", "GitHub PAT", "Other")
