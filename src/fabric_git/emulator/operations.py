"""Long-running operations: 202 + polling, or 200 at once, by the configured LRO mode.

An operation is a row in SQLite (so its state survives a restart) plus, while it runs, a
worker-thread future. It reports ``NotStarted``/``Running`` until its work is done *and* the
configured duration has passed on the emulator clock, then ``Succeeded`` or ``Failed``.
Each operation takes its workspace's lock in one of three ways (:data:`Access`):
``"exclusive"`` (commit, update, initialize) runs alone; ``"shared"`` (Get Status) runs
alongside other shared operations but never beside an exclusive one; ``"none"`` (item
definitions) takes no lock. An operation that cannot take the lock is refused with
``WorkspacePreviousOperationInProgress``. The check and the insert share one write transaction,
so two racing requests can never both start.

The engine knows no HTTP: :meth:`OperationEngine.start` answers :class:`Started` (poll it) or
:class:`Finished` (sync mode: here is the result), and ``routes/_lro.py`` turns those into a
202 with ``Location``, ``x-ms-operation-id`` and ``Retry-After`` or a 200.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from fabric_git.emulator import crashpoints, errors
from fabric_git.emulator.auth import ADMIN, Principal
from fabric_git.emulator.errors import EmulatorError
from fabric_git.emulator.ids import new_id
from fabric_git.emulator.store import expire_operations

if TYPE_CHECKING:
    from fabric_git.emulator.state import EmulatorState

log = logging.getLogger("fabric_git.emulator.operations")

JsonObject = dict[str, Any]
"""An operation's result: the JSON document ``GET /operations/{id}/result`` answers."""
Work = Callable[[], JsonObject | None]

RUNNING_STATES = ("NotStarted", "Running")

ANSWER_WAIT = 30.0
"""Seconds an armed crash point in asynchronous work waits for the operation's 202 to go out."""

_CURRENT: ContextVar[str | None] = ContextVar("fabric_git_emulator_operation", default=None)
"""The operation whose work runs on this thread (None: none)."""


def current_operation() -> str | None:
    """The id of the operation whose work is running here, if any."""
    return _CURRENT.get()


def mark_applied(conn: sqlite3.Connection, operation_id: str | None = None) -> None:
    """Record, inside the transaction that applies an operation's work, that it is applied:
    a crash before the operation's own row says Succeeded then still reports it Succeeded
    (see :meth:`OperationEngine.recover`). ``operation_id`` defaults to the current one."""
    target = operation_id or _CURRENT.get()
    if target is not None:
        conn.execute(
            "UPDATE operations SET applied = 1 WHERE id = ? AND finished_at IS NULL", (target,)
        )


Access = Literal["exclusive", "shared", "none"]
"""How an operation holds its workspace: alone, beside other shared ones, or not at all."""


@dataclass(frozen=True)
class Origin:
    """The request that starts an operation: who, which route (for fault rules), and its id
    (a failed operation's error names it)."""

    principal_id: str
    request_id: str
    route: str
    method: str
    path: str


@dataclass(frozen=True)
class Started:
    """The operation runs on a worker thread: poll it."""

    operation_id: str
    retry_after: int


@dataclass(frozen=True)
class Finished:
    """Sync mode: the operation ran to completion; its result (None: it has none)."""

    result: JsonObject | None


@dataclass(frozen=True)
class OperationView:
    """What ``GET /operations/{id}`` reports at one moment (times in epoch seconds)."""

    id: str
    status: str
    created: float
    last_updated: float
    percent_complete: int
    error: JsonObject | None
    has_result: bool
    result: JsonObject | None

    @property
    def running(self) -> bool:
        return self.status in RUNNING_STATES


