"""Long-running operation state and result."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fabric_git.emulator import errors
from fabric_git.emulator.routes._http import (
    emulator_state,
    json_response,
    operation_url,
    path_guid,
    principal_of,
)


def get_operation_state(request: Request) -> Response:
    operation_id = path_guid(request, "operationId", errors.operation_not_found)
    state = emulator_state(request)
    view = state.operations.view(operation_id, principal_of(request))
    url = operation_url(request, operation_id)
    headers = {"x-ms-operation-id": operation_id}
    if view.status in ("NotStarted", "Running"):
        headers["Location"] = url
        headers["Retry-After"] = str(state.settings.retry_after)
    elif view.status == "Succeeded" and view.has_result:
        headers["Location"] = f"{url}/result"
    else:
        headers["Location"] = url
    return json_response(view.body, headers=headers)


def get_operation_result(request: Request) -> Response:
    operation_id = path_guid(request, "operationId", errors.operation_not_found)
    view = emulator_state(request).operations.view(operation_id, principal_of(request))
    if view.status != "Succeeded":
        raise errors.operation_not_succeeded()
    if not view.has_result:
        raise errors.operation_has_no_result()
    return json_response(view.result if view.result is not None else {})


ROUTES = [
    Route(
        "/operations/{operationId}",
        get_operation_state,
        methods=["GET"],
        name="LongRunningOperations_GetOperationState",
    ),
    Route(
        "/operations/{operationId}/result",
        get_operation_result,
        methods=["GET"],
        name="LongRunningOperations_GetOperationResult",
    ),
]
