"""Workflow layer: sync (single and many) and credentials, against a scripted client."""

from __future__ import annotations

import threading

import pytest

from fabric_git.errors import ConfigurationError, FabricGitError, ThrottledError
from fabric_git.models.git import GitHubDetails, InitializeGitConnectionResponse
from fabric_git.workflows import (
    ConflictsNeedPolicyError,
    ConnectionMismatchError,
    NotConnectedError,
    SyncOptions,
    ensure_github_connection,
    initialize,
    set_credentials,
    sync,
    sync_many,
)
from unit.workflows.wf_fakes import (
    HEAD_A,
    HEAD_B,
    HEAD_C,
    WS_ID,
    FakeClient,
    change,
    github_connection,
    github_connection_model,
    status,
)

PROVIDER = GitHubDetails(
    owner_name="contoso", repository_name="fabric", branch_name="main", directory_name="/"
)


def test_sync_not_connected_without_details_is_an_error() -> None:
    client = FakeClient()
    with pytest.raises(NotConnectedError):
        sync(client, "Sales")
    assert client.names() == ["get_connection"]


def test_sync_connects_initializes_and_updates_with_init_hashes() -> None:
    client = FakeClient()
    client.git.init_response = InitializeGitConnectionResponse.model_validate(
        {"requiredAction": "UpdateFromGit", "workspaceHead": None, "remoteCommitHash": HEAD_B}
    )
    client.git.statuses = [status(None, HEAD_B, change("Nb", rm="Added")), status(HEAD_B, HEAD_B)]
    result = sync(client, "Sales", SyncOptions(provider=PROVIDER))
    assert result.actions == ("Connect", "InitializeConnection", "UpdateFromGit")
    assert result.required_action == "UpdateFromGit"
    assert [c.name for c in result.changes] == ["Nb.Notebook"]
    update = dict(client.calls)["update_from_git"]
    assert update["remote_commit_hash"] == HEAD_B and update["workspace_head"] is None
    assert result.status is not None and result.status.in_sync


def test_sync_commit_required_commits_all_from_init_head() -> None:
    client = FakeClient()
    client.git.init_response = InitializeGitConnectionResponse.model_validate(
        {"requiredAction": "CommitToGit", "workspaceHead": HEAD_A, "remoteCommitHash": HEAD_A}
    )
    client.git.statuses = [status(HEAD_A, HEAD_A, change("Nb", ws="Added")), status(HEAD_B, HEAD_B)]
    result = sync(client, "Sales", SyncOptions(provider=PROVIDER, strategy="prefer-workspace"))
    assert result.actions[-1] == "CommitToGit"
    assert dict(client.calls)["initialize_connection"]["strategy"] == "PreferWorkspace"
    commit = dict(client.calls)["commit_to_git"]
    assert commit["mode"] == "All" and commit["workspace_head"] == HEAD_A


def test_sync_second_run_is_a_noop() -> None:
    client = FakeClient()
    client.git.connection = github_connection()
    client.git.statuses = [status(HEAD_A, HEAD_A)]
    result = sync(client, "Sales", SyncOptions(provider=PROVIDER))
    assert result.noop and result.actions == ()
    assert client.names() == ["get_connection", "get_status"]


def test_sync_elsewhere_is_an_error_unless_reconnect() -> None:
    client = FakeClient()
    client.git.connection = github_connection(repo="other")
    with pytest.raises(ConnectionMismatchError):
        sync(client, "Sales", SyncOptions(provider=PROVIDER))
    client.git.statuses = [status(HEAD_A, HEAD_A)]
    result = sync(client, "Sales", SyncOptions(provider=PROVIDER, reconnect=True))
    assert result.actions[:3] == ("Disconnect", "Connect", "InitializeConnection")
    assert "disconnect" in client.names()


def test_sync_dry_run_does_not_connect() -> None:
    client = FakeClient()
    result = sync(client, "Sales", SyncOptions(provider=PROVIDER, dry_run=True))
    assert result.dry_run and result.actions == ("Connect", "InitializeConnection")
    assert client.names() == ["get_connection"]


def test_sync_converges_incoming_and_needs_a_strategy_for_conflicts() -> None:
    client = FakeClient()
    client.git.connection = github_connection()
    client.git.statuses = [
        status(HEAD_A, HEAD_B, change("Both", ws="Modified", rm="Modified", conflict="Conflict"))
    ]
    with pytest.raises(ConflictsNeedPolicyError):
        sync(client, "Sales")
    client.git.statuses = [
        status(HEAD_A, HEAD_B, change("Both", ws="Modified", rm="Modified", conflict="Conflict")),
        status(HEAD_B, HEAD_B),
    ]
    result = sync(client, "Sales", SyncOptions(strategy="PreferRemote"))
    assert result.actions == ("UpdateFromGit",)
    policy = dict(client.calls)["update_from_git"]["conflict_resolution"]
    assert policy.conflict_resolution_policy == "PreferRemote"


