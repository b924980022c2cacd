"""Microsoft's Python SDK for Fabric (``microsoft-fabric-api``) driving the newer Git surface
against the emulator, unchanged: workspace relations; connection settings and "my Git
credentials"; Update From Git with ``itemOptionsByLogicalId``; Update Item Logical Id; an Azure
DevOps source-control connection holding a service principal's credentials, used by that
principal to connect a workspace (``Automatic`` refused); connection role assignments deciding
who may use a connection; the workspace's Git outbound policy; the admin API's Discover Git
Connections; Test Connection. Each effect is read back through the emulator's own REST API.

The SDK (0.1.0b30) models every one of these. Test Connection works with it only when answered
at once: on a 202 the SDK's result extractor looks for the operation's ``status`` among the
result model's unknown fields, but ``ConnectionStatusResponse`` has a ``status`` of its own
(a ``KeyError`` in the SDK's poller thread, whatever the service).

Long-running operations are answered at once (``synchronous_git``): the asynchronous form is
proven by test_microsoft_fabric_api.py, and the SDK's own wrappers sleep 5 s while one runs."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from fabric_git.cli._sandbox import Identity
from thirdparty.thirdparty_support import (
    NOTEBOOK,
    EmulatorCredential,
    GitTenant,
    rest,
    sdk_client,
)

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("synchronous_git")]

SECRET = "sp-secret-never-shown-7f3a"


def _definition(models: Any, text: str) -> Any:
    part = models.ItemDefinitionPart(
        path="notebook-content.py",
        payload=base64.b64encode(text.encode()).decode(),
        payload_type="InlineBase64",
    )
    return models.ItemDefinition(parts=[part])


def _notebook(models: Any, core: Any, workspace: str, name: str, text: str) -> Any:
    return core.items.create_item(
        workspace,
        models.CreateItemRequest(
            display_name=name, type="Notebook", definition=_definition(models, text)
        ),
    )


def _connect_github(models: Any, core: Any, tenant: GitTenant, workspace: str) -> str:
    """Connect, initialize and commit everything with the SDK; the new head."""
    details = models.GitHubDetails(
        owner_name=tenant.owner,
        repository_name=tenant.repo,
        branch_name="main",
        directory_name="/fabric",
    )
    credentials = models.ConfiguredConnectionGitCredentials(connection_id=tenant.connection_id)
    core.git.connect(
        workspace,
        models.GitConnectRequest(git_provider_details=details, my_git_credentials=credentials),
    )
    initialized = core.git.initialize_connection(
        workspace, models.InitializeGitConnectionRequest(initialization_strategy="PreferWorkspace")
    )
    core.git.commit_to_git(
        workspace,
        models.CommitToGitRequest(mode="All", workspace_head=initialized.workspace_head),
    )
    return str(rest(tenant.sandbox, "GET", f"/workspaces/{workspace}/git/status")["workspaceHead"])


def _refusal(error: Any) -> tuple[int, str]:
    """The status and Fabric ``errorCode`` of an ``HttpResponseError`` the SDK raised."""
    return error.status_code, json.loads(error.response.text())["errorCode"]


def _as(tenant: GitTenant, identity: Identity) -> httpx.Client:
    """Plain REST as ``identity`` (``rest`` calls as the admin)."""
    return httpx.Client(
        base_url=tenant.sandbox.running.base + "/v1",
        headers={"Authorization": f"Bearer {identity.token}"},
        timeout=30.0,
    )


def test_workspace_relations(tenant: GitTenant, credential: EmulatorCredential) -> None:
    from azure.core.exceptions import HttpResponseError
    from microsoft_fabric_api.generated.core import models

    core = sdk_client(tenant, credential).core
    sandbox, base = tenant.sandbox, tenant.workspace_id
    branch = sandbox.create_workspace(f"Branch {uuid.uuid4().hex[:8]}")
    other = sandbox.create_workspace(f"Other {uuid.uuid4().hex[:8]}")

    created = core.git.create_workspace_relation(
        base,
        models.CreateWorkspaceRelationRequest(related_workspace_id=branch, relation_type="Branch"),
    )
    assert (created.workspace_id, created.related_workspace_id, created.relation_type) == (
        base,
        branch,
        "Branch",
    )
    [seen] = list(core.git.list_workspace_relations(branch))
    assert (seen.id, seen.related_workspace_id, seen.relation_type) == (created.id, base, "Base")
    assert rest(sandbox, "GET", f"/workspaces/{branch}/git/workspaceRelations")["value"] == [
        {
            "id": created.id,
            "workspaceId": branch,
            "relatedWorkspaceId": base,
            "relationType": "Base",
        }
    ]

    # A branch workspace has one base: the SDK gets the emulator's refusal as an error.
    with pytest.raises(HttpResponseError) as refused:
        core.git.create_workspace_relation(
            branch,
            models.CreateWorkspaceRelationRequest(related_workspace_id=other, relation_type="Base"),
        )
    assert _refusal(refused.value) == (400, "BranchWorkspaceAlreadyHasBase")

    core.git.delete_workspace_relation(branch, created.id)
    assert rest(sandbox, "GET", f"/workspaces/{base}/git/workspaceRelations")["value"] == []
    assert list(core.git.list_workspace_relations(branch)) == []


def test_connection_settings_and_my_git_credentials(
    tenant: GitTenant, credential: EmulatorCredential
) -> None:
    from microsoft_fabric_api.generated.core import models

    core = sdk_client(tenant, credential).core
    sandbox, workspace = tenant.sandbox, tenant.workspace_id
    _notebook(models, core, workspace, "Load", NOTEBOOK.format(name="v1"))
    _connect_github(models, core, tenant, workspace)

    # My Git credentials: read, set to None, set back to the connection.
    mine = core.git.get_my_git_credentials(workspace)
    assert (mine.source, mine.connection_id) == ("ConfiguredConnection", tenant.connection_id)
    cleared = core.git.update_my_git_credentials(
        workspace, models.UpdateGitCredentialsToNoneRequest()
    )
    assert cleared.source == "None"
    path = f"/workspaces/{workspace}/git/myGitCredentials"
    assert rest(sandbox, "GET", path) == {"source": "None"}
    restored = core.git.update_my_git_credentials(
        workspace,
        models.UpdateGitCredentialsToConfiguredConnectionRequest(
            connection_id=tenant.connection_id
        ),
    )
    assert restored.connection_id == tenant.connection_id
    assert rest(sandbox, "GET", path) == tenant.credentials()

    # Connection settings: a Contributor may change the branch once they say so.
    settings = core.git.get_connection_settings(workspace)
    assert settings.additional_roles_authorized_to_change_branch == "None"
    contributor = sandbox.user(f"contributor-{uuid.uuid4().hex[:8]}@contoso.com")
    sandbox.add_role(workspace, contributor, "Contributor")
    with _as(tenant, contributor) as as_contributor:
        refused = as_contributor.post(f"/workspaces/{workspace}/git/disconnect")
        assert refused.status_code == 403, refused.text
        changed = core.git.update_connection_settings(
            workspace,
            models.UpdateGitConnectionSettingsRequest(
                additional_roles_authorized_to_change_branch="MemberAndContributor"
            ),
        )
        assert changed.additional_roles_authorized_to_change_branch == "MemberAndContributor"
        assert rest(sandbox, "GET", f"/workspaces/{workspace}/git/connectionSettings") == {
            "additionalRolesAuthorizedToChangeBranch": "MemberAndContributor"
        }
        allowed = as_contributor.post(f"/workspaces/{workspace}/git/disconnect")
        assert allowed.status_code == 200, allowed.text
    state = rest(sandbox, "GET", f"/workspaces/{workspace}/git/connection")
    assert state["gitConnectionState"] == "NotConnected"


def test_update_with_item_options_and_update_logical_id(
    tenant: GitTenant, credential: EmulatorCredential, tmp_path: Path
) -> None:
    from azure.core.exceptions import HttpResponseError
    from microsoft_fabric_api.generated.core import models

    core = sdk_client(tenant, credential).core
    sandbox, workspace = tenant.sandbox, tenant.workspace_id
    load = _notebook(models, core, workspace, "Load", NOTEBOOK.format(name="v1"))
    spare = _notebook(models, core, workspace, "Spare", NOTEBOOK.format(name="spare"))
    _connect_github(models, core, tenant, workspace)
    clone = tenant.clone(tmp_path / "clone")
    logical = json.loads(clone.read("fabric/Load.Notebook/.platform"))["config"]["logicalId"]

    clone.write("fabric/Load.Notebook/notebook-content.py", NOTEBOOK.format(name="v2"))
    pushed = clone.commit_and_push("Edit Load")
    status = core.git.get_status(workspace)

    # An unknown logical id is refused before anything changes.
    with pytest.raises(HttpResponseError) as refused:
        core.git.update_from_git(
            workspace,
            models.UpdateFromGitRequest(
                remote_commit_hash=pushed,
                workspace_head=status.workspace_head,
                options=models.UpdateOptions(
                    item_options_by_logical_id=[
                        models.ItemOptionsByLogicalIdEntry(
                            logical_id=str(uuid.uuid4()), options={"keepData": True}
                        )
                    ]
                ),
            ),
        )
    assert _refusal(refused.value) == (400, "InvalidInput")
    assert "itemOptionsByLogicalId[0].logicalId" in refused.value.response.text()
    after = rest(sandbox, "GET", f"/workspaces/{workspace}/git/status")
    assert after["workspaceHead"] == status.workspace_head

    # Options for the item the update brings: accepted, and the update lands.
    core.git.update_from_git(
        workspace,
        models.UpdateFromGitRequest(
            remote_commit_hash=pushed,
            workspace_head=status.workspace_head,
            options=models.UpdateOptions(
                item_options_by_logical_id=[
                    models.ItemOptionsByLogicalIdEntry(logical_id=logical, options={})
                ]
            ),
        ),
    )
    after = rest(sandbox, "GET", f"/workspaces/{workspace}/git/status")
    assert (after["workspaceHead"], after["changes"]) == (pushed, [])
    definition = rest(sandbox, "POST", f"/workspaces/{workspace}/items/{load.id}/getDefinition")
    parts = {p["path"]: p["payload"] for p in definition["definition"]["parts"]}
    code = base64.b64decode(parts["notebook-content.py"]).decode()
    assert code == NOTEBOOK.format(name="v2")

    # Update Item Logical Id, read back from the item's .platform; a duplicate is refused.
    new = str(uuid.uuid4())
    done = core.items.update_logical_id(
        workspace, spare.id, models.UpdateLogicalIdRequest(logical_id=new)
    )
    assert done.logical_id == new
    definition = rest(sandbox, "POST", f"/workspaces/{workspace}/items/{spare.id}/getDefinition")
    parts = {p["path"]: p["payload"] for p in definition["definition"]["parts"]}
    assert json.loads(base64.b64decode(parts[".platform"]))["config"]["logicalId"] == new
    with pytest.raises(HttpResponseError) as duplicate:
        core.items.update_logical_id(
            workspace, load.id, models.UpdateLogicalIdRequest(logical_id=new)
        )
    assert _refusal(duplicate.value)[1] == "DuplicateLogicalId"


def test_a_service_principal_connects_to_azure_devops_with_its_own_connection(
    tenant: GitTenant,
) -> None:
    from azure.core.exceptions import HttpResponseError
    from microsoft_fabric_api.generated.core import models

    sandbox, workspace = tenant.sandbox, tenant.workspace_id
    org = f"org-{uuid.uuid4().hex[:8]}"
    sandbox.admin(
        "POST",
        "/repos",
        {
            "provider": "AzureDevOps",
            "organization": org,
            "project": "data",
            "repo": "fabric",
            "directories": ["fabric"],
        },
    )
    principal = sandbox.service_principal(f"deployer-{uuid.uuid4().hex[:8]}")
    sandbox.add_role(workspace, principal)
    core = sdk_client(tenant, EmulatorCredential(principal.token)).core
    _notebook(models, core, workspace, "Load", NOTEBOOK.format(name="v1"))

    url = f"https://dev.azure.com/{org}/data/_git/fabric"
    created = core.connections.create_connection(
        models.CreateCloudConnectionRequest(
            connectivity_type="ShareableCloud",
            display_name=f"ADO {org}",
            connection_details=models.CreateConnectionDetails(
                type="AzureDevOpsSourceControl",
                creation_method="AzureDevOpsSourceControl.Contents",
                parameters=[models.ConnectionDetailsTextParameter(name="url", value=url)],
            ),
            credential_details=models.CreateCredentialDetails(
                credentials=models.ServicePrincipalCredentials(
                    tenant_id=str(uuid.uuid4()),
                    service_principal_client_id=str(uuid.uuid4()),
                    service_principal_secret=SECRET,
                )
            ),
        )
    )
    assert created.credential_details.credential_type == "ServicePrincipal"
    with _as(tenant, principal) as as_principal:
        stored = as_principal.get(f"/connections/{created.id}")
        assert stored.status_code == 200, stored.text
        assert stored.json()["connectionDetails"] == {
            "type": "AzureDevOpsSourceControl",
            "path": url,
        }
        assert SECRET not in stored.text

    details = models.AzureDevOpsDetails(
        organization_name=org,
        project_name="data",
        repository_name="fabric",
        branch_name="main",
        directory_name="/fabric",
    )
    # Automatic credentials are a user's own sign-in: a service principal is refused them.
    with pytest.raises(HttpResponseError) as refused:
        core.git.connect(
            workspace,
            models.GitConnectRequest(
                git_provider_details=details,
                my_git_credentials=models.AutomaticGitCredentials(),
            ),
        )
    assert _refusal(refused.value) == (403, "PrincipalTypeNotSupported")

    core.git.connect(
        workspace,
        models.GitConnectRequest(
            git_provider_details=details,
            my_git_credentials=models.ConfiguredConnectionGitCredentials(connection_id=created.id),
        ),
    )
    initialized = core.git.initialize_connection(
        workspace, models.InitializeGitConnectionRequest(initialization_strategy="PreferWorkspace")
    )
    core.git.commit_to_git(
        workspace,
        models.CommitToGitRequest(mode="All", workspace_head=initialized.workspace_head),
    )

    connection = rest(sandbox, "GET", f"/workspaces/{workspace}/git/connection")
    assert connection["gitConnectionState"] == "ConnectedAndInitialized"
    assert connection["gitProviderDetails"]["organizationName"] == org
    status = rest(sandbox, "GET", f"/workspaces/{workspace}/git/status")
    assert status["changes"] == [] and status["workspaceHead"] == status["remoteCommitHash"]
    with _as(tenant, principal) as as_principal:
        mine = as_principal.get(f"/workspaces/{workspace}/git/myGitCredentials").json()
    assert mine == {"source": "ConfiguredConnection", "connectionId": created.id}


def test_connection_role_assignments_decide_who_may_use_a_connection(
    tenant: GitTenant, credential: EmulatorCredential
) -> None:
    from azure.core.exceptions import HttpResponseError
    from microsoft_fabric_api.generated.core import models

    sandbox, workspace = tenant.sandbox, tenant.workspace_id
    owner = sdk_client(tenant, credential).core  # the admin created the tenant's connection
    principal = sandbox.service_principal(f"pipeline-{uuid.uuid4().hex[:8]}")
    sandbox.add_role(workspace, principal)
    as_principal = sdk_client(tenant, EmulatorCredential(principal.token)).core
    connect = models.GitConnectRequest(
        git_provider_details=models.GitHubDetails(
            owner_name=tenant.owner,
            repository_name=tenant.repo,
            branch_name="main",
            directory_name="/fabric",
        ),
        my_git_credentials=models.ConfiguredConnectionGitCredentials(
            connection_id=tenant.connection_id
        ),
    )

    # Not shared with the principal: the connection does not exist for it.
    with pytest.raises(HttpResponseError) as refused:
        as_principal.git.connect(workspace, connect)
    assert _refusal(refused.value) == (404, "ConnectionNotFound")

    added = owner.connections.add_connection_role_assignment(
        tenant.connection_id,
        models.AddConnectionRoleAssignmentRequest(
            principal=models.ServicePrincipal(id=principal.id), role="User"
        ),
    )
    assert (added.principal.id, added.principal.type, added.role) == (
        principal.id,
        "ServicePrincipal",
        "User",
    )
    listed = {
        a.principal.id: a.role
        for a in owner.connections.list_connection_role_assignments(tenant.connection_id)
    }
    assert listed[principal.id] == "User"

    as_principal.git.connect(workspace, connect)
    state = rest(sandbox, "GET", f"/workspaces/{workspace}/git/connection")
    assert state["gitConnectionState"] == "Connected"

    path = f"/connections/{tenant.connection_id}/roleAssignments"
    updated = owner.connections.update_connection_role_assignment(
        tenant.connection_id,
        added.id,
        models.UpdateConnectionRoleAssignmentRequest(role="UserWithReshare"),
    )
    assert updated.role == "UserWithReshare"
    roles = {a["principal"]["id"]: a["role"] for a in rest(sandbox, "GET", path)["value"]}
    assert roles[principal.id] == "UserWithReshare"

    owner.connections.delete_connection_role_assignment(tenant.connection_id, added.id)
    roles = {a["principal"]["id"]: a["role"] for a in rest(sandbox, "GET", path)["value"]}
    assert principal.id not in roles
    with pytest.raises(HttpResponseError) as gone:
        as_principal.connections.get_connection(tenant.connection_id)
    assert _refusal(gone.value) == (404, "ConnectionNotFound")


def test_git_outbound_policy_and_the_tenants_git_connections(
    tenant: GitTenant, credential: EmulatorCredential
) -> None:
    from microsoft_fabric_api.generated.core import models

    client = sdk_client(tenant, credential)
    core, sandbox, workspace = client.core, tenant.sandbox, tenant.workspace_id
    _notebook(models, core, workspace, "Load", NOTEBOOK.format(name="v1"))
    _connect_github(models, core, tenant, workspace)

    # The admin API lists every Git-connected workspace of the tenant (the caller is its admin).
    found = {c.workspace_id: c for c in client.admin.workspaces.list_git_connections()}
    details = found[workspace].git_provider_details
    assert (details.git_provider_type, details.owner_name, details.repository_name) == (
        "GitHub",
        tenant.owner,
        tenant.repo,
    )
    listed = rest(sandbox, "GET", "/admin/workspaces/discoverGitConnections")["value"]
    assert workspace in {c["workspaceId"] for c in listed}

    # Outbound policy: Allow by default; Deny stops the workspace's Git operations.
    assert core.workspaces.get_git_outbound_policy(workspace).default_action == "Allow"
    core.workspaces.set_git_outbound_policy(workspace, models.NetworkRules(default_action="Deny"))
    path = f"/workspaces/{workspace}/networking/communicationPolicy/outbound/git"
    assert rest(sandbox, "GET", path) == {"defaultAction": "Deny"}
    denied = sandbox.http().get(f"/v1/workspaces/{workspace}/git/status")
    assert denied.json()["errorCode"] == "GitOutboundAccessDenied", denied.text
    core.workspaces.set_git_outbound_policy(workspace, models.NetworkRules(default_action="Allow"))
    assert rest(sandbox, "GET", f"/workspaces/{workspace}/git/status")["changes"] == []


def test_test_connection_online_and_with_a_wrong_pat(
    tenant: GitTenant, credential: EmulatorCredential
) -> None:
    from microsoft_fabric_api.generated.core import models

    core = sdk_client(tenant, credential).core
    online = core.connections.test_connection(tenant.connection_id)
    wrong = core.connections.update_connection(
        tenant.connection_id,
        models.UpdateShareableCloudConnectionRequest(
            credential_details=models.UpdateCredentialDetails(
                credentials=models.KeyCredentials(key="ghp_not_the_repositorys_pat")
            ),
        ),
    )
    offline = core.connections.test_connection(tenant.connection_id)

    assert online.status == "Online" and not online.errors
    assert wrong.id == tenant.connection_id
    assert offline.status == "Offline"
    assert [e.error_code for e in offline.errors] == ["IncorrectCredentials"]
