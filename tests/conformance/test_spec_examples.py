"""Every spec example of the emulated operations, replayed against the emulator.

For each example and each success status it shows, the test builds the state the example
implies, sends the example's request with the ids of that state substituted, and checks the
status (LRO mode "sync" for 200, "async" for 202), the 202 headers (``Location`` on the host
the client called, ``x-ms-operation-id``, ``Retry-After``), and the body: it validates against
the operation's response schema and has every key the example body has.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

import spec
from conformance.conformance_support import (
    Stage,
    emulated_operation_ids,
    json_body,
    lro_header_problems,
    missing_keys,
    platform_file,
)

# Examples whose request the emulator cannot serve by design, each with the reason (these are
# the knowing differences listed in DEVIATIONS.md). Their replay still runs and must answer
# with a well-formed ErrorResponse.
_OTHER_CONNECTIONS = "only GitHub source-control connections with a key credential are emulated"
NOT_EMULATED: dict[str, str] = {
    "CreateOnPremisesGatewayConnection.json": _OTHER_CONNECTIONS,
    "CreateVirtualNetworkGatewayConnection.json": _OTHER_CONNECTIONS,
    "CreateStreamingVirtualNetworkGatewayConnection.json": _OTHER_CONNECTIONS,
    "CreateCloudConnection.json": _OTHER_CONNECTIONS,
    "CreateCloudConnectionWithKeyPair.json": _OTHER_CONNECTIONS,
    "UpdateOnPremisesGatewayConnection.json": _OTHER_CONNECTIONS,
    "UpdateOnPremisesGatewayPersonalConnection.json": _OTHER_CONNECTIONS,
    "UpdateVirtualNetworkGatewayConnection.json": _OTHER_CONNECTIONS,
    "UpdateStreamingVirtualNetworkGatewayConnection.json": _OTHER_CONNECTIONS,
    "UpdatePersonalCloudConnection.json": _OTHER_CONNECTIONS,
    "UpdateItemDefinition.json": "the example's .platform payload is a placeholder, not JSON",
}

# Known differences the emulator has today, reported as expected failures (strict: the test
# fails as soon as the emulator conforms, so the entry must then be removed).
KNOWN_DIFFERENCES: dict[str, str] = {}


@dataclass
class Replay:
    path: str
    body: Any = None
    query: dict[str, str] = field(default_factory=dict)
    host: str = "emulator.local"


def _cases() -> list[Any]:
    cases = []
    emulated = emulated_operation_ids()
    for op_id in sorted(emulated):
        for file in spec.operation(op_id).example_files().values():
            example = json.loads(file.read_text(encoding="utf-8"))
            for status in sorted(example.get("responses", {})):
                if int(status) < 300:
                    cases.append(pytest.param(op_id, file, int(status), id=f"{file.stem}-{status}"))
    return cases


def _body_param(op: spec.Operation, example: dict[str, Any] | None = None) -> str | None:
    """The example's name for the request body (examples do not always use the spec's)."""
    named = {p["name"] for p in op.spec.get("parameters", []) if p.get("in") != "body"}
    for parameter in op.spec.get("parameters", []):
        if parameter.get("in") == "body":
            if example is None or parameter["name"] in example["parameters"]:
                return str(parameter["name"])
            extra = [k for k in example["parameters"] if k not in named]
            return extra[0] if extra else None
    return None


# --- arrangements: the state each example implies -----------------------------------------


def _connected(stage: Stage, *, items: int = 1) -> tuple[str, str]:
    ws = stage.workspace()
    for index in range(items):
        stage.item(ws, f"Item {index}")
    stage.repo()
    connection = stage.connection()
    stage.synced(ws, connection)
    return ws, connection


_ADO_DETAILS = {
    "gitProviderType": "AzureDevOps",
    "organizationName": "contoso",
    "projectName": "analytics",
    "repositoryName": "fabric",
    "branchName": "main",
    "directoryName": "",
}


def _head(init: dict[str, Any]) -> dict[str, str]:
    head = init.get("workspaceHead")
    return {"workspaceHead": head} if head else {}


def _git_path(ws: str, tail: str) -> str:
    return f"/workspaces/{ws}/git/{tail}"


def arrange_git(stage: Stage, op_id: str, file: Path, example: dict[str, Any]) -> Replay:
    name = file.stem
    params = example["parameters"]
    body_name = _body_param(spec.operation(op_id), example)
    body = json.loads(json.dumps(params.get(body_name))) if body_name else None
    s = stage

    if op_id == "Git_GetConnection":
        if name.endswith("NotConnected"):
            return Replay(_git_path(s.workspace(), "connection"))
        # The example is an Azure DevOps connection with Automatic credentials.
        ws = s.workspace()
        s.item(ws, "Item 0")
        s.ado_repo("contoso", "analytics", "fabric")
        s.ok("POST", _git_path(ws, "connect"), {"gitProviderDetails": _ADO_DETAILS})
        init = s.run_lro("POST", _git_path(ws, "initializeConnection"), {})
        s.run_lro("POST", _git_path(ws, "commitToGit"), {"mode": "All", **_head(init)})
        return Replay(_git_path(ws, "connection"))
    if op_id == "Git_Connect":
        ws = s.workspace()
        details = body["gitProviderDetails"]
        # Example coordinates hold spaces, which no Git host accepts in a repository or branch
        # name; the hosted repository uses the same names with dashes.
        for key in ("ownerName", "organizationName", "projectName", "repositoryName", "branchName"):
            if key in details:
                details[key] = details[key].replace(" ", "-")
        branch = details["branchName"]
        # The example's directory exists on the branch (Connect refuses one it lacks).
        directory = details.get("directoryName", "").strip("/")
        directories = [directory] if directory else []
        if details["gitProviderType"] == "GitHub":
            s.repo(details["ownerName"], details["repositoryName"], branch, directories)
        else:
            s.ado_repo(
                details["organizationName"],
                details["projectName"],
                details["repositoryName"],
                branch,
                directories,
            )
        credentials = body.get("myGitCredentials") or {}
        if credentials.get("source") == "ConfiguredConnection":
            if details["gitProviderType"] == "GitHub":
                credentials["connectionId"] = s.connection(
                    details.get("ownerName", "contoso"), details["repositoryName"]
                )
            else:
                credentials["connectionId"] = _ado_connection(s, details)
        return Replay(_git_path(ws, "connect"), body)
    if op_id in (
        "Git_ListWorkspaceRelations",
        "Git_CreateWorkspaceRelation",
        "Git_DeleteWorkspaceRelation",
    ):
        ws, related = s.workspace(), s.workspace("Related workspace")
        if op_id == "Git_CreateWorkspaceRelation":
            body["relatedWorkspaceId"] = related
            return Replay(_git_path(ws, "workspaceRelations"), body)
        relation = s.ok(
            "POST",
            _git_path(ws, "workspaceRelations"),
            {"relatedWorkspaceId": related, "relationType": "Base"},
            status=201,
        )
        if op_id == "Git_ListWorkspaceRelations":
            return Replay(_git_path(ws, "workspaceRelations"))
        return Replay(_git_path(ws, f"workspaceRelations/{relation['id']}"))
    if op_id == "Git_Disconnect":
        ws, _ = _connected(s)
        return Replay(_git_path(ws, "disconnect"))
    if op_id == "Git_InitializeConnection":
        # Content on both sides: the workspace has an item and the branch has another.
        ws = s.workspace()
        s.item(ws, "Workspace notebook")
        s.repo()
        s.push(
            {
                "Remote.Notebook/.platform": platform_file(
                    "5b1f6d52-64a3-4b0e-9d2c-0d6a1f1b7c01", "Remote"
                ),
                "Remote.Notebook/notebook-content.py": b"# Fabric notebook source\n",
            }
        )
        s.connect(ws, s.connection())
        return Replay(_git_path(ws, "initializeConnection"), body)
    if op_id == "Git_GetStatus":
        return Replay(_git_path(_status_state(s, name), "status"))
    if op_id == "Git_CommitToGit":
        ws, _ = _connected(s, items=2)
        items = s.ok("GET", f"/workspaces/{ws}/items")["value"]
        s.set_content(ws, items[0]["id"], "# Fabric notebook source\nprint('modified')\n")
        added = s.item(ws, "Added in workspace")
        status = s.status(ws)
        body["workspaceHead"] = status["workspaceHead"]
        if body["mode"] == "Selective":
            modified = next(c for c in status["changes"] if c.get("workspaceChange") == "Modified")
            body["items"] = [modified["itemMetadata"]["itemIdentifier"], {"objectId": added}]
        return Replay(_git_path(ws, "commitToGit"), body)
    if op_id == "Git_UpdateFromGit":
        ws, _ = _connected(s)
        s.push(
            {
                "Incoming.Notebook/.platform": platform_file(
                    "7c2e5a41-1d3b-4f6a-8e9d-2a1b3c4d5e02", "Incoming"
                ),
                "Incoming.Notebook/notebook-content.py": b"# Fabric notebook source\n",
            }
        )
        status = s.status(ws)
        body["workspaceHead"] = status["workspaceHead"]
        body["remoteCommitHash"] = status["remoteCommitHash"]
        return Replay(_git_path(ws, "updateFromGit"), body)
    if op_id in ("Git_GetMyGitCredentials", "Git_UpdateMyGitCredentials"):
        automatic = "Automatic" in name
        ws = s.workspace()
        if automatic:
            # Automatic credentials exist for Azure DevOps only.
            s.ado_repo("contoso", "analytics", "fabric")
            s.ok("POST", _git_path(ws, "connect"), {"gitProviderDetails": _ADO_DETAILS})
        else:
            s.repo()
            connection = s.connection()
            s.connect(ws, connection)
            if body is not None and body.get("source") == "ConfiguredConnection":
                body["connectionId"] = connection
            if op_id == "Git_GetMyGitCredentials" and name.endswith("None"):
                s.ok("PATCH", _git_path(ws, "myGitCredentials"), {"source": "None"})
        return Replay(_git_path(ws, "myGitCredentials"), body)
    raise AssertionError(f"no arrangement for {op_id}")


def _ado_connection(s: Stage, details: dict[str, str]) -> str:
    """An Azure DevOps source-control connection with service-principal credentials."""
    url = (
        f"https://dev.azure.com/{details['organizationName']}/{details['projectName']}"
        f"/_git/{details['repositoryName']}"
    )
    body = {
        "connectivityType": "ShareableCloud",
        "displayName": "Azure DevOps service principal",
        "connectionDetails": {
            "type": "AzureDevOpsSourceControl",
            "creationMethod": "AzureDevOpsSourceControl.Contents",
            "parameters": [{"dataType": "Text", "name": "url", "value": url}],
        },
        "credentialDetails": {
            "credentials": {
                "credentialType": "ServicePrincipal",
                "tenantId": "3c8f6a2e-1b4d-4e5f-9a7b-0c1d2e3f4a5b",
                "servicePrincipalClientId": "8d9e0f1a-2b3c-4d5e-8f6a-7b8c9d0e1f2a",
                "servicePrincipalSecret": "conformance-secret",
            }
        },
    }
    return str(s.ok("POST", "/connections", body, status=201)["id"])


def _status_state(s: Stage, name: str) -> str:
    ws, _ = _connected(s, items=3)
    if name.endswith("NoChanges"):
        return ws
    items = {i["displayName"]: i["id"] for i in s.ok("GET", f"/workspaces/{ws}/items")["value"]}
    files = s.files()
    directory = next(p.split("/")[0] for p in files if p.endswith(".platform") and "Item 1" in p)
    if name.endswith("Conflict"):
        s.set_content(ws, items["Item 1"], "# Fabric notebook source\nprint('workspace')\n")
        s.push({f"{directory}/notebook-content.py": b"# Fabric notebook source\nprint('git')\n"})
        return ws
    # Added in the workspace, deleted in Git, modified in the workspace.
    s.item(ws, "New in workspace")
    s.set_content(ws, items["Item 0"], "# Fabric notebook source\nprint('modified')\n")
    s.push({path: None for path in files if path.startswith(f"{directory}/")})
    return ws


def arrange_other(stage: Stage, op_id: str, file: Path, example: dict[str, Any]) -> Replay:
    """Platform and connection examples: create what the path names, send the example body."""
    s = stage
    op = spec.operation(op_id)
    params = example["parameters"]
    body_name = _body_param(op, example)
    body = json.loads(json.dumps(params.get(body_name))) if body_name else None
    values: dict[str, str] = {}
    names = set(_path_names(op.path))
    if "workspaceId" in names:
        values["workspaceId"] = s.workspace("Example workspace")
    if "itemId" in names:
        values["itemId"] = s.item(values["workspaceId"], "Example item")
    if "folderId" in names:
        values["folderId"] = s.ok(
            "POST", f"/workspaces/{values['workspaceId']}/folders", {"displayName": "Example"}
        )["id"]
    if "connectionId" in names:
        values["connectionId"] = s.connection()
    if "capacityId" in names:
        values["capacityId"] = s.emu.capacity_id
    if "workspaceRoleAssignmentId" in names:
        principal = {"id": "6a8e8a77-3f5b-4d36-8b5a-2d8b5a0d6c11", "type": "User"}
        values["workspaceRoleAssignmentId"] = s.ok(
            "POST",
            f"/workspaces/{values['workspaceId']}/roleAssignments",
            {"principal": principal, "role": "Viewer"},
        )["id"]
    if "connectionRoleAssignmentId" in names:
        principal = {"id": "6a8e8a77-3f5b-4d36-8b5a-2d8b5a0d6c11", "type": "User"}
        values["connectionRoleAssignmentId"] = s.ok(
            "POST",
            f"/connections/{values['connectionId']}/roleAssignments",
            {"principal": principal, "role": "User"},
        )["id"]
    if "operationId" in names:
        values["operationId"] = _operation(s, running=file.stem.endswith("Running"))
    if isinstance(body, dict):
        for key in ("folderId", "parentFolderId", "targetFolderId"):
            if key in body and "workspaceId" in values:
                body[key] = s.ok(
                    "POST",
                    f"/workspaces/{values['workspaceId']}/folders",
                    {"displayName": f"Target {key}"},
                )["id"]
        if "capacityId" in body:
            body["capacityId"] = s.emu.capacity_id
    path = op.path
    for key, value in values.items():
        path = path.replace("{" + key + "}", value)
    query: dict[str, str] = {}
    for parameter in op.spec.get("parameters", []):
        name = parameter["name"]
        if parameter.get("in") != "query" or name not in params or name == "continuationToken":
            continue
        if name.endswith("FolderId") and "workspaceId" in values:
            query[name] = s.ok(
                "POST", f"/workspaces/{values['workspaceId']}/folders", {"displayName": name}
            )["id"]
        else:
            query[name] = str(params[name])
    if op.method == "GET" and "workspaceId" in values and "itemId" not in values:
        # Lists show their element shape only when they hold something.
        s.item(values["workspaceId"], "Listed item")
    return Replay(path, body, query)


def _path_names(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def _operation(s: Stage, *, running: bool) -> str:
    ws, _ = _connected(s)
    s.lro_mode("async", duration=60.0)
    response = s.client.get(_git_path(ws, "status"))
    assert response.status_code == 202, response.text
    s.emu.state.operations.wait_idle()
    if not running:
        s.clock.advance(120)
    return str(response.headers["x-ms-operation-id"])


# --- the replay ------------------------------------------------------------------------------


ARRANGE: dict[str, Callable[[Stage, str, Path, dict[str, Any]], Replay]] = {}


@pytest.mark.parametrize(("op_id", "file", "status"), _cases())
def test_spec_example_replays(
    stage: Stage, op_id: str, file: Path, status: int, request: pytest.FixtureRequest
) -> None:
    reason = KNOWN_DIFFERENCES.get(f"{file.stem}-{status}")
    if reason is not None:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    example = json.loads(file.read_text(encoding="utf-8"))
    expected = example["responses"][str(status)]
    arrange = arrange_git if op_id.startswith("Git_") else arrange_other
    replay = arrange(stage, op_id, file, example)
    op = spec.operation(op_id)
    is_lro = "202" in op.spec.get("responses", {}) and "Location" in op.spec["responses"][
        "202"
    ].get("headers", {})
    if is_lro or op_id.startswith("LongRunningOperations_"):
        stage.lro_mode(
            "async" if status == 202 else "sync", duration=stage.emu.state.settings.lro_duration
        )
    # Call on a host and port of our own: the Location header must name them.
    url = httpx.URL(f"http://api.example.test:8443/v1{replay.path}", params=replay.query or None)
    response = stage.client.request(op.method, url, json=replay.body)
    stage.emu.state.operations.wait_idle()

    if file.name in NOT_EMULATED:
        assert 400 <= response.status_code < 500, NOT_EMULATED[file.name]
        assert stage.log.problems == []
        return
    assert response.status_code == status, f"{file.name}: {response.status_code} {response.text}"
    assert "\n".join(stage.log.problems) == ""
    if status == 202 and is_lro:
        assert lro_header_problems(response) == []
        assert response.headers["Location"].startswith(
            "http://api.example.test:8443/v1/operations/"
        )
    schema = op.response_schema(status)
    body = json_body(response)
    if schema is not None and "schema" in op.spec["responses"][str(status)]:
        assert spec.validate(body, schema) == []
    # Git examples must show every key of the example; the platform and connection examples
    # carry tenant features (domains, tags, identities, labels) the emulator leaves out.
    if op_id.startswith("Git_") and expected.get("body") not in (None, {}):
        assert missing_keys(expected["body"], body) == []
