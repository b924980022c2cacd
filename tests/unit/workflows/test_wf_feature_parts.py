"""The pieces of feature workspaces that need no service: names, markers, repository URLs and
how credentials reach git."""

from __future__ import annotations

import base64

import pytest

from fabric_git.models.git import AzureDevOpsDetails, GitHubDetails
from fabric_git.workflows.branches import GitRemote, repository_url
from fabric_git.workflows.feature import FeatureError, feature_name, marker


def test_names_fill_in_base_and_branch_only() -> None:
    assert feature_name("{base} [{branch}]", "Sales", "feat/x") == "Sales [feat/x]"
    assert feature_name("{branch} of {base} {other}", "S", "b") == "b of S {other}"
    with pytest.raises(FeatureError) as refused:
        feature_name("  ", "S", "b")
    assert refused.value.code == "InvalidName"


def test_marker_names_base_and_branch() -> None:
    assert marker("0000", "feat/a b") == "fabric-git:feature base=0000 branch=feat/a b"


def test_repository_urls_are_the_providers_own() -> None:
    github = GitHubDetails(
        owner_name="contoso", repository_name="fabric", branch_name="main", directory_name="/"
    )
    assert repository_url(github) == "https://github.com/contoso/fabric"
    ado = AzureDevOpsDetails(
        organization_name="org",
        project_name="Data Team",
        repository_name="fabric",
        branch_name="main",
        directory_name="/",
    )
    assert repository_url(ado) == "https://dev.azure.com/org/Data%20Team/_git/fabric"


def test_the_header_is_appended_to_the_git_configuration_already_in_the_environment() -> None:
    base = {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "url.http://mirror/.insteadOf",
        "GIT_CONFIG_VALUE_0": "https://github.com/",
    }
    env = GitRemote.github("https://github.com/o/r", "pat_secret").environment(base)
    assert env["GIT_CONFIG_COUNT"] == "2"
    assert env["GIT_CONFIG_KEY_0"] == "url.http://mirror/.insteadOf"  # kept
    assert env["GIT_CONFIG_KEY_1"] == "http.extraHeader"
    basic = env["GIT_CONFIG_VALUE_1"].removeprefix("Authorization: Basic ")
    assert base64.b64decode(basic).decode() == "x-access-token:pat_secret"
    assert env["GIT_TERMINAL_PROMPT"] == "0"


def test_a_bearer_token_and_no_credential() -> None:
    env = GitRemote.bearer("https://dev.azure.com/o/p/_git/r", "tok").environment({})
    assert (
        env["GIT_CONFIG_COUNT"] == "1" and env["GIT_CONFIG_VALUE_0"] == "Authorization: Bearer tok"
    )
    assert "GIT_CONFIG_COUNT" not in GitRemote.github("https://github.com/o/r", None).environment(
        {}
    )


def test_the_credential_stays_out_of_the_repr() -> None:
    assert "pat_secret" not in repr(GitRemote.github("https://github.com/o/r", "pat_secret"))
