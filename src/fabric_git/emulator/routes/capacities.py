"""Capacities: the emulated capacity, and any the admin added (``POST /_emulator/capacities``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fabric_git.emulator import errors
from fabric_git.emulator.backend import workspaces as backend
from fabric_git.emulator.backend.workspaces import CapacityRecord
from fabric_git.emulator.routes._http import (
    emulator_state,
    json_response,
    page_response,
    path_guid,
    route,
)


def capacity_json(record: CapacityRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "displayName": record.display_name,
        "sku": record.sku,
        "region": record.region,
        "state": record.state,
    }


def list_capacities(request: Request) -> Response:
    with emulator_state(request).store.read() as conn:
        values = [capacity_json(c) for c in backend.list_capacities(conn)]
    return page_response(request, values)


def get_capacity(request: Request) -> Response:
    capacity_id = path_guid(request, "capacityId", errors.capacity_not_found)
    with emulator_state(request).store.read() as conn:
        return json_response(capacity_json(backend.get_capacity(conn, capacity_id)))


ROUTES = [
    route("/capacities", list_capacities, "GET", "Capacities_ListCapacities"),
    route("/capacities/{capacityId}", get_capacity, "GET", "Capacities_GetCapacity"),
]
