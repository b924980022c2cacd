"""What every API group shares: the transport, the poll policy and id helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload
from urllib.parse import quote

from fabric_git._transport import Transport
from fabric_git.errors import ConfigurationError
from fabric_git.lro import OperationPoller, PollPolicy
from fabric_git.models.common import Principal, PrincipalType
from fabric_git.models.operations import OperationState

if TYPE_CHECKING:
    from fabric_git._httpx import httpx

__all__ = [
    "ApiGroup",
    "identifier",
    "principal",
    "required",
    "segment",
]


T = TypeVar("T")


def identifier(value: Any, what: str) -> str:
    """An id for a request body, from a string or a model with an ``id``."""
    raw = getattr(value, "id", value)
    if not isinstance(raw, str) or not raw.strip():
        raise ConfigurationError(f"A {what} id is required.")
    return raw.strip()


def required(value: T, message: str) -> T:
    """``value`` (an enum member or a string), refused with ``message`` when blank."""
    if not str(value).strip():
        raise ConfigurationError(message)
    return value


def principal(principal_id: str, principal_type: PrincipalType | str) -> Principal:
    """The ``Principal`` of a role assignment request."""
    required(
        principal_type,
        "Give the principal type: User, Group, ServicePrincipal or ServicePrincipalProfile.",
    )
    return Principal(id=identifier(principal_id, "principal"), type=principal_type)


def segment(value: Any, what: str) -> str:
    """A path segment from an id (a string, or a model with an ``id``), percent-encoded."""
    return quote(identifier(value, what), safe="")


class ApiGroup:
    """Base of the API groups; thin: build the request, send it, parse the answer."""

    def __init__(self, transport: Transport, poll: PollPolicy) -> None:
        self._transport = transport
        self._poll = poll

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._transport.base_url!r})"

    @overload
    def _operation(
        self, response: httpx.Response, kind: str, description: str
    ) -> OperationPoller[None]: ...

    @overload
    def _operation(
        self, response: httpx.Response, kind: str, description: str, result: Callable[[Any], T]
    ) -> OperationPoller[T]: ...

    def _operation(
        self,
        response: httpx.Response,
        kind: str,
        description: str,
        result: Callable[[Any], Any] | None = None,
    ) -> OperationPoller[Any]:
        """The poller for the first answer of a long-running call: ``kind`` is the Fabric
        operation's name, ``description`` says it in words. ``result`` parses the outcome, from
        the immediate answer or from the finished operation's result; without it the operation
        has no outcome and no result is fetched."""

        def finish(poller: OperationPoller[Any], state: OperationState) -> Any:
            return None if result is None else result(poller.fetch_result())

        return OperationPoller.from_response(
            self._transport,
            response,
            policy=self._poll,
            immediate=result or _nothing,
            finish=finish,
            description=description,
            kind=kind,
        )


def _nothing(_: Any) -> None:
    return None
