"""Service errors: an HTTP status, a Fabric ``errorCode`` and the spec's ``ErrorResponse`` body.

Raise an :class:`EmulatorError` anywhere (routes or backends); the app turns it into the
``ErrorResponse`` body with a fresh ``requestId``. One factory per error code keeps the codes,
statuses and messages in one place.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from typing import Any


class EmulatorError(Exception):
    def __init__(
        self,
        status: int,
        error_code: str,
        message: str,
        *,
        more_details: list[dict[str, Any]] | None = None,
        related_resource: dict[str, str] | None = None,
        is_retriable: bool | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.more_details = more_details
        self.related_resource = related_resource
        self.is_retriable = is_retriable
        self.headers = headers or {}

    def to_body(self, request_id: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"errorCode": self.error_code, "message": self.message}
        if request_id is not None:
            body["requestId"] = request_id
        if self.more_details:
            body["moreDetails"] = self.more_details
        if self.related_resource:
            body["relatedResource"] = self.related_resource
        if self.is_retriable is not None:
            body["isRetriable"] = self.is_retriable
        return body

    def __repr__(self) -> str:
        return f"EmulatorError({self.status}, {self.error_code!r}, {self.message!r})"


def _resource(resource_id: str, resource_type: str) -> dict[str, str]:
    return {"resourceId": resource_id, "resourceType": resource_type}


# --- request shape -------------------------------------------------------------------------


def invalid_request(message: str, *, field: str | None = None) -> EmulatorError:
    details = None
    if field is not None:
        details = [{"errorCode": "InvalidParameter", "message": f"{field}: {message}"}]
    return EmulatorError(400, "InvalidRequest", message, more_details=details)


def invalid_input(field: str, message: str) -> EmulatorError:
    """A body or parameter field failed validation; ``moreDetails`` names the field."""
    return EmulatorError(
        400,
        "InvalidInput",
        "The request has an invalid input",
        more_details=[{"errorCode": "InvalidParameter", "message": f"{field}: {message}"}],
    )


def invalid_continuation_token() -> EmulatorError:
    return EmulatorError(400, "InvalidContinuationToken", "The continuation token is not valid")


def entity_not_found() -> EmulatorError:
    return EmulatorError(404, "EntityNotFound", "The requested resource could not be found")


def method_not_allowed(method: str) -> EmulatorError:
    return EmulatorError(405, "UnsupportedHttpMethod", f"The method {method} is not supported")


def internal_error() -> EmulatorError:
    return EmulatorError(500, "InternalError", "An internal error occurred", is_retriable=True)


def disk_full() -> EmulatorError:
    return EmulatorError(
        507,
        "InsufficientStorage",
        "The emulator's disk is full: nothing of this request was kept. Free space where the"
        " emulator keeps its data, then retry",
        is_retriable=True,
    )


_DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_DISK_FULL_STRERRORS = tuple(os.strerror(code).lower() for code in _DISK_FULL_ERRNOS)


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` is a write that found the disk full, by its type and code: SQLite's
    ``SQLITE_FULL``, an OSError's ``ENOSPC``/``EDQUOT``."""
    if isinstance(error, sqlite3.Error):
        return (getattr(error, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_FULL
    if isinstance(error, OSError):
        if error.errno is not None:
            return error.errno in _DISK_FULL_ERRNOS
        # pygit2 raises libgit2's OS failures as an OSError with no errno, the system's
        # strerror text at the end of libgit2's message: that text is the only signal there.
        text = str(error).lower()
        return any(text.endswith(strerror) for strerror in _DISK_FULL_STRERRORS)
    return False


def unexpected(error: BaseException) -> EmulatorError:
    """The error an unexpected exception answers: ``disk_full`` when a write found the disk
    full (``is_disk_full``), else ``internal_error``."""
    return disk_full() if is_disk_full(error) else internal_error()


# --- identity and permissions --------------------------------------------------------------


def unauthorized(message: str = "The request has no bearer token") -> EmulatorError:
    return EmulatorError(401, "Unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


def invalid_token() -> EmulatorError:
    return EmulatorError(
        401,
        "InvalidToken",
        "The access token is not valid",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def token_expired() -> EmulatorError:
    return EmulatorError(
        401,
        "TokenExpired",
        "The access token has expired",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def insufficient_privileges(
    message: str = "The caller does not have sufficient permissions to perform this operation",
) -> EmulatorError:
    return EmulatorError(403, "InsufficientPrivileges", message)


def principal_type_not_supported() -> EmulatorError:
    return EmulatorError(
        403,
        "PrincipalTypeNotSupported",
        "The operation is not supported for the principal type",
    )


# --- workspaces, capacities ----------------------------------------------------------------


def workspace_not_found(workspace_id: str | None = None) -> EmulatorError:
    related = _resource(workspace_id, "Workspace") if workspace_id else None
    return EmulatorError(
        404, "WorkspaceNotFound", "The requested workspace was not found", related_resource=related
    )


def workspace_name_already_exists(name: str) -> EmulatorError:
    return EmulatorError(
        409, "WorkspaceNameAlreadyExists", f"A workspace named '{name}' already exists"
    )


def capacity_not_found(capacity_id: str | None = None) -> EmulatorError:
    related = _resource(capacity_id, "Capacity") if capacity_id else None
    return EmulatorError(
        404, "CapacityNotFound", "The requested capacity was not found", related_resource=related
    )


def workspace_role_assignment_not_found() -> EmulatorError:
    return EmulatorError(
        404, "WorkspaceRoleAssignmentNotFound", "The requested role assignment was not found"
    )


def principal_already_has_workspace_role_assigned() -> EmulatorError:
    return EmulatorError(
        409,
        "PrincipalAlreadyHasWorkspaceRolePermissions",
        "The principal already has a role in this workspace",
    )


def last_workspace_admin() -> EmulatorError:
    return EmulatorError(
        400,
        "WorkspaceMustHaveAtLeastOneAdmin",
        "A workspace must keep at least one admin",
    )


def request_timeout() -> EmulatorError:
    return EmulatorError(
        408, "RequestTimeout", "The request body did not arrive in time; send it again"
    )


def request_body_too_large(limit: int) -> EmulatorError:
    return EmulatorError(
        413,
        "RequestBodyTooLarge",
        f"The request body is larger than the emulator's limit of {limit:,} bytes",
        headers={"Connection": "close"},  # the rest of the body is never read
    )


def request_header_fields_too_large(limit: int) -> EmulatorError:
    return EmulatorError(
        431,
        "RequestHeaderFieldsTooLarge",
        f"The request line and headers are larger than the emulator's limit of {limit:,} bytes",
    )


def connection_role_assignment_not_found() -> EmulatorError:
    return EmulatorError(
        404,
        "ConnectionRoleAssignmentNotFound",
        "The requested connection role assignment was not found",
    )


def principal_already_has_connection_role() -> EmulatorError:
    return EmulatorError(
        409,
        "PrincipalAlreadyHasConnectionRole",
        "The principal already has a role on this connection",
    )


def last_connection_owner() -> EmulatorError:
    return EmulatorError(
        400, "ConnectionMustHaveAtLeastOneOwner", "A connection must keep at least one owner"
    )


# --- items and folders ---------------------------------------------------------------------


def item_not_found(item_id: str | None = None) -> EmulatorError:
    related = _resource(item_id, "Item") if item_id else None
    return EmulatorError(
        404, "ItemNotFound", "The requested item was not found", related_resource=related
    )


def operation_not_supported_for_item(message: str) -> EmulatorError:
    """A path of an item type's spec that the emulator does not serve (DEVIATIONS.md)."""
    return EmulatorError(400, "OperationNotSupportedForItem", message)


def item_display_name_already_in_use(name: str, item_type: str) -> EmulatorError:
    return EmulatorError(
        409,
        "ItemDisplayNameAlreadyInUse",
        f"An item of type {item_type} named '{name}' already exists in the workspace",
    )


def duplicate_logical_id(logical_id: str) -> EmulatorError:
    return EmulatorError(
        409, "DuplicateLogicalId", f"An item with logical id {logical_id} already exists"
    )


def invalid_definition(message: str) -> EmulatorError:
    return EmulatorError(400, "InvalidDefinition", message)


def workspace_items_limit_exceeded(limit: int) -> EmulatorError:
    return EmulatorError(
        400, "WorkspaceItemsLimitExceeded", f"A workspace can hold at most {limit} items"
    )


def folder_not_found(folder_id: str | None = None) -> EmulatorError:
    related = _resource(folder_id, "Folder") if folder_id else None
    return EmulatorError(
        404, "FolderNotFound", "The requested folder was not found", related_resource=related
    )


def folder_display_name_already_in_use(name: str) -> EmulatorError:
    return EmulatorError(
        409, "FolderDisplayNameAlreadyInUse", f"A folder named '{name}' already exists here"
    )


def folder_not_empty() -> EmulatorError:
    return EmulatorError(400, "FolderNotEmpty", "The folder holds items or folders")


def invalid_folder_name(message: str) -> EmulatorError:
    return EmulatorError(400, "InvalidFolderDisplayName", message)


def folder_depth_exceeded(limit: int) -> EmulatorError:
    return EmulatorError(
        400, "FolderDepthLimitExceeded", f"Folders can be nested at most {limit} levels deep"
    )


def invalid_folder_move() -> EmulatorError:
    return EmulatorError(
        400, "InvalidFolderMove", "A folder cannot be moved into itself or one of its subfolders"
    )


# --- connections ---------------------------------------------------------------------------


def connection_not_found(connection_id: str | None = None) -> EmulatorError:
    related = _resource(connection_id, "Connection") if connection_id else None
    return EmulatorError(
        404,
        "ConnectionNotFound",
        "The requested connection was not found",
        related_resource=related,
    )


def duplicate_connection_name(name: str) -> EmulatorError:
    return EmulatorError(
        409, "DuplicateConnectionName", f"A connection named '{name}' already exists"
    )


# --- long-running operations ---------------------------------------------------------------


def operation_not_found(operation_id: str | None = None) -> EmulatorError:
    related = _resource(operation_id, "Operation") if operation_id else None
    return EmulatorError(
        404, "OperationNotFound", "The requested operation was not found", related_resource=related
    )


def operation_has_no_result() -> EmulatorError:
    return EmulatorError(400, "OperationHasNoResult", "The operation has no result")


def operation_not_succeeded() -> EmulatorError:
    return EmulatorError(400, "OperationNotSucceeded", "The operation has not succeeded")


def workspace_previous_operation_in_progress() -> EmulatorError:
    return EmulatorError(
        400,
        "WorkspacePreviousOperationInProgress",
        "A previous operation on this workspace is still in progress",
        is_retriable=True,
    )


def operation_interrupted() -> EmulatorError:
    return EmulatorError(
        500,
        "OperationInterrupted",
        "The service stopped while the operation was running",
        is_retriable=True,
    )


def too_many_requests(retry_after: int) -> EmulatorError:
    return EmulatorError(
        429,
        "RequestBlocked",
        "The request was throttled; retry after the period in Retry-After",
        is_retriable=True,
        headers={"Retry-After": str(retry_after)},
    )
