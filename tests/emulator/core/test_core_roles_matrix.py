"""The roles-by-endpoint matrix, from the spec: for every operation the emulator serves, the
role its description's "Permissions" section asks for is read from the text, and a principal
holding each role below it is refused while one holding it or any role above is let through.
A principal with no role is refused too (``ConnectionNotFound`` for a connection, as Fabric
answers for one not shared with the caller).

Item permissions map to workspace roles as Fabric grants them: *read* is Viewer's, *write*
and *read and write* Contributor's. Operations that no workspace or connection role gates
(capacities, listing or creating workspaces and connections, operation states, which belong
to whoever started them) are listed in ``NOT_ROLE_GATED`` with the reason, so that a newly
served operation must be placed in one group or the other.
"""

from __future__ import annotations

import base64
import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

import spec
from conformance.conformance_support import emulated_operation_ids
from fabric_git.emulator import Emulator
from fabric_git.emulator.auth import Principal
from fabric_git.emulator.gitrepo.repos import RepoKey

WORKSPACE_ROLES = ("Viewer", "Contributor", "Member", "Admin")
CONNECTION_ROLES = ("User", "UserWithReshare", "Owner")

NOT_ROLE_GATED = {
    "Capacities_GetCapacity": "capacity permissions; the emulator has one shared capacity",
    "Capacities_ListCapacities": "no permission text",
    "Workspaces_ListWorkspaces": "lists the caller's own workspaces",
    "Workspaces_CreateWorkspace": "tenant and capacity permissions, not a workspace role",
    "Connections_CreateConnection": "gateway and tenant permissions only",
    "Connections_ListSupportedConnectionTypes": "gateway permission only",
    "LongRunningOperations_GetOperationState": "the principal that started the operation",
    "LongRunningOperations_GetOperationResult": "the principal that started the operation",
    "Git_CreateWorkspaceRelation": (
        "roles on two workspaces (admin on the branch one, contributor on the base one): "
        "tests/emulator/surface/test_surface_workspace_rules.py::test_relation_roles"
    ),
}

# Where the emulator asks more than the spec's text: documented in DEVIATIONS.md.
STRICTER = {"Connections_UpdateConnection": "Owner"}

_WORKSPACE = re.compile(
    r"\*(viewer|contributor|member|admin)\*(?: or higher)?"
    r" (?:workspace role|role (?:on|for) the workspace)",
    re.IGNORECASE,
)
_ITEM = re.compile(r"\*(read and write|write|read)\* permissions for the item", re.IGNORECASE)
_CONNECTION = re.compile(
    r"\*(User|UserWithReshare|Owner)\*(?: or higher role on| of) the connection"
    r"|(owner) permission for the connection|(permission) (?:for|to read) the connection",
    re.IGNORECASE,
)
_ITEM_ROLES = {"read": "Viewer", "write": "Contributor", "read and write": "Contributor"}


@dataclass(frozen=True)
class Required:
    kind: str  # "workspace" | "connection"
    role: str


def permissions_text(operation_id: str) -> str:
    description = spec.operation(operation_id).spec.get("description", "")
    found = re.search(r"## Permissions\s*(.*?)(?:\n## |\Z)", description, re.S)
    return " ".join(found.group(1).split()) if found else ""


def required_role(operation_id: str) -> Required | None:
    """The role the spec's Permissions text asks for (the workspace role when it names one)."""
    text = permissions_text(operation_id)
    if match := _WORKSPACE.search(text):
        return Required("workspace", match.group(1).capitalize())
    if match := _ITEM.search(text):
        return Required("workspace", _ITEM_ROLES[match.group(1).lower()])
    if match := _CONNECTION.search(text):
        if match.group(1):
            return Required(
                "connection",
                next(r for r in CONNECTION_ROLES if r.lower() == match.group(1).lower()),
            )
        return Required("connection", "Owner" if match.group(2) else "User")
    return None


def _cases() -> list[tuple[str, str, str | None]]:
    cases = []
    for operation_id in sorted(emulated_operation_ids() - set(NOT_ROLE_GATED)):
        required = required_role(operation_id)
        assert required is not None, (
            f"{operation_id}: no role in {permissions_text(operation_id)!r}"
        )
        roles = WORKSPACE_ROLES if required.kind == "workspace" else CONNECTION_ROLES
        cases += [(operation_id, required.kind, role) for role in (None, *roles)]
    return cases


