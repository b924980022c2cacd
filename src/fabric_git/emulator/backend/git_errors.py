"""Git integration errors: one factory per Fabric error code, and the HTTP status of each.

The spec gives no status per error code. The emulator answers 400 for every Git precondition
or rule failure, 404 when a named Git provider resource does not exist, and 403 for
permissions and principal types (``docs/git-integration-rules.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from fabric_git.emulator.errors import EmulatorError

_NOT_FOUND = frozenset({"GitProviderResourceNotFound", "ConnectionNotFound", "ItemNotFound"})
_FORBIDDEN = frozenset({"InsufficientPrivileges", "PrincipalTypeNotSupported"})


def status_for(error_code: str) -> int:
    if error_code in _NOT_FOUND:
        return 404
    if error_code in _FORBIDDEN:
        return 403
    return 400


def git_error(
    error_code: str, message: str, details: Sequence[dict[str, Any] | str] = ()
) -> EmulatorError:
    """An error with the status this module gives ``error_code``; string details become
    ``moreDetails`` entries under the same code."""
    more = [d if isinstance(d, dict) else {"errorCode": error_code, "message": d} for d in details]
    return EmulatorError(status_for(error_code), error_code, message, more_details=more or None)


class RefusedByRule(Protocol):
    """A ``RuleError`` or a ``LayoutError``: Fabric's code, a message and details."""

    @property
    def error_code(self) -> str: ...

    @property
    def message(self) -> str: ...

    @property
    def details(self) -> Sequence[dict[str, Any] | str]: ...


def from_rule(error: RefusedByRule) -> EmulatorError:
    return git_error(error.error_code, error.message, list(error.details))


def workspace_not_connected() -> EmulatorError:
    return git_error("WorkspaceNotConnectedToGit", "The workspace is not connected to Git.")


def workspace_already_connected() -> EmulatorError:
    return git_error("WorkspaceAlreadyConnectedToGit", "The workspace is already connected to Git.")


def workspace_has_no_capacity() -> EmulatorError:
    return git_error(
        "WorkspaceHasNoCapacityAssigned",
        "Git integration requires a workspace with a capacity assigned.",
    )


def connection_not_initialized() -> EmulatorError:
    return git_error(
        "WorkspaceGitConnectionNotInitialized",
        "The Git connection is not initialized. Call Initialize Connection first.",
    )


def connection_already_initialized() -> EmulatorError:
    return git_error(
        "WorkspaceGitConnectionAlreadyInitialized", "The Git connection is already initialized."
    )


def git_credentials_not_configured() -> EmulatorError:
    return git_error(
        "GitCredentialsNotConfigured",
        "The caller has no Git credentials for this workspace. Configure them with "
        "Update My Git Credentials.",
    )


def git_provider_resource_not_found(what: str) -> EmulatorError:
    return git_error("GitProviderResourceNotFound", f"The Git provider {what} was not found.")


def invalid_repository_name(field: str, value: str, reason: str) -> EmulatorError:
    """A repository name no Git provider could host: no such repository can exist."""
    return git_error(
        "GitProviderResourceNotFound",
        f"The Git provider repository was not found: {field} {value!r} is not a valid name.",
        [f"{field}: {reason}"],
    )


def git_provider_authentication_failed() -> EmulatorError:
    return git_error(
        "GitProviderAuthenticationFailed",
        "The Git provider rejected the credentials (Bad credentials).",
    )


def connection_mismatch(message: str) -> EmulatorError:
    return git_error("ConnectionMismatch", message)


def workspace_head_mismatch() -> EmulatorError:
    return git_error(
        "WorkspaceHeadMismatch", "Head in the request doesn't match the head in the system."
    )


def remote_commit_hash_mismatch() -> EmulatorError:
    return git_error(
        "RemoteCommitHashMismatch",
        "remoteCommitHash is not the current head of the connected branch. Get the status "
        "again and retry.",
    )


def invalid_directory(message: str) -> EmulatorError:
    return git_error("InvalidGitDirectoryName", message)


def directory_without_items() -> EmulatorError:
    return git_error(
        "GitDirectoryHasNoItems",
        "The directory has subdirectories but no Fabric items, so the workspace cannot "
        "connect to it.",
    )


def file_too_large(path: str, limit_mb: int) -> EmulatorError:
    return git_error("GitProviderOperationFailed", f"The file {path} is larger than {limit_mb} MB.")


def branch_locked(branch: str) -> EmulatorError:
    """Another writer held the branch too long: nothing was written, so a retry is safe."""
    return EmulatorError(
        status_for("GitProviderOperationFailed"),
        "GitProviderOperationFailed",
        f"The branch '{branch}' is locked by another write to the repository. Nothing was "
        "committed; retry the commit.",
        is_retriable=True,
    )


def commit_too_large(limit_mb: int) -> EmulatorError:
    return git_error(
        "GitProviderOperationFailed",
        f"Maximum commit size exceeded: the files to commit exceed {limit_mb} MB.",
    )
