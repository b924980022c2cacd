"""Microsoft's Python SDK for Fabric (``microsoft-fabric-api``): items, folders and the whole Git
flow (per-file status and a file-level commit too), with the SDK's own base-URL setting and a
``TokenCredential``.

azure-core sends a bearer token over HTTPS only; the emulator listens on plain HTTP on
127.0.0.1, so the client gets azure-core's own bearer policy told so (its public
``authentication_policy`` setting). Nothing else of the SDK is touched."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from thirdparty.thirdparty_support import NOTEBOOK, EmulatorCredential, GitTenant, sdk_client

pytestmark = pytest.mark.server


def definition(models: Any, text: str) -> Any:
    payload = base64.b64encode(text.encode()).decode()
    part = models.ItemDefinitionPart(
        path="notebook-content.py", payload=payload, payload_type="InlineBase64"
    )
    return models.ItemDefinition(parts=[part])


def notebook_text(core: Any, workspace_id: str, item_id: str) -> str:
    response = core.items.get_item_definition(workspace_id, item_id)
    parts = {p.path: p for p in response.definition.parts}
    return base64.b64decode(parts["notebook-content.py"].payload).decode()


# The SDK polls an operation after its Retry-After, or after 30 s when there is none (it does not
# take the client's polling_interval for Git operations).
@pytest.mark.usefixtures("retry_after_one_second")
def test_items_folders_and_the_git_flow(
    tenant: GitTenant, credential: EmulatorCredential, tmp_path: Path
) -> None:
    from microsoft_fabric_api.generated.core import models

    core = sdk_client(tenant, credential).core
    workspace = tenant.workspace_id

    # Items at the root and in a folder, made through the SDK.
    folder = core.folders.create_folder(workspace, models.CreateFolderRequest(display_name="Sales"))
    load = core.items.create_item(
        workspace,
        models.CreateItemRequest(
            display_name="Load",
            type="Notebook",
            definition=definition(models, NOTEBOOK.format(name="v1")),
        ),
    )
    clean = core.items.create_item(
        workspace,
        models.CreateItemRequest(
            display_name="Clean",
            type="Notebook",
            folder_id=folder.id,
            definition=definition(models, NOTEBOOK.format(name="clean")),
        ),
    )
    assert (load.display_name, clean.folder_id) == ("Load", folder.id)
    assert notebook_text(core, workspace, load.id) == NOTEBOOK.format(name="v1")

    # Connect and initialize.
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
    assert core.git.get_connection(workspace).git_connection_state == "Connected"
    initialized = core.git.initialize_connection(
        workspace, models.InitializeGitConnectionRequest(initialization_strategy="PreferWorkspace")
    )
    assert initialized.required_action == "CommitToGit"
    assert core.git.get_connection(workspace).git_connection_state == "ConnectedAndInitialized"

    # Commit everything.
    status = core.git.get_status(workspace)
    assert sorted(c.item_metadata.display_name for c in status.changes) == ["Clean", "Load"]
    core.git.commit_to_git(
        workspace,
        models.CommitToGitRequest(
            mode="All", workspace_head=status.workspace_head, comment="From the SDK"
        ),
    )
    assert core.git.get_status(workspace).changes == []
    clone = tenant.clone(tmp_path / "clone")
    assert clone.read("fabric/Load.Notebook/notebook-content.py") == NOTEBOOK.format(name="v1")
    assert clone.read("fabric/Sales/Clean.Notebook/notebook-content.py") == NOTEBOOK.format(
        name="clean"
    )
    assert clone.git("log", "-1", "--format=%s").strip() == "From the SDK"

    # A developer pushes a change; the SDK updates the workspace from Git.
    clone.write("fabric/Load.Notebook/notebook-content.py", NOTEBOOK.format(name="v2"))
    pushed = clone.commit_and_push("Edit Load")
    status = core.git.get_status(workspace)
    assert status.remote_commit_hash == pushed
    assert [(c.item_metadata.display_name, c.remote_change) for c in status.changes] == [
        ("Load", "Modified")
    ]
    core.git.update_from_git(
        workspace,
        models.UpdateFromGitRequest(
            remote_commit_hash=pushed, workspace_head=status.workspace_head
        ),
    )
    status = core.git.get_status(workspace)
    assert (status.changes, status.workspace_head) == ([], pushed)
    assert notebook_text(core, workspace, load.id) == NOTEBOOK.format(name="v2")
    assert credential.scopes and set(credential.scopes) == {
        "https://api.fabric.microsoft.com/.default"
    }


def two_part_definition(models: Any, code: str, data: str) -> Any:
    parts = {"notebook-content.py": code, "extra/data.json": data}
    return models.ItemDefinition(
        parts=[
            models.ItemDefinitionPart(
                path=path,
                payload=base64.b64encode(text.encode()).decode(),
                payload_type="InlineBase64",
            )
            for path, text in parts.items()
        ]
    )


@pytest.mark.usefixtures("retry_after_one_second")
def test_per_file_status_and_a_file_level_commit(
    tenant: GitTenant, credential: EmulatorCredential, tmp_path: Path
) -> None:
    from microsoft_fabric_api.generated.core import models

    core = sdk_client(tenant, credential).core
    workspace = tenant.workspace_id
    load = core.items.create_item(
        workspace,
        models.CreateItemRequest(
            display_name="Load",
            type="Notebook",
            definition=two_part_definition(models, NOTEBOOK.format(name="v1"), "{}\n"),
        ),
    )

    # Connect, initialize and commit everything.
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
    first = tenant.clone(tmp_path / "first").git("rev-parse", "HEAD").strip()

    # Both files change in the workspace; the per-file status lists them.
    core.items.update_item_definition(
        workspace,
        load.id,
        models.UpdateItemDefinitionRequest(
            definition=two_part_definition(models, NOTEBOOK.format(name="v2"), "[]\n")
        ),
    )
    status = core.git.get_status(workspace, include_files_details=True)
    [change] = status.changes
    assert (change.item_metadata.display_name, change.workspace_change) == ("Load", "Modified")
    assert [(f.path, f.workspace_change) for f in change.file_changes] == [
        ("extra/data.json", "Modified"),
        ("notebook-content.py", "Modified"),
    ]

    # Commit one file of the two.
    core.git.commit_to_git(
        workspace,
        models.CommitToGitRequest(
            mode="FileLevelSelective",
            workspace_head=status.workspace_head,
            comment="Data only",
            items_with_file_selection=[
                models.ItemIdentifierWithFileSelection(
                    object_id=load.id, selected_files=["extra/data.json"]
                )
            ],
        ),
    )
    [change] = core.git.get_status(workspace, include_files_details=True).changes
    assert [(f.path, f.workspace_change) for f in change.file_changes] == [
        ("notebook-content.py", "Modified")
    ]
    clone = tenant.clone(tmp_path / "clone")
    assert clone.git("log", "-1", "--format=%s").strip() == "Data only"
    assert clone.git("diff", "--name-only", first, "HEAD").split() == [
        "fabric/Load.Notebook/extra/data.json"
    ]
    assert clone.read("fabric/Load.Notebook/extra/data.json") == "[]\n"
    assert clone.read("fabric/Load.Notebook/notebook-content.py") == NOTEBOOK.format(name="v1")
