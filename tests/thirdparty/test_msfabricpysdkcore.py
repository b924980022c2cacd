"""msfabricpysdkcore (a community SDK): items and the whole Git flow, signed in through the Azure
CLI as its users are, with Fabric's host rewritten to the emulator in its HTTP transport."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from thirdparty.thirdparty_support import NOTEBOOK, GitTenant, items_by_name

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("azure_cli", "fabric_host_to_emulator")]


def notebook_definition(text: str) -> dict[str, object]:
    payload = base64.b64encode(text.encode()).decode()
    return {
        "format": "fabricGitSource",
        "parts": [
            {"path": "notebook-content.py", "payload": payload, "payloadType": "InlineBase64"}
        ],
    }


def test_items_created_through_items_and_item_type_paths_read_back(tenant: GitTenant) -> None:
    from msfabricpysdkcore import FabricClientCore

    fc = FabricClientCore()
    text = NOTEBOOK.format(name="load")
    # create_item with type "Notebook" posts to /items; its answer is read back through the
    # type's own path (/notebooks/{id}), as the SDK does for every type it knows.
    created = fc.create_item(
        tenant.workspace_id, "Load", "Notebook", definition=notebook_definition(text)
    )
    assert created.display_name == "Load"
    assert created.type == "Notebook"
    # create_notebook posts to /notebooks.
    made = fc.create_notebook(tenant.workspace_id, "Clean", definition=notebook_definition(text))
    assert made.type == "Notebook"

    again = fc.get_item(tenant.workspace_id, item_id=created.id)
    assert (again.id, again.display_name) == (created.id, "Load")
    by_type = {n.display_name for n in fc.list_notebooks(tenant.workspace_id)}
    assert {"Load", "Clean"} <= by_type
    definition = fc.get_item_definition(tenant.workspace_id, created.id)
    parts = {p["path"]: p for p in definition["definition"]["parts"]}
    assert base64.b64decode(parts["notebook-content.py"]["payload"]).decode() == text


@pytest.mark.usefixtures("synchronous_git")
def test_connect_initialize_commit_update(tenant: GitTenant, tmp_path: Path) -> None:
    # The SDK reads Get Status from a 200 answer only (on 202 it hands back the raw response):
    # Fabric answers it at once for a small workspace, so the emulator does here (DEVIATIONS.md).
    from msfabricpysdkcore import FabricClientCore

    fc = FabricClientCore()
    sandbox, workspace = tenant.sandbox, tenant.workspace_id
    sandbox.create_items(
        workspace, {"Load.Notebook": {"notebook-content.py": NOTEBOOK.format(name="v1")}}
    )

    assert fc.git_connect(workspace, tenant.provider_details(), tenant.credentials()) == 200
    connection = fc.git_get_connection(workspace)
    assert (
        connection["gitConnectionState"] == "ConnectedAndInitialized"
        or connection["gitConnectionState"] == "Connected"
    )
    assert connection["gitProviderDetails"]["repositoryName"] == tenant.repo
    assert fc.git_initialize_connection(workspace, "PreferWorkspace") == 200
    assert fc.git_get_connection(workspace)["gitConnectionState"] == "ConnectedAndInitialized"

    status = fc.git_get_status(workspace)
    assert [c["itemMetadata"]["displayName"] for c in status["changes"]] == ["Load"]
    assert (
        fc.commit_to_git(
            workspace,
            "All",
            comment="From msfabricpysdkcore",
            workspace_head=status["workspaceHead"],
        )
        == 200
    )
    status = fc.git_get_status(workspace)
    assert status["changes"] == []
    clone = tenant.clone(tmp_path / "clone")
    assert clone.read("fabric/Load.Notebook/notebook-content.py") == NOTEBOOK.format(name="v1")
    assert clone.git("log", "-1", "--format=%s").strip() == "From msfabricpysdkcore"

    # A developer pushes a change; the SDK brings it into the workspace.
    clone.write("fabric/Load.Notebook/notebook-content.py", NOTEBOOK.format(name="v2"))
    pushed = clone.commit_and_push("Edit Load")
    status = fc.git_get_status(workspace)
    assert status["remoteCommitHash"] == pushed
    assert [c["remoteChange"] for c in status["changes"]] == ["Modified"]
    assert fc.update_from_git(workspace, pushed, workspace_head=status["workspaceHead"]) in (
        200,
        202,
    )
    status = fc.git_get_status(workspace)
    assert status["changes"] == [] and status["workspaceHead"] == pushed
    item = items_by_name(sandbox, workspace)["Load.Notebook"]
    definition = fc.get_item_definition(workspace, item["id"])
    parts = {p["path"]: p for p in definition["definition"]["parts"]}
    assert base64.b64decode(parts["notebook-content.py"]["payload"]).decode() == NOTEBOOK.format(
        name="v2"
    )
