"""Long-running operations: ``GET /operations/{id}`` and ``/result``."""

from __future__ import annotations

from typing import Any

from fabric_git.api._base import ApiGroup, segment
from fabric_git.lro import OperationPoller, ProgressCallback
from fabric_git.models.operations import OperationState

__all__ = ["OperationsApi"]


def _final_state(poller: OperationPoller[OperationState], state: OperationState) -> OperationState:
    return state


class OperationsApi(ApiGroup):
    """``client.operations``."""

    def get_state(self, operation_id: str) -> OperationState:
        """The current state of an operation (status, percent complete, error)."""
        body = self._transport.request_json(
            "GET", f"/operations/{segment(operation_id, 'operation')}"
        )
        return OperationState.model_validate(body or {})

    def get_result(self, operation_id: str) -> Any:
        """The raw JSON result of a succeeded operation (only some operations have one)."""
        return self._transport.request_json(
            "GET", f"/operations/{segment(operation_id, 'operation')}/result"
        )

    def poller(self, operation_id: str) -> OperationPoller[OperationState]:
        """A poller for an operation started earlier; its outcome is the final state."""
        return OperationPoller(
            self._transport,
            operation_id=segment(operation_id, "operation"),
            finish=_final_state,
            policy=self._poll,
            first_interval=0.0,
            description=f"operation {operation_id}",
        )

    def wait(
        self,
        operation_id: str,
        *,
        timeout: float | None = None,
        progress: ProgressCallback | None = None,
    ) -> OperationState:
        """Wait for an operation started earlier; returns its final (``Succeeded``) state."""
        return self.poller(operation_id).wait(timeout, progress)
