"""Each API method sends the request the spec describes and parses the answer."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from fabric_git import (
    AutomaticGitCredentials,
    AzureDevOpsDetails,
    ConfigurationError,
    ConfiguredConnectionGitCredentials,
    FabricClient,
    GitHubDetails,
    ItemIdentifier,
    ItemType,
    models,
)
from spec import definition_schema, validate
from unit.lib.lib_support import FakeService, json_response

WS = "1565e6a3-c020-4c0c-dda7-92bafe99eec5"
CONN = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
GIT = f"/workspaces/{WS}/git"


def assert_valid(body: Any, file: str, definition: str) -> None:
    assert validate(body, definition_schema(file, definition)) == []


GIT_DEFS = "platform/definitions/gitIntegration.json"


def sent_json(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


def only(service: FakeService) -> httpx.Request:
    (request,) = service.requests
    return request


# --- git --------------------------------------------------------------------------------------


def test_get_connection(client: FabricClient, service: FakeService) -> None:
    service.on(
        "GET",
        f"{GIT}/connection",
        json_response(
            200,
            {
                "gitProviderDetails": {
                    "gitProviderType": "GitHub",
                    "ownerName": "contoso",
                    "repositoryName": "fabric",
                    "branchName": "main",
                    "directoryName": "/ws",
                },
                "gitSyncDetails": {"head": "a" * 40, "lastSyncTime": "2024-05-01T10:00:00Z"},
                "gitConnectionState": "ConnectedAndInitialized",
                "gitConnectionType": "Full",
            },
        ),
    )
    connection = client.git.get_connection(WS)
    assert isinstance(connection.git_provider_details, GitHubDetails)
    assert connection.git_provider_details.owner_name == "contoso"
    assert connection.git_sync_details is not None
    assert connection.git_sync_details.head == "a" * 40


def test_connect_github_with_configured_connection(
    client: FabricClient, service: FakeService
) -> None:
    service.on("POST", f"{GIT}/connect", httpx.Response(200))
    provider = GitHubDetails(
        owner_name="contoso", repository_name="fabric", branch_name="main", directory_name="ws"
    )
    client.git.connect(WS, provider, ConfiguredConnectionGitCredentials(connection_id=CONN))
    assert sent_json(only(service)) == {
        "gitProviderDetails": {
            "gitProviderType": "GitHub",
            "ownerName": "contoso",
            "repositoryName": "fabric",
            "branchName": "main",
            "directoryName": "ws",
        },
        "myGitCredentials": {"source": "ConfiguredConnection", "connectionId": CONN},
    }
    assert_valid(sent_json(only(service)), GIT_DEFS, "GitConnectRequest")


def test_connect_azure_devops_without_credentials(
    client: FabricClient, service: FakeService
) -> None:
    service.on("POST", f"{GIT}/connect", httpx.Response(200))
    provider = AzureDevOpsDetails(
        organization_name="org",
        project_name="proj",
        repository_name="repo",
        branch_name="main",
        directory_name="",
    )
    client.git.connect(WS, provider)
    assert sent_json(only(service)) == {
        "gitProviderDetails": {
            "gitProviderType": "AzureDevOps",
            "organizationName": "org",
            "projectName": "proj",
            "repositoryName": "repo",
            "branchName": "main",
            "directoryName": "",
        }
    }


def test_connect_with_automatic_credentials(client: FabricClient, service: FakeService) -> None:
    service.on("POST", f"{GIT}/connect", httpx.Response(200))
    provider = AzureDevOpsDetails(
        organization_name="o",
        project_name="p",
        repository_name="r",
        branch_name="b",
        directory_name="",
    )
    client.git.connect(WS, provider, AutomaticGitCredentials())
    assert sent_json(only(service))["myGitCredentials"] == {"source": "Automatic"}


def test_disconnect(client: FabricClient, service: FakeService) -> None:
    service.on("POST", f"{GIT}/disconnect", httpx.Response(200))
    client.git.disconnect(WS)
    assert only(service).method == "POST"
    assert only(service).content == b""


@pytest.mark.parametrize(
    ("strategy", "body"),
    [(None, None), ("PreferWorkspace", {"initializationStrategy": "PreferWorkspace"})],
)
def test_initialize_connection_body(
    client: FabricClient, service: FakeService, strategy: str | None, body: Any
) -> None:
    service.on(
        "POST",
        f"{GIT}/initializeConnection",
        json_response(200, {"requiredAction": "CommitToGit", "workspaceHead": None}),
    )
    result = client.git.initialize_connection(WS, strategy)
    assert result.required_action == "CommitToGit"
    assert sent_json(only(service)) == body


def test_commit_all(client: FabricClient, service: FakeService) -> None:
    service.on("POST", f"{GIT}/commitToGit", httpx.Response(200))
    client.git.commit_to_git(WS, workspace_head="e" * 40, comment="All of it")
    assert sent_json(only(service)) == {
        "mode": "All",
        "workspaceHead": "e" * 40,
        "comment": "All of it",
    }


def test_commit_selective_accepts_identifiers_changes_and_ids(
    client: FabricClient, service: FakeService
) -> None:
    service.on("POST", f"{GIT}/commitToGit", httpx.Response(200))
    change = models.ItemChange.model_validate(
        {
            "itemMetadata": {
                "itemIdentifier": {"logicalId": "l-1", "objectId": "o-1"},
                "itemType": "Report",
                "displayName": "R",
            },
            "workspaceChange": "Modified",
            "conflictType": "None",
        }
    )
    client.git.commit_to_git(
        WS, mode="Selective", items=[change, ItemIdentifier(logical_id="l-2"), "o-3"]
    )
    assert sent_json(only(service)) == {
        "mode": "Selective",
        "items": [
            {"logicalId": "l-1", "objectId": "o-1"},
            {"logicalId": "l-2"},
            {"objectId": "o-3"},
        ],
    }
    assert_valid(sent_json(only(service)), GIT_DEFS, "CommitToGitRequest")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mode": "Selective"},
        {"mode": "All", "items": ["o-1"]},
        {"comment": "x" * 301},
    ],
)
def test_commit_arguments_checked_before_sending(
    client: FabricClient, service: FakeService, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(ConfigurationError):
        client.git.commit_to_git(WS, **kwargs)
    assert service.requests == []


def test_update_from_git_full_body(client: FabricClient, service: FakeService) -> None:
    service.on("POST", f"{GIT}/updateFromGit", httpx.Response(200))
    client.git.update_from_git(
        WS,
        remote_commit_hash="7" * 40,
        workspace_head="e" * 40,
        conflict_resolution="PreferWorkspace",
        allow_override_items=True,
    )
    assert sent_json(only(service)) == {
        "remoteCommitHash": "7" * 40,
        "workspaceHead": "e" * 40,
        "conflictResolution": {
            "conflictResolutionType": "Workspace",
            "conflictResolutionPolicy": "PreferWorkspace",
        },
        "options": {"allowOverrideItems": True},
    }
    assert_valid(sent_json(only(service)), GIT_DEFS, "UpdateFromGitRequest")


def test_update_from_git_minimal_body(client: FabricClient, service: FakeService) -> None:
    service.on("POST", f"{GIT}/updateFromGit", httpx.Response(200))
    client.git.update_from_git(WS, remote_commit_hash="7" * 40, allow_override_items=False)
    assert sent_json(only(service)) == {
        "remoteCommitHash": "7" * 40,
        "options": {"allowOverrideItems": False},
    }


def test_update_from_git_needs_the_remote_hash(client: FabricClient, service: FakeService) -> None:
    with pytest.raises(ConfigurationError):
        client.git.update_from_git(WS, remote_commit_hash="")
    assert service.requests == []


@pytest.mark.parametrize(
    ("body", "cls"),
    [
        ({"source": "Automatic"}, models.AutomaticGitCredentialsResponse),
        (
            {"source": "ConfiguredConnection", "connectionId": CONN},
            models.ConfiguredConnectionGitCredentialsResponse,
        ),
        ({"source": "None"}, models.NoneGitCredentialsResponse),
        ({"source": "SomethingNew", "extra": 1}, models.GitCredentialsConfigurationResponse),
    ],
)
def test_get_my_git_credentials(
    client: FabricClient, service: FakeService, body: dict[str, Any], cls: type[Any]
) -> None:
    service.on("GET", f"{GIT}/myGitCredentials", json_response(200, body))
    credentials = client.git.get_my_git_credentials(WS)
    assert type(credentials) is cls
    assert credentials.source == body["source"]


@pytest.mark.parametrize(
    ("source", "connection_id", "body"),
    [
        ("Automatic", None, {"source": "Automatic"}),
        ("None", None, {"source": "None"}),
        ("ConfiguredConnection", CONN, {"source": "ConfiguredConnection", "connectionId": CONN}),
    ],
)
def test_update_my_git_credentials(
    client: FabricClient,
    service: FakeService,
    source: str,
    connection_id: str | None,
    body: dict[str, Any],
) -> None:
    service.on("PATCH", f"{GIT}/myGitCredentials", json_response(200, body))
    answer = client.git.update_my_git_credentials(WS, source, connection_id)
    assert sent_json(only(service)) == body
    assert_valid(body, GIT_DEFS, "UpdateGitCredentialsRequest")
    assert answer.source == source


@pytest.mark.parametrize(
    ("source", "connection_id"), [("ConfiguredConnection", None), ("Automatic", CONN)]
)
def test_update_my_git_credentials_checks_arguments(
    client: FabricClient, service: FakeService, source: str, connection_id: str | None
) -> None:
    with pytest.raises(ConfigurationError):
        client.git.update_my_git_credentials(WS, source, connection_id)
    assert service.requests == []


def test_workspace_objects_are_accepted_as_references(
    client: FabricClient, service: FakeService
) -> None:
    service.on("POST", f"{GIT}/disconnect", httpx.Response(200))
    client.git.disconnect(models.Workspace(id=WS, display_name="W"))
    assert only(service).url.path == f"/v1{GIT}/disconnect"


# --- connections ------------------------------------------------------------------------------

CREATED = {
    "id": CONN,
    "displayName": "GitHub PAT",
    "connectivityType": "ShareableCloud",
    "connectionDetails": {"type": "GitHubSourceControl", "path": "https://github.com/o/r"},
    "privacyLevel": "Organizational",
    "credentialDetails": {"credentialType": "Key", "singleSignOnType": "None"},
}


def test_create_github_connection_scoped_to_a_repository(
    client: FabricClient, service: FakeService
) -> None:
    service.on("POST", "/connections", json_response(201, CREATED))
    connection = client.connections.create_github(
        "GitHub PAT", "ghp_exampletoken", "https://github.com/o/r"
    )
    assert connection.id == CONN
    assert sent_json(only(service)) == {
        "connectivityType": "ShareableCloud",
        "displayName": "GitHub PAT",
        "connectionDetails": {
            "type": "GitHubSourceControl",
            "creationMethod": "GitHubSourceControl.Contents",
            "parameters": [{"dataType": "Text", "name": "url", "value": "https://github.com/o/r"}],
        },
        "credentialDetails": {"credentials": {"credentialType": "Key", "key": "ghp_exampletoken"}},
    }


def test_create_github_connection_for_all_repositories(
    client: FabricClient, service: FakeService
) -> None:
    service.on("POST", "/connections", json_response(201, CREATED))
    client.connections.create_github("GitHub PAT", "ghp_exampletoken")
    body = sent_json(only(service))
    # Not scoped: the spec requires ``parameters``, so it is sent empty.
    assert body["connectionDetails"] == {
        "type": "GitHubSourceControl",
        "creationMethod": "GitHubSourceControl.Contents",
        "parameters": [],
    }


@pytest.mark.parametrize("url", ["https://github.com/o/r", None])
def test_github_connection_body_matches_the_spec_schema(
    client: FabricClient, service: FakeService, url: str | None
) -> None:
    service.on("POST", "/connections", json_response(201, CREATED))
    client.connections.create_github("GitHub PAT", "ghp_x", url)
    body = sent_json(only(service))
    assert_valid(body, "platform/definitions/connections.json", "CreateCloudConnectionRequest")
    credentials = body["credentialDetails"]["credentials"]
    assert_valid(credentials, "platform/definitions/connections.json", "KeyCredentials")


@pytest.mark.parametrize(
    ("name", "token", "url"), [("", "t", None), ("n", " ", None), ("n", "t", "github.com/o/r")]
)
def test_create_github_checks_arguments(
    client: FabricClient, service: FakeService, name: str, token: str, url: str | None
) -> None:
    with pytest.raises(ConfigurationError):
        client.connections.create_github(name, token, url)
    assert service.requests == []


def test_connection_get_and_delete(client: FabricClient, service: FakeService) -> None:
    service.on("GET", f"/connections/{CONN}", json_response(200, CREATED))
    service.on("DELETE", f"/connections/{CONN}", httpx.Response(200))
    assert client.connections.get(CONN).display_name == "GitHub PAT"
    assert client.connections.delete(CONN) is None
    assert [r.method for r in service.requests] == ["GET", "DELETE"]


# --- workspaces, capacities, items ------------------------------------------------------------


def test_workspace_create_get_list(client: FabricClient, service: FakeService) -> None:
    created = {"id": WS, "displayName": "Dev", "description": "", "type": "Workspace"}
    service.on("POST", "/workspaces", json_response(201, created))
    service.on(
        "GET",
        f"/workspaces/{WS}",
        json_response(
            200, {**created, "capacityId": "cap", "capacityAssignmentProgress": "Completed"}
        ),
    )
    service.on("GET", "/workspaces", json_response(200, {"value": [created]}))
    workspace = client.workspaces.create("Dev", capacity_id="cap", description="d")
    assert workspace.id == WS
    assert sent_json(service.requests[0]) == {
        "displayName": "Dev",
        "capacityId": "cap",
        "description": "d",
    }
    assert client.workspaces.get(WS).capacity_assignment_progress == "Completed"
    assert [w.display_name for w in client.workspaces.list()] == ["Dev"]
    client.workspaces.create("Bare")
    assert sent_json(service.requests[-1]) == {"displayName": "Bare"}


def test_capacities_list(client: FabricClient, service: FakeService) -> None:
    service.on(
        "GET",
        "/capacities",
        json_response(
            200,
            {
                "value": [
                    {
                        "id": "c",
                        "displayName": "F2",
                        "sku": "F2",
                        "region": "West Europe",
                        "state": "Active",
                    }
                ]
            },
        ),
    )
    (capacity,) = client.capacities.list()
    assert (capacity.sku, capacity.state) == ("F2", "Active")


def test_items_list_and_get(client: FabricClient, service: FakeService) -> None:
    item = {"id": "i1", "type": "Notebook", "displayName": "N", "workspaceId": WS}
    service.on("GET", f"/workspaces/{WS}/items", json_response(200, {"value": [item]}))
    service.on("GET", f"/workspaces/{WS}/items/i1", json_response(200, item))
    assert client.items.list(WS)[0].type is ItemType.NOTEBOOK
    assert "type" not in service.requests[0].url.params
    client.items.list(WS, type=ItemType.NOTEBOOK)
    assert service.requests[1].url.params["type"] == "Notebook"
    assert client.items.get(WS, "i1").display_name == "N"


# --- docstrings -------------------------------------------------------------------------------


def test_every_public_method_has_a_docstring(client: FabricClient) -> None:
    groups = [client, client.git, client.connections, client.workspaces, client.capacities]
    groups += [client.items, client.folders, client.admin, client.operations]
    missing = [
        f"{type(group).__name__}.{name}"
        for group in groups
        for name in dir(group)
        if not name.startswith("_")
        and callable(getattr(group, name))
        and not (getattr(group, name).__doc__ or "").strip()
    ]
    assert missing == []
