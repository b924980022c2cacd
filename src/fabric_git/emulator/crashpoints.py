"""Test hook: the emulator kills itself at a named point of a Git operation.

Durability tests start ``serve`` with ``FABRIC_GIT_EMULATOR_CRASH_AT`` set to one of
:data:`POINTS`; the ``serve`` command puts it in ``EmulatorConfig.crash_at``, and when an
operation reaches that point the process sends itself SIGKILL, so a test can land a crash inside
a window that kill timing alone cannot hit, then restart on the same data directory. Nothing
here reads the environment: an emulator built without ``crash_at`` (as everywhere but such
tests) never stops at a point.

An asynchronous operation's work runs beside the request that started it, so a point reached
by that work could kill the process before its 202 is on the wire. The engine runs such work
:func:`held` until the 202 has been sent: the work stops at the point (what is on disk is the
point's), and the process dies once the client holds the operation's id, as a client that
polls it after a crash always does.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

CRASH_AT_ENV = "FABRIC_GIT_EMULATOR_CRASH_AT"
"""The variable the ``serve`` command reads into ``EmulatorConfig.crash_at``."""

COMMIT_BEFORE_REF_UPDATE = "commit-before-ref-update"
"""Commit: the intent row is written, the branch ref has not moved."""
COMMIT_AFTER_REF_UPDATE = "commit-after-ref-update"
"""Commit: the branch ref moved (compare-and-swap done), SQLite not yet written."""
COMMIT_INSIDE_PACK_WRITE = "commit-inside-pack-write"
"""Commit of 64 files or more: its pack is written under its temporary name, its index not yet
(the intent row is written, the branch ref has not moved)."""
UPDATE_BEFORE_HEAD = "update-before-head"
"""Update: the items are written inside the transaction, the head not yet moved."""

OPERATION_AFTER_WORK = "operation-after-work"
"""Any operation: its work is done (and committed), its own row not yet Succeeded."""

POINTS = frozenset(
    {
        COMMIT_BEFORE_REF_UPDATE,
        COMMIT_AFTER_REF_UPDATE,
        COMMIT_INSIDE_PACK_WRITE,
        UPDATE_BEFORE_HEAD,
        OPERATION_AFTER_WORK,
    }
)


_HOLD: ContextVar[Callable[[], object] | None] = ContextVar("fabric_git_crash_hold", default=None)


@contextmanager
def held(wait: Callable[[], object]) -> Iterator[None]:
    """Run a block whose crash points call ``wait`` before they kill the process."""
    token = _HOLD.set(wait)
    try:
        yield
    finally:
        _HOLD.reset(token)


def crash_point(name: str, armed: str | None = None) -> None:
    """Die, as a SIGKILL would, when ``armed`` (the configured point) is ``name``: at once,
    or inside :func:`held` once its wait returns."""
    if armed is not None and armed == name:
        hold = _HOLD.get()
        if hold is not None:
            hold()
        os.kill(os.getpid(), signal.SIGKILL)
        os._exit(137)  # not reached where SIGKILL exists