def test_sync_leaves_workspace_changes_unless_prefer_workspace() -> None:
    client = FakeClient()
    client.git.connection = github_connection()
    client.git.statuses = [status(HEAD_A, HEAD_A, change("Mine", ws="Modified"))]
    result = sync(client, "Sales")
    assert result.noop and "uncommitted" in result.notes[0]
    client.git.statuses = [
        status(HEAD_A, HEAD_A, change("Mine", ws="Modified")),
        status(HEAD_B, HEAD_B),
    ]
    result = sync(client, "Sales", SyncOptions(strategy="PreferWorkspace"))
    assert result.actions == ("CommitToGit",)


def test_sync_expands_workspace_placeholder_in_directory() -> None:
    client = FakeClient()
    client.git.statuses = [status(HEAD_A, HEAD_A)]
    provider = PROVIDER.model_copy(update={"directory_name": "ws/{workspace}"})
    sync(client, "Sales", SyncOptions(provider=provider))
    assert dict(client.calls)["connect"]["provider"].directory_name == "ws/Sales"


def test_sync_many_bounds_concurrency() -> None:
    names = {f"ws{i}": f"00000000-0000-0000-0000-00000000000{i}" for i in range(6)}
    client = FakeClient(names)
    client.git.connection = github_connection()
    client.git.statuses = [status(HEAD_A, HEAD_A)]
    active = 0
    peak = 0
    lock = threading.Lock()
    barrier = threading.Barrier(3, timeout=10)

    def enter(_: str) -> None:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        barrier.wait()  # three at a time must be in here together
        with lock:
            active -= 1

    client.git.on_get_connection = enter
    batch = sync_many(client, list(names), concurrency=3)
    assert len(batch.succeeded) == 6 and peak == 3


def test_sync_many_retries_throttled_work_after_retry_after() -> None:
    client = FakeClient({"A": WS_ID, "B": "22222222-2222-2222-2222-222222222222"})
    client.git.connection = github_connection()
    client.git.statuses = [status(HEAD_A, HEAD_A)]
    throttled = {"A": 1}

    def maybe_throttle(ws: str) -> None:
        if ws == WS_ID and throttled["A"]:
            throttled["A"] -= 1
            raise ThrottledError(
                status=429, error_code="RequestBlocked", message="slow down", retry_after=7.0
            )

    client.git.on_get_connection = maybe_throttle
    slept: list[float] = []

    class Clock:
        def sleep(self, seconds: float) -> None:
            slept.append(seconds)

    batch = sync_many(client, ["A", "B"], clock=Clock(), concurrency=2)
    assert [e.ok for e in batch.entries] == [True, True]
    assert batch.entries[0].attempts == 2 and slept == [7.0]


def test_sync_many_records_errors_per_workspace() -> None:
    client = FakeClient({"A": WS_ID})
    batch = sync_many(client, ["A", "Missing"], concurrency=2)
    assert [e.ok for e in batch.entries] == [False, False]
    assert isinstance(batch.entries[0].error, NotConnectedError)


def test_ensure_connection_reuses_by_name_creates_a_new_name_and_by_url_only_if_asked() -> None:
    client = FakeClient()
    url = "https://github.com/contoso/fabric"
    client.connections.items = [github_connection_model("c1", "mine", url + ".git")]
    by_name = ensure_github_connection(client, display_name="mine", repository_url=None, token=None)
    by_url = ensure_github_connection(
        client, display_name="x", repository_url=url, token=None, reuse_by_url=True
    )
    assert (by_name.id, by_name.created, by_name.found_by) == ("c1", False, "name")
    assert (by_url.id, by_url.found_by) == ("c1", "url")
    # A name that does not exist is created, even when another connection has that URL.
    with pytest.raises(ConfigurationError) as missing:
        ensure_github_connection(client, display_name="x", repository_url=url, token=None)
    assert missing.value.code == "PatRequired"
    created = ensure_github_connection(
        client, display_name="new", repository_url=url, token="pat-value"
    )
    assert created.created and created.display_name == "new" and created.id != "c1"
    assert client.connections.updated_keys == {}
    assert "pat-value" not in repr(created) and "pat-value" not in str(created.to_json())


