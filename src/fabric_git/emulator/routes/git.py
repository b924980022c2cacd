"""Git integration routes: parse the body into a typed request, call the operation in
``backend/git``, and write its typed result as the spec's response document."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fabric_git.emulator import errors
from fabric_git.emulator.backend.git import commit as commit_op
from fabric_git.emulator.backend.git import connect as connect_op
from fabric_git.emulator.backend.git import credentials as credentials_op
from fabric_git.emulator.backend.git import initialize as initialize_op
from fabric_git.emulator.backend.git import status as status_op
from fabric_git.emulator.backend.git import update as update_op
from fabric_git.emulator.backend.git.access import AZURE_DEVOPS, GITHUB
from fabric_git.emulator.backend.git.commit import CommitRequest
from fabric_git.emulator.backend.git.connect import ConnectRequest, ProviderDetails
from fabric_git.emulator.backend.git.initialize import InitializeResult
from fabric_git.emulator.backend.git.records import Credentials, GitConnectionRecord
from fabric_git.emulator.backend.git.rules import (
    ConflictPolicy,
    InitializationStrategy,
    ItemStatus,
    Selector,
)
from fabric_git.emulator.backend.git.status import StatusResult
from fabric_git.emulator.backend.git.update import UpdateRequest
from fabric_git.emulator.gitrepo.fingerprints import PrintedState
from fabric_git.emulator.ids import iso_utc
from fabric_git.emulator.routes._body import Body, read_body
from fabric_git.emulator.routes._http import (
    empty_response,
    emulator_state,
    json_response,
    path_guid,
    principal_of,
    route,
)
from fabric_git.emulator.routes._lro import run_operation

_BASE = "/workspaces/{workspaceId}/git"
_COMMENT_LIMIT = 300


def _workspace(request: Request) -> str:
    return path_guid(request, "workspaceId", errors.workspace_not_found)


# --- requests ------------------------------------------------------------------------------


def _provider_text(body: Body, field: str, max_length: int, *, required: bool = True) -> str:
    value = body.text(field, required=required, max_length=max_length)
    # A directory may be "" (the root); every other required name must say something.
    if value is not None and required and field != "directoryName" and not value.strip():
        raise body.invalid(field, "The value must not be empty")
    return value or ""


def parse_provider_details(body: Body) -> ProviderDetails:
    details = body.object("gitProviderDetails", required=True, wrong="The field is required")
    assert details is not None
    provider = details.required_choice(
        "gitProviderType",
        (AZURE_DEVOPS, GITHUB),
        missing="The value must be one of AzureDevOps, GitHub",
    )
    directory = _provider_text(details, "directoryName", 256)
    github = provider == GITHUB
    return ProviderDetails(
        provider_type=provider,
        owner_name=_provider_text(details, "ownerName", 100) if github else None,
        organization_name=None if github else _provider_text(details, "organizationName", 100),
        project_name=None if github else _provider_text(details, "projectName", 100),
        custom_domain_name=(details.text("customDomainName", max_length=100) if github else None),
        repository_name=_provider_text(details, "repositoryName", 128),
        branch_name=_provider_text(details, "branchName", 250),
        directory_name=directory,
    )


def parse_credentials(body: Body, *, allow_none: bool) -> Credentials:
    allowed = ("Automatic", "ConfiguredConnection", "None")[: 3 if allow_none else 2]
    source = body.required_choice(
        "source", allowed, missing=f"The value must be one of {', '.join(allowed)}"
    )
    if source != "ConfiguredConnection":
        return Credentials(source)
    if "connectionId" not in body:
        raise body.invalid("connectionId", "The value must be a GUID")
    return Credentials(source, body.guid("connectionId"))


def parse_connect(body: Body) -> ConnectRequest:
    details = parse_provider_details(body)
    credentials = body.object("myGitCredentials")
    if credentials is None:
        return ConnectRequest(details)
    return ConnectRequest(details, parse_credentials(credentials, allow_none=False))


def _head(body: Body) -> str | None:
    """The ``workspaceHead`` the caller gave; "" counts as none given."""
    return body.text("workspaceHead") or None


def _selectors(body: Body) -> tuple[Selector, ...]:
    selectors = []
    for entry in body.objects("items") or ():
        object_id, logical_id = entry.guid("objectId"), entry.guid("logicalId")
        if object_id is None and logical_id is None:
            raise errors.invalid_input(entry.path, "objectId or logicalId is required")
        selectors.append(Selector(object_id=object_id, logical_id=logical_id))
    return tuple(selectors)


def parse_commit(body: Body) -> CommitRequest:
    modes = ("All", "Selective")
    mode = body.required_choice("mode", modes, missing="The value must be one of All, Selective")
    comment = body.text("comment", max_length=_COMMENT_LIMIT)
    return CommitRequest(
        mode=mode,
        workspace_head=_head(body),
        comment=comment or None,
        selected=_selectors(body) if mode == "Selective" else (),
    )


def _policy(body: Body) -> ConflictPolicy | None:
    resolution = body.object("conflictResolution")
    if resolution is None:
        return None
    if resolution.raw("conflictResolutionType") != "Workspace":
        raise resolution.invalid("conflictResolutionType", "The value must be Workspace")
    policies = tuple(ConflictPolicy)
    policy = resolution.required_choice(
        "conflictResolutionPolicy",
        policies,
        missing=f"The value must be one of {', '.join(policies)}",
    )
    return ConflictPolicy(policy)


def parse_update(body: Body) -> UpdateRequest:
    remote = body.raw("remoteCommitHash")
    if not isinstance(remote, str) or not remote:
        raise body.invalid("remoteCommitHash", "The field is required")
    options = body.raw("options") or {}
    if not isinstance(options, dict):
        raise body.invalid("options", "The value must be an object")
    allow = options.get("allowOverrideItems", False)
    if not isinstance(allow, bool):
        raise errors.invalid_input("options.allowOverrideItems", "The value must be a boolean")
    return UpdateRequest(
        remote_commit_hash=remote,
        workspace_head=_head(body),
        policy=_policy(body),
        allow_override=allow,
    )


def parse_strategy(body: Body) -> InitializationStrategy | None:
    raw = body.choice("initializationStrategy", tuple(InitializationStrategy))
    return InitializationStrategy(raw) if raw is not None else None


# --- response documents --------------------------------------------------------------------


def provider_details_json(record: GitConnectionRecord) -> dict[str, Any]:
    """``GitProviderDetails`` in the key order of the spec examples."""
    details: dict[str, Any] = {}
    if record.provider_type == AZURE_DEVOPS:
        details["organizationName"] = record.organization_name
        details["projectName"] = record.project_name
    else:
        details["ownerName"] = record.owner_name
    details["gitProviderType"] = record.provider_type
    details["repositoryName"] = record.repository_name
    details["branchName"] = record.branch_name
    details["directoryName"] = record.directory_name
    if record.custom_domain_name:
        details["customDomainName"] = record.custom_domain_name
    return details


def connection_json(record: GitConnectionRecord | None) -> dict[str, Any]:
    if record is None:
        return {
            "gitProviderDetails": None,
            "gitSyncDetails": None,
            "gitConnectionState": "NotConnected",
        }
    sync = None
    if record.workspace_head is not None and record.last_sync_time is not None:
        sync = {"head": record.workspace_head, "lastSyncTime": iso_utc(record.last_sync_time)}
    return {
        "gitProviderDetails": provider_details_json(record),
        "gitSyncDetails": sync,
        "gitConnectionState": record.state,
        "gitConnectionType": record.connection_type,
    }


def credentials_json(credentials: Credentials) -> dict[str, Any]:
    body: dict[str, Any] = {"source": credentials.source}
    if credentials.connection_id is not None:
        body["connectionId"] = credentials.connection_id
    return body


def initialize_json(result: InitializeResult) -> dict[str, Any]:
    # A never-synced workspace has no head: the key is kept with null, as Fabric serialises
    # absent values and as its example shows the key (Get Status gives "" instead: there the
    # spec makes workspaceHead a required string).
    return {
        "requiredAction": str(result.required_action),
        "workspaceHead": result.workspace_head,
        "remoteCommitHash": result.remote_commit_hash,
    }


def change_json(row: ItemStatus[PrintedState]) -> dict[str, Any]:
    identifier: dict[str, str] = {}
    if row.logical_id is not None:
        identifier["logicalId"] = row.logical_id
    if row.object_id is not None:
        identifier["objectId"] = row.object_id
    change: dict[str, Any] = {
        "itemMetadata": {
            "itemIdentifier": identifier,
            "itemType": row.item_type,
            "displayName": row.display_name,
        }
    }
    if row.remote_change is not None:
        change["remoteChange"] = str(row.remote_change)
    if row.workspace_change is not None:
        change["workspaceChange"] = str(row.workspace_change)
    change["conflictType"] = str(row.conflict)
    return change


def status_json(result: StatusResult) -> dict[str, Any]:
    return {
        # A workspace never synced (waiting for its first update) has no head: "", since
        # GitStatusResponse requires a string (Initialize answers null for the same state).
        "workspaceHead": result.workspace_head or "",
        "remoteCommitHash": result.remote_commit_hash,
        "changes": [change_json(row) for row in result.changes],
    }


# --- routes --------------------------------------------------------------------------------


def get_connection(request: Request) -> Response:
    state, principal = emulator_state(request), principal_of(request)
    record = connect_op.get_connection(state, principal, _workspace(request))
    return json_response(connection_json(record))


def connect(request: Request) -> Response:
    workspace_id = _workspace(request)
    body = read_body(request)
    state, principal = emulator_state(request), principal_of(request)
    connect_op.check_connect(state, principal, workspace_id)
    connect_request = parse_connect(body)
    connect_op.connect(state, principal, workspace_id, connect_request)
    return empty_response()


def disconnect(request: Request) -> Response:
    state, principal = emulator_state(request), principal_of(request)
    connect_op.disconnect(state, principal, _workspace(request))
    return empty_response()


def initialize_connection(request: Request) -> Response:
    workspace_id = _workspace(request)
    strategy = parse_strategy(read_body(request, optional=True))
    state, principal = emulator_state(request), principal_of(request)
    initialize_op.check_initialize(state, principal, workspace_id)
    return run_operation(
        request,
        workspace_id=workspace_id,
        kind="InitializeConnection",
        work=lambda: initialize_json(
            initialize_op.initialize(state, principal, workspace_id, strategy)
        ),
        has_result=True,
    )


def get_status(request: Request) -> Response:
    workspace_id = _workspace(request)
    state, principal = emulator_state(request), principal_of(request)
    status_op.check_status(state, principal, workspace_id)
    return run_operation(
        request,
        workspace_id=workspace_id,
        kind="GetStatus",
        work=lambda: status_json(status_op.status(state, principal, workspace_id)),
        has_result=True,
        # Status reads run side by side; commits, updates and initializations run alone.
        access="shared",
    )


def commit_to_git(request: Request) -> Response:
    workspace_id = _workspace(request)
    commit = parse_commit(read_body(request))
    state, principal = emulator_state(request), principal_of(request)
    commit_op.check_commit(state, principal, workspace_id, commit)

    def work() -> None:
        commit_op.commit(state, principal, workspace_id, commit)

    return run_operation(
        request, workspace_id=workspace_id, kind="CommitToGit", work=work, has_result=False
    )


def update_from_git(request: Request) -> Response:
    workspace_id = _workspace(request)
    update = parse_update(read_body(request))
    state, principal = emulator_state(request), principal_of(request)
    update_op.check_update(state, principal, workspace_id, update)

    def work() -> None:
        update_op.update(state, principal, workspace_id, update)

    return run_operation(
        request, workspace_id=workspace_id, kind="UpdateFromGit", work=work, has_result=False
    )


def get_my_git_credentials(request: Request) -> Response:
    state, principal = emulator_state(request), principal_of(request)
    found = credentials_op.get_my_credentials(state, principal, _workspace(request))
    return json_response(credentials_json(found))


def update_my_git_credentials(request: Request) -> Response:
    workspace_id = _workspace(request)
    body = read_body(request)
    state, principal = emulator_state(request), principal_of(request)
    credentials_op.check_update_credentials(state, principal, workspace_id)
    credentials = parse_credentials(body, allow_none=True)
    stored = credentials_op.update_my_credentials(state, principal, workspace_id, credentials)
    return json_response(credentials_json(stored))


ROUTES = [
    route(f"{_BASE}/connection", get_connection, "GET", "Git_GetConnection"),
    route(f"{_BASE}/connect", connect, "POST", "Git_Connect"),
    route(f"{_BASE}/disconnect", disconnect, "POST", "Git_Disconnect"),
    route(
        f"{_BASE}/initializeConnection",
        initialize_connection,
        "POST",
        "Git_InitializeConnection",
    ),
    route(f"{_BASE}/status", get_status, "GET", "Git_GetStatus"),
    route(f"{_BASE}/commitToGit", commit_to_git, "POST", "Git_CommitToGit"),
    route(f"{_BASE}/updateFromGit", update_from_git, "POST", "Git_UpdateFromGit"),
    route(f"{_BASE}/myGitCredentials", get_my_git_credentials, "GET", "Git_GetMyGitCredentials"),
    route(
        f"{_BASE}/myGitCredentials",
        update_my_git_credentials,
        "PATCH",
        "Git_UpdateMyGitCredentials",
    ),
]
