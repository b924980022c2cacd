"""Environment's own paths beyond the item-type table: publish, and ``publishDetails``.

fabric-cicd publishes an Environment by updating its definition and then calling
``staging/publish?beta=false`` (its publish checks each environment's
``properties.publishDetails.state``); those are the paths served here. Staging settings and
library paths, and the beta contract, answer ``OperationNotSupportedForItem`` (DEVIATIONS.md).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fabric_git.emulator import errors
from fabric_git.emulator.backend import environments as backend
from fabric_git.emulator.backend import items as item_backend
from fabric_git.emulator.backend.items import ItemRecord
from fabric_git.emulator.backend.workspaces import require_role
from fabric_git.emulator.ids import iso_utc, new_id
from fabric_git.emulator.routes._http import (
    emulator_state,
    path_guid,
    principal_of,
    query_bool,
    route,
)
from fabric_git.emulator.routes._lro import run_operation

ENVIRONMENT = "Environment"


def publish_details_json(details: backend.PublishDetails) -> dict[str, Any]:
    body: dict[str, Any] = {"state": details.state}
    if details.target_version is not None:
        body["targetVersion"] = details.target_version
    if details.start_time is not None:
        body["startTime"] = iso_utc(details.start_time)
    if details.end_time is not None:
        body["endTime"] = iso_utc(details.end_time)
    if details.target_version is not None:
        # Settings and libraries publish together, so their states are the publish's.
        component = {"state": details.state}
        body["componentPublishInfo"] = {"sparkLibraries": component, "sparkSettings": component}
    return body


def properties_json(conn: sqlite3.Connection, record: ItemRecord, now: float) -> dict[str, Any]:
    details = backend.publish_details(conn, record.id, now)
    return {"publishDetails": publish_details_json(details)}


def publish_environment(request: Request) -> Response:
    workspace_id = path_guid(request, "workspaceId", errors.workspace_not_found)
    item_id = path_guid(request, "environmentId", errors.item_not_found)
    if query_bool(request, "beta") is not False:
        raise errors.operation_not_supported_for_item(
            "Only the release contract of Publish Environment is served: call it with beta=false"
        )
    state = emulator_state(request)
    principal = principal_of(request)
    with state.store.read() as conn:
        require_role(conn, workspace_id, principal, "Contributor")
        item_backend.get_item(conn, workspace_id, item_id, ENVIRONMENT)
    start = state.clock.now()
    asynchronous = state.settings.lro_mode == "async"
    end = start + (state.settings.lro_duration if asynchronous else 0.0)
    version = new_id()

    def publish() -> dict[str, Any]:
        with state.store.write() as conn:
            item_backend.get_item(conn, workspace_id, item_id, ENVIRONMENT)
            backend.publish(conn, item_id, target_version=version, start=start, end=end)
        done = backend.PublishDetails("Success", version, start, end)
        return {"publishDetails": publish_details_json(done)}

    # fabric-cicd submits a publish without polling and reads the 202's body as JSON: it
    # carries the accepted publish (the spec names no 202 body; DEVIATIONS.md).
    running = backend.PublishDetails("Running", version, start)
    return run_operation(
        request,
        workspace_id=workspace_id,
        kind="PublishEnvironment",
        work=publish,
        has_result=True,
        access="none",
        accepted={"publishDetails": publish_details_json(running)},
    )


_ENVIRONMENT = "/workspaces/{workspaceId}/environments/{environmentId}"

ROUTES = [
    route(
        _ENVIRONMENT + "/staging/publish", publish_environment, "POST", "Items_PublishEnvironment"
    ),
]
