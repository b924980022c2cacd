"""Identifiers and timestamps in the shapes the Fabric API uses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

ZERO_GUID = "00000000-0000-0000-0000-000000000000"

# Fixed namespace so that a principal's id is the same on every start and every machine.
_PRINCIPAL_NAMESPACE = uuid.UUID("6f1d3c52-5a0e-4b8e-9d3f-3b7f2f0b9a41")


def new_id() -> str:
    return str(uuid.uuid4())


def principal_id(name: str, principal_type: str) -> str:
    """Stable id of a named principal: a UUIDv5 of its type and name."""
    return str(uuid.uuid5(_PRINCIPAL_NAMESPACE, f"{principal_type}/{name}"))


def is_guid(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def iso_utc(epoch_seconds: float) -> str:
    """``2023-09-13T14:56:18.477Z``: millisecond precision, as in the spec examples."""
    moment = datetime.fromtimestamp(epoch_seconds, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
