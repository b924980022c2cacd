"""Test hook: the emulator kills itself at a named point of a Git operation.

Durability tests set ``FABRIC_GIT_EMULATOR_CRASH_AT`` to one of :data:`POINTS` on a ``serve``
process; when an operation reaches that point the process sends itself SIGKILL, so a test can
land a crash inside a window that kill timing alone cannot hit, then restart on the same data
directory. Unset (as everywhere but such tests) :func:`crash_point` only reads the environment.
"""

from __future__ import annotations

import os
import signal

CRASH_AT_ENV = "FABRIC_GIT_EMULATOR_CRASH_AT"

COMMIT_BEFORE_REF_UPDATE = "commit-before-ref-update"
"""Commit: the intent row is written, the branch ref has not moved."""
COMMIT_AFTER_REF_UPDATE = "commit-after-ref-update"
"""Commit: the branch ref moved (compare-and-swap done), SQLite not yet written."""
UPDATE_BEFORE_HEAD = "update-before-head"
"""Update: the items are written inside the transaction, the head not yet moved."""

POINTS = frozenset({COMMIT_BEFORE_REF_UPDATE, COMMIT_AFTER_REF_UPDATE, UPDATE_BEFORE_HEAD})


def crash_point(name: str) -> None:
    """Die at once, as a SIGKILL would, when the hook names this point."""
    if os.environ.get(CRASH_AT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
        os._exit(137)  # not reached where SIGKILL exists
