"""Printing a failure: one line (code, request id, what to do next), CI annotations, and a
traceback only with ``--verbose``."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable

import click

from fabric_git.cli.constants import WORKSPACE_META, ExitCode
from fabric_git.cli.escaping import markdown, shown
from fabric_git.cli.failures import Failure, classify
from fabric_git.cli.terminal import Environment, Terminal

__all__ = ["enable_debug_logging", "report_failure"]


def enable_debug_logging() -> Callable[[], None]:
    """Library debug logs on stderr (the transport redacts credentials before logging).
    Returns the function that puts logging back as it was."""
    root = logging.getLogger("fabric_git")
    level = root.level
    handler = _CurrentStderr()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)

    def restore() -> None:
        root.removeHandler(handler)
        root.setLevel(level)

    return restore


class _CurrentStderr(logging.Handler):
    """Writes each record to ``sys.stderr`` as it is at that moment (not at set-up), each line
    shown as data (a record may quote a name or a service message)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            lines = self.format(record).split("\n")
            sys.stderr.write("".join(shown(line) + "\n" for line in lines))
        except Exception:
            self.handleError(record)


def report_failure(ctx: click.Context, error: BaseException) -> ExitCode:
    """Print ``error`` for people and CI; return the exit code."""
    terminal = _terminal(ctx)
    failure = classify(
        error, command=ctx.invoked_subcommand, workspace=ctx.meta.get(WORKSPACE_META)
    )
    line = failure.line()
    if not failure.expected and not terminal.verbose:
        line += " (run with --verbose for the traceback)"
    terminal.error(line, title=f"fabric-git: {failure.code}")
    resumable = failure.exit_code == ExitCode.WAIT_TIMED_OUT or failure.code == "OperationWaitLost"
    if resumable and failure.operation_id:
        terminal.always(f"operation id: {failure.operation_id}")
    if terminal.verbose:
        terminal.traceback("".join(traceback.format_exception(error)))
    terminal.append_step_summary(_summary(ctx, failure))
    return failure.exit_code


def _terminal(ctx: click.Context) -> Terminal:
    app = ctx.obj
    terminal = getattr(app, "terminal", None)
    if isinstance(terminal, Terminal):
        return terminal
    import os

    return Terminal(environment=Environment.detect(os.environ, sys.stderr))


def _summary(ctx: click.Context, failure: Failure) -> str:
    command = ctx.invoked_subcommand or ctx.info_name or "fabric-git"
    title = markdown(f"fabric-git {command} failed (exit {int(failure.exit_code)})")
    return f"### {title}\n\n{markdown(failure.line())}"


def report_interrupt(ctx: click.Context, interrupt: KeyboardInterrupt) -> ExitCode:
    """Print where a Ctrl-C or SIGTERM left things: the operations that go on in the service and
    how to resume waiting for them. Returns 130 (SIGINT) or 143 (SIGTERM)."""
    from fabric_git.cli.signals import terminated

    terminal = _terminal(ctx)
    by_signal = terminated(interrupt)
    how = "SIGTERM" if by_signal else "Ctrl-C"
    running = interrupted_operations(interrupt)
    if running:
        waits = [
            f"{kind + ' ' if kind else ''}operation {operation_id}"
            + (f" of {where}" if where else "")
            for operation_id, kind, where in running
        ]
        line = (
            f"Interrupted ({how}): stopped waiting for {', '.join(waits)}, which goes on in the "
            "service. Next: "
            + " and ".join(f"`fabric-git operation wait {op}`" for op, _, _ in running)
            + " resumes the wait."
        )
    else:
        said = str(interrupt).strip()
        line = f"Interrupted ({how}). {said + ' ' if said else ''}Next: re-run the command."
    terminal.error(line, title="fabric-git: Interrupted")
    for operation_id, _, _ in running:
        terminal.always(f"operation id: {operation_id}")
    code = ExitCode.TERMINATED if by_signal else ExitCode.INTERRUPTED
    title = markdown(f"fabric-git {ctx.invoked_subcommand or 'fabric-git'} interrupted")
    terminal.append_step_summary(f"### {title} (exit {int(code)})\n\n{markdown(line)}")
    return code


def interrupted_operations(
    interrupt: BaseException,
) -> list[tuple[str, str | None, str | None]]:
    """(operation id, kind, workspace) of each wait an interrupt stopped: one for a command's
    own wait, one per workspace for a multi-workspace sync."""
    from fabric_git.errors import OperationInterrupted

    seen: BaseException | None = interrupt
    while seen is not None:
        if isinstance(seen, OperationInterrupted):
            return [(seen.operation_id, seen.operation_kind, None)]
        several = getattr(seen, "operations", None)
        if isinstance(several, tuple):
            return [(op.operation_id, op.operation_kind, workspace) for workspace, op in several]
        seen = seen.__cause__ or seen.__context__
    return []
