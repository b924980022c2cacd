"""The one long-running-operation poller, used by every call that can answer 202.

A call answers either 200 (done; the body, if any, is the result) or 202 with
``x-ms-operation-id`` / ``Location`` / ``Retry-After``. The poller then reads
``GET /operations/{id}`` until the status is ``Succeeded`` or ``Failed``, sleeping ``Retry-After``
between polls (never less; only the wait's timeout cuts a long one short), and fetches
``GET /operations/{id}/result`` only for operations that have one. A status the spec does not
define ends the wait with ``UnknownOperationStatusError``. Nothing runs in the background: polling
happens inside ``wait``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fabric_git._httpx import httpx
from fabric_git._transport import Transport, decode_json, parse_retry_after
from fabric_git.errors import (
    ConfigurationError,
    DeadlineExceededError,
    OperationFailedError,
    OperationInterrupted,
    OperationTimeoutError,
    OperationWaitLostError,
    TransportError,
    UnknownOperationStatusError,
)
from fabric_git.models.operations import OperationState

__all__ = ["OperationPoller", "PollPolicy", "ProgressCallback"]

T = TypeVar("T")

ProgressCallback = Callable[[OperationState], None]

logger = logging.getLogger("fabric_git")

_SUCCEEDED = "succeeded"
_FAILED = "failed"
# The spec's statuses of an operation still on its way ("Undefined" included: the spec lists it).
_IN_PROGRESS = frozenset({"notstarted", "running", "undefined"})


@dataclass(frozen=True, kw_only=True)
class PollPolicy:
    """How operations are waited for. Durations in seconds.

    ``default_interval`` replaces a missing, zero, negative or unparsable ``Retry-After``;
    ``max_interval`` is the longest interval the client picks by itself. A ``Retry-After`` from the
    service is obeyed however long: the poller never polls sooner (``min_interval`` is the
    shortest it polls). ``timeout`` is how long ``wait()`` waits when the call gives none.
    """

    default_interval: float = 1.0
    min_interval: float = 0.5
    max_interval: float = 20.0
    timeout: float = 30 * 60.0

    def __post_init__(self) -> None:
        if not 0 < self.min_interval <= self.default_interval <= self.max_interval:
            raise ConfigurationError(
                "PollPolicy needs 0 < min_interval <= default_interval <= max_interval."
            )
        if self.timeout < 0:
            raise ConfigurationError("PollPolicy.timeout must not be negative.")

    def interval(self, retry_after: str | None, *, now: float) -> float:
        """Seconds to sleep before the next poll, from a ``Retry-After`` header value."""
        seconds = parse_retry_after(retry_after, now=now)
        if seconds is None or seconds <= 0:
            return self.default_interval
        return max(seconds, self.min_interval)


def operation_id_from(response: httpx.Response) -> str | None:
    """The operation id of a 202: ``x-ms-operation-id``, else the segment after ``operations/``
    in ``Location``."""
    header: str = response.headers.get("x-ms-operation-id", "").strip()
    if header:
        return header
    location: str = response.headers.get("Location", "")
    if location:
        segments = [s for s in httpx.URL(location).path.split("/") if s]
        for index, segment in enumerate(segments[:-1]):
            if segment.lower() == "operations":
                return str(segments[index + 1])
    return None


class OperationPoller(Generic[T]):
    """Waits for one long-running operation and produces its outcome ``T``.

    ``operation_id`` is None when the service finished at once (HTTP 200). Keep the id to resume
    waiting later with ``FabricClient.wait_for_operation``. ``kind`` is the Fabric operation's name
    (``CommitToGit``, ...) when the caller knows it; ``description`` says it in words. Both reach
    ``OperationTimeoutError``.
    """

    def __init__(
        self,
        transport: Transport,
        *,
        operation_id: str | None,
        finish: Callable[[OperationPoller[T], OperationState], T],
        policy: PollPolicy,
        immediate: T | None = None,
        first_interval: float | None = None,
        description: str = "operation",
        kind: str | None = None,
    ) -> None:
        self._transport = transport
        self.operation_id = operation_id
        self._finish = finish
        self._policy = policy
        self._outcome: T | None = immediate
        self._finished = operation_id is None
        self._state: OperationState | None = None
        self._failure: OperationFailedError | None = None
        self._next_interval = policy.default_interval if first_interval is None else first_interval
        self.description = description
        self.kind = kind

    @classmethod
    def from_response(
        cls,
        transport: Transport,
        response: httpx.Response,
        *,
        policy: PollPolicy,
        immediate: Callable[[Any], T],
        finish: Callable[[OperationPoller[T], OperationState], T],
        description: str = "operation",
        kind: str | None = None,
    ) -> OperationPoller[T]:
        """A poller for the first answer of an LRO call: done for 200/201, polling for 202."""
        if response.status_code != 202:
            return cls(
                transport,
                operation_id=None,
                finish=finish,
                policy=policy,
                immediate=immediate(decode_json(response)),
                description=description,
                kind=kind,
            )
        operation_id = operation_id_from(response)
        if not operation_id:
            raise TransportError(
                f"{description}: the service answered 202 without an operation id "
                "(no x-ms-operation-id or Location header).",
                method=response.request.method,
                url=str(response.request.url),
            )
        first = policy.interval(response.headers.get("Retry-After"), now=transport.clock.time())
        logger.debug("fabric_git: %s running as operation %s", description, operation_id)
        return cls(
            transport,
            operation_id=operation_id,
            finish=finish,
            policy=policy,
            first_interval=first,
            description=description,
            kind=kind,
        )

    # --- inspection -----------------------------------------------------------------------------

    def done(self) -> bool:
        """Whether the outcome is known (without asking the service)."""
        return self._finished

    def status(self) -> str:
        """The last known status: ``Succeeded`` for an operation that finished at once,
        ``NotStarted`` before the first poll."""
        if self._state is not None:
            return self._state.status_text
        return "Succeeded" if self.operation_id is None else "NotStarted"

    @property
    def state(self) -> OperationState | None:
        """The last ``OperationState`` read, if any."""
        return self._state

    def poll(self) -> OperationState:
        """Read the operation's state once (no sleeping)."""
        if self.operation_id is None:
            raise ConfigurationError("This operation finished at once; there is nothing to poll.")
        response = self._transport.request("GET", f"/operations/{self.operation_id}")
        state = OperationState.model_validate(decode_json(response) or {})
        self._state = state
        self._next_interval = self._policy.interval(
            response.headers.get("Retry-After"), now=self._transport.clock.time()
        )
        return state

    def fetch_result(self) -> Any:
        """``GET /operations/{id}/result``: the raw JSON result of a succeeded operation."""
        return self._transport.request_json("GET", f"/operations/{self.operation_id}/result")

    # --- waiting --------------------------------------------------------------------------------

    def wait(self, timeout: float | None = None, progress: ProgressCallback | None = None) -> T:
        """Poll until the operation ends and return its outcome.

        Raises ``OperationFailedError`` (with the service's error code, message and details) when
        it fails, and ``OperationTimeoutError`` (carrying ``operation_id``) after ``timeout``
        seconds (default: ``PollPolicy.timeout``); the operation may still be running then.
        """
        if self._failure is not None:
            raise self._failure
        if self._finished:
            return self._outcome  # type: ignore[return-value]
        assert self.operation_id is not None
        clock = self._transport.clock
        limit = self._policy.timeout if timeout is None else timeout
        overall = self._transport.remaining()
        if overall is not None:
            limit = min(limit, overall)
        started = clock.monotonic()
        # The first poll waits for the 202's Retry-After, like every later one.
        while True:
            waited = clock.monotonic() - started
            remaining = limit - waited
            if remaining <= 0:
                raise self._timed_out(waited)
            overall = self._transport.remaining()
            if self._next_interval > remaining or (
                overall is not None and self._next_interval >= overall
            ):
                # Polling before the service's Retry-After is refused; the wait ends first (and
                # no request may start at the client's deadline).
                clock.sleep(remaining)
                raise self._timed_out(clock.monotonic() - started)
            try:
                clock.sleep(self._next_interval)
                state = self.poll()
                if progress is not None:
                    progress(state)
            except KeyboardInterrupt as interrupt:  # the operation goes on in the service
                raise OperationInterrupted(
                    operation_id=self.operation_id, operation_kind=self.kind
                ) from interrupt
            except DeadlineExceededError:
                raise
            except TransportError as lost:
                raise OperationWaitLostError(
                    lost, operation_id=self.operation_id, operation_kind=self.kind
                ) from lost
            status = state.status_text.lower()
            if status == _SUCCEEDED:
                self._outcome = self._finish(self, state)
                self._finished = True
                return self._outcome
            if status == _FAILED:
                self._finished = True
                self._failure = OperationFailedError.from_state_error(
                    self.operation_id,
                    state.error.model_dump(by_alias=True, mode="json") if state.error else None,
                )
                raise self._failure
            if status not in _IN_PROGRESS:
                raise UnknownOperationStatusError(
                    operation_id=self.operation_id, status=state.status_text
                )

    def _timed_out(self, waited: float) -> OperationTimeoutError:
        assert self.operation_id is not None
        return OperationTimeoutError(
            operation_id=self.operation_id,
            waited=waited,
            last_status=self._state.status_text if self._state else None,
            operation_kind=self.kind,
            description=self.description if self.kind else None,
        )

    def result(self, timeout: float | None = None, progress: ProgressCallback | None = None) -> T:
        """Same as ``wait``."""
        return self.wait(timeout, progress)

    def __repr__(self) -> str:
        return (
            f"OperationPoller({self.description!r}, operation_id={self.operation_id!r}, "
            f"status={self.status()!r})"
        )
