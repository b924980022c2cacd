"""Progress events. Workflows never print; they report through an optional callback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fabric_git.models.operations import OperationState

__all__ = ["ProgressCallback", "Reporter", "WorkflowEvent"]


@dataclass(frozen=True)
class WorkflowEvent:
    """A step started, or a long-running operation was polled (``status``/``percent_complete``)."""

    workspace: str
    step: str
    message: str
    status: str | None = None
    percent_complete: int | None = None


ProgressCallback = Callable[[WorkflowEvent], None]


class Reporter:
    """Sends events for one workspace to the caller's callback, if any."""

    def __init__(self, workspace: str, callback: ProgressCallback | None) -> None:
        self.workspace = workspace
        self._callback = callback

    def step(self, step: str, message: str) -> None:
        if self._callback is not None:
            self._callback(WorkflowEvent(self.workspace, step, message))

    def operation(self, step: str) -> Callable[[OperationState], None] | None:
        """A progress hook for the library's poller, tagging each poll with ``step``."""
        callback = self._callback
        if callback is None:
            return None
        workspace = self.workspace

        def on_poll(state: OperationState) -> None:
            status = str(state.status)
            callback(
                WorkflowEvent(
                    workspace,
                    step,
                    f"{step}: {status}",
                    status=status,
                    percent_complete=state.percent_complete,
                )
            )

        return on_poll
