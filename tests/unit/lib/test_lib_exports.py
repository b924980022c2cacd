"""The curated public surface."""

from __future__ import annotations

import subprocess
import sys

import fabric_git
from fabric_git import models


def test_all_is_sorted_and_importable() -> None:
    assert fabric_git.__all__ == sorted(fabric_git.__all__)
    for name in fabric_git.__all__:
        assert hasattr(fabric_git, name), name


def test_models_all_is_sorted_and_importable() -> None:
    assert models.__all__ == sorted(models.__all__)
    for name in models.__all__:
        assert hasattr(models, name), name


def test_importing_the_package_does_not_import_azure_identity() -> None:
    code = "import sys, fabric_git; print('azure.identity' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_api_group_of_the_client_is_documented() -> None:
    from functools import cached_property

    from fabric_git import FabricClient

    groups = {
        name: member
        for name, member in vars(FabricClient).items()
        if isinstance(member, cached_property)
    }
    assert set(groups) == {
        "git",
        "connections",
        "workspaces",
        "capacities",
        "items",
        "folders",
        "admin",
        "operations",
    }
    undocumented = [name for name, group in groups.items() if not (group.__doc__ or "").strip()]
    assert undocumented == []
