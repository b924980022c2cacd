"""Many workspaces at once: one run per workspace, at most ``concurrency`` at a time, a throttled
run started again after the service's ``Retry-After``, one workspace's failure recorded without
stopping the others, and Ctrl-C passed on to every worker."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for_all
from typing import TYPE_CHECKING

from fabric_git.errors import OperationInterrupted, ThrottledError
from fabric_git.workflows.errors import SyncInterrupted
from fabric_git.workflows.events import ProgressCallback, WorkflowEvent
from fabric_git.workflows.results import BatchEntry, BatchSyncResult, SyncResult

if TYPE_CHECKING:
    from fabric_git._clock import Clock

__all__ = ["DEFAULT_CONCURRENCY", "run_batch"]

DEFAULT_CONCURRENCY = 16


def run_batch(
    workspaces: Sequence[str],
    run: Callable[[str, ProgressCallback], SyncResult],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    throttle_retries: int = 5,
    clock: Clock | None = None,
    progress: ProgressCallback | None = None,
) -> BatchSyncResult:
    """``run(workspace, progress)`` for each workspace (duplicates once), at most ``concurrency``
    at a time, with ``sync_many``'s rules: a throttled run starts again after the service's
    ``Retry-After``; any other error is recorded for its workspace and the others go on. Each
    run reports through the ``progress`` it is given, which also stops it at its next step once
    the main thread is interrupted."""
    if concurrency < 1:
        from fabric_git.errors import ConfigurationError

        raise ConfigurationError("concurrency must be at least 1")
    if clock is None:
        from fabric_git._clock import SystemClock

        clock = SystemClock()
    unique = list(dict.fromkeys(workspaces))
    wait = clock.sleep
    stop = threading.Event()

    def guarded(event: WorkflowEvent) -> None:
        # Signals reach only the main thread: once it is interrupted, each worker stops at its
        # next step or poll, as if interrupted itself.
        if stop.is_set():
            raise KeyboardInterrupt
        if progress is not None:
            progress(event)

    def run_one(name: str) -> BatchEntry:
        return _with_throttle_retries(
            lambda: run(name, guarded), name, retries=throttle_retries, sleep=wait
        )

    if concurrency == 1 or len(unique) <= 1:
        return BatchSyncResult(tuple(run_one(name) for name in unique))
    with ThreadPoolExecutor(max_workers=min(concurrency, len(unique))) as pool:
        futures = [pool.submit(run_one, name) for name in unique]
        try:
            return BatchSyncResult(tuple(f.result() for f in futures))
        except KeyboardInterrupt as interrupt:
            stop.set()
            for future in futures:
                future.cancel()
            wait_for_all(futures)
            stopped = [
                (name, error)
                for name, future in zip(unique, futures, strict=True)
                if not future.cancelled()
                and isinstance(error := future.exception(), OperationInterrupted)
            ]
            raise SyncInterrupted(stopped) from interrupt


def _with_throttle_retries(
    run: Callable[[], SyncResult],
    name: str,
    *,
    retries: int,
    sleep: Callable[[float], None],
) -> BatchEntry:
    attempt = 0
    while True:
        attempt += 1
        try:
            return BatchEntry(name, result=run(), attempts=attempt)
        except ThrottledError as error:
            if attempt > retries:
                return BatchEntry(name, error=error, attempts=attempt)
            sleep(error.retry_after if error.retry_after is not None else min(2.0**attempt, 60.0))
        except Exception as error:  # recorded per workspace; the batch goes on
            return BatchEntry(name, error=error, attempts=attempt)
