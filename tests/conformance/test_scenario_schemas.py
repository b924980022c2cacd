"""Every response of a scenario that calls every emulated operation conforms to the spec.

The client's transport checks each answer as it passes: success bodies against the response
schema of their operation and status (which must be one the spec lists), 202 headers, and
error bodies as ``ErrorResponse`` with a ``requestId``.
"""

from __future__ import annotations

import base64

from conformance.conformance_support import (
    ZERO,
    Stage,
    emulated_operation_ids,
    json_body,
    platform_file,
)


def _part(path: str, text: str) -> dict[str, str]:
    return {
        "path": path,
        "payload": base64.b64encode(text.encode()).decode(),
        "payloadType": "InlineBase64",
    }


def _platform_calls(stage: Stage) -> str:
    s = stage
    capacities = s.ok("GET", "/capacities")["value"]
    s.ok("GET", f"/capacities/{capacities[0]['id']}")
    ws = s.workspace("Scenario")
    bare = s.workspace("No capacity", capacity=False)
    s.ok("GET", "/workspaces")
    s.ok("GET", f"/workspaces/{ws}")
    s.ok("PATCH", f"/workspaces/{ws}", {"description": "Scenario workspace"})
    s.ok("POST", f"/workspaces/{bare}/assignToCapacity", {"capacityId": s.emu.capacity_id})
    s.emu.state.operations.wait_idle()
    s.ok("POST", f"/workspaces/{bare}/unassignFromCapacity")
    s.emu.state.operations.wait_idle()

    principal = {"id": "6a8e8a77-3f5b-4d36-8b5a-2d8b5a0d6c11", "type": "User"}
    assignment = s.ok(
        "POST", f"/workspaces/{ws}/roleAssignments", {"principal": principal, "role": "Viewer"}
    )
    s.ok("GET", f"/workspaces/{ws}/roleAssignments")
    s.ok("GET", f"/workspaces/{ws}/roleAssignments/{assignment['id']}")
    s.ok("PATCH", f"/workspaces/{ws}/roleAssignments/{assignment['id']}", {"role": "Member"})
    s.ok("DELETE", f"/workspaces/{ws}/roleAssignments/{assignment['id']}")

    parent = s.ok("POST", f"/workspaces/{ws}/folders", {"displayName": "Ingest"})["id"]
    child = s.ok(
        "POST", f"/workspaces/{ws}/folders", {"displayName": "Raw", "parentFolderId": parent}
    )["id"]
    spare = s.ok("POST", f"/workspaces/{ws}/folders", {"displayName": "Spare"})["id"]
    s.ok("GET", f"/workspaces/{ws}/folders")
    s.ok("GET", f"/workspaces/{ws}/folders?recursive=false&rootFolderId={parent}")
    s.ok("GET", f"/workspaces/{ws}/folders/{child}")
    s.ok("PATCH", f"/workspaces/{ws}/folders/{child}", {"displayName": "Landing"})
    s.ok("POST", f"/workspaces/{ws}/folders/{spare}/move", {"targetFolderId": parent})
    s.ok("DELETE", f"/workspaces/{ws}/folders/{spare}")

    notebook = s.item(ws, "Loader", folder=child)
    s.item(
        ws,
        "Sales",
        "SemanticModel",
        {"definition.pbism": b"{}", "definition/model.tmdl": b"model Model\n"},
    )
    s.ok("GET", f"/workspaces/{ws}/items")
    s.ok("GET", f"/workspaces/{ws}/items?type=Notebook")
    s.ok("GET", f"/workspaces/{ws}/items/{notebook}")
    s.ok("PATCH", f"/workspaces/{ws}/items/{notebook}", {"description": "Loads raw data"})
    s.ok("POST", f"/workspaces/{ws}/items/{notebook}/move", {"targetFolderId": parent})
    s.run_lro("POST", f"/workspaces/{ws}/items/{notebook}/getDefinition")
    s.run_lro(
        "POST",
        f"/workspaces/{ws}/items/{notebook}/updateDefinition?updateMetadata=true",
        {
            "definition": {
                "parts": [
                    _part("notebook-content.py", "# Fabric notebook source\n"),
                    _part(".platform", platform_file(ZERO, "Loader v2").decode()),
                ]
            }
        },
    )
    scratch = s.item(ws, "Scratch")
    s.ok("DELETE", f"/workspaces/{ws}/items/{scratch}")
    s.ok("DELETE", f"/workspaces/{bare}")
    return ws


