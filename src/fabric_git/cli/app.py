"""The per-invocation context every command receives: global options, terminal and a client
built on first use (so commands that need no service, and ``--help``, never import it)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from fabric_git.cli.constants import EnvVars
from fabric_git.cli.terminal import Terminal

if TYPE_CHECKING:
    from fabric_git._transport import RetryNotice, RetryPolicy
    from fabric_git.cli.progress import ProgressDisplay
    from fabric_git.cli.render import View
    from fabric_git.client import FabricClient

__all__ = ["AppContext", "GlobalOptions", "pass_app"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class GlobalOptions:
    api_url: str | None
    auth: str
    output: str
    timeout: float
    quiet: bool
    verbose: bool
    progress: bool
    deadline: float | None = None
    request_timeout: float = 60.0
    retries: int = 5


# Each request, with its retries, is bounded by --timeout, but never by less than this: a short
# wait for an operation must not cut off the requests that start it.
MIN_CALL_BUDGET = 5.0
# A refused connection is retried at most this many times: an API that is not there fails fast.
MAX_CONNECT_RETRIES = 2


class AppContext:
    """What a command needs besides its own options."""

    def __init__(
        self,
        options: GlobalOptions,
        terminal: Terminal,
        *,
        client_factory: Callable[[GlobalOptions], FabricClient] | None = None,
    ) -> None:
        self.options = options
        self.terminal = terminal
        self._client_factory = client_factory or _default_client
        self._client: FabricClient | None = None
        self._restore_loggers: Callable[[], None] | None = None

    @property
    def json(self) -> bool:
        return self.options.output == "json"

    def client(self) -> FabricClient:
        """The Fabric client, built once per invocation."""
        if self._client is None:
            if not self.options.verbose:
                self._restore_loggers = _quiet_azure_loggers()
            self._client = self._client_factory(self.options)
            if getattr(self._client, "on_retry", False) is None:  # not a test's stand-in
                self._client.on_retry = self._announce_retry
            if self.options.deadline is not None:
                # Counted from here: before its first request, a command has done nothing.
                self._client.set_deadline(self.options.deadline)
        return self._client

    def _announce_retry(self, notice: RetryNotice) -> None:
        """A retry wait, as one line on stderr (the library itself never prints)."""
        self.terminal.info(f"fabric-git: {notice}")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._restore_loggers is not None:
            self._restore_loggers()
            self._restore_loggers = None

    def show(self, view: View) -> None:
        from fabric_git.cli.render import show

        show(view, self.terminal, output=self.options.output)

    def progress(self) -> ProgressDisplay:
        """A display for workflow progress (live on a terminal, plain lines in CI)."""
        from fabric_git.cli.progress import ProgressDisplay

        return ProgressDisplay(self.terminal, operations=self.options.progress)


def _default_client(options: GlobalOptions) -> FabricClient:
    from fabric_git.client import FabricClient
    from fabric_git.lro import PollPolicy

    poll = PollPolicy(timeout=options.timeout)
    seconds = poll_interval(os.environ)
    if seconds is not None:
        poll = PollPolicy(
            default_interval=seconds,
            min_interval=min(seconds, poll.min_interval),
            max_interval=max(seconds, poll.max_interval),
            timeout=options.timeout,
        )
    kwargs: dict[str, Any] = {"poll": poll, "retry": retry_policy(options)}
    if options.api_url:
        kwargs["base_url"] = options.api_url
    return FabricClient(
        credential=_credential(options.auth), timeout=options.request_timeout, **kwargs
    )


def retry_policy(options: GlobalOptions) -> RetryPolicy:
    """The retry policy the global options ask for."""
    from fabric_git._transport import RetryPolicy

    return RetryPolicy(
        max_attempts=options.retries + 1,
        connect_attempts=min(options.retries, MAX_CONNECT_RETRIES) + 1,
        total_budget=max(options.timeout, MIN_CALL_BUDGET),
    )


def poll_interval(environ: Mapping[str, str]) -> float | None:
    """``FABRIC_GIT_POLL_INTERVAL`` in seconds, None when unset; a usage error when it is not a
    positive number."""
    text = environ.get(EnvVars.POLL_INTERVAL, "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds < float("inf"):
        raise click.UsageError(
            f"{EnvVars.POLL_INTERVAL}={text!r} is not a positive number of seconds; "
            f"set it to one (for example 0.5), or unset it."
        )
    return seconds


def _credential(auth: str) -> Any:
    """The credential ``--auth`` names. A sign-in setting that is missing or wrong is an
    authentication failure (exit 3), not a usage error."""
    from fabric_git.auth import credential_from_env
    from fabric_git.errors import AuthenticationError, ConfigurationError

    try:
        return credential_from_env(auth)
    except ConfigurationError as error:
        raise AuthenticationError(str(error)) from error


# Loggers whose warnings repeat, at length, a sign-in failure the error line already reports.
_AZURE_LOGGERS = ("azure.identity", "azure.core")


def _quiet_azure_loggers() -> Callable[[], None]:
    """Silence azure-identity's and azure-core's own warnings (``--verbose`` keeps them).
    Returns the function that puts their levels back."""
    import logging

    loggers = [logging.getLogger(name) for name in _AZURE_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)

    def restore() -> None:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)

    return restore


def pass_app(function: F) -> F:
    """Give a command the ``AppContext`` as its first argument."""
    return click.pass_obj(function)  # type: ignore[return-value]
