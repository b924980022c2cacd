"""Items, folders, workspace roles, capacity assignment and connection types through
``FabricClient`` against the emulator: what one call does, the next call sees."""

from __future__ import annotations

import uuid

import pytest

from emulator.library.library_support import Target, service_error_code
from fabric_git import FabricGitError, NotFoundError, models

PY = "notebook-content.py"


def definition(text: str) -> models.ItemDefinition:
    return models.ItemDefinition(parts=[models.ItemDefinitionPart.inline(PY, text)])


def parts_of(target: Target, ws: str, item: str) -> dict[str, bytes]:
    found = target.client.items.get_definition(ws, item)
    return {part.path: part.content() for part in found.parts}


# --- items --------------------------------------------------------------------------------------


def test_item_life_cycle_in_a_folder(target: Target) -> None:
    client = target.client
    ws = target.workspace()
    folder = client.folders.create(ws, "Reports")
    item = client.items.create(
        ws, "Sales", "Notebook", folder_id=folder.id, definition=definition("print('v1')\n")
    )
    assert item.id and item.folder_id == folder.id
    assert parts_of(target, ws, item.id)[PY] == b"print('v1')\n"

    client.items.update_definition(ws, item.id, definition("print('v2')\n"))
    assert parts_of(target, ws, item.id)[PY] == b"print('v2')\n"

    renamed = client.items.update(ws, item.id, display_name="Sales 2", description="d")
    assert (renamed.display_name, renamed.description) == ("Sales 2", "d")
    assert client.items.get(ws, item.id).display_name == "Sales 2"

    moved = client.items.move(ws, item.id)
    assert [m.id for m in moved] == [item.id]
    assert client.items.get(ws, item.id).folder_id is None

    client.items.delete(ws, item.id)
    with pytest.raises(NotFoundError):
        client.items.get(ws, item.id)
    assert client.items.list(ws) == []


def test_item_without_a_definition(target: Target) -> None:
    ws = target.workspace()
    item = target.client.items.create(ws, "Empty", models.ItemType.NOTEBOOK)
    assert [i.id for i in target.client.items.list(ws, type="Notebook")] == [item.id]


def test_item_calls_wait_through_long_running_operations(target: Target) -> None:
    target.settings(lroMode="async", lroDuration=0.02, retryAfter=0)
    ws = target.workspace()
    item = target.client.items.create(ws, "Async", "Notebook", definition=definition("x = 1\n"))
    assert item.id
    target.client.items.update_definition(ws, item.id, definition("x = 2\n"))
    assert parts_of(target, ws, item.id)[PY] == b"x = 2\n"


def test_item_refusals_carry_the_service_code(target: Target) -> None:
    ws = target.workspace()
    target.client.items.create(ws, "Twin", "Notebook")
    with pytest.raises(FabricGitError) as caught:
        target.client.items.create(ws, "Twin", "Notebook")
    assert service_error_code(caught.value) == "ItemDisplayNameAlreadyInUse"


# --- folders ------------------------------------------------------------------------------------


def test_folder_life_cycle(target: Target) -> None:
    folders = target.client.folders
    ws = target.workspace()
    top = folders.create(ws, "Top")
    child = folders.create(ws, "Child", parent_folder_id=top.id)
    other = folders.create(ws, "Other")
    assert child.parent_folder_id == top.id
    assert {f.display_name for f in folders.list(ws)} == {"Top", "Child", "Other"}
    assert [f.id for f in folders.list(ws, root_folder_id=top.id, recursive=False)] == [child.id]

    assert folders.update(ws, child.id, "Renamed").display_name == "Renamed"
    moved = folders.move(ws, child.id, other.id)
    assert moved.parent_folder_id == other.id
    assert folders.get(ws, child.id).parent_folder_id == other.id
    assert folders.move(ws, child.id).parent_folder_id is None

    folders.delete(ws, child.id)
    with pytest.raises(NotFoundError):
        folders.get(ws, child.id)


# --- workspace role assignments -----------------------------------------------------------------


def test_workspace_role_assignments(target: Target) -> None:
    workspaces = target.client.workspaces
    ws = target.workspace()
    principal = str(uuid.uuid4())
    added = workspaces.add_role_assignment(ws, principal, "ServicePrincipal", "Contributor")
    assert added.role is models.WorkspaceRole.CONTRIBUTOR
    assert added.principal.id == principal
    listed = {a.principal.id: a.role for a in workspaces.list_role_assignments(ws)}
    assert listed[principal] == "Contributor"

    updated = workspaces.update_role_assignment(ws, added.id, models.WorkspaceRole.VIEWER)
    assert updated.role == "Viewer"
    assert workspaces.get_role_assignment(ws, added.id).role == "Viewer"

    workspaces.delete_role_assignment(ws, added.id)
    assert principal not in {a.principal.id for a in workspaces.list_role_assignments(ws)}


# --- capacity assignment ------------------------------------------------------------------------


def test_capacity_assignment(target: Target) -> None:
    workspaces = target.client.workspaces
    ws = target.workspace(capacity=False)
    assert workspaces.get(ws).capacity_id is None
    (capacity,) = [c for c in target.client.capacities.list() if c.id == target.capacity_id]
    workspaces.assign_to_capacity(ws, capacity.id)
    assert workspaces.get(ws).capacity_id == capacity.id
    workspaces.unassign_from_capacity(ws)
    assert workspaces.get(ws).capacity_id is None


# --- connections --------------------------------------------------------------------------------


def test_supported_connection_types_include_the_source_control_types(target: Target) -> None:
    types = {t.type: t for t in target.client.connections.list_supported_types()}
    assert "GitHubSourceControl" in types
    github = types["GitHubSourceControl"]
    assert models.CredentialType.KEY in github.supported_credential_types
