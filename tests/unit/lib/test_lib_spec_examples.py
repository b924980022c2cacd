"""Every spec example of an operation this library covers parses into its model and serialises
back to an equivalent document."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import TypeAdapter

from fabric_git import models as m
from fabric_git.models import to_wire
from spec import definition_schema, spec_root, validate

EXAMPLES = spec_root() / "platform" / "examples"

# file -> (request body model, {status: response body model})
Spec = tuple[Any, dict[str, Any]]
COVERED: dict[str, Spec] = {
    "gitIntegration/CommitToGit_All.json": (m.CommitToGitRequest, {}),
    "gitIntegration/CommitToGit_Selective.json": (m.CommitToGitRequest, {}),
    "gitIntegration/ConnectToAzureDevOps.json": (m.GitConnectRequest, {}),
    "gitIntegration/ConnectToAzureDevOpsUsingConfiguredConnection.json": (
        m.GitConnectRequest,
        {},
    ),
    "gitIntegration/ConnectToGitHub.json": (m.GitConnectRequest, {}),
    "gitIntegration/ConnectToGitHubEnterpriseWithDataResidency.json": (m.GitConnectRequest, {}),
    "gitIntegration/Disconnect.json": (None, {}),
    "gitIntegration/GetConnection.json": (None, {"200": m.GitConnection}),
    "gitIntegration/GetConnection_NotConnected.json": (None, {"200": m.GitConnection}),
    "gitIntegration/GetMyGitCredentials_Automatic.json": (
        None,
        {"200": m.AnyGitCredentialsConfigurationResponse},
    ),
    "gitIntegration/GetMyGitCredentials_ConfiguredConnection.json": (
        None,
        {"200": m.AnyGitCredentialsConfigurationResponse},
    ),
    "gitIntegration/GetMyGitCredentials_None.json": (
        None,
        {"200": m.AnyGitCredentialsConfigurationResponse},
    ),
    "gitIntegration/GetStatus.json": (None, {"200": m.GitStatusResponse}),
    "gitIntegration/GetStatus_Conflict.json": (None, {"200": m.GitStatusResponse}),
    "gitIntegration/GetStatus_NoChanges.json": (None, {"200": m.GitStatusResponse}),
    "gitIntegration/InitializeConnection.json": (
        m.InitializeGitConnectionRequest,
        {"200": m.InitializeGitConnectionResponse},
    ),
    "gitIntegration/UpdateFromGit.json": (m.UpdateFromGitRequest, {}),
    "gitIntegration/UpdateMyGitCredentials_ToAutomatic.json": (
        m.AnyUpdateGitCredentialsRequest,
        {"200": m.AnyGitCredentialsConfigurationResponse},
    ),
    "gitIntegration/UpdateMyGitCredentials_ToConfiguredConnection.json": (
        m.AnyUpdateGitCredentialsRequest,
        {"200": m.AnyGitCredentialsConfigurationResponse},
    ),
    "gitIntegration/UpdateMyGitCredentials_ToNone.json": (
        m.AnyUpdateGitCredentialsRequest,
        {"200": m.AnyGitCredentialsConfigurationResponse},
    ),
    "connections/CreateCloudConnection.json": (
        m.AnyCreateConnectionRequest,
        {"201": m.Connection},
    ),
    "connections/CreateCloudConnectionWithKeyPair.json": (
        m.AnyCreateConnectionRequest,
        {"201": m.Connection},
    ),
    "connections/CreateOnPremisesGatewayConnection.json": (
        m.AnyCreateConnectionRequest,
        {"201": m.Connection},
    ),
    "connections/CreateStreamingVirtualNetworkGatewayConnection.json": (
        m.AnyCreateConnectionRequest,
        {"201": m.Connection},
    ),
    "connections/CreateVirtualNetworkGatewayConnection.json": (
        m.AnyCreateConnectionRequest,
        {"201": m.Connection},
    ),
    "connections/DeleteConnection.json": (None, {}),
    "connections/UpdateShareableCloudConnection.json": (
        m.UpdateShareableCloudConnectionRequest,
        {"200": m.Connection},
    ),
    "connections/GetConnection.json": (None, {"200": m.Connection}),
    "connections/ListConnections.json": (None, {"200": m.ListConnectionsResponse}),
    "platform/CreateWorkspaceRequiredOnly.json": (m.CreateWorkspaceRequest, {"201": m.Workspace}),
    "platform/GetWorkspace.json": (None, {"200": m.WorkspaceInfo}),
    "platform/GetWorkspaceWithPreferWorkspaceSpecificEndpoints.json": (
        None,
        {"200": m.WorkspaceInfo},
    ),
    "platform/ListWorkspaces.json": (None, {"200": m.Workspaces}),
    "platform/ListWorkspacesWithContinuation.json": (None, {"200": m.Workspaces}),
    "platform/ListWorkspacesWithPreferWorkspaceSpecificEndpoints.json": (
        None,
        {"200": m.Workspaces},
    ),
    "platform/ListWorkspacesWithWorkspaceRoleFilter.json": (None, {"200": m.Workspaces}),
    "platform/GetItem.json": (None, {"200": m.Item}),
    "platform/GetItemWithDefaultIdentity.json": (None, {"200": m.Item}),
    "platform/ListAllItemsInFolder.json": (None, {"200": m.Items}),
    "platform/ListDirectItemsInFolder.json": (None, {"200": m.Items}),
    "platform/ListDirectItemsInWorkspace.json": (None, {"200": m.Items}),
    "platform/ListItemsInWorkspace.json": (None, {"200": m.Items}),
    "platform/ListItemsInWorkspaceByType.json": (None, {"200": m.Items}),
    "platform/ListItemsInWorkspaceWithContinuation.json": (None, {"200": m.Items}),
    "platform/ListItemsWithDefaultIdentity.json": (None, {"200": m.Items}),
    "platform/CreateItemInFolder.json": (m.CreateItemRequest, {"201": m.Item}),
    "platform/CreateItemRequiredOnly.json": (m.CreateItemRequest, {"201": m.Item}),
    "platform/CreateItemWithSensitivityLabelStrategy.json": (m.CreateItemRequest, {"201": m.Item}),
    "platform/UpdateItem.json": (m.UpdateItemRequest, {"200": m.Item}),
    "platform/DeleteItem.json": (None, {}),
    "platform/HardDeleteItem.json": (None, {}),
    "platform/GetItemDefinition.json": (None, {"200": m.ItemDefinitionResponse}),
    "platform/UpdateItemDefinition.json": (m.UpdateItemDefinitionRequest, {}),
    "gitIntegration/CreateWorkspaceRelation.json": (
        m.CreateWorkspaceRelationRequest,
        {"201": m.WorkspaceRelation},
    ),
    "gitIntegration/DeleteWorkspaceRelation.json": (None, {}),
    "gitIntegration/ListWorkspaceRelations.json": (None, {"200": m.WorkspaceRelations}),
    "connections/AddConnectionRoleAssignment.json": (
        m.AddConnectionRoleAssignmentRequest,
        {"201": m.ConnectionRoleAssignment},
    ),
    "connections/DeleteConnectionRoleAssignment.json": (None, {}),
    "connections/GetConnectionRoleAssignment.json": (None, {"200": m.ConnectionRoleAssignment}),
    "connections/ListConnectionRoleAssignments.json": (
        None,
        {"200": m.ConnectionRoleAssignments},
    ),
    "connections/ListConnectionRoleAssignmentsWithContinuation.json": (
        None,
        {"200": m.ConnectionRoleAssignments},
    ),
    "connections/UpdateConnectionRoleAssignment.json": (
        m.UpdateConnectionRoleAssignmentRequest,
        {"200": m.ConnectionRoleAssignment},
    ),
    "connections/ListSupportedConnectionTypes.json": (
        None,
        {"200": m.ListSupportedConnectionTypesResponse},
    ),
    "connections/TestConnection.json": (None, {"200": m.ConnectionStatusResponse}),
    "connections/TestConnectionOffline.json": (None, {"200": m.ConnectionStatusResponse}),
    "platform/GetLongRunningOperationStateCompleted.json": (None, {"200": m.OperationState}),
    "platform/GetLongRunningOperationStateRunning.json": (None, {"200": m.OperationState}),
    # The result of the operation in this example is an item (Create Item).
    "platform/GetLongRunningOperationResult.json": (None, {"200": m.Item}),
}

# Examples of operations the library does not wrap (workspace update and delete, updates of
# connections other than shareable cloud ones).
NOT_COVERED_PREFIXES = (
    "connections/UpdateOnPremisesGateway",
    "connections/UpdatePersonalCloud",
    "connections/UpdateStreamingVirtualNetworkGateway",
    "connections/UpdateVirtualNetworkGateway",
    "platform/DeleteWorkspace",
    "platform/UpdateWorkspace",
)


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


def _request_body(example: dict[str, Any]) -> dict[str, Any] | None:
    bodies = [v for v in example.get("parameters", {}).values() if isinstance(v, dict)]
    assert len(bodies) <= 1
    return bodies[0] if bodies else None


def _dump(value: Any) -> Any:
    return TypeAdapter(Any).dump_python(
        value, by_alias=True, exclude_unset=True, mode="json", context={"reveal_secrets": True}
    )


def test_every_example_file_is_classified() -> None:
    assert EXAMPLES.is_dir(), f"spec examples not found at {EXAMPLES}"
    present = {
        str(p.relative_to(EXAMPLES))
        for folder in ("gitIntegration", "connections", "platform")
        for p in (EXAMPLES / folder).glob("*.json")
    }
    unclassified = {
        name
        for name in present
        if name not in COVERED and not name.startswith(NOT_COVERED_PREFIXES)
    }
    assert unclassified == set()
    assert set(COVERED) <= present


@pytest.mark.parametrize("name", sorted(COVERED))
def test_example_round_trips(name: str) -> None:
    example = _load(name)
    request_model, response_models = COVERED[name]
    body = _request_body(example)
    if request_model is None:
        assert body is None
    else:
        assert body is not None
        parsed = TypeAdapter(request_model).validate_python(body)
        assert _dump(parsed) == body
        assert to_wire(parsed) == body
    responses = example["responses"]
    for status, model in response_models.items():
        original = responses[status]["body"]
        parsed = TypeAdapter(model).validate_python(original)
        assert _dump(parsed) == original
    # A status with a body must have a model, so no example body goes unchecked.
    with_body = {s for s, r in responses.items() if "body" in r}
    assert with_body <= set(response_models)


def test_examples_parse_into_the_specific_subtypes() -> None:
    status = m.GitStatusResponse.model_validate(
        _load("gitIntegration/GetStatus.json")["responses"]["200"]["body"]
    )
    assert status.changes[0].workspace_change is m.ChangeType.ADDED
    assert status.changes[0].item_metadata.item_type is m.ItemType.SEMANTIC_MODEL
    connection = m.GitConnection.model_validate(
        _load("gitIntegration/GetConnection.json")["responses"]["200"]["body"]
    )
    assert isinstance(connection.git_provider_details, m.AzureDevOpsDetails)
    assert connection.git_connection_state is m.GitConnectionState.CONNECTED_AND_INITIALIZED
    request = m.GitConnectRequest.model_validate(
        _load("gitIntegration/ConnectToGitHubEnterpriseWithDataResidency.json")["parameters"][
            "gitConnectRequest"
        ]
    )
    assert isinstance(request.git_provider_details, m.GitHubDetails)
    assert request.git_provider_details.custom_domain_name == "my-enterprise.ghe.com"
    assert isinstance(request.my_git_credentials, m.ConfiguredConnectionGitCredentials)
    items = m.Items.model_validate(
        _load("platform/ListItemsInWorkspace.json")["responses"]["200"]["body"]
    )
    # "KustoDashboard" is not in the spec's ItemType enum: it is kept, not rejected.
    assert items.value[1].type == "KustoDashboard"
    assert not isinstance(items.value[1].type, m.ItemType)


def test_admin_git_connections_page_matches_the_schema_and_round_trips() -> None:
    # The admin spec's shape of a page (its example file is not vendored).
    page = {
        "value": [
            {
                "workspaceId": "41ce06d1-d81b-4ea0-bc6d-2ce3dd2f8e87",
                "gitProviderDetails": {
                    "gitProviderType": "AzureDevOps",
                    "organizationName": "Test Organization",
                    "projectName": "Test Project",
                    "repositoryName": "Test Repo",
                    "branchName": "Test Branch",
                    "directoryName": "/Test Directory",
                },
            },
            {
                "workspaceId": "2e2c3b6e-0f56-4a0c-9a9c-4e0c3b3b1d11",
                "gitProviderDetails": {
                    "gitProviderType": "GitHub",
                    "ownerName": "Test Owner",
                    "repositoryName": "Test Repo",
                    "branchName": "Test Branch",
                    "directoryName": "/Test Directory",
                },
            },
        ],
        "continuationToken": "LDEsMTAwMDAwLDA%3D",
        "continuationUri": "https://api.fabric.microsoft.com/v1/admin/workspaces/"
        "discoverGitConnections?continuationToken=LDEsMTAwMDAwLDA%3D",
    }
    assert validate(page, definition_schema("admin/definitions.json", "GitConnections")) == []
    parsed = m.GitConnections.model_validate(page)
    assert _dump(parsed) == page
    assert isinstance(parsed.value[0].git_provider_details, m.AzureDevOpsDetails)
    assert isinstance(parsed.value[1].git_provider_details, m.GitHubDetails)


def test_new_examples_parse_into_typed_values() -> None:
    offline = m.ConnectionStatusResponse.model_validate(
        _load("connections/TestConnectionOffline.json")["responses"]["200"]["body"]
    )
    assert offline.status is m.TestConnectionStatus.OFFLINE
    assert offline.errors is not None and offline.errors[0].error_code
    relations = m.WorkspaceRelations.model_validate(
        _load("gitIntegration/ListWorkspaceRelations.json")["responses"]["200"]["body"]
    )
    assert {r.relation_type for r in relations.value} <= set(m.WorkspaceRelationType)
    definition = m.ItemDefinitionResponse.model_validate(
        _load("platform/GetItemDefinition.json")["responses"]["200"]["body"]
    ).definition
    # The example's payloads are placeholders, not base64: only their typing is checked here.
    assert all(part.payload_type is m.PayloadType.INLINE_BASE64 for part in definition.parts)
