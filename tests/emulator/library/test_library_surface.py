"""The newer Git surface through ``FabricClient``, in process and over a socket: per-file status
and file-level commits, per-item update options, connection settings, workspace relations,
logical-id repair, the Git outbound policy, tenant discovery and a service principal's Azure
DevOps connection."""

from __future__ import annotations

import base64
import subprocess
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from emulator.library.library_support import Target, service_error_code
from fabric_git import (
    ConfiguredConnectionGitCredentials,
    FabricClient,
    FabricGitError,
    RetryPolicy,
)
from fabric_git.emulator.auth import AZURE_DEVOPS_AUDIENCE, Principal


def refused(action: Callable[[], Any]) -> str:
    with pytest.raises(FabricGitError) as caught:
        action()
    return service_error_code(caught.value)


def client_as(target: Target, token: str) -> FabricClient:
    return FabricClient(
        base_url=target.url,
        credential=token,
        transport=target.admin_transport,
        retry=RetryPolicy.no_retries(),
    )


def _committed(target: Target) -> tuple[str, str]:
    ws = target.workspace()
    target.repo()
    item = target.item(ws, "Nb")
    target.connected(ws)
    target.client.git.commit_to_git(ws)
    return ws, item


def test_per_file_status_and_a_file_level_commit(target: Target) -> None:
    ws, item = _committed(target)
    target.edit(item, b"# changed\n")
    other = target.item(ws, "Other")
    status = target.client.git.get_status(ws, include_files_details=True)
    by_name = {c.item_metadata.display_name: c for c in status.changes}
    files = by_name["Nb"].file_changes
    assert files is not None
    assert [(f.path, str(f.workspace_change)) for f in files] == [
        ("notebook-content.py", "Modified")
    ]
    assert target.client.git.get_status(ws).changes[0].file_changes is None
    target.client.git.commit_to_git(
        ws, mode="FileLevelSelective", files={other: [".platform"], item: None}
    )
    remaining = target.client.git.get_status(ws, include_files_details=True).changes
    assert [c.item_metadata.display_name for c in remaining] == ["Other"]
    pending = remaining[0].file_changes
    assert pending is not None
    assert [f.path for f in pending] == ["notebook-content.py"]


def test_a_file_of_no_change_is_refused(target: Target) -> None:
    ws, item = _committed(target)
    target.edit(item, b"# changed\n")
    code = refused(
        lambda: target.client.git.commit_to_git(
            ws, mode="FileLevelSelective", files={item: ["missing.py"]}
        )
    )
    assert code == "InvalidFileSelection"


def test_update_item_options_need_a_known_logical_id(target: Target) -> None:
    ws, item = _committed(target)
    tip = target.client.git.get_status(ws).remote_commit_hash
    known = {target.logical_id(item): {"anything": True}}
    target.client.git.update_from_git(ws, remote_commit_hash=tip, item_options=known)
    unknown = {str(uuid.uuid4()): {}}
    code = refused(
        lambda: target.client.git.update_from_git(ws, remote_commit_hash=tip, item_options=unknown)
    )
    assert code == "InvalidInput"


def test_connection_settings_and_relations(target: Target) -> None:
    ws, _ = _committed(target)
    git = target.client.git
    assert str(git.get_connection_settings(ws).additional_roles_authorized_to_change_branch) == (
        "None"
    )
    changed = git.update_connection_settings(ws, "MemberAndContributor")
    assert str(changed.additional_roles_authorized_to_change_branch) == "MemberAndContributor"
    branch = target.workspace("feature ws")
    relation = git.create_workspace_relation(branch, ws, "Base")
    assert str(relation.relation_type) == "Base"
    seen = git.list_workspace_relations(ws)
    assert [(r.id, str(r.relation_type), r.related_workspace_id) for r in seen] == [
        (relation.id, "Branch", branch)
    ]
    other = target.workspace("other ws")
    assert refused(lambda: git.create_workspace_relation(branch, other, "Base")) == (
        "BranchWorkspaceAlreadyHasBase"
    )
    git.delete_workspace_relation(ws, relation.id)
    assert git.list_workspace_relations(branch) == []


def test_logical_id_repair_and_outbound_policy(target: Target) -> None:
    ws = target.workspace()
    first, second = target.item(ws, "One"), target.item(ws, "Two")
    new = str(uuid.uuid4())
    assert target.client.items.update_logical_id(ws, first, new) == new
    assert target.logical_id(first) == new
    code = refused(lambda: target.client.items.update_logical_id(ws, second, new))
    assert code == "DuplicateLogicalId"
    workspaces = target.client.workspaces
    assert str(workspaces.get_git_outbound_policy(ws).default_action) == "Allow"
    workspaces.set_git_outbound_policy(ws, "Deny")
    assert str(workspaces.get_git_outbound_policy(ws).default_action) == "Deny"


def test_discovery_for_a_tenant_admin(target: Target) -> None:
    ws, _ = _committed(target)
    token = target.state.token_for(user="fabric-admin@contoso.com", tenant_admin=True)
    with client_as(target, token) as admin:
        found = admin.admin.discover_git_connections()
    assert [c.workspace_id for c in found] == [ws]
    plain = target.state.token_for(user="someone@contoso.com")
    with client_as(target, plain) as someone:
        assert refused(someone.admin.discover_git_connections) == "InsufficientPrivileges"


def test_a_service_principal_connects_to_azure_devops(target: Target) -> None:
    ws = target.workspace()
    target.state.repos.create(target.key, required_pat="only-this-pat")
    sp = Principal.named("deployer", "ServicePrincipal")
    target.client.workspaces.add_role_assignment(ws, sp.id, "ServicePrincipal", "Admin")
    token = target.state.token_for(service_principal="deployer")
    key = target.key
    url = f"https://dev.azure.com/{key.owner}/{key.project}/_git/{key.name}"
    with client_as(target, token) as deployer:
        connection = deployer.connections.create_azure_devops(
            "deployer ado",
            url,
            tenant_id=str(uuid.uuid4()),
            client_id=str(uuid.uuid4()),
            client_secret="sp-secret-value",
        )
        assert "sp-secret-value" not in repr(connection)
        assert refused(lambda: deployer.git.connect(ws, target.details())) == (
            "PrincipalTypeNotSupported"
        )
        credentials = ConfiguredConnectionGitCredentials(connection_id=connection.id)
        deployer.git.connect(ws, target.details(), credentials)
        result = deployer.git.initialize_connection(ws)
        assert str(result.required_action) == "None"
    if target.name == "socket":
        # Real git over smart HTTP with the principal's Entra token for Azure DevOps, as a
        # bearer token or the Basic password (given through the environment, never argv); its
        # token for the Fabric API is one for another audience.
        ado = target.state.token_for(service_principal="deployer", audience=AZURE_DEVOPS_AUDIENCE)
        assert _ls_remote(target, f"Bearer {ado}").returncode == 0
        assert _ls_remote(target, _basic(ado)).returncode == 0
        assert _ls_remote(target, f"Bearer {token}").returncode != 0
        assert _ls_remote(target, _basic(token)).returncode != 0
        assert _ls_remote(target, _basic("not-a-token")).returncode != 0


def _basic(password: str) -> str:
    return "Basic " + base64.b64encode(f"deployer:{password}".encode()).decode()


def _ls_remote(target: Target, authorization: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "ls-remote", f"{target.git_url}/{target.key.url_path}"],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "GIT_TERMINAL_PROMPT": "0",
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "HOME": str(target.workdir),
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "http.extraHeader",
            "GIT_CONFIG_VALUE_0": f"Authorization: {authorization}",
        },
    )
