"""Time as a dependency: every wait in the library goes through a ``Clock`` so tests never sleep."""

from __future__ import annotations

import time
from typing import Protocol

__all__ = ["Clock", "SystemClock"]


class Clock(Protocol):
    """What the library needs from time: a monotonic reading, wall-clock time and sleeping."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin; never goes backwards. Used for budgets and timeouts."""
        ...

    def time(self) -> float:
        """Seconds since the Unix epoch. Used for token expiry and HTTP-date ``Retry-After``."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def __repr__(self) -> str:
        return "SystemClock()"
