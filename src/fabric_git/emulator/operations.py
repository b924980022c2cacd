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
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from starlette.requests import Request
from starlette.responses import Response

from fabric_git.emulator import errors
from fabric_git.emulator.auth import ADMIN, Principal
from fabric_git.emulator.errors import EmulatorError
from fabric_git.emulator.ids import iso_utc, new_id
from fabric_git.emulator.store import expire_operations

if TYPE_CHECKING:
    from fabric_git.emulator.state import EmulatorState

log = logging.getLogger("fabric_git.emulator.operations")

Work = Callable[[], dict[str, Any] | None]

RUNNING_STATES = ("NotStarted", "Running")

Access = Literal["exclusive", "shared", "none"]
"""How an operation holds its workspace: alone, beside other shared ones, or not at all."""


@dataclass(frozen=True)
class OperationView:
    """What ``GET /operations/{id}`` reports at one moment."""

    id: str
    status: str
    body: dict[str, Any]
    has_result: bool
    result: Any


def run_operation(
    request: Request,
    *,
    workspace_id: str | None,
    kind: str,
    work: Work,
    has_result: bool,
    access: Access = "exclusive",
) -> Response:
    """Run ``work`` as a long-running operation started by ``request``.

    Async mode answers 202 with ``Location``, ``x-ms-operation-id`` and ``Retry-After`` and runs
    the work on a worker thread; sync mode runs it inline and answers 200 with its result (or an
    empty body). ``access`` says how it holds the workspace (:data:`Access`).
    """
    state: EmulatorState = request.app.state.emulator
    return state.operations.start(
        request,
        workspace_id=workspace_id,
        kind=kind,
        work=work,
        has_result=has_result,
        access=access,
    )


class OperationEngine:
    def __init__(self, state: EmulatorState) -> None:
        self._state = state
        self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="emulator-lro")
        self._done: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    # --- start -------------------------------------------------------------------------------

    def start(
        self,
        request: Request,
        *,
        workspace_id: str | None,
        kind: str,
        work: Work,
        has_result: bool,
        access: Access,
    ) -> Response:
        from fabric_git.emulator.routes._http import (
            json_response,
            operation_url,
            request_id_of,
            route_name,
        )

        state = self._state
        principal: Principal = request.state.principal
        settings = state.settings
        now = state.clock.now()
        asynchronous = settings.lro_mode == "async"
        duration = settings.lro_duration if asynchronous else 0.0
        op_id = new_id()
        # A failed operation's error names the request that started it.
        request_id = request_id_of(request) or new_id()
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
                    principal.id,
                    now,
                    now + duration,
                    int(has_result),
                    request_id,
                ),
            )
        # Only an operation that really starts consumes a ``fail`` rule.
        injected = state.faults.take_failure(
            (route_name(request), kind), request.method, request.url.path
        )
        failure = injected.failure() if injected is not None else None

        if not asynchronous:
            result = self._execute(op_id, request_id, work, failure)
            if isinstance(result, EmulatorError):
                raise result
            if result is None:
                return Response(status_code=200)
            return json_response(result)

        done = threading.Event()
        with self._lock:
            self._done[op_id] = done
        self._executor.submit(self._run_async, op_id, request_id, work, failure, done)
        return Response(
            status_code=202,
            headers={
                "Location": operation_url(request, op_id),
                "x-ms-operation-id": op_id,
                "Retry-After": str(settings.retry_after),
            },
        )

    @staticmethod
    def _busy(conn: Any, workspace_id: str, now: float, *, shared: bool) -> bool:
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
    ) -> None:
        try:
            self._execute(op_id, request_id, work, failure)
        finally:
            done.set()
            with self._lock:
                self._done.pop(op_id, None)

    def _execute(
        self, op_id: str, request_id: str, work: Work, failure: EmulatorError | None
    ) -> dict[str, Any] | None | EmulatorError:
        """Run the work and record its outcome; returns the result or the error."""
        outcome: dict[str, Any] | None | EmulatorError
        if failure is not None:
            outcome = failure
        else:
            try:
                outcome = work()
            except EmulatorError as exc:
                outcome = exc
            except Exception:
                log.exception("operation %s failed unexpectedly", op_id)
                outcome = errors.internal_error()
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
        body: dict[str, Any] = {"createdTimeUtc": iso_utc(created)}
        if finished is not None and now >= ready:
            status = str(row["status"])
            body["status"] = status
            body["lastUpdatedTimeUtc"] = iso_utc(max(float(finished), ready))
            body["percentComplete"] = 100
            if status == "Failed" and row["error_json"]:
                body["error"] = json.loads(row["error_json"])
        else:
            span = max(ready - created, 1e-9)
            percent = int(max(0.0, min(0.99, (now - created) / span)) * 100)
            if finished is None and now >= ready:
                percent = 99  # the work itself is still running
            status = "NotStarted" if percent == 0 else "Running"
            body["status"] = status
            body["lastUpdatedTimeUtc"] = iso_utc(max(created, min(now, ready)))
            body["percentComplete"] = percent
        ordered = {
            "status": body["status"],
            "createdTimeUtc": body["createdTimeUtc"],
            "lastUpdatedTimeUtc": body["lastUpdatedTimeUtc"],
            "percentComplete": body["percentComplete"],
        }
        if "error" in body:
            ordered["error"] = body["error"]
        result = json.loads(row["result_json"]) if row["result_json"] else None
        return OperationView(op_id, status, ordered, bool(row["has_result"]), result)

    # --- lifecycle ---------------------------------------------------------------------------

    def recover(self) -> int:
        """Mark operations a previous process left running as Failed; returns how many."""
        interrupted = errors.operation_interrupted()
        now = self._state.clock.now()
        with self._state.store.write() as conn:
            rows = conn.execute(
                "SELECT id, request_id FROM operations WHERE finished_at IS NULL"
            ).fetchall()
            for row in rows:
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
