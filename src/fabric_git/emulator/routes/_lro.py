"""The one place a long-running operation meets HTTP: 202 with ``Location``,
``x-ms-operation-id`` and ``Retry-After`` while it runs, 200 with its result in sync mode."""

from __future__ import annotations

from typing import Any

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response

from fabric_git.emulator.ids import new_id
from fabric_git.emulator.operations import Access, Finished, Origin, Work
from fabric_git.emulator.routes._http import (
    empty_response,
    emulator_state,
    json_response,
    operation_url,
    principal_of,
    request_id_of,
    route_name,
)

__all__ = ["run_operation"]


def run_operation(
    request: Request,
    *,
    workspace_id: str | None,
    kind: str,
    work: Work,
    has_result: bool,
    access: Access = "exclusive",
    accepted: dict[str, Any] | None = None,
) -> Response:
    """Run ``work`` as a long-running operation started by ``request`` (see ``operations``);
    ``accepted`` is the JSON body of its 202, for the operations whose clients read one."""
    origin = Origin(
        principal_id=principal_of(request).id,
        # A failed operation's error names the request that started it.
        request_id=request_id_of(request) or new_id(),
        route=route_name(request),
        method=request.method,
        path=request.url.path,
    )
    engine = emulator_state(request).operations
    outcome = engine.start(
        origin,
        workspace_id=workspace_id,
        kind=kind,
        work=work,
        has_result=has_result,
        access=access,
    )
    if isinstance(outcome, Finished):
        return empty_response() if outcome.result is None else json_response(outcome.result)
    headers = {
        "Location": operation_url(request, outcome.operation_id),
        "x-ms-operation-id": outcome.operation_id,
        "Retry-After": str(outcome.retry_after),
    }
    # Without a body of its own, Fabric's 202 carries JSON `null` (clients such as fabric-cicd
    # read the Content-Type of every answer they do not poll); see DEVIATIONS.md.
    response = json_response(accepted, 202, headers=headers)
    operation_id = outcome.operation_id

    async def sent() -> None:  # runs once the whole 202 has been written to the socket
        engine.answered(operation_id)

    response.background = BackgroundTask(sent)
    return response