def _connection_calls(stage: Stage) -> str:
    s = stage
    s.ok("GET", "/connections/supportedConnectionTypes")
    spare = s.connection(display="Spare connection")
    connection = s.connection()
    s.ok("GET", "/connections")
    s.ok("GET", f"/connections/{connection}")
    s.ok(
        "PATCH",
        f"/connections/{connection}",
        {"connectivityType": "ShareableCloud", "displayName": "GitHub contoso/fabric (renamed)"},
    )
    shares = f"/connections/{connection}/roleAssignments"
    principal = {"id": "0c7d1a52-3b4e-4f60-9a8b-7c6d5e4f3a21", "type": "ServicePrincipal"}
    shared = s.ok("POST", shares, {"principal": principal, "role": "User"})
    s.ok("GET", shares)
    s.ok("GET", f"{shares}/{shared['id']}")
    s.ok("PATCH", f"{shares}/{shared['id']}", {"role": "UserWithReshare"})
    s.ok("DELETE", f"{shares}/{shared['id']}")
    s.ok("DELETE", f"/connections/{spare}")
    return connection


def _git_calls(stage: Stage, ws: str, connection: str) -> None:
    s = stage
    s.repo()
    tested = s.run_lro("POST", f"/connections/{connection}/testConnection")
    assert tested == {"status": "Online", "errors": []}
    s.ok("GET", f"/workspaces/{ws}/git/connection")
    s.connect(ws, connection)
    s.ok("GET", f"/workspaces/{ws}/git/connection")
    s.ok("GET", f"/workspaces/{ws}/git/myGitCredentials")
    s.ok(
        "PATCH",
        f"/workspaces/{ws}/git/myGitCredentials",
        {"source": "ConfiguredConnection", "connectionId": connection},
    )
    init = s.run_lro(
        "POST",
        f"/workspaces/{ws}/git/initializeConnection",
        {"initializationStrategy": "PreferWorkspace"},
    )
    s.run_lro(
        "POST",
        f"/workspaces/{ws}/git/commitToGit",
        {"mode": "All", "workspaceHead": init.get("workspaceHead")},
    )
    status = s.status(ws)

    # A change in Git and one in the workspace, then update and a selective commit.
    s.push(
        {
            "Pushed.Notebook/.platform": platform_file(
                "1d5c0a4e-8a46-4f55-9a3e-27b1f0c1a001", "Pushed"
            ),
            "Pushed.Notebook/notebook-content.py": b"# Fabric notebook source\n",
        }
    )
    status = s.status(ws)
    s.run_lro(
        "POST",
        f"/workspaces/{ws}/git/updateFromGit",
        {"remoteCommitHash": status["remoteCommitHash"], "workspaceHead": status["workspaceHead"]},
    )
    items = s.ok("GET", f"/workspaces/{ws}/items?type=Notebook")["value"]
    loader = next(i["id"] for i in items if i["displayName"] == "Loader v2")
    s.set_content(ws, loader, "# Fabric notebook source\nprint('changed')\n")
    status = s.status(ws)
    selected = [c["itemMetadata"]["itemIdentifier"] for c in status["changes"]]
    s.run_lro(
        "POST",
        f"/workspaces/{ws}/git/commitToGit",
        {"mode": "Selective", "workspaceHead": status["workspaceHead"], "items": selected},
    )

    # The same operations on the polling path: 202, state while running, then the result.
    s.lro_mode("async", duration=30.0)
    started = s.client.get(f"/workspaces/{ws}/git/status")
    assert started.status_code == 202
    location = started.headers["Location"]
    s.emu.state.operations.wait_idle()
    assert s.ok("GET", location)["status"] in ("NotStarted", "Running")
    s.clock.advance(60)
    assert s.ok("GET", location)["status"] == "Succeeded"
    s.ok("GET", f"{location}/result")
    s.set_content(ws, loader, "# Fabric notebook source\nprint('again')\n")
    s.clock.advance(60)
    committed = s.client.post(f"/workspaces/{ws}/git/commitToGit", json={"mode": "All"})
    assert committed.status_code == 202, committed.text
    s.emu.state.operations.wait_idle()
    s.clock.advance(60)
    no_result = s.client.get(f"{committed.headers['Location']}/result")
    assert json_body(no_result)["errorCode"] == "OperationHasNoResult"
    s.lro_mode("sync")

    # The newer surface: per-file status, a file-level commit, relations, outbound policy.
    s.set_content(ws, loader, "# Fabric notebook source\nprint('by file')\n")
    detailed = s.run_lro("GET", f"/workspaces/{ws}/git/status?includeFilesDetails=true")
    change = detailed["changes"][0]
    assert [f["path"] for f in change["fileChanges"]] == ["notebook-content.py"]
    s.run_lro(
        "POST",
        f"/workspaces/{ws}/git/commitToGit",
        {
            "mode": "FileLevelSelective",
            "itemsWithFileSelection": [
                {
                    **change["itemMetadata"]["itemIdentifier"],
                    "selectedFiles": ["notebook-content.py"],
                }
            ],
        },
    )
    branch = s.workspace("Scenario branch")
    relation = s.ok(
        "POST",
        f"/workspaces/{branch}/git/workspaceRelations",
        {"relatedWorkspaceId": ws, "relationType": "Base"},
        status=201,
    )
    s.ok("GET", f"/workspaces/{ws}/git/workspaceRelations")
    s.ok("DELETE", f"/workspaces/{branch}/git/workspaceRelations/{relation['id']}")
    outbound = f"/workspaces/{ws}/networking/communicationPolicy/outbound/git"
    s.ok("GET", outbound)
    s.ok("PUT", outbound, {"defaultAction": "Allow"})

    s.ok("POST", f"/workspaces/{ws}/git/disconnect")