def test_every_served_operation_is_in_the_matrix_or_says_why_not() -> None:
    served = emulated_operation_ids()
    assert set(NOT_ROLE_GATED) <= served
    for operation_id in sorted(served - set(NOT_ROLE_GATED)):
        assert required_role(operation_id) is not None, operation_id
    # The parse is the spec's text: spot checks that it reads what a person reads.
    assert required_role("Git_Connect") == Required("workspace", "Admin")
    assert required_role("Items_GetItem") == Required("workspace", "Viewer")
    assert required_role("Workspaces_AssignToCapacity") == Required("workspace", "Admin")
    assert required_role("Connections_AddConnectionRoleAssignment") == Required(
        "connection", "UserWithReshare"
    )
    assert required_role("Connections_DeleteConnection") == Required("connection", "Owner")
    assert required_role("Connections_GetConnection") == Required("connection", "User")
    assert required_role("Connections_TestConnection") == Required("connection", "User")


@pytest.fixture(scope="module")
def emu() -> Any:
    with Emulator(lro_mode="sync") as emulator:
        yield emulator


def _ok(response: httpx.Response) -> Any:
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def _part(path: str, data: bytes) -> dict[str, str]:
    return {"path": path, "payload": base64.b64encode(data).decode(), "payloadType": "InlineBase64"}


@dataclass
class Scene:
    values: dict[str, str]
    body: Any


def _arrange(
    emu: Any, admin: httpx.Client, operation_id: str, kind: str, caller: Principal, role: str | None
) -> Scene:
    tag = uuid.uuid4().hex[:8]
    other = Principal.named(f"other-{tag}@example.com")
    values: dict[str, str] = {}
    if kind == "connection":
        connection = _ok(
            admin.post(
                "/connections",
                json={
                    "connectivityType": "ShareableCloud",
                    "displayName": f"conn-{tag}",
                    "connectionDetails": {
                        "type": "GitHubSourceControl",
                        "creationMethod": "GitHubSourceControl.Contents",
                    },
                    "credentialDetails": {"credentials": {"credentialType": "Key", "key": "ghp_x"}},
                },
            )
        )
        values["connectionId"] = connection["id"]
        shares = f"/connections/{connection['id']}/roleAssignments"
        _ok(
            admin.post(shares, json={"principal": {"id": other.id, "type": "User"}, "role": "User"})
        )
        values["connectionRoleAssignmentId"] = other.id
        if role is not None:
            _ok(
                admin.post(
                    shares, json={"principal": {"id": caller.id, "type": "User"}, "role": role}
                )
            )
    else:
        ws = _ok(
            admin.post(
                "/workspaces", json={"displayName": f"ws-{tag}", "capacityId": emu.capacity_id}
            )
        )["id"]
        values["workspaceId"] = ws
        values["folderId"] = _ok(
            admin.post(f"/workspaces/{ws}/folders", json={"displayName": "F"})
        )["id"]
        values["itemId"] = _ok(
            admin.post(
                f"/workspaces/{ws}/items",
                json={
                    "displayName": "nb",
                    "type": "Notebook",
                    "definition": {"parts": [_part("notebook-content.py", b"# nb\n")]},
                },
            )
        )["id"]
        assignments = f"/workspaces/{ws}/roleAssignments"
        _ok(
            admin.post(
                assignments, json={"principal": {"id": other.id, "type": "User"}, "role": "Viewer"}
            )
        )
        values["workspaceRoleAssignmentId"] = other.id
        if role is not None:
            _ok(
                admin.post(
                    assignments, json={"principal": {"id": caller.id, "type": "User"}, "role": role}
                )
            )
        if operation_id.startswith("Git_"):
            key = RepoKey.azure_devops("contoso", "matrix", f"r{tag}")
            emu.state.repos.create(key)
            values["repo"] = key.name
            if operation_id != "Git_Connect":
                _ok(admin.post(f"/workspaces/{ws}/git/connect", json=_connect_body(key.name)))
                if operation_id != "Git_InitializeConnection":
                    _ok(admin.post(f"/workspaces/{ws}/git/initializeConnection", json={}))
    bodies: dict[str, Any] = {
        "Folders_CreateFolder": {"displayName": "New"},
        "Folders_MoveFolder": {},
        "Folders_UpdateFolder": {"displayName": "Renamed"},
        "Git_CommitToGit": {"mode": "All"},
        "Git_Connect": _connect_body(values.get("repo", "")),
        "Git_InitializeConnection": {},
        "Git_UpdateMyGitCredentials": {"source": "Automatic"},
        "Items_CreateItem": {"displayName": "new", "type": "Notebook"},
        "Items_MoveItem": {"targetFolderId": values.get("folderId")},
        "Items_UpdateItem": {"displayName": "renamed"},
        "Items_UpdateItemDefinition": {
            "definition": {"parts": [_part("notebook-content.py", b"# changed\n")]}
        },
        "Workspaces_AddWorkspaceRoleAssignment": {
            "principal": {"id": str(uuid.uuid4()), "type": "User"},
            "role": "Viewer",
        },
        "Workspaces_AssignToCapacity": {"capacityId": emu.capacity_id},
        "Workspaces_UpdateWorkspace": {"displayName": f"renamed-{tag}"},
        "Workspaces_UpdateWorkspaceRoleAssignment": {"role": "Contributor"},
        "Workspaces_SetGitOutboundPolicy": {"defaultAction": "Allow"},
        "Connections_AddConnectionRoleAssignment": {
            "principal": {"id": str(uuid.uuid4()), "type": "User"},
            "role": "User",
        },
        "Connections_UpdateConnection": {
            "connectivityType": "ShareableCloud",
            "displayName": f"renamed-{tag}",
        },
        "Connections_UpdateConnectionRoleAssignment": {"role": "UserWithReshare"},
    }
    if operation_id == "Git_DeleteWorkspaceRelation":
        # A relation with this workspace as the branch one, made by the admin.
        base = _ok(
            admin.post(
                "/workspaces", json={"displayName": f"base-{tag}", "capacityId": emu.capacity_id}
            )
        )["id"]
        relation = _ok(
            admin.post(
                f"/workspaces/{values['workspaceId']}/git/workspaceRelations",
                json={"relatedWorkspaceId": base, "relationType": "Base"},
            )
        )
        values["workspaceRelationId"] = relation["id"]
    if operation_id == "Git_UpdateFromGit":
        status = _ok(admin.get(f"/workspaces/{values['workspaceId']}/git/status"))
        bodies[operation_id] = {"remoteCommitHash": status["remoteCommitHash"]}
    return Scene(values, bodies.get(operation_id))


