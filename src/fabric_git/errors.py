"""Errors raised by fabric-git. Every error is data: a stable ``code`` plus the facts behind it.

Hierarchy::

    FabricGitError                      code: stable, machine-readable string
    ├── ConfigurationError              bad settings or arguments (before any request)
    ├── AuthenticationError             no credential, or the credential failed to get a token
    ├── TransportError                  no usable HTTP response (connect, read, timeout)
    │   └── DeadlineExceededError       the client's overall deadline ran out
    │   └── OperationWaitLostError      ... while waiting for an operation (it goes on)
    ├── ApiError                        the service answered with an ErrorResponse body
    │   ├── BadRequestError             400
    │   ├── UnauthorizedError           401
    │   ├── ForbiddenError              403
    │   ├── NotFoundError               404
    │   ├── ConflictError               409
    │   ├── ThrottledError              429
    │   └── ServerError                 5xx
    ├── OperationError                  a long-running operation did not succeed
    │   ├── OperationFailedError        the operation ended in ``Failed``
    │   ├── UnknownOperationStatusError the service reported a status the spec does not define
    │   └── OperationTimeoutError       we stopped waiting; the operation may still run
    └── ResolutionError                 a display name matched no resource, or several

``OperationInterrupted`` (a ``KeyboardInterrupt``, not an ``Exception``) says which operation a
Ctrl-C stopped waiting for.

``str(error)`` is one readable line; no error ever carries a token or a secret.

One module because the hierarchy above is one public contract: every error class and its
stable ``code`` in one place, with the one function that maps an HTTP answer onto them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ApiError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "DeadlineExceededError",
    "ErrorDetail",
    "FabricGitError",
    "ForbiddenError",
    "NotFoundError",
    "OperationError",
    "OperationFailedError",
    "OperationInterrupted",
    "OperationTimeoutError",
    "OperationWaitLostError",
    "RelatedResource",
    "ResolutionError",
    "ServerError",
    "ThrottledError",
    "TransportError",
    "UnauthorizedError",
    "UnknownOperationStatusError",
    "api_error_from_response",
]


class FabricGitError(Exception):
    """Base class. ``code`` is stable across releases and safe to match on."""

    code: str = "FabricGitError"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ConfigurationError(FabricGitError):
    code = "ConfigurationError"


class AuthenticationError(FabricGitError):
    code = "AuthenticationFailed"


class TransportError(FabricGitError):
    """No usable response: the connection failed, timed out or broke mid-way."""

    code = "TransportError"

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.method = method
        self.url = url


class DeadlineExceededError(TransportError):
    """The client's overall deadline (``FabricClient(deadline=...)``) ended the call."""

    code = "DeadlineExceeded"

    def __init__(self, message: str, *, method: str = "", url: str = "", deadline: float) -> None:
        super().__init__(message, method=method, url=url)
        self.deadline = deadline


@dataclass(frozen=True)
class RelatedResource:
    resource_id: str | None = None
    resource_type: str | None = None


@dataclass(frozen=True)
class ErrorDetail:
    error_code: str
    message: str
    related_resource: RelatedResource | None = None


@dataclass(frozen=True)
class _ErrorBody:
    error_code: str
    message: str
    request_id: str | None = None
    more_details: tuple[ErrorDetail, ...] = field(default_factory=tuple)
    related_resource: RelatedResource | None = None
    is_retriable: bool | None = None


