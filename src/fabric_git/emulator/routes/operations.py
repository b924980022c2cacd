"""Long-running operation state and result."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fabric_git.emulator import errors
from fabric_git.emulator.ids import iso_utc
from fabric_git.emulator.operations import OperationView
from fabric_git.emulator.routes._http import (
    emulator_state,
    json_response,
    operation_url,
    path_guid,
    principal_of,
    route,
)


def operation_json(view: OperationView) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": view.status,
        "createdTimeUtc": iso_utc(view.created),
        "lastUpdatedTimeUtc": iso_utc(view.last_updated),
        "percentComplete": view.percent_complete,
    }
    if view.error is not None:
        body["error"] = view.error
    return body


def get_operation_state(request: Request) -> Response:
    operation_id = path_guid(request, "operationId", errors.operation_not_found)
    state = emulator_state(request)
    view = state.operations.view(operation_id, principal_of(request))
    url = operation_url(request, operation_id)
    headers = {"x-ms-operation-id": operation_id}
    if view.running:
        headers["Location"] = url
        headers["Retry-After"] = str(state.settings.retry_after)
    elif view.status == "Succeeded" and view.has_result:
        headers["Location"] = f"{url}/result"
    else:
        headers["Location"] = url
    return json_response(operation_json(view), headers=headers)


def get_operation_result(request: Request) -> Response:
    operation_id = path_guid(request, "operationId", errors.operation_not_found)
    view = emulator_state(request).operations.view(operation_id, principal_of(request))
    if view.status != "Succeeded":
        raise errors.operation_not_succeeded()
    if not view.has_result:
        raise errors.operation_has_no_result()
    return json_response(view.result if view.result is not None else {})


ROUTES = [
    route(
        "/operations/{operationId}",
        get_operation_state,
        "GET",
        "LongRunningOperations_GetOperationState",
    ),
    route(
        "/operations/{operationId}/result",
        get_operation_result,
        "GET",
        "LongRunningOperations_GetOperationResult",
    ),
]
