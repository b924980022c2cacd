"""Showing workflow progress: a live table on a terminal, plain lines everywhere else."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from fabric_git.cli.escaping import shown
from fabric_git.cli.terminal import Terminal
from fabric_git.workflows.events import WorkflowEvent

__all__ = ["ProgressDisplay"]


class ProgressDisplay:
    """A workflow ``progress`` callback. Use as a context manager around the workflow call.

    Step messages are always shown (unless ``--quiet``); operation polls (status and
    ``percentComplete``) only when ``operations`` is true (``--no-progress`` turns them off). In
    plain mode a poll line is written only when the status or percentage changes. Safe to call
    from several threads (multi-workspace sync).
    """

    def __init__(self, terminal: Terminal, *, operations: bool = True) -> None:
        self._terminal = terminal
        self._operations = operations
        self._lock = threading.Lock()
        self._last: dict[tuple[str, str], tuple[str | None, int | None]] = {}
        self._rows: dict[str, tuple[str, str, str]] = {}
        self._live: Any = None

    @property
    def live(self) -> bool:
        return self._live is not None

    def __enter__(self) -> ProgressDisplay:
        if self._terminal.environment.interactive and self._operations and not self._terminal.quiet:
            from rich.live import Live

            self._live = Live(
                self._table(),
                console=self._terminal.rich_console(stderr=True),
                refresh_per_second=8,
                transient=True,
            )
            self._live.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.__exit__(exc_type, exc, tb)
            self._live = None

    def __call__(self, event: WorkflowEvent) -> None:
        with self._lock:
            if event.status is None:
                self._step(event)
            elif self._operations:
                self._poll(event)

    def _step(self, event: WorkflowEvent) -> None:
        self._rows[event.workspace] = (event.step, "", "")
        if self._live is not None:
            self._live.console.print(shown(f"[{event.workspace}] {event.message}"), markup=False)
            self._live.update(self._table())
        else:
            self._terminal.info(f"[{event.workspace}] {event.message}")

    def _poll(self, event: WorkflowEvent) -> None:
        percent = "" if event.percent_complete is None else f"{event.percent_complete}%"
        self._rows[event.workspace] = (event.step, event.status or "", percent)
        if self._live is not None:
            self._live.update(self._table())
            return
        key = (event.workspace, event.step)
        now = (event.status, event.percent_complete)
        if self._last.get(key) == now:
            return
        self._last[key] = now
        suffix = f" {percent}" if percent else ""
        self._terminal.info(f"[{event.workspace}] {event.step}: {event.status}{suffix}")

    def _table(self) -> Any:
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, show_header=True, header_style="bold")
        for column in ("Workspace", "Step", "Status", "Progress"):
            table.add_column(column)
        for workspace, (step, status, percent) in sorted(self._rows.items()):
            # Text, not str: rich would read "[...]" in a name as markup.
            table.add_row(*(Text(shown(cell)) for cell in (workspace, step, status, percent)))
        return table