def _related(raw: Any) -> RelatedResource | None:
    if not isinstance(raw, Mapping):
        return None
    return RelatedResource(
        resource_id=_opt_str(raw.get("resourceId")),
        resource_type=_opt_str(raw.get("resourceType")),
    )


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_error_body(body: Any) -> _ErrorBody | None:
    """Read a Fabric ``ErrorResponse`` (or an ``OperationState.error``); None if it is not one."""
    if not isinstance(body, Mapping):
        return None
    code = body.get("errorCode")
    if not isinstance(code, str):
        return None
    details: list[ErrorDetail] = []
    for raw in body.get("moreDetails") or ():
        if isinstance(raw, Mapping):
            details.append(
                ErrorDetail(
                    error_code=str(raw.get("errorCode", "")),
                    message=str(raw.get("message", "")),
                    related_resource=_related(raw.get("relatedResource")),
                )
            )
    retriable = body.get("isRetriable")
    return _ErrorBody(
        error_code=code,
        message=str(body.get("message", "")),
        request_id=_opt_str(body.get("requestId")),
        more_details=tuple(details),
        related_resource=_related(body.get("relatedResource")),
        is_retriable=retriable if isinstance(retriable, bool) else None,
    )


class ApiError(FabricGitError):
    """The service answered with an error. Fields mirror the spec's ``ErrorResponse``."""

    code = "ApiError"

    def __init__(
        self,
        *,
        status: int,
        error_code: str,
        message: str,
        request_id: str | None = None,
        more_details: Sequence[ErrorDetail] = (),
        related_resource: RelatedResource | None = None,
        is_retriable: bool | None = None,
        method: str = "",
        url: str = "",
        client_request_id: str | None = None,
    ) -> None:
        self.status = status
        self.error_code = error_code
        self.request_id = request_id
        self.more_details = tuple(more_details)
        self.related_resource = related_resource
        self.is_retriable = is_retriable
        self.method = method
        self.url = url
        self.client_request_id = client_request_id
        super().__init__(message, code=error_code)

    def __str__(self) -> str:
        text = f"{self.error_code} (HTTP {self.status}): {self.message}"
        if self.more_details:
            text += " [" + "; ".join(f"{d.error_code}: {d.message}" for d in self.more_details)
            text += "]"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, error_code={self.error_code!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


class BadRequestError(ApiError):
    pass


class UnauthorizedError(ApiError):
    pass


class ForbiddenError(ApiError):
    pass


class NotFoundError(ApiError):
    pass


class ConflictError(ApiError):
    pass


class ThrottledError(ApiError):
    def __init__(self, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.retry_after = retry_after


class ServerError(ApiError):
    pass


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    429: ThrottledError,
}


def api_error_from_response(
    status: int,
    body: Any,
    *,
    method: str = "",
    url: str = "",
    request_id: str | None = None,
    retry_after: float | None = None,
    client_request_id: str | None = None,
) -> ApiError:
    """Build the right ``ApiError`` subclass from an HTTP status and a decoded JSON body."""
    parsed = parse_error_body(body)
    if parsed is None:
        parsed = _ErrorBody(
            error_code=f"HTTP{status}",
            message=f"The service answered HTTP {status} with no error details.",
            request_id=request_id,
        )
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    kwargs: dict[str, Any] = dict(
        status=status,
        error_code=parsed.error_code,
        message=parsed.message,
        request_id=parsed.request_id or request_id,
        more_details=parsed.more_details,
        related_resource=parsed.related_resource,
        is_retriable=parsed.is_retriable,
        method=method,
        url=url,
        client_request_id=client_request_id,
    )
    if cls is ThrottledError:
        return ThrottledError(retry_after=retry_after, **kwargs)
    return cls(**kwargs)


class OperationError(FabricGitError):
    """A long-running operation did not succeed. ``operation_id`` lets a caller look it up."""

    code = "OperationError"

    def __init__(self, message: str, *, operation_id: str, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.operation_id = operation_id


class OperationFailedError(OperationError):
    """The operation ended in ``Failed``; the service's error fields are kept."""

    def __init__(
        self,
        *,
        operation_id: str,
        error_code: str,
        message: str,
        request_id: str | None = None,
        more_details: Sequence[ErrorDetail] = (),
        related_resource: RelatedResource | None = None,
    ) -> None:
        super().__init__(message, operation_id=operation_id, code=error_code)
        self.error_code = error_code
        self.request_id = request_id
        self.more_details = tuple(more_details)
        self.related_resource = related_resource

    @classmethod
    def from_state_error(cls, operation_id: str, error: Any) -> OperationFailedError:
        parsed = parse_error_body(error) or _ErrorBody(
            error_code="OperationFailed", message="The operation failed with no error details."
        )
        return cls(
            operation_id=operation_id,
            error_code=parsed.error_code,
            message=parsed.message,
            request_id=parsed.request_id,
            more_details=parsed.more_details,
            related_resource=parsed.related_resource,
        )

    def __str__(self) -> str:
        text = f"Operation {self.operation_id} failed: {self.error_code}: {self.message}"
        if self.more_details:
            text += " [" + "; ".join(f"{d.error_code}: {d.message}" for d in self.more_details)
            text += "]"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text


class OperationTimeoutError(OperationError):
    """We stopped waiting before the operation finished. Resume with ``wait_for_operation``.

    ``operation_kind`` names what was waited for when the waiter knew it (``InitializeConnection``,
    ``GetStatus``, ``CommitToGit`` or ``UpdateFromGit``); None for an operation resumed by id.
    ``description`` is the same in words (``"commit to Git"``)."""

    code = "OperationTimeout"

    def __init__(
        self,
        *,
        operation_id: str,
        waited: float,
        last_status: str | None,
        operation_kind: str | None = None,
        description: str | None = None,
    ) -> None:
        what = f"Operation {operation_id}" + (f" ({description})" if description else "")
        super().__init__(
            f"{what} still {last_status or 'running'} after {waited:.0f}s; "
            f"resume waiting with wait_for_operation({operation_id!r}) "
            f"or `fabric-git operation wait {operation_id}`.",
            operation_id=operation_id,
        )
        self.waited = waited
        self.last_status = last_status
        self.operation_kind = operation_kind
        self.description = description


class UnknownOperationStatusError(OperationError):
    """The operation reports a status outside the spec's ``NotStarted``, ``Running``,
    ``Succeeded``, ``Failed`` and ``Undefined``: waiting would not end, so the wait stops."""

    code = "UnknownOperationStatus"

    def __init__(self, *, operation_id: str, status: str) -> None:
        super().__init__(
            f"Operation {operation_id} reports the status {status!r}, which the Fabric API does "
            "not define; stopped waiting for it.",
            operation_id=operation_id,
        )
        self.status = status


class OperationWaitLostError(TransportError):
    """The connection to the service was lost while waiting for an operation (after the
    transport's own retries). The operation goes on in the service: resume with
    ``wait_for_operation(operation_id)``."""

    code = "OperationWaitLost"

    def __init__(
        self, cause: TransportError, *, operation_id: str, operation_kind: str | None = None
    ) -> None:
        super().__init__(
            f"lost the connection while waiting for operation {operation_id}: {cause.message}",
            method=cause.method,
            url=cause.url,
        )
        self.operation_id = operation_id
        self.operation_kind = operation_kind


class OperationInterrupted(KeyboardInterrupt):
    """The wait for an operation was interrupted (Ctrl-C, or a signal the program turned into
    ``KeyboardInterrupt``). Still a ``KeyboardInterrupt``, so nothing that catches ``Exception``
    swallows it. The operation goes on in the service: resume with
    ``wait_for_operation(operation_id)``."""

    def __init__(self, *, operation_id: str, operation_kind: str | None = None) -> None:
        super().__init__(f"interrupted while waiting for operation {operation_id}")
        self.operation_id = operation_id
        self.operation_kind = operation_kind


class ResolutionError(FabricGitError):
    """A name matched no resource (``NotFound``) or more than one (``Ambiguous``)."""

    code = "ResolutionError"

    def __init__(
        self, message: str, *, kind: str, name: str, candidates: Sequence[str], code: str
    ) -> None:
        super().__init__(message, code=code)
        self.kind = kind
        self.name = name
        self.candidates = tuple(candidates)
