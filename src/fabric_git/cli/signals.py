"""SIGTERM, as CI runners send it to cancel a job, ends a command the way Ctrl-C does: the wait
stops, and the running operation's id is printed with how to resume it."""

from __future__ import annotations

import signal
from types import FrameType

__all__ = ["Terminated", "install_sigterm", "terminated"]


class Terminated(KeyboardInterrupt):
    """Raised in the main thread when the process receives SIGTERM."""


def _raise_terminated(_signum: int, _frame: FrameType | None) -> None:
    raise Terminated()


def install_sigterm() -> None:
    """Turn SIGTERM into ``Terminated`` (a ``KeyboardInterrupt``) in the main thread."""
    signal.signal(signal.SIGTERM, _raise_terminated)


def terminated(interrupt: BaseException) -> bool:
    """Whether ``interrupt`` comes from SIGTERM (anywhere in its chain of causes)."""
    seen: BaseException | None = interrupt
    while seen is not None:
        if isinstance(seen, Terminated):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
