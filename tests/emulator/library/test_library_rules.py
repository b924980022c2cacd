"""The Git integration rules through ``FabricClient``: the initialization table, Commit All and
Selective, Update with conflicts and both policies, ``allowOverrideItems``, connect refusals and
Git credentials. Each refusal is checked by the service's error code on the library's error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from emulator.library.library_support import Target, item_files, service_error_code
from fabric_git import (
    AutomaticGitCredentials,
    BadRequestError,
    ConfigurationError,
    ConfiguredConnectionGitCredentials,
    ConflictResolutionPolicy,
    FabricGitError,
    GitHubDetails,
    ItemIdentifier,
    NotFoundError,
)
from fabric_git.emulator.gitrepo.repos import RepoKey

LID_A = "0a0a0a0a-1111-4222-8333-444444444444"
LID_B = "0b0b0b0b-1111-4222-8333-444444444444"


def refused(action: Callable[[], Any]) -> str:
    with pytest.raises(FabricGitError) as caught:
        action()
    return service_error_code(caught.value)


# --- initialize ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("workspace_items", "git_items", "strategy", "expected"),
    [
        (False, False, None, "None"),
        (False, False, "PreferWorkspace", "None"),
        (False, True, None, "UpdateFromGit"),
        (False, True, "PreferWorkspace", "UpdateFromGit"),
        (True, False, None, "CommitToGit"),
        (True, False, "PreferRemote", "CommitToGit"),
        (True, True, None, "MissingInitializationPolicy"),
        (True, True, "None", "MissingInitializationPolicy"),
        (True, True, "PreferRemote", "UpdateFromGit"),
        (True, True, "PreferWorkspace", "CommitToGit"),
    ],
)
def test_initialization_table(
    target: Target,
    workspace_items: bool,
    git_items: bool,
    strategy: str | None,
    expected: str,
) -> None:
    remote = target.repo()
    if git_items:
        remote.push(item_files("git.Notebook", LID_A, "git", b"# git\n"))
    ws = target.workspace()
    if workspace_items:
        target.item(ws, "local")
    target.connect(ws)
    git = target.client.git
    if expected == "MissingInitializationPolicy":
        assert refused(lambda: git.initialize_connection(ws, strategy)) == expected
        return
    init = git.initialize_connection(ws, strategy)
    assert init.required_action == expected
    assert init.remote_commit_hash == remote.tip()
    assert git.get_connection(ws).git_connection_state == "ConnectedAndInitialized"
    assert refused(lambda: git.initialize_connection(ws, strategy)) == (
        "WorkspaceGitConnectionAlreadyInitialized"
    )
    # Doing what initialize asked leaves the workspace synced.
    if expected == "CommitToGit":
        git.commit_to_git(ws, workspace_head=init.workspace_head, comment="initial")
    elif expected == "UpdateFromGit":
        git.update_from_git(
            ws, remote_commit_hash=init.remote_commit_hash, workspace_head=init.workspace_head
        )
    status = target.status(ws)
    assert status.changes == []
    assert status.workspace_head == status.remote_commit_hash == remote.tip()
    names = sorted(i.display_name for i in target.client.items.list(ws))
    if expected == "UpdateFromGit":
        assert names == ["git"]  # Git's content overwrote the workspace
    elif workspace_items:
        assert names == ["local"]


def test_operations_need_a_connection_and_initialization(target: Target) -> None:
    target.repo()
    ws = target.workspace()
    git = target.client.git
    assert refused(lambda: git.get_status(ws)) == "WorkspaceNotConnectedToGit"
    assert refused(lambda: git.initialize_connection(ws)) == "WorkspaceNotConnectedToGit"
    target.connect(ws)
    assert refused(lambda: git.get_status(ws)) == "WorkspaceGitConnectionNotInitialized"
    assert refused(lambda: git.commit_to_git(ws)) == "WorkspaceGitConnectionNotInitialized"


# --- commit -------------------------------------------------------------------------------------


def test_commit_all_and_selective(target: Target) -> None:
    remote = target.repo()
    ws = target.workspace()
    first = target.item(ws, "first")
    target.item(ws, "second")
    init = target.connected(ws)
    assert init.required_action == "CommitToGit"
    git = target.client.git
    changes = target.status(ws).changes
    assert {c.item_metadata.display_name for c in changes} == {"first", "second"}
    (chosen,) = [c for c in changes if c.item_metadata.display_name == "first"]
    git.commit_to_git(ws, mode="Selective", items=[chosen], comment="only first")
    assert [c.item_metadata.display_name for c in target.status(ws).changes] == ["second"]
    assert "first.Notebook/notebook-content.py" in remote.files()
    assert "second.Notebook/notebook-content.py" not in remote.files()
    git.commit_to_git(ws, comment="the rest")
    status = target.status(ws)
    assert status.changes == [] and status.workspace_head == remote.tip()
    assert remote.files()["second.Notebook/notebook-content.py"] == b"# second\n"
    target.edit(first, b"# first, edited\n")
    git.commit_to_git(ws, mode="Selective", items=[ItemIdentifier(object_id=first)])
    assert remote.files()["first.Notebook/notebook-content.py"] == b"# first, edited\n"


def test_commit_refusals(target: Target) -> None:
    target.repo()
    ws = target.workspace()
    target.item(ws, "first")
    target.connected(ws)
    git = target.client.git
    assert refused(lambda: git.commit_to_git(ws, workspace_head="0" * 40)) == (
        "WorkspaceHeadMismatch"
    )
    unknown = ItemIdentifier(object_id="0c0c0c0c-0000-4000-8000-00000000000c")
    assert refused(lambda: git.commit_to_git(ws, mode="Selective", items=[unknown])) == (
        "ItemNotFound"
    )
    # The library checks the comment's length itself, before any request.
    with pytest.raises(ConfigurationError, match="limit is 300"):
        git.commit_to_git(ws, comment="x" * 301)
    git.commit_to_git(ws)
    assert refused(lambda: git.commit_to_git(ws)) == "NoChangesToCommit"


def test_selective_commit_with_no_items_is_refused_before_sending(target: Target) -> None:
    target.repo()
    ws = target.workspace()
    target.item(ws, "first")
    target.connected(ws)
    head = target.status(ws).workspace_head
    # The service would answer NoItemsSelected; the library refuses the empty selection first.
    with pytest.raises(ConfigurationError, match="at least one item"):
        target.client.git.commit_to_git(ws, mode="Selective", items=[])
    assert target.status(ws).workspace_head == head


# --- update -------------------------------------------------------------------------------------


def _conflicted(target: Target) -> tuple[str, str]:
    target.repo()
    ws = target.workspace()
    item = target.item(ws, "nb")
    target.connected(ws)
    target.client.git.commit_to_git(ws)
    target.remote.push({"nb.Notebook/notebook-content.py": b"# git side\n"})
    target.edit(item, b"# workspace side\n")
    (change,) = target.status(ws).changes
    assert (change.workspace_change, change.remote_change, change.conflict_type) == (
        "Modified",
        "Modified",
        "Conflict",
    )
    return ws, item


def test_update_with_conflicts_needs_a_policy(target: Target) -> None:
    ws, item = _conflicted(target)
    git = target.client.git
    status = target.status(ws)
    assert refused(
        lambda: git.update_from_git(ws, remote_commit_hash=status.remote_commit_hash)
    ) == ("MissingWorkspaceConflictResolution")
    assert target.content(item) == b"# workspace side\n"


def test_prefer_workspace_keeps_the_workspace_then_commits(target: Target) -> None:
    ws, item = _conflicted(target)
    git = target.client.git
    status = target.status(ws)
    git.update_from_git(
        ws,
        remote_commit_hash=status.remote_commit_hash,
        workspace_head=status.workspace_head,
        conflict_resolution=ConflictResolutionPolicy.PREFER_WORKSPACE,
    )
    assert target.content(item) == b"# workspace side\n"
    (change,) = target.status(ws).changes
    assert change.workspace_change == "Modified" and change.remote_change is None
    git.commit_to_git(ws)
    assert target.remote.files()["nb.Notebook/notebook-content.py"] == b"# workspace side\n"


def test_prefer_remote_takes_git_content(target: Target) -> None:
    ws, item = _conflicted(target)
    status = target.status(ws)
    target.client.git.update_from_git(
        ws,
        remote_commit_hash=status.remote_commit_hash,
        conflict_resolution="PreferRemote",
    )
    assert target.content(item) == b"# git side\n"
    assert target.status(ws).changes == []


def test_update_refusals(target: Target) -> None:
    target.repo()
    ws = target.workspace()
    item = target.item(ws, "nb")
    target.connected(ws)
    git = target.client.git
    git.commit_to_git(ws)
    before = target.status(ws)
    target.remote.push({"nb.Notebook/notebook-content.py": b"# changed in git\n"})
    status = target.status(ws)
    assert refused(
        lambda: git.update_from_git(ws, remote_commit_hash=str(before.remote_commit_hash))
    ) == ("RemoteCommitHashMismatch")
    assert refused(
        lambda: git.update_from_git(
            ws, remote_commit_hash=status.remote_commit_hash, workspace_head="1" * 40
        )
    ) == ("WorkspaceHeadMismatch")
    assert target.content(item) == b"# nb\n"
    git.update_from_git(
        ws, remote_commit_hash=status.remote_commit_hash, workspace_head=status.workspace_head
    )
    assert target.content(item) == b"# changed in git\n"


def test_override_needs_consent(target: Target) -> None:
    target.repo()
    ws = target.workspace()
    target.connected(ws)
    local = target.item(ws, "shared")
    target.remote.push(item_files("shared.Notebook", LID_B, "shared", b"# from git\n"))
    git = target.client.git
    tip = target.status(ws).remote_commit_hash
    assert refused(lambda: git.update_from_git(ws, remote_commit_hash=tip)) == (
        "OverrideItemsNotAllowed"
    )
    assert refused(
        lambda: git.update_from_git(ws, remote_commit_hash=tip, allow_override_items=False)
    ) == ("OverrideItemsNotAllowed")
    assert target.content(local) == b"# shared\n"
    git.update_from_git(ws, remote_commit_hash=tip, allow_override_items=True)
    (taken,) = target.client.items.list(ws)
    assert taken.id == local
    assert target.logical_id(local) == LID_B
    assert target.content(local) == b"# from git\n"


# --- connect, disconnect, credentials ---------------------------------------------------------


def test_connect_refusals(target: Target) -> None:
    target.repo()
    ws = target.workspace()
    bare = target.workspace("bare", capacity=False)
    git = target.client.git
    assert refused(lambda: git.connect(bare, target.details())) == (
        "WorkspaceHasNoCapacityAssigned"
    )
    with pytest.raises(NotFoundError) as missing:
        git.connect(ws, target.details(branch="nope"))
    assert missing.value.error_code == "GitProviderResourceNotFound"
    assert refused(lambda: git.connect(ws, target.details(directory="a/b:c"))) == (
        "InvalidGitDirectoryName"
    )
    # '.' and '..' segments name no directory of their own (issue 12): refused at connect.
    for dotted, segment in (("a/../b", ".."), ("./fabric", "."), ("fabric/.", "."), ("..", "..")):
        with pytest.raises(BadRequestError) as caught:
            git.connect(ws, target.details(directory=dotted))
        assert caught.value.error_code == "InvalidGitDirectoryName", dotted
        assert f"'{segment}' path segment" in caught.value.message
    target.remote.push({"docs/guide/readme.md": b"hello"})
    assert refused(lambda: git.connect(ws, target.details(directory="docs"))) == (
        "GitDirectoryHasNoItems"
    )
    with pytest.raises(NotFoundError) as no_directory:  # a folder Git does not have yet
        git.connect(ws, target.details(directory="fabric"))
    assert no_directory.value.error_code == "GitProviderResourceNotFound"
    target.settings(missingDirectory="create")  # the portal's "Create and sync"
    target.connect(ws, directory="fabric")
    assert git.get_connection(ws).git_connection_state == "Connected"
    assert refused(lambda: target.connect(ws)) == "WorkspaceAlreadyConnectedToGit"
    git.disconnect(ws)
    assert git.get_connection(ws).git_connection_state == "NotConnected"
    assert refused(lambda: git.disconnect(ws)) == "WorkspaceNotConnectedToGit"


def test_github_automatic_credentials_are_refused(target: Target) -> None:
    target.repo(key=RepoKey.github("octo", "repo"))
    ws = target.workspace()
    details = GitHubDetails(
        owner_name="octo", repository_name="repo", branch_name="main", directory_name=""
    )
    # GitHub needs a configured connection: Automatic credentials are refused.
    automatic = AutomaticGitCredentials()
    assert refused(lambda: target.client.git.connect(ws, details, automatic)) == (
        "PrincipalTypeNotSupported"
    )
    assert refused(lambda: target.client.git.connect(ws, details)) == "PrincipalTypeNotSupported"


def test_my_git_credentials(target: Target) -> None:
    target.repo()
    ws = target.workspace()
    git = target.client.git
    assert refused(lambda: git.get_my_git_credentials(ws)) == "WorkspaceNotConnectedToGit"
    target.connected(ws)
    assert git.get_my_git_credentials(ws).source == "Automatic"
    assert git.update_my_git_credentials(ws, "None").source == "None"
    assert git.get_my_git_credentials(ws).source == "None"
    assert refused(lambda: git.get_status(ws)) == "GitCredentialsNotConfigured"
    with pytest.raises(NotFoundError) as missing:
        git.update_my_git_credentials(ws, "ConfiguredConnection", LID_A)
    assert missing.value.error_code == "ConnectionNotFound"
    assert git.update_my_git_credentials(ws, "Automatic").source == "Automatic"
    assert target.status(ws).changes == []


def test_github_pat_connection_and_rotation(target: Target) -> None:
    pat = "ghp_" + "r" * 36
    target.repo(key=RepoKey.github("octo", "repo"), required_pat=pat)
    ws = target.workspace()
    target.item(ws, "nb")
    connections = target.client.connections
    connection = connections.create_github(
        "GitHub octo/repo", "ghp_" + "w" * 36, "https://github.com/octo/repo"
    )
    details = GitHubDetails(
        owner_name="octo", repository_name="repo", branch_name="main", directory_name=""
    )
    credentials = ConfiguredConnectionGitCredentials(connection_id=connection.id)
    git = target.client.git
    with pytest.raises(FabricGitError) as wrong:
        git.connect(ws, details, credentials)
    assert service_error_code(wrong.value) == "GitProviderAuthenticationFailed"
    assert pat not in str(wrong.value)
    # Rotating the token of the same connection lets the workspace connect and sync.
    rotated = connections.update(connection.id, token=pat)
    assert rotated.id == connection.id
    git.connect(ws, details, credentials)
    credentials_now = git.get_my_git_credentials(ws)
    assert credentials_now.source == "ConfiguredConnection"
    assert getattr(credentials_now, "connection_id", None) == connection.id
    init = git.initialize_connection(ws)
    assert init.required_action == "CommitToGit"
    git.commit_to_git(ws, workspace_head=init.workspace_head)
    assert target.status(ws).changes == []
    renamed = connections.update(connection.id, display_name="GitHub (rotated)")
    assert renamed.display_name == "GitHub (rotated)"
    assert target.client.resolve_connection("GitHub (rotated)").id == connection.id
