"""Long-running operation state (``platform.json#/definitions/OperationState``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fabric_git.models._base import FabricModel, OpenEnum
from fabric_git.models.common import ErrorResponse

__all__ = ["LongRunningOperationStatus", "OperationState"]


class LongRunningOperationStatus(StrEnum):
    UNDEFINED = "Undefined"
    NOT_STARTED = "NotStarted"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"


LongRunningOperationStatusValue = Annotated[
    LongRunningOperationStatus | str, OpenEnum(LongRunningOperationStatus)
]


class OperationState(FabricModel):
    """The state of a long-running operation. ``status`` may be a value added after this release
    (kept as a string)."""

    status: LongRunningOperationStatusValue
    created_time_utc: str | None = None
    last_updated_time_utc: str | None = None
    percent_complete: int | None = None
    error: ErrorResponse | None = None

    @property
    def status_text(self) -> str:
        """The status as a plain string, whatever its case or origin."""
        return str(self.status.value if isinstance(self.status, StrEnum) else self.status)
