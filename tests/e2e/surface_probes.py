"""Does the running emulator serve a part of the newer Git API surface yet? Each probe asks it
with a request that changes nothing lasting; a route it does not know answers 404
``EntityNotFound`` (or 405), a value it does not know yet is refused by name (400). Tests marked
``needs_emulator_surface(FEATURE)`` are skipped while their feature is not served, and run on
their own once it is."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fabric_git._httpx import httpx
from fabric_git.cli._sandbox import Sandbox

__all__ = ["FEATURES", "served"]


def _unknown(response: httpx.Response, *names: str) -> bool:
    """Whether the answer says the emulator does not know the route, or refuses a new value
    by the name of its field."""
    if response.status_code == 405:
        return True
    try:
        body: Any = response.json()
    except ValueError:
        body = {}
    code = body.get("errorCode") if isinstance(body, dict) else None
    if response.status_code == 404 and code == "EntityNotFound":
        return True
    if response.status_code == 400 and names:
        details = " ".join(str(d.get("message", "")) for d in body.get("moreDetails") or [])
        return any(
            details.startswith(f"{name}:") or f" {name}:" in details or f".{name}:" in details
            for name in names
        )
    return False


def _route(method: str, path: str) -> Callable[[Sandbox], bool]:
    def probe(sandbox: Sandbox) -> bool:
        guid = str(uuid.uuid4())
        response = sandbox.http().request(method, "/v1" + path.format(id=guid))
        return not _unknown(response)

    return probe


def _file_commit(sandbox: Sandbox) -> bool:
    guid = str(uuid.uuid4())
    body = {
        "mode": "FileLevelSelective",
        "itemsWithFileSelection": [{"objectId": guid, "selectedFiles": ["notebook-content.py"]}],
    }
    response = sandbox.http().post(f"/v1/workspaces/{guid}/git/commitToGit", json=body)
    return not _unknown(response, "mode")


def _ado_service_principal(sandbox: Sandbox) -> bool:
    guid = str(uuid.uuid4())
    body = {
        "connectivityType": "ShareableCloud",
        "displayName": f"surface-probe-{guid}",
        "connectionDetails": {
            "type": "AzureDevOpsSourceControl",
            "creationMethod": "AzureDevOpsSourceControl.Contents",
            "parameters": [
                {"dataType": "Text", "name": "url", "value": "https://dev.azure.com/o/p/_git/r"}
            ],
        },
        "credentialDetails": {
            "credentials": {
                "credentialType": "ServicePrincipal",
                "tenantId": guid,
                "servicePrincipalClientId": guid,
                "servicePrincipalSecret": "probe",
            }
        },
    }
    response = sandbox.http().post("/v1/connections", json=body)
    if response.is_success:  # served: take the probe's connection away again
        sandbox.http().delete(f"/v1/connections/{response.json()['id']}")
        return True
    return not _unknown(response, "credentialType", "type", "connectionDetails.type")


def _file_status(sandbox: Sandbox) -> bool:
    """A workspace with one item, connected to an empty repository: its item is an added
    change; per-file status lists the item's files on it."""
    from fabric_git.models.git import ConfiguredConnectionGitCredentials, GitHubDetails

    suffix = uuid.uuid4().hex[:8]
    pat = f"pat_probe_{suffix}"
    client = sandbox.client()
    workspace = sandbox.create_workspace(f"surface-probe-{suffix}")
    sandbox.create_item(workspace, "Probe", "Notebook", {"notebook-content.py": "print(1)\n"})
    sandbox.create_repo(f"probe{suffix}", "fabric", pat=pat)
    url = sandbox.repo_url(f"probe{suffix}", "fabric")
    connection = sandbox.create_github_connection(f"surface-probe-{suffix}", url, pat)
    details = GitHubDetails(
        owner_name=f"probe{suffix}",
        repository_name="fabric",
        branch_name="main",
        directory_name="/",
    )
    client.git.connect(
        workspace, details, ConfiguredConnectionGitCredentials(connection_id=connection)
    )
    client.git.initialize_connection(workspace)
    status = client.git.get_status(workspace, include_files_details=True)
    return any(change.file_changes for change in status.changes)


FEATURES: dict[str, Callable[[Sandbox], bool]] = {
    "file_status": _file_status,
    "file_commit": _file_commit,
    "connection_settings": _route("GET", "/workspaces/{id}/git/connectionSettings"),
    "relations": _route("GET", "/workspaces/{id}/git/workspaceRelations"),
    "logical_id": _route("PATCH", "/workspaces/{id}/items/{id}/logicalId"),
    "connection_roles": _route("GET", "/connections/{id}/roleAssignments"),
    "ado_service_principal": _ado_service_principal,
}

_answers: dict[tuple[str, str], bool] = {}


def served(sandbox: Sandbox, feature: str) -> bool:
    """Whether ``sandbox``'s emulator serves ``feature`` (asked once per emulator)."""
    if feature not in FEATURES:
        raise KeyError(f"unknown emulator surface feature {feature!r}; known: {sorted(FEATURES)}")
    key = (sandbox.url, feature)
    if key not in _answers:
        _answers[key] = FEATURES[feature](sandbox)
    return _answers[key]
