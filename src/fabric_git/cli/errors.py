"""Printing a failure: one line (code, request id, what to do next), CI annotations, and a
traceback only with ``--verbose``."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable

import click

from fabric_git.cli.constants import WORKSPACE_META, ExitCode
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
    """Writes each record to ``sys.stderr`` as it is at that moment (not at set-up)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
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
    if failure.exit_code == ExitCode.WAIT_TIMED_OUT and failure.operation_id:
        terminal.stderr.write(f"operation id: {failure.operation_id}\n")
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
    text = failure.line().replace("|", "\\|")
    return f"### fabric-git {command} failed (exit {int(failure.exit_code)})\n\n{text}"