def test_a_reused_connection_keeps_its_key_unless_a_rotation_is_asked_for() -> None:
    client = FakeClient()
    url = "https://github.com/contoso/fabric"
    client.connections.items = [github_connection_model("c1", "mine", url)]
    kept = ensure_github_connection(
        client, display_name="mine", repository_url=url, token="pat-other"
    )
    assert (kept.key_updated, kept.token_unused) == (False, True)
    assert "its key is unchanged" in kept.describe() and "--rotate-pat" in kept.describe()
    assert client.connections.updated_keys == {}
    rotated = ensure_github_connection(
        client, display_name="mine", repository_url=url, token="pat-rotated", rotate_key=True
    )
    assert (rotated.id, rotated.created, rotated.key_updated) == ("c1", False, True)
    assert client.connections.updated_keys == {"c1": "pat-rotated"}
    assert client.calls[-1] == ("update_connection", {"id": "c1", "name": None, "key": True})
    assert "pat-rotated" not in repr(rotated) and "pat-rotated" not in str(rotated.to_json())
    with pytest.raises(ConfigurationError):
        ensure_github_connection(
            client, display_name="mine", repository_url=url, token=None, rotate_key=True
        )


def test_a_dry_run_ensures_nothing_but_refuses_what_the_real_run_would() -> None:
    client = FakeClient()
    url = "https://github.com/contoso/fabric"
    planned = ensure_github_connection(
        client, display_name="new", repository_url=url, token="pat", dry_run=True
    )
    assert (planned.id, planned.created) == (None, True)
    assert client.connections.items == []
    with pytest.raises(ConfigurationError):
        ensure_github_connection(
            client, display_name="new", repository_url=url, token=None, dry_run=True
        )


def test_set_credentials_is_a_noop_when_unchanged_and_resolves_connections() -> None:
    client = FakeClient()
    client.connections.items = [github_connection_model("c1", "mine", "https://github.com/a/b")]
    same = set_credentials(client, "Sales", source="automatic")
    assert not same.changed and "update_my_git_credentials" not in client.names()
    changed = set_credentials(client, "Sales", source="ConfiguredConnection", connection="mine")
    assert changed.changed and changed.connection_id == "c1"
    with pytest.raises(ConfigurationError):
        set_credentials(client, "Sales", source="ConfiguredConnection")
    kebab = set_credentials(client, "Sales", source="configured-connection", connection="mine")
    assert kebab.source == "ConfiguredConnection" and not kebab.changed


@pytest.mark.parametrize(
    ("given", "sent"),
    [("prefer-remote", "PreferRemote"), ("PREFERWORKSPACE", "PreferWorkspace"), (None, None)],
)
def test_initialize_takes_either_spelling_and_sends_the_fabric_one(
    given: str | None, sent: str | None
) -> None:
    client = FakeClient()
    result = initialize(client, "Sales", strategy=given)
    assert dict(client.calls)["initialize_connection"]["strategy"] == sent
    assert result.strategy == sent and result.to_json()["strategy"] == sent


def test_initialize_refuses_an_unknown_strategy_before_calling_the_service() -> None:
    client = FakeClient()
    with pytest.raises(ConfigurationError, match="prefer-remote, prefer-workspace or none"):
        initialize(client, "Sales", strategy="theirs")
    assert "initialize_connection" not in client.names()


def test_sync_commits_again_when_another_commit_moved_the_branch() -> None:
    from fabric_git.errors import OperationFailedError

    client = FakeClient()
    client.git.init_response = InitializeGitConnectionResponse.model_validate(
        {"requiredAction": "CommitToGit", "workspaceHead": HEAD_A, "remoteCommitHash": HEAD_A}
    )
    client.git.statuses = [
        status(HEAD_A, HEAD_A, change("Nb", ws="Added")),  # before acting
        status(HEAD_A, HEAD_B, change("Nb", ws="Added")),  # after the lost race: no incoming
        status(HEAD_C, HEAD_C),
    ]
    failures = [
        OperationFailedError(
            operation_id="op", error_code="WorkspaceUpdateRequired", message="ref moved"
        )
    ]
    original = client.git.commit_to_git

    def racing_commit(ws: str, **kwargs: object) -> None:
        original(ws, **kwargs)
        if failures:
            raise failures.pop()

    client.git.commit_to_git = racing_commit  # type: ignore[method-assign]
    result = sync(client, "Sales", SyncOptions(provider=PROVIDER))
    assert client.names().count("commit_to_git") == 2
    assert result.actions[-1] == "CommitToGit" and result.status is not None
    assert result.status.in_sync


