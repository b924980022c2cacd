"""fabric-cicd (Microsoft's deployment library) publishes a repository of items at its root and
in folders into a workspace; the workspace then goes to Git through the Git integration API, and
what is committed is the repository fabric-cicd published, item for item and folder for folder.

fabric-cicd takes a ``TokenCredential``; its base URL is its documented setting
(``fabric_cicd.constants.DEFAULT_API_ROOT_URL`` and ``FABRIC_API_ROOT_URL``)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from fabric_git.testing import Sandbox
from thirdparty.thirdparty_support import (
    NOTEBOOK,
    EmulatorCredential,
    GitTenant,
    emulator_settings,
    items_by_name,
    rest,
)

pytestmark = pytest.mark.server

PIPELINE = json.dumps({"properties": {"activities": []}}, indent=2) + "\n"


def write_item(root: Path, folder: str, name: str, item_type: str, files: dict[str, str]) -> None:
    """An item directory as Fabric writes it: ``.platform`` with a logical id, then its parts."""
    directory = root / folder / f"{name}.{item_type}"
    directory.mkdir(parents=True)
    platform = {
        "$schema": "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/platformProperties/2.0.0/schema.json",
        "metadata": {"type": item_type, "displayName": name},
        "config": {"version": "2.0", "logicalId": str(uuid.uuid4())},
    }
    (directory / ".platform").write_text(json.dumps(platform, indent=2) + "\n")
    for path, text in files.items():
        (directory / path).parent.mkdir(parents=True, exist_ok=True)
        (directory / path).write_text(text)


@pytest.fixture
def cicd_to_emulator(fabric_emulator: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    import fabric_cicd.constants as constants

    monkeypatch.setattr(constants, "DEFAULT_API_ROOT_URL", fabric_emulator.running.base)
    monkeypatch.setattr(constants, "FABRIC_API_ROOT_URL", fabric_emulator.running.base)
    # fabric-cicd's own setting for the pause between polls of a long-running operation.
    monkeypatch.setenv("FABRIC_CICD_RETRY_DELAY_OVERRIDE_SECONDS", "0.01")


@pytest.mark.usefixtures("cicd_to_emulator")
def test_publish_root_and_folder_items_then_commit_to_git(
    tenant: GitTenant, credential: EmulatorCredential, tmp_path: Path
) -> None:
    from fabric_cicd import FabricWorkspace, publish_all_items

    source = tmp_path / "source"
    write_item(
        source, "", "Load", "Notebook", {"notebook-content.py": NOTEBOOK.format(name="load")}
    )
    write_item(
        source, "Sales", "Clean", "Notebook", {"notebook-content.py": NOTEBOOK.format(name="clean")}
    )
    write_item(
        source, "Sales/Daily", "Refresh", "DataPipeline", {"pipeline-content.json": PIPELINE}
    )

    workspace = FabricWorkspace(
        workspace_id=tenant.workspace_id,
        repository_directory=str(source),
        item_type_in_scope=["Notebook", "DataPipeline"],
        token_credential=credential,
    )
    publish_all_items(workspace)

    assert credential.scopes and all(
        s == "https://api.fabric.microsoft.com/.default" for s in credential.scopes
    )
    items = items_by_name(tenant.sandbox, tenant.workspace_id)
    assert set(items) == {"Load.Notebook", "Clean.Notebook", "Refresh.DataPipeline"}
    folders = (
        tenant.sandbox.http().get(f"/v1/workspaces/{tenant.workspace_id}/folders").json()["value"]
    )
    by_id = {f["id"]: f for f in folders}

    def folder_path(item: dict[str, object]) -> str:
        parts, folder_id = [], item.get("folderId")
        while folder_id:
            parts.insert(0, by_id[folder_id]["displayName"])
            folder_id = by_id[folder_id].get("parentFolderId")
        return "/".join(parts)

    assert folder_path(items["Load.Notebook"]) == ""
    assert folder_path(items["Clean.Notebook"]) == "Sales"
    assert folder_path(items["Refresh.DataPipeline"]) == "Sales/Daily"

    # The deployed workspace goes to Git; the commit holds the published repository's layout.
    sandbox, git = tenant.sandbox, f"/workspaces/{tenant.workspace_id}/git"
    connect = {
        "gitProviderDetails": tenant.provider_details(),
        "myGitCredentials": tenant.credentials(),
    }
    rest(sandbox, "POST", f"{git}/connect", connect)
    rest(
        sandbox,
        "POST",
        f"{git}/initializeConnection",
        {"initializationStrategy": "PreferWorkspace"},
    )
    rest(sandbox, "POST", f"{git}/commitToGit", {"mode": "All", "comment": "Deployed"})
    clone = tenant.clone(tmp_path / "clone")
    assert clone.read("fabric/Load.Notebook/notebook-content.py") == NOTEBOOK.format(name="load")
    assert clone.read("fabric/Sales/Clean.Notebook/notebook-content.py") == NOTEBOOK.format(
        name="clean"
    )
    assert json.loads(
        clone.read("fabric/Sales/Daily/Refresh.DataPipeline/pipeline-content.json")
    ) == json.loads(PIPELINE)

    # Published again unchanged, fabric-cicd updates in place: the same items, nothing to commit.
    publish_all_items(workspace)
    again = items_by_name(tenant.sandbox, tenant.workspace_id)
    assert {k: v["id"] for k, v in again.items()} == {k: v["id"] for k, v in items.items()}
    with emulator_settings(sandbox, lroMode="sync"):
        status = rest(sandbox, "GET", f"{git}/status")
    assert status["changes"] == []


SPARK_COMPUTE = (
    "enable_native_execution_engine: false\n"
    "driver_cores: 4\n"
    "driver_memory: 28g\n"
    "executor_cores: 4\n"
    "executor_memory: 28g\n"
    "dynamic_executor_allocation:\n"
    "  enabled: true\n"
    "  min_executors: 1\n"
    "  max_executors: 2\n"
    "runtime_version: '1.3'\n"
)


@pytest.mark.usefixtures("cicd_to_emulator")
def test_publish_an_environment_through_its_staging_endpoints(
    tenant: GitTenant, credential: EmulatorCredential, tmp_path: Path
) -> None:
    """fabric-cicd publishes an Environment by its definition, then the Environment's own
    ``/environments`` paths (publish of the staged settings, the list with publish details)."""
    from fabric_cicd import FabricWorkspace, publish_all_items

    source = tmp_path / "source"
    write_item(
        source, "Shared", "Spark", "Environment", {"Setting/Sparkcompute.yml": SPARK_COMPUTE}
    )
    write_item(
        source, "", "Load", "Notebook", {"notebook-content.py": NOTEBOOK.format(name="load")}
    )
    workspace = FabricWorkspace(
        workspace_id=tenant.workspace_id,
        repository_directory=str(source),
        item_type_in_scope=["Environment", "Notebook"],
        token_credential=credential,
    )
    publish_all_items(workspace)

    sandbox, git = tenant.sandbox, f"/workspaces/{tenant.workspace_id}/git"
    items = items_by_name(sandbox, tenant.workspace_id)
    assert set(items) == {"Spark.Environment", "Load.Notebook"}
    connect = {
        "gitProviderDetails": tenant.provider_details(),
        "myGitCredentials": tenant.credentials(),
    }
    rest(sandbox, "POST", f"{git}/connect", connect)
    rest(
        sandbox,
        "POST",
        f"{git}/initializeConnection",
        {"initializationStrategy": "PreferWorkspace"},
    )
    rest(sandbox, "POST", f"{git}/commitToGit", {"mode": "All", "comment": "Deployed"})
    clone = tenant.clone(tmp_path / "clone")
    assert clone.read("fabric/Shared/Spark.Environment/Setting/Sparkcompute.yml") == SPARK_COMPUTE


@pytest.mark.usefixtures("cicd_to_emulator")
def test_a_connected_workspace_takes_a_new_release_and_git_sees_it(
    tenant: GitTenant, credential: EmulatorCredential, tmp_path: Path
) -> None:
    """A workspace already in Git: fabric-cicd publishes a new release (one item changed, one
    removed and unpublished as an orphan, one moved to another folder), and the workspace's Git
    status and next commit show exactly those changes."""
    import shutil

    from fabric_cicd import FabricWorkspace, publish_all_items, unpublish_all_orphan_items

    source = tmp_path / "source"
    write_item(
        source, "Sales", "Load", "Notebook", {"notebook-content.py": NOTEBOOK.format(name="v1")}
    )
    write_item(
        source, "Sales", "Old", "Notebook", {"notebook-content.py": NOTEBOOK.format(name="old")}
    )
    write_item(source, "Sales", "Refresh", "DataPipeline", {"pipeline-content.json": PIPELINE})
    workspace = FabricWorkspace(
        workspace_id=tenant.workspace_id,
        repository_directory=str(source),
        item_type_in_scope=["Notebook", "DataPipeline"],
        token_credential=credential,
    )
    publish_all_items(workspace)
    sandbox, git = tenant.sandbox, f"/workspaces/{tenant.workspace_id}/git"
    connect = {
        "gitProviderDetails": tenant.provider_details(),
        "myGitCredentials": tenant.credentials(),
    }
    rest(sandbox, "POST", f"{git}/connect", connect)
    rest(
        sandbox,
        "POST",
        f"{git}/initializeConnection",
        {"initializationStrategy": "PreferWorkspace"},
    )
    rest(sandbox, "POST", f"{git}/commitToGit", {"mode": "All", "comment": "Release 1"})
    before = items_by_name(sandbox, tenant.workspace_id)

    # Release 2: Load changes, Old is gone, Refresh moves to Sales/Daily.
    (source / "Sales/Load.Notebook/notebook-content.py").write_text(NOTEBOOK.format(name="v2"))
    shutil.rmtree(source / "Sales/Old.Notebook")
    (source / "Sales/Daily").mkdir()
    (source / "Sales/Refresh.DataPipeline").rename(source / "Sales/Daily/Refresh.DataPipeline")
    release = FabricWorkspace(
        workspace_id=tenant.workspace_id,
        repository_directory=str(source),
        item_type_in_scope=["Notebook", "DataPipeline"],
        token_credential=credential,
    )
    publish_all_items(release)
    unpublish_all_orphan_items(release)

    after = items_by_name(sandbox, tenant.workspace_id)
    assert set(after) == {"Load.Notebook", "Refresh.DataPipeline"}
    assert after["Load.Notebook"]["id"] == before["Load.Notebook"]["id"]
    with emulator_settings(sandbox, lroMode="sync"):
        status = rest(sandbox, "GET", f"{git}/status")
    changes = {c["itemMetadata"]["displayName"]: c["workspaceChange"] for c in status["changes"]}
    assert changes == {"Load": "Modified", "Old": "Deleted", "Refresh": "Modified"}
    rest(sandbox, "POST", f"{git}/commitToGit", {"mode": "All", "comment": "Release 2"})
    clone = tenant.clone(tmp_path / "clone")
    assert clone.read("fabric/Sales/Load.Notebook/notebook-content.py") == NOTEBOOK.format(
        name="v2"
    )
    assert not (clone.path / "fabric/Sales/Old.Notebook").exists()
    assert not (clone.path / "fabric/Sales/Refresh.DataPipeline").exists()
    assert json.loads(
        clone.read("fabric/Sales/Daily/Refresh.DataPipeline/pipeline-content.json")
    ) == json.loads(PIPELINE)
