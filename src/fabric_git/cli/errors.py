"""Printing a failure: one line (code, request id, what to do next), CI annotations, and a
traceback only with ``--verbose``."""

from __future__ import annotations

import logging
import traceback

import click

from fabric_git.cli.constants import ExitCode
from fabric_git.cli.failures import Failure, classify
from fabric_git.cli.terminal import Environment, Terminal

__all__ = ["enable_debug_logging", "report_failure"]


def enable_debug_logging() -> None:
    """Library debug logs on stderr (the transport redacts credentials before logging)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger("fabric_git")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)


def report_failure(ctx: click.Context, error: BaseException) -> ExitCode:
    """Print ``error`` for people and CI; return the exit code."""
    terminal = _terminal(ctx)
    failure = classify(error)
    line = failure.line()
    if failure.code == type(error).__name__ and not terminal.verbose:
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
    import sys

    return Terminal(environment=Environment.detect(os.environ, sys.stderr))


def _summary(ctx: click.Context, failure: Failure) -> str:
    command = ctx.invoked_subcommand or ctx.info_name or "fabric-git"
    text = failure.line().replace("|", "\\|")
    return f"### fabric-git {command} failed (exit {int(failure.exit_code)})\n\n{text}"
