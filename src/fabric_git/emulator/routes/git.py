"""Git integration routes: parse the request, call the backend, shape the response."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fabric_git.emulator import errors
from fabric_git.emulator.backend import git_integration as git
from fabric_git.emulator.operations import run_operation
from fabric_git.emulator.routes._http import (
    empty_response,
    emulator_state,
    json_response,
    path_guid,
    principal_of,
    read_json,
)

_BASE = "/workspaces/{workspaceId}/git"


def _workspace(request: Request) -> str:
    return path_guid(request, "workspaceId", errors.workspace_not_found)


def get_connection(request: Request) -> Response:
    state, principal = emulator_state(request), principal_of(request)
    return json_response(git.get_connection(state, principal, _workspace(request)))


def connect(request: Request) -> Response:
    state, principal = emulator_state(request), principal_of(request)
    workspace_id = _workspace(request)
    git.connect(state, principal, workspace_id, read_json(request))
    return empty_response()


def disconnect(request: Request) -> Response:
    state, principal = emulator_state(request), principal_of(request)
    git.disconnect(state, principal, _workspace(request))
    return empty_response()


def initialize_connection(request: Request) -> Response:
    state, principal = emulator_state(request), principal_of(request)
    workspace_id = _workspace(request)
    strategy = git.initialize_request(
        state, principal, workspace_id, read_json(request, optional=True)
    )
    return run_operation(
        request,
        workspace_id=workspace_id,
        kind="InitializeConnection",
        work=lambda: git.initialize_work(state, principal, workspace_id, strategy),
        has_result=True,
    )


def get_status(request: Request) -> Response:
    state, principal = emulator_state(request), principal_of(request)
    workspace_id = _workspace(request)
    git.status_request(state, principal, workspace_id)
    return run_operation(
        request,
        workspace_id=workspace_id,
        kind="GetStatus",
        work=lambda: git.status_work(state, principal, workspace_id),
        has_result=True,
        # Status reads run side by side; commits, updates and initializations run alone.
        access="shared",
    )


def commit_to_git(request: Request) -> Response:
    state, principal = emulator_state(request), principal_of(request)
    workspace_id = _workspace(request)
    commit = git.commit_request(state, principal, workspace_id, read_json(request))

    def work() -> None:
        git.commit_work(state, principal, workspace_id, commit)

    return run_operation(
        request, workspace_id=workspace_id, kind="CommitToGit", work=work, has_result=False
    )


def update_from_git(request: Request) -> Response:
    state, principal = emulator_state(request), principal_of(request)
    workspace_id = _workspace(request)
    update = git.update_request(state, principal, workspace_id, read_json(request))

    def work() -> None:
        git.update_work(state, principal, workspace_id, update)

    return run_operation(
        request, workspace_id=workspace_id, kind="UpdateFromGit", work=work, has_result=False
    )


def get_my_git_credentials(request: Request) -> Response:
    state, principal = emulator_state(request), principal_of(request)
    return json_response(git.get_my_credentials(state, principal, _workspace(request)))


def update_my_git_credentials(request: Request) -> Response:
    state, principal = emulator_state(request), principal_of(request)
    workspace_id = _workspace(request)
    body = git.update_my_credentials(state, principal, workspace_id, read_json(request))
    return json_response(body)


ROUTES = [
    Route(f"{_BASE}/connection", get_connection, methods=["GET"], name="Git_GetConnection"),
    Route(f"{_BASE}/connect", connect, methods=["POST"], name="Git_Connect"),
    Route(f"{_BASE}/disconnect", disconnect, methods=["POST"], name="Git_Disconnect"),
    Route(
        f"{_BASE}/initializeConnection",
        initialize_connection,
        methods=["POST"],
        name="Git_InitializeConnection",
    ),
    Route(f"{_BASE}/status", get_status, methods=["GET"], name="Git_GetStatus"),
    Route(f"{_BASE}/commitToGit", commit_to_git, methods=["POST"], name="Git_CommitToGit"),
    Route(f"{_BASE}/updateFromGit", update_from_git, methods=["POST"], name="Git_UpdateFromGit"),
    Route(
        f"{_BASE}/myGitCredentials",
        get_my_git_credentials,
        methods=["GET"],
        name="Git_GetMyGitCredentials",
    ),
    Route(
        f"{_BASE}/myGitCredentials",
        update_my_git_credentials,
        methods=["PATCH"],
        name="Git_UpdateMyGitCredentials",
    ),
]
