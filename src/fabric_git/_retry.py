"""How hard a call tries: ``RetryPolicy``, ``Retry-After`` and the notice before each wait.

The rules ``Transport`` applies with them:

- 429 and 503 are retried for every method, after ``Retry-After`` (never sooner) when given.
- 500, 502 and 504, and failures after the request may have been sent (read errors, read
  timeouts, broken connections), are retried only for GET and DELETE: a POST or PATCH might have
  been acted on.
- A connection that failed before the request was sent is retried for every method, but only
  ``connect_attempts`` times in all: an API that refuses connections fails within seconds. An
  unknown host and a TLS failure (an untrusted certificate) are never retried.
- An error the service marks ``isRetriable`` with a 4xx status refused the call without acting on
  it (``WorkspacePreviousOperationInProgress``: another operation holds the workspace): it is
  retried for every method, with backoff, for as long as ``total_budget`` allows, whatever
  ``max_attempts`` says.
- Without ``Retry-After`` the wait grows exponentially with jitter, up to ``backoff_cap``.
- ``max_attempts`` and ``total_budget`` bound each call; when the next wait would overrun the
  budget, the last error is raised at once. The budget also cuts a running attempt short (a
  server that stalls or trickles bytes), and so does the client's overall ``deadline``.
- Before each wait, ``on_retry`` (if set) receives a ``RetryNotice``: the library never prints,
  the CLI shows it as a line on stderr.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

from fabric_git.errors import ConfigurationError

__all__ = [
    "IDEMPOTENT_METHODS",
    "RetryNotice",
    "RetryPolicy",
    "RetryReason",
    "parse_retry_after",
    "retry_delay",
]

_ANY_METHOD_STATUSES: Final = frozenset({429, 503})
_IDEMPOTENT_STATUSES: Final = frozenset({500, 502, 504})
# Methods a request of which may be sent twice without harm.
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How hard one call tries. All durations in seconds.

    ``jitter`` is the fraction of each backoff wait that is randomised (0 turns it off).
    ``connect_attempts`` bounds the attempts at an address that refuses connections.
    ``total_budget`` bounds one call, its attempts and waits included (0: no retry waits, and
    attempts are bounded by the request timeout alone).
    """

    max_attempts: int = 6
    connect_attempts: int = 3
    backoff_base: float = 1.0
    backoff_cap: float = 30.0
    jitter: float = 0.5
    total_budget: float = 180.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.connect_attempts < 1:
            raise ConfigurationError(
                "RetryPolicy.max_attempts and connect_attempts must be at least 1."
            )
        if not 0.0 <= self.jitter <= 1.0:
            raise ConfigurationError("RetryPolicy.jitter must be between 0 and 1.")
        if self.backoff_base < 0 or self.backoff_cap < 0 or self.total_budget < 0:
            raise ConfigurationError("RetryPolicy durations must not be negative.")

    @classmethod
    def no_retries(cls) -> RetryPolicy:
        """One attempt, no waiting."""
        return cls(max_attempts=1, connect_attempts=1, total_budget=0.0)

    def backoff(self, retry_number: int, rand: Callable[[], float] = random.random) -> float:
        """Wait before retry ``retry_number`` (1-based) when the service gave no ``Retry-After``."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2.0 ** (retry_number - 1))
        return float(ceiling * (1.0 - self.jitter * rand()))


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta seconds or an HTTP date).

    None when absent or unparsable; a date in the past gives 0.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        return max(0.0, when.timestamp() - now)
    if seconds != seconds or seconds in (float("inf"), float("-inf")) or seconds < 0:
        return None
    return seconds


RetryReason = Literal["network", "throttled", "server", "busy"]


@dataclass(frozen=True, kw_only=True)
class RetryNotice:
    """A call failed and will be tried again after ``delay`` seconds.

    ``attempt`` is the number of the coming attempt; ``max_attempts`` is None when the retries
    are bounded by time alone (a workspace busy with another operation). ``reason`` says why:
    ``network``, ``throttled`` (429, or 503 with ``Retry-After``), ``server`` (5xx) or ``busy``.
    """

    method: str
    url: str
    attempt: int
    max_attempts: int | None
    delay: float
    reason: RetryReason
    cause: str

    def __str__(self) -> str:
        of = (
            f"{self.attempt}/{self.max_attempts}"
            if self.max_attempts
            else f"attempt {self.attempt}"
        )
        what = "throttled by the service" if self.reason == "throttled" else self.cause
        return f"{self.method} {self.url}: {what}; retrying in {_seconds(self.delay)}, {of}"


def _seconds(delay: float) -> str:
    return f"{delay:.1f} s" if delay < 1 else f"{delay:.0f} s"


def retry_delay(
    policy: RetryPolicy,
    method: str,
    status: int,
    retry_after: float | None,
    attempt: int,
    rand: Callable[[], float],
) -> float | None:
    """Seconds to wait before retrying an error answer (``retry_after`` from its header), or
    None when it must not be retried."""
    retriable = status in _ANY_METHOD_STATUSES or (
        status in _IDEMPOTENT_STATUSES and method in IDEMPOTENT_METHODS
    )
    if not retriable:
        return None
    backoff = policy.backoff(attempt, rand)
    if retry_after is None:
        return backoff
    if status in _ANY_METHOD_STATUSES:
        return retry_after  # the service said when; never sooner, and no need for later
    return max(retry_after, backoff)
