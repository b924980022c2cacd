"""The pieces of feature workspaces that need no service: names, markers, repository URLs and
how credentials reach git."""

from __future__ import annotations

import base64

import pytest

from fabric_git.errors import BadRequestError, NotFoundError
from fabric_git.models.git import AzureDevOpsDetails, GitHubDetails, WorkspaceRelation
from fabric_git.workflows.branches import GitRemote, repository_url
from fabric_git.workflows.feature import FeatureError, _relate, _related, feature_name, marker
from fabric_git.workflows.results import WorkspaceRef


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


class _Git:
    """Just the relation calls, scripted."""

    def __init__(self, refuse: type[Exception] | None) -> None:
        self.refuse = refuse
        self.created: list[tuple[str, str, str]] = []

    def create_workspace_relation(self, workspace: str, related: str, kind: str) -> None:
        if self.refuse is not None and kind == "Branch":
            raise self.refuse(status=400 if self.refuse is BadRequestError else 404,
                              error_code="X", message="no")  # fmt: skip
        self.created.append((workspace, related, kind))


class _Client:
    def __init__(self, git: _Git) -> None:
        self.git = git


def test_relations_are_read_from_either_side() -> None:
    relations = [
        WorkspaceRelation(
            id="r1", workspace_id="base", related_workspace_id="f1", relation_type="Branch"
        ),  # fmt: skip
        WorkspaceRelation(
            id="r2", workspace_id="f2", related_workspace_id="base", relation_type="Base"
        ),  # fmt: skip
        WorkspaceRelation(
            id="r3", workspace_id="base", related_workspace_id="up", relation_type="Base"
        ),  # fmt: skip
    ]
    assert _related(relations, "base") == {"f1": "r1", "f2": "r2"}
    assert _related(None, "base") == {}


@pytest.mark.parametrize(
    ("refuse", "outcome", "created"),
    [
        (None, "created", [("base", "feature", "Branch")]),
        (BadRequestError, "created", [("feature", "base", "Base")]),
        (NotFoundError, "unavailable", []),
    ],
)
def test_registering_the_relation(
    refuse: type[Exception] | None, outcome: str, created: list[tuple[str, str, str]]
) -> None:
    git = _Git(refuse)
    result = _relate(_Client(git), WorkspaceRef("base", "B"), WorkspaceRef("feature", "F"))  # type: ignore[arg-type]
    assert result == outcome and git.created == created