def _error_calls(stage: Stage, ws: str) -> None:
    client = stage.client
    expected = {
        "malformed JSON": client.post(
            "/workspaces", content=b"{not json", headers={"Content-Type": "application/json"}
        ),
        "unknown route": client.get("/nowhere/to/be/found"),
        "validation": client.post("/workspaces", json={"displayName": 42}),
        "no token": client.get("/workspaces", headers={"Authorization": ""}),
        "unknown workspace": client.get("/workspaces/2f0d4a1e-0000-4000-8000-000000000000"),
        "invalid id": client.get("/workspaces/not-a-guid/items"),
        "not connected": client.get(f"/workspaces/{ws}/git/status"),
        "head mismatch": client.post(
            f"/workspaces/{ws}/git/commitToGit", json={"mode": "All", "workspaceHead": "0" * 40}
        ),
    }
    for name, response in expected.items():
        assert response.status_code >= 400, f"{name}: {response.status_code}"


def test_every_response_of_the_scenario_conforms(stage: Stage) -> None:
    ws = _platform_calls(stage)
    connection = _connection_calls(stage)
    _git_calls(stage, ws, connection)
    _error_calls(stage, ws)

    assert "\n".join(stage.log.problems) == ""
    unexercised = emulated_operation_ids() - stage.log.operations_seen
    assert unexercised == set(), "the scenario must call every emulated operation"
    assert any(status >= 400 for _, _, status in stage.log.exchanges)