def test_sync_does_not_retry_a_commit_refused_for_real_incoming_changes() -> None:
    from fabric_git.errors import OperationFailedError

    client = FakeClient()
    client.git.init_response = InitializeGitConnectionResponse.model_validate(
        {"requiredAction": "CommitToGit", "workspaceHead": HEAD_A, "remoteCommitHash": HEAD_A}
    )
    client.git.statuses = [
        status(HEAD_A, HEAD_A, change("Nb", ws="Added")),
        status(HEAD_A, HEAD_B, change("Nb", ws="Added"), change("Other", rm="Added")),
    ]

    def refused(ws: str, **kwargs: object) -> None:
        raise OperationFailedError(
            operation_id="op", error_code="WorkspaceUpdateRequired", message="update first"
        )

    client.git.commit_to_git = refused  # type: ignore[method-assign]
    with pytest.raises(OperationFailedError):
        sync(client, "Sales", SyncOptions(provider=PROVIDER))


def test_sync_dry_run_on_an_initialized_workspace_plans_from_status() -> None:
    client = FakeClient()
    client.git.connection = github_connection()
    client.git.statuses = [
        status(
            HEAD_A,
            HEAD_B,
            change("In", rm="Modified"),
            change("Both", ws="Modified", rm="Modified", conflict="Conflict"),
            change("Mine", ws="Added"),
        )
    ]
    plan = sync(client, "Sales", SyncOptions(dry_run=True))
    assert plan.dry_run and plan.actions == ("UpdateFromGit",)
    assert any("blocked" in note for note in plan.notes)
    assert [c.name for c in plan.changes] == ["In.Notebook", "Both.Notebook"]
    with_commit = sync(client, "Sales", SyncOptions(dry_run=True, strategy="PreferWorkspace"))
    assert with_commit.actions == ("UpdateFromGit", "CommitToGit")
    assert client.names().count("update_from_git") == 0
    assert client.names().count("commit_to_git") == 0


def test_a_connection_of_another_kind_with_the_name_is_named_as_what_it_is() -> None:
    from fabric_git.models.connections import Connection
    from fabric_git.workflows.errors import ConnectionScopeError

    client = FakeClient()
    url = "https://dev.azure.com/contoso/sales/_git/fabric"
    details = {"type": "AzureDevOpsSourceControl", "path": url}
    client.connections.items = [
        Connection.model_validate(
            {
                "id": "c9",
                "displayName": "vv",
                "connectivityType": "ShareableCloud",
                "connectionDetails": details,
            }
        )
    ]
    for token in (None, "pat-value"):
        with pytest.raises(ConnectionScopeError) as refused:
            ensure_github_connection(client, display_name="vv", repository_url=None, token=token)
        message = str(refused.value)
        assert refused.value.code == "ConnectionMismatch"
        assert "'vv' (c9) is an Azure DevOps (service principal) connection" in message
        assert "no connection named" not in message and "pat-value" not in message
    assert client.connections.updated_keys == {}
    assert len(client.connections.items) == 1


def test_an_azure_devops_connection_result_speaks_of_its_client_secret() -> None:
    from fabric_git.workflows.results import ConnectionResult

    created = ConnectionResult("c9", "vv", "AzureDevOpsSourceControl", None, created=True)
    reused = ConnectionResult("c9", "vv", "AzureDevOpsSourceControl", None, created=False)
    assert created.describe() == (
        "Created connection vv (c9) with the service principal's client secret."
    )
    assert reused.describe() == "Using connection vv (c9); its client secret is unchanged."
    for line in (created.describe(), reused.describe(dry_run=True)):
        assert "token" not in line and "key" not in line


def test_rejected_credentials_at_connect_name_the_provider() -> None:
    from fabric_git.cli.failures import classify
    from fabric_git.errors import api_error_from_response
    from fabric_git.models.git import AzureDevOpsDetails
    from fabric_git.workflows import connect

    client = FakeClient()
    body = {"errorCode": "GitProviderAuthenticationFailed", "message": "Bad credentials."}
    client.git.raises["connect"] = [
        api_error_from_response(400, body, method="POST", url="https://x/git/connect")
    ]
    provider = AzureDevOpsDetails(
        organization_name="contoso",
        project_name="sales",
        repository_name="fabric",
        branch_name="main",
        directory_name="/",
    )
    with pytest.raises(FabricGitError) as refused:
        connect(client, WS_ID, provider)
    assert getattr(refused.value, "git_provider", None) == "AzureDevOps"
    hint = classify(refused.value, command="connect").line()
    assert "create-azure-devops" in hint and "--rotate-pat" not in hint
