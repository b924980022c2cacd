"""Errors the workflows raise on top of the library's own (all are ``FabricGitError``)."""

from __future__ import annotations

from collections.abc import Sequence

from fabric_git.errors import ConfigurationError, FabricGitError, OperationInterrupted

__all__ = [
    "COMMENT_LIMIT",
    "ConflictsNeedPolicyError",
    "ConnectionMismatchError",
    "ConnectionNotSharedError",
    "ConnectionScopeError",
    "NotConnectedError",
    "StatusTimeoutError",
    "SyncInterrupted",
    "UnknownItemsError",
    "UpdateRequiredError",
    "VerificationError",
    "WorkflowError",
    "check_comment",
]

# The service's limit on a commit comment (``CommitToGitRequest.comment``).
COMMENT_LIMIT = 300


class WorkflowError(FabricGitError):
    """A workflow stopped because going on would do something the caller did not ask for."""

    code = "WorkflowError"

    def __init__(self, message: str, *, workspace_id: str | None = None) -> None:
        super().__init__(message)
        self.workspace_id = workspace_id


class ConflictsNeedPolicyError(WorkflowError):
    """Items changed on both sides and no conflict policy (or strategy) was given."""

    code = "ConflictsNeedPolicy"

    def __init__(self, *, workspace_id: str, conflicts: Sequence[str], what: str) -> None:
        listed = ", ".join(conflicts) or "(none listed)"
        super().__init__(
            f"{len(conflicts)} item(s) changed in both the workspace and Git ({listed}); "
            f"{what} needs a policy: prefer-remote or prefer-workspace.",
            workspace_id=workspace_id,
        )
        self.conflicts = tuple(conflicts)


class UnknownItemsError(WorkflowError):
    """Some selectors matched no item of the workspace (changed or not)."""

    code = "UnknownItems"

    def __init__(
        self, *, workspace_id: str, unknown: Sequence[str], changed: Sequence[str]
    ) -> None:
        available = ", ".join(changed) if changed else "none"
        super().__init__(
            f"no item of the workspace matches {', '.join(repr(u) for u in unknown)}; "
            f"items with workspace changes: {available}.",
            workspace_id=workspace_id,
        )
        self.unknown = tuple(unknown)
        self.changed = tuple(changed)


class ConnectionMismatchError(WorkflowError):
    """The workspace is already connected to another repository, branch or directory."""

    code = "ConnectedElsewhere"

    def __init__(self, *, workspace_id: str, current: str, requested: str) -> None:
        super().__init__(
            f"workspace {workspace_id} is connected to {current}, not {requested}; "
            "disconnect it first or ask to reconnect.",
            workspace_id=workspace_id,
        )
        self.current = current
        self.requested = requested


class ConnectionScopeError(WorkflowError):
    """A configured connection cannot serve the repository: another provider's, or scoped to
    another repository. Raised before anything changes, with the service's own code."""

    code = "ConnectionMismatch"


class ConnectionNotSharedError(WorkflowError):
    """A connection of that name exists, but the caller may not use it (no role on it)."""

    code = "ConnectionNotShared"


class NotConnectedError(WorkflowError):
    """The workspace has no Git connection and no repository details were given."""

    code = "WorkspaceNotConnectedToGit"


class VerificationError(WorkflowError):
    """After an update the workspace is not at the commit it was asked to reach."""

    code = "VerificationFailed"


class UpdateRequiredError(WorkflowError):
    """A commit was asked for while Git has item changes the workspace has not applied; the
    service would refuse it, so the workflow stops before sending it."""

    code = "WorkspaceUpdateRequired"

    def __init__(self, *, workspace_id: str, incoming: Sequence[str]) -> None:
        super().__init__(
            f"{len(incoming)} item(s) changed in Git are not applied to the workspace yet "
            f"({', '.join(incoming)}); run update first, then commit.",
            workspace_id=workspace_id,
        )
        self.incoming = tuple(incoming)


class StatusTimeoutError(WorkflowError):
    """Reading the status, a step of a larger flow, ran out of time. It is not the operation a
    caller would resume: re-running the flow is what finishes the job. (A wait on the flow's own
    change is the library's ``OperationTimeoutError``, whose ``operation_kind`` names it.)"""

    code = "StatusReadTimedOut"

    def __init__(
        self,
        *,
        workspace_id: str,
        operation_id: str,
        waited: float,
        done: str | None,
    ) -> None:
        if done is None:
            text = "reading the Git status timed out; nothing was changed"
        else:
            text = f"{done} finished, but reading the Git status afterwards timed out"
        super().__init__(text, workspace_id=workspace_id)
        self.operation_id = operation_id
        self.waited = waited
        self.done = done


def check_comment(comment: str | None) -> None:
    """Refuse a commit comment the service would refuse, before anything is sent."""
    if comment is not None and len(comment) > COMMENT_LIMIT:
        raise ConfigurationError(
            f"the commit message has {len(comment)} characters; at most {COMMENT_LIMIT} are allowed"
        )


class SyncInterrupted(KeyboardInterrupt):
    """A multi-workspace sync was interrupted. ``operations`` pairs each workspace whose wait was
    stopped with its ``OperationInterrupted``: those operations go on in the service."""

    def __init__(self, operations: Sequence[tuple[str, OperationInterrupted]]) -> None:
        super().__init__(f"interrupted with {len(operations)} operation(s) still running")
        self.operations = tuple(operations)