def _connect_body(repo: str) -> dict[str, Any]:
    return {
        "gitProviderDetails": {
            "gitProviderType": "AzureDevOps",
            "organizationName": "contoso",
            "projectName": "matrix",
            "repositoryName": repo,
            "branchName": "main",
            "directoryName": "",
        }
    }


def _refused(response: httpx.Response, kind: str) -> bool:
    if response.status_code == 403:
        return response.json()["errorCode"] == "InsufficientPrivileges"
    if kind == "connection" and response.status_code == 404:
        return response.json()["errorCode"] == "ConnectionNotFound"
    return False


@pytest.mark.parametrize(("operation_id", "kind", "role"), _cases())
def test_role_matrix(emu: Any, operation_id: str, kind: str, role: str | None) -> None:
    required = STRICTER.get(operation_id) or required_role(operation_id).role  # type: ignore[union-attr]
    ranks = WORKSPACE_ROLES if kind == "workspace" else CONNECTION_ROLES
    allowed = role is not None and ranks.index(role) >= ranks.index(required)
    caller = Principal.named(f"caller-{uuid.uuid4().hex[:8]}@example.com")
    with emu.client() as admin:
        scene = _arrange(emu, admin, operation_id, kind, caller, role)
    operation = spec.operation(operation_id)
    path = operation.path
    for name, value in scene.values.items():
        path = path.replace("{" + name + "}", value)
    with emu.client(emu.token_for(user=caller.name)) as client:
        response = client.request(operation.method, path, json=scene.body)
    assert response.status_code < 500, response.text
    if operation_id == "Connections_ListConnections":
        listed = {c["id"] for c in response.json()["value"]}
        assert (scene.values["connectionId"] in listed) == allowed
        return
    if allowed:
        assert not _refused(response, kind), f"{role} refused: {response.text}"
        assert response.status_code < 300, response.text
    else:
        assert _refused(response, kind), (
            f"{role} let through: {response.status_code} {response.text}"
        )
