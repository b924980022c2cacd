"""``{workspace}`` in a directory: the workspace's name made a valid directory name."""

from __future__ import annotations

import pytest

from fabric_git.models.git import GitHubDetails
from fabric_git.workflows.connection import directory_segment, for_workspace
from fabric_git.workflows.results import WorkspaceRef


@pytest.mark.parametrize(
    ("name", "directory"),
    [
        ("Sales", "Sales"),
        ("Sales: EU/West", "Sales_ EU_West"),
        ('a"b<c>d\\e*f?g|h', "a_b_c_d_e_f_g_h"),
        (" padded ", "_padded_"),
        ("tab\there", "tab_here"),
        (".", "_"),
        ("..", "__"),
        ("", "_"),
        ("v1.0", "v1.0"),
    ],
)
def test_a_workspace_name_becomes_one_valid_directory(name: str, directory: str) -> None:
    assert directory_segment(name) == directory


def test_only_the_placeholder_is_replaced() -> None:
    details = GitHubDetails(
        owner_name="o", repository_name="r", branch_name="main", directory_name="a:b/{workspace}"
    )
    built = for_workspace(details, WorkspaceRef(id="1", name="x/y"))
    assert built.directory_name == "a:b/x_y"
