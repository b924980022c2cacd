"""Azure DevOps source-control connections with service-principal credentials: created with
the secret sealed and never returned, used by a service principal to connect a workspace
(``ConfiguredConnection``; ``Automatic`` is refused), and accepted by hosted Azure DevOps
repositories over smart HTTP as an Entra token for Azure DevOps."""

from __future__ import annotations

import base64
import sqlite3
from typing import Any

import httpx
import pytest

from emulator.git.git_support import ORG, PROJECT, REPO, Env, error_code
from fabric_git.emulator import Emulator
from fabric_git.emulator.auth import AZURE_DEVOPS_AUDIENCE, Principal
from fabric_git.emulator.gitrepo.repos import RepoKey

SECRET = "sp-secret-do-not-leak-42"
TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT = "66666666-7777-8888-9999-000000000000"
SP = Principal.named("deployer", "ServicePrincipal")
ADO_URL = f"https://dev.azure.com/{ORG}/{PROJECT}/_git/{REPO}"


def _create_body(name: str = "ado-sp") -> dict[str, Any]:
    return {
        "connectivityType": "ShareableCloud",
        "displayName": name,
        "connectionDetails": {
            "type": "AzureDevOpsSourceControl",
            "creationMethod": "AzureDevOpsSourceControl.Contents",
            "parameters": [{"dataType": "Text", "name": "url", "value": ADO_URL}],
        },
        "credentialDetails": {
            "credentials": {
                "credentialType": "ServicePrincipal",
                "tenantId": TENANT,
                "servicePrincipalClientId": CLIENT,
                "servicePrincipalSecret": SECRET,
            }
        },
    }


def _details(branch: str = "main") -> dict[str, str]:
    return {
        "gitProviderType": "AzureDevOps",
        "organizationName": ORG,
        "projectName": PROJECT,
        "repositoryName": REPO,
        "branchName": branch,
        "directoryName": "",
    }


def _sp_workspace(env: Env) -> tuple[httpx.Client, str]:
    ws = env.workspace()
    env.repo(required_pat="the-only-pat")
    return env.client_for(SP, role="Admin", ws=ws), ws


def test_the_connection_keeps_its_secret_sealed(env: Env) -> None:
    sp, _ = _sp_workspace(env)
    created = sp.post("/connections", json=_create_body())
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["connectionDetails"] == {"type": "AzureDevOpsSourceControl", "path": ADO_URL}
    assert body["credentialDetails"]["credentialType"] == "ServicePrincipal"
    listed = sp.get("/connections").text + sp.get(f"/connections/{body['id']}").text
    for text in (created.text, listed, repr(env.state)):
        assert SECRET not in text
    with env.state.store.read() as conn:
        dump = "\n".join(conn.iterdump()) if isinstance(conn, sqlite3.Connection) else ""
    assert dump and SECRET not in dump and CLIENT not in dump


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tenantId", "not-a-guid"),
        ("servicePrincipalClientId", None),
        ("servicePrincipalSecret", ""),
    ],
)
def test_a_service_principal_credential_needs_all_three(env: Env, field: str, value: Any) -> None:
    body = _create_body()
    body["credentialDetails"]["credentials"][field] = value
    response = env.client.post("/connections", json=body)
    assert response.status_code == 400 and error_code(response) == "InvalidInput"
    assert field in response.json()["moreDetails"][0]["message"]
    assert SECRET not in response.text


def test_a_service_principal_connects_with_its_configured_connection(env: Env) -> None:
    sp, ws = _sp_workspace(env)
    connection_id = sp.post("/connections", json=_create_body()).json()["id"]
    credentials = {"source": "ConfiguredConnection", "connectionId": connection_id}
    connected = sp.post(
        f"/workspaces/{ws}/git/connect",
        json={"gitProviderDetails": _details(), "myGitCredentials": credentials},
    )
    assert connected.status_code == 200, connected.text
    assert sp.post(f"/workspaces/{ws}/git/initializeConnection", json={}).status_code == 200
    env.item(ws, "Nb")
    committed = sp.post(f"/workspaces/{ws}/git/commitToGit", json={"mode": "All"})
    assert committed.status_code == 200, committed.text
    assert any(path.endswith("notebook-content.py") for path in env.files())
    assert sp.get(f"/workspaces/{ws}/git/myGitCredentials").json() == credentials


