"""Where output goes: data to stdout, messages to stderr, CI annotations where a CI reads them.

Every message is shown through ``escaping.shown`` (names are data, never commands); only the
annotations this module writes itself start a CI command.

Rich is used only when stderr/stdout is an interactive terminal, and imported only then; in CI and
in pipes every line is plain text so logs stay readable and greppable.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

from fabric_git.cli.constants import EnvVars
from fabric_git.cli.escaping import (
    azure_data,
    azure_property,
    github_data,
    github_property,
    shown,
)

__all__ = ["Environment", "Terminal"]


@dataclass(frozen=True)
class Environment:
    """What we know about where we run, read once from the environment and the streams."""

    interactive: bool
    ci: bool
    github_actions: bool
    azure_pipelines: bool
    step_summary_path: str | None
    color: bool

    @classmethod
    def detect(cls, environ: Mapping[str, str], stream: IO[str]) -> Environment:
        github = environ.get(EnvVars.GITHUB_ACTIONS, "").lower() == "true"
        azure = environ.get(EnvVars.AZURE_PIPELINES, "").lower() == "true"
        ci = bool(environ.get(EnvVars.CI)) or github or azure
        tty = _isatty(stream)
        return cls(
            interactive=tty and not ci,
            ci=ci or not tty,
            github_actions=github,
            azure_pipelines=azure,
            step_summary_path=environ.get(EnvVars.GITHUB_STEP_SUMMARY) if github else None,
            color=tty and not ci and EnvVars.NO_COLOR not in environ,
        )


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Terminal:
    """Writes messages (stderr) and data (stdout), honouring ``--quiet``."""

    def __init__(
        self,
        *,
        environment: Environment,
        quiet: bool = False,
        verbose: bool = False,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
    ) -> None:
        self.environment = environment
        self.quiet = quiet
        self.verbose = verbose
        self._stdout = stdout
        self._stderr = stderr
        self._rich_err: Any = None

    @property
    def stdout(self) -> IO[str]:
        return self._stdout or sys.stdout

    @property
    def stderr(self) -> IO[str]:
        return self._stderr or sys.stderr

    # --- messages (stderr) ----------------------------------------------------------------------

    def info(self, message: str) -> None:
        if not self.quiet:
            self._message(message, style=None)

    def success(self, message: str) -> None:
        if not self.quiet:
            self._message(message, style="green")

    def debug(self, message: str) -> None:
        if self.verbose:
            self._message(message, style="dim")

    def warning(self, message: str) -> None:
        self._annotated("warning", message, title="fabric-git", style="yellow")

    def error(self, message: str, *, title: str = "fabric-git") -> None:
        """One error line, plus the CI's own error annotation when we run under one."""
        self._annotated("error", message, title=title, style="bold red")

    def always(self, message: str) -> None:
        """A message shown even with ``--quiet`` (what a script must be able to read)."""
        self._raw_err(shown(message))

    def annotate(
        self,
        level: str,
        message: str,
        *,
        title: str = "fabric-git",
        path: str | None = None,
        line: int | None = None,
    ) -> None:
        """A CI annotation only (``notice``, ``warning`` or ``error``, on a file and line when
        given), for what the output already shows; nothing outside a CI. Azure Pipelines has no
        notices, so they stay in the log there."""
        message, title = shown(message), shown(title)
        if self.environment.github_actions:
            where = f"file={github_property(shown(path))},line={line}," if path else ""
            self._raw_err(
                f"::{level} {where}title={github_property(title)}::{github_data(message)}"
            )
        elif self.environment.azure_pipelines and level != "notice":
            where = f";sourcepath={azure_property(shown(path))};linenumber={line}" if path else ""
            heading = f";code={azure_property(title)}" if path else ""
            self._raw_err(f"##vso[task.logissue type={level}{where}{heading}]{azure_data(message)}")

    def traceback(self, text: str) -> None:
        self._raw_err("\n".join(shown(line) for line in text.rstrip("\n").split("\n")))

    # --- data (stdout) --------------------------------------------------------------------------

    def data(self, text: str) -> None:
        self.stdout.write(text if text.endswith("\n") else text + "\n")
        self.stdout.flush()

    def rich_console(self, *, stderr: bool) -> Any:
        """A rich console on the chosen stream (interactive terminals only)."""
        from rich.console import Console

        # No ":name:" emoji codes: a name that looks like one is shown as it is.
        if stderr:
            if self._rich_err is None:
                self._rich_err = Console(
                    file=self.stderr, no_color=not self.environment.color, emoji=False
                )
            return self._rich_err
        return Console(file=self.stdout, no_color=not self.environment.color, emoji=False)

    # --- CI integration -------------------------------------------------------------------------

    def append_step_summary(self, markdown: str) -> None:
        """Append to the GitHub Actions job summary, or add a section to the Azure Pipelines
        run summary, when there is one."""
        if self.environment.azure_pipelines and not self.environment.github_actions:
            self._azure_summary(markdown)
            return
        path = self.environment.step_summary_path
        if not path:
            return
        try:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(markdown.rstrip("\n") + "\n\n")
        except OSError as exc:
            self.debug(f"could not write the step summary: {exc}")

    def _azure_summary(self, markdown: str) -> None:
        """Azure Pipelines shows a markdown file named by ``task.uploadsummary`` on the run's
        summary page; the file goes in the agent's temporary directory."""
        import os
        import tempfile

        directory = os.environ.get(EnvVars.AZURE_TEMP_DIRECTORY) or tempfile.gettempdir()
        try:
            with tempfile.NamedTemporaryFile(
                "w",
                encoding="utf-8",
                dir=directory,
                prefix="fabric-git-",
                suffix=".md",
                delete=False,
            ) as handle:
                handle.write(markdown.rstrip("\n") + "\n")
        except OSError as exc:
            self.debug(f"could not write the run summary: {exc}")
            return
        self._raw_err(f"##vso[task.uploadsummary]{handle.name}")

    # --- internals ------------------------------------------------------------------------------

    def _annotated(self, kind: str, message: str, *, title: str, style: str) -> None:
        message = shown(message)
        self._message(f"{kind}: {message}", style=style)
        if self.environment.github_actions:
            title = github_property(shown(title))
            self._raw_err(f"::{kind} title={title}::{github_data(message)}")
        elif self.environment.azure_pipelines:
            self._raw_err(f"##vso[task.logissue type={kind}]{azure_data(message)}")

    def _message(self, message: str, *, style: str | None) -> None:
        message = shown(message)
        if self.environment.interactive and style:
            from rich.markup import escape

            self.rich_console(stderr=True).print(f"[{style}]{escape(message)}[/{style}]")
            return
        self._raw_err(message)

    def _raw_err(self, line: str) -> None:
        self.stderr.write(line + "\n")
        self.stderr.flush()
