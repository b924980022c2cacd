"""The pytest plugin (``fabric_git.testing``): its fixtures and helpers, as a user meets them."""

from __future__ import annotations

import os
import uuid

import pytest

from fabric_git import FabricClient
from fabric_git.errors import ForbiddenError
from fabric_git.testing import Sandbox

pytestmark = pytest.mark.server


def test_fabric_env_points_the_library_at_the_emulator(
    fabric_emulator: Sandbox, fabric_env: dict[str, str]
) -> None:
    assert os.environ["FABRIC_API_URL"] == fabric_emulator.url == fabric_env["FABRIC_API_URL"]
    name = f"env-{uuid.uuid4().hex[:8]}"
    workspace = fabric_emulator.create_workspace(name)
    with FabricClient.from_env() as client:
        assert client.resolve_workspace(name).id == workspace


def test_identities_have_the_roles_they_are_given(fabric_emulator: Sandbox) -> None:
    workspace = fabric_emulator.create_workspace(f"roles-{uuid.uuid4().hex[:8]}")
    ids = fabric_emulator.create_items(
        workspace,
        {"Load.Notebook": {"notebook-content.py": "# load\n"}, "Nightly.DataPipeline": {}},
    )
    alice = fabric_emulator.user("alice@contoso.com")
    deployer = fabric_emulator.service_principal("deployer")
    assert (alice.type, deployer.type) == ("User", "ServicePrincipal")
    assert alice.id != deployer.id and alice.token not in repr(alice)
    with FabricClient(base_url=fabric_emulator.url, credential=alice.token) as as_alice:
        with pytest.raises(ForbiddenError):
            as_alice.items.list(workspace)
        fabric_emulator.add_role(workspace, alice, "Viewer")
        listed = {item.display_name: item.id for item in as_alice.items.list(workspace)}
    assert listed == {"Load": ids["Load.Notebook"], "Nightly": ids["Nightly.DataPipeline"]}
    with pytest.raises(ValueError, match="Name.Type"):
        fabric_emulator.create_items(workspace, {"Load": {}})
