"""The pieces of feature workspaces that need no service: names, markers, repository URLs and
how credentials reach git."""

from __future__ import annotations

import base64
import time

import pytest

from fabric_git.errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ForbiddenError,
    NotFoundError,
)
from fabric_git.models.git import AzureDevOpsDetails, GitHubDetails, WorkspaceRelation
from fabric_git.workflows.branches import (
    AZURE_DEVOPS_SCOPE,
    BranchError,
    GitAccess,
    GitRemote,
    GitTimeoutError,
    check_branch_name,
    repository_url,
)
from fabric_git.workflows.feature import (
    FeatureError,
    _branch_workspaces,
    _relate,
    _related,
    feature_name,
    marker,
)
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


@pytest.mark.parametrize("name", ["a b", "../x", "a\nb", "-x", "@{-1}", "x..y", "a.lock", ""])
def test_names_git_does_not_take_for_a_branch_are_refused(name: str) -> None:
    with pytest.raises(BranchError) as refused:
        check_branch_name(name)
    assert "\n" not in str(refused.value) and "not a valid Git branch name" in str(refused.value)


def test_branch_names_git_takes_pass() -> None:
    for name in ("feat/x", "pr-7", "users/ann/fix_1", "ümlaut"):
        check_branch_name(name)


def test_git_runs_give_up_on_a_stalled_host_by_themselves() -> None:
    env = GitRemote("https://github.com/o/r").environment({})
    assert env["GIT_HTTP_LOW_SPEED_LIMIT"] == "1000" and env["GIT_HTTP_LOW_SPEED_TIME"] == "30"
    kept = GitRemote("https://github.com/o/r").environment({"GIT_HTTP_LOW_SPEED_TIME": "5"})
    assert kept["GIT_HTTP_LOW_SPEED_TIME"] == "5"  # the user's own setting wins


def test_no_git_run_starts_once_the_deadline_has_passed() -> None:
    # The URL is not even reachable: the refusal comes before any git run.
    remote = GitRemote("https://git.invalid/o/r", deadline=time.monotonic() - 1)
    with pytest.raises(GitTimeoutError) as late:
        remote.tip("main")
    assert late.value.code == "GitTimedOut" and "did not finish in the time allowed" in str(
        late.value
    )


class _Tokens:
    """A client that records which scopes it was asked a token for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def access_token(self, scope: str) -> str:
        self.asked.append(scope)
        return "entra-token"

    def time_left(self) -> float | None:
        return None


ADO = AzureDevOpsDetails(
    organization_name="o", project_name="p", repository_name="r", branch_name="main",
    directory_name="/",
)  # fmt: skip
GITHUB = GitHubDetails(
    owner_name="o", repository_name="r", branch_name="main", directory_name="/"
)  # fmt: skip


def test_azure_devops_uses_the_token_given_before_signing_in() -> None:
    client = _Tokens()
    given = GitAccess(None, "ado-token", None).remote(client, ADO)  # type: ignore[arg-type]
    assert given.authorization == "Bearer ado-token" and client.asked == []
    signed_in = GitAccess("pat_x", None, 7.0).remote(client, ADO)  # type: ignore[arg-type]
    assert signed_in.authorization == "Bearer entra-token"  # never the GitHub PAT
    assert signed_in.timeout == 7.0 and client.asked == [AZURE_DEVOPS_SCOPE]


def test_github_without_a_pat_is_refused_before_git_runs() -> None:
    with pytest.raises(AuthenticationError) as missing:
        GitAccess(None, "ado-token", None).remote(_Tokens(), GITHUB)  # type: ignore[arg-type]
    assert missing.value.code == "PatMissing"
    assert str(missing.value).startswith("PAT missing") and "--pat-stdin" in str(missing.value)


class _Relations:
    def __init__(self, error: ApiError) -> None:
        self.error = error

    def list_workspace_relations(self, workspace: str) -> list[WorkspaceRelation]:
        raise self.error


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (NotFoundError(status=404, error_code="EntityNotFound", message="no"), True),
        (ApiError(status=400, error_code="FeatureNotAvailable", message="preview"), True),
        (ForbiddenError(status=403, error_code="InsufficientPrivileges", message="no"), False),
    ],
)
def test_only_a_service_without_relations_lets_the_marker_stand_alone(
    error: ApiError, unavailable: bool
) -> None:
    client = _Client(_Relations(error))  # type: ignore[arg-type]
    if unavailable:
        assert _branch_workspaces(client, WorkspaceRef("base", "B")) is None  # type: ignore[arg-type]
    else:
        with pytest.raises(ForbiddenError):
            _branch_workspaces(client, WorkspaceRef("base", "B"))  # type: ignore[arg-type]