class OperationEngine:
    def __init__(self, state: EmulatorState) -> None:
        self._state = state
        self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="emulator-lro")
        self._done: dict[str, threading.Event] = {}
        # Only with a crash point armed: the operations whose 202 has not been sent yet.
        self._unanswered: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    # --- start -------------------------------------------------------------------------------

    def start(
        self,
        origin: Origin,
        *,
        workspace_id: str | None,
        kind: str,
        work: Work,
        has_result: bool,
        access: Access = "exclusive",
    ) -> Started | Finished:
        """Run ``work`` as a long-running operation.

        Async mode records it and runs the work on a worker thread (:class:`Started`); sync
        mode runs it inline (:class:`Finished`, or its error raised). ``access`` says how it
        holds the workspace (:data:`Access`).
        """
        state = self._state
        settings = state.settings
        now = state.clock.now()
        asynchronous = settings.lro_mode == "async"
        duration = settings.lro_duration if asynchronous else 0.0
        op_id = new_id()
        with state.store.write() as conn:
            # Each new operation first drops those finished longer ago than the retention.
            expire_operations(conn, finished_before=now - state.config.operation_retention)
            locks = access != "none" and workspace_id is not None
            if locks and self._busy(conn, str(workspace_id), now, shared=access == "shared"):
                raise errors.workspace_previous_operation_in_progress()
            conn.execute(
                "INSERT INTO operations (id, kind, workspace_id, exclusive, shared, principal_id,"
                " status, created_at, ready_at, has_result, request_id)"
                " VALUES (?, ?, ?, ?, ?, ?, 'Running', ?, ?, ?, ?)",
                (
                    op_id,
                    kind,
                    workspace_id,
                    int(access != "none"),
                    int(access == "shared"),
                    origin.principal_id,
                    now,
                    now + duration,
                    int(has_result),
                    origin.request_id,
                ),
            )
        # Only an operation that really starts consumes a ``fail`` rule.
        injected = state.faults.take_failure((origin.route, kind), origin.method, origin.path)
        failure = injected.failure() if injected is not None else None

        if not asynchronous:
            result = self._execute(op_id, origin.request_id, work, failure)
            if isinstance(result, EmulatorError):
                raise result
            return Finished(result)

        done = threading.Event()
        answered = threading.Event()
        with self._lock:
            self._done[op_id] = done
            if state.config.crash_at is not None:
                self._unanswered[op_id] = answered
            else:
                answered.set()
        self._executor.submit(
            self._run_async, op_id, origin.request_id, work, failure, done, answered
        )
        return Started(op_id, settings.retry_after)

    def answered(self, op_id: str) -> None:
        """The 202 that started ``op_id`` has been sent (see :func:`crashpoints.held`)."""
        with self._lock:
            answered = self._unanswered.pop(op_id, None)
        if answered is not None:
            answered.set()

    def workspace_busy(self, conn: sqlite3.Connection, workspace_id: str) -> bool:
        """Whether any Git operation (a status read included) runs in the workspace now."""
        return self._busy(conn, workspace_id, self._state.clock.now(), shared=False)

    @staticmethod
    def _busy(conn: sqlite3.Connection, workspace_id: str, now: float, *, shared: bool) -> bool:
        """Whether a lock-holding operation still runs (for its whole reported duration) that
        a new one may not run beside: any, or for a shared one only an exclusive one."""
        row = conn.execute(
            "SELECT 1 FROM operations WHERE workspace_id = ? AND exclusive = 1"
            " AND (finished_at IS NULL OR ready_at > ?) AND (? = 0 OR shared = 0) LIMIT 1",
            (workspace_id, now, int(shared)),
        ).fetchone()
        return row is not None

    def _run_async(
        self,
        op_id: str,
        request_id: str,
        work: Work,
        failure: EmulatorError | None,
        done: threading.Event,
        answered: threading.Event,
    ) -> None:
        try:
            # A crash point this work reaches kills the process only once the client holds the
            # operation's id, never before its 202 (the race would drop the answer instead).
            with crashpoints.held(lambda: answered.wait(ANSWER_WAIT)):
                self._execute(op_id, request_id, work, failure)
        finally:
            done.set()
            with self._lock:
                self._done.pop(op_id, None)
                self._unanswered.pop(op_id, None)

    def _execute(
        self, op_id: str, request_id: str, work: Work, failure: EmulatorError | None
    ) -> JsonObject | None | EmulatorError:
        """Run the work and record its outcome; returns the result or the error."""
        outcome: JsonObject | None | EmulatorError
        if failure is not None:
            outcome = failure
        else:
            token = _CURRENT.set(op_id)
            try:
                outcome = work()
            except EmulatorError as exc:
                outcome = exc
            except Exception as exc:
                log.exception("operation %s failed unexpectedly", op_id)
                outcome = errors.unexpected(exc)
            finally:
                _CURRENT.reset(token)
        crashpoints.crash_point(crashpoints.OPERATION_AFTER_WORK, self._state.config.crash_at)
        finished = self._state.clock.now()
        try:
            with self._state.store.write() as conn:
                if isinstance(outcome, EmulatorError):
                    conn.execute(
                        "UPDATE operations SET status = 'Failed', finished_at = ?, error_json = ?"
                        " WHERE id = ?",
                        (finished, json.dumps(outcome.to_body(request_id)), op_id),
                    )
                else:
                    conn.execute(
                        "UPDATE operations SET status = 'Succeeded', finished_at = ?,"
                        " result_json = ? WHERE id = ?",
                        (finished, None if outcome is None else json.dumps(outcome), op_id),
                    )
        except RuntimeError:
            # The store closed while the work ran (shutdown); start-up marks the row Failed.
            log.warning("operation %s finished after the store closed", op_id)
        return outcome

    # --- read --------------------------------------------------------------------------------

    def view(self, op_id: str, principal: Principal) -> OperationView:
        with self._state.store.read() as conn:
            row = conn.execute("SELECT * FROM operations WHERE id = ?", (op_id,)).fetchone()
        if row is None or (row["principal_id"] != principal.id and principal.id != ADMIN.id):
            raise errors.operation_not_found(op_id)
        now = self._state.clock.now()
        created = float(row["created_at"])
        ready = float(row["ready_at"])
        finished = row["finished_at"]
        error = None
        if finished is not None and now >= ready:
            status = str(row["status"])
            last_updated = max(float(finished), ready)
            percent = 100
            if status == "Failed" and row["error_json"]:
                error = json.loads(row["error_json"])
        else:
            span = max(ready - created, 1e-9)
            percent = int(max(0.0, min(0.99, (now - created) / span)) * 100)
            if finished is None and now >= ready:
                percent = 99  # the work itself is still running
            status = "NotStarted" if percent == 0 else "Running"
            last_updated = max(created, min(now, ready))
        result = json.loads(row["result_json"]) if row["result_json"] else None
        return OperationView(
            id=op_id,
            status=status,
            created=created,
            last_updated=last_updated,
            percent_complete=percent,
            error=error,
            has_result=bool(row["has_result"]),
            result=result,
        )

    # --- lifecycle ---------------------------------------------------------------------------

    def recover(self) -> int:
        """Finish the operations a previous process left running; returns how many. One whose
        work was applied (:func:`mark_applied`, or start-up reconciliation finishing it) is
        Succeeded; any other is Failed with ``OperationInterrupted``."""
        interrupted = errors.operation_interrupted()
        now = self._state.clock.now()
        with self._state.store.write() as conn:
            rows = conn.execute(
                "SELECT id, request_id, applied FROM operations WHERE finished_at IS NULL"
            ).fetchall()
            for row in rows:
                if row["applied"]:
                    conn.execute(
                        "UPDATE operations SET status = 'Succeeded', finished_at = ?,"
                        " ready_at = MIN(ready_at, ?) WHERE id = ?",
                        (now, now, row["id"]),
                    )
                    continue
                # Rows from before request ids were kept get a fresh one.
                error = json.dumps(interrupted.to_body(row["request_id"] or new_id()))
                conn.execute(
                    "UPDATE operations SET status = 'Failed', finished_at = ?,"
                    " ready_at = MIN(ready_at, ?), error_json = ? WHERE id = ?",
                    (now, now, error, row["id"]),
                )
            return len(rows)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until every running operation's work has finished (for tests and shutdown)."""
        with self._lock:
            pending = list(self._done.values())
        return all(event.wait(timeout) for event in pending)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)
