"""Errors the workflows raise on top of the library's own (all are ``FabricGitError``)."""

from __future__ import annotations

from collections.abc import Sequence

from fabric_git.errors import FabricGitError

__all__ = [
    "ConflictsNeedPolicyError",
    "ConnectionMismatchError",
    "NotConnectedError",
    "UnknownItemsError",
    "VerificationError",
    "WorkflowError",
]


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
    """Some selectors matched no item with uncommitted workspace changes."""

    code = "UnknownItems"

    def __init__(
        self, *, workspace_id: str, unknown: Sequence[str], changed: Sequence[str]
    ) -> None:
        available = ", ".join(changed) if changed else "none"
        super().__init__(
            f"no changed item matches {', '.join(repr(u) for u in unknown)}; "
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


class NotConnectedError(WorkflowError):
    """The workspace has no Git connection and no repository details were given."""

    code = "WorkspaceNotConnectedToGit"


class VerificationError(WorkflowError):
    """After an update the workspace is not at the commit it was asked to reach."""

    code = "VerificationFailed"