def test_a_service_principal_is_refused_automatic_credentials(env: Env) -> None:
    sp, ws = _sp_workspace(env)
    for body in (
        {"gitProviderDetails": _details()},
        {"gitProviderDetails": _details(), "myGitCredentials": {"source": "Automatic"}},
    ):
        refused = sp.post(f"/workspaces/{ws}/git/connect", json=body)
        assert refused.status_code == 403
        assert error_code(refused) == "PrincipalTypeNotSupported"


def test_a_service_principal_connection_does_not_reach_github(env: Env) -> None:
    ws = env.workspace()
    env.state.repos.create(RepoKey.github("contoso", "fabric"), branch="main")
    connection_id = env.client.post("/connections", json=_create_body()).json()["id"]
    details = {
        "gitProviderType": "GitHub",
        "ownerName": "contoso",
        "repositoryName": "fabric",
        "branchName": "main",
        "directoryName": "",
    }
    credentials = {"source": "ConfiguredConnection", "connectionId": connection_id}
    response = env.client.post(
        f"/workspaces/{ws}/git/connect",
        json={"gitProviderDetails": details, "myGitCredentials": credentials},
    )
    assert error_code(response) == "ConnectionMismatch"


# --- smart HTTP ---------------------------------------------------------------------------


def _info_refs(emu: Emulator, path: str, password: str | None, *, bearer: str | None = None) -> int:
    headers = {}
    if password is not None:
        basic = base64.b64encode(f"x:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {basic}"
    if bearer is not None:
        headers["Authorization"] = f"Bearer {bearer}"
    with httpx.Client(transport=emu.transport(), base_url=emu.base) as client:
        url = f"/git/{path}/info/refs?service=git-upload-pack"
        return client.get(url, headers=headers).status_code


def test_hosted_azure_devops_repositories_accept_an_entra_token_for_azure_devops(
    env: Env,
) -> None:
    env.repo(required_pat="the-only-pat")
    github = RepoKey.github("contoso", "fabric")
    env.state.repos.create(github, branch="main", required_pat="the-only-pat")
    ado_path = f"azure-devops/{ORG}/{PROJECT}/_git/{REPO}"
    sp_ado = env.emu.token_for(service_principal="deployer", audience=AZURE_DEVOPS_AUDIENCE)
    user_ado = env.emu.token_for(user="dev@contoso.com", audience=AZURE_DEVOPS_AUDIENCE)
    sp_fabric = env.emu.token_for(service_principal="deployer")
    # An Entra token for Azure DevOps: as a bearer token (what git's http.extraHeader sends) or
    # as the Basic password, of a service principal or a user.
    assert _info_refs(env.emu, ado_path, None, bearer=sp_ado) == 200
    assert _info_refs(env.emu, ado_path, None, bearer=user_ado) == 200
    assert _info_refs(env.emu, ado_path, sp_ado) == 200
    assert _info_refs(env.emu, ado_path, "the-only-pat") == 200
    # A token for the Fabric API is one for another audience: Azure DevOps refuses it.
    assert _info_refs(env.emu, ado_path, None, bearer=sp_fabric) == 401
    assert _info_refs(env.emu, ado_path, sp_fabric) == 401
    assert _info_refs(env.emu, ado_path, None, bearer=sp_ado + "x") == 401
    assert _info_refs(env.emu, ado_path, None, bearer="the-only-pat") == 401
    assert _info_refs(env.emu, ado_path, None) == 401
    # GitHub takes its PAT as the Basic password only.
    github_path = "github/contoso/fabric.git"
    assert _info_refs(env.emu, github_path, "the-only-pat") == 200
    assert _info_refs(env.emu, github_path, sp_ado) == 401
    assert _info_refs(env.emu, github_path, None, bearer=sp_ado) == 401
    assert _info_refs(env.emu, github_path, None, bearer="the-only-pat") == 401


def test_the_fabric_api_refuses_a_token_for_azure_devops(env: Env) -> None:
    ado = env.emu.token_for(service_principal="deployer", audience=AZURE_DEVOPS_AUDIENCE)
    with env.emu.client(ado) as client:
        response = client.get("/workspaces")
    assert response.status_code == 401 and error_code(response) == "InvalidToken"
