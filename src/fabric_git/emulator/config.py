"""Emulator settings (frozen, keyword-only) and the clock it reads time from."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import anyio

if TYPE_CHECKING:
    from fabric_git.emulator.faults import FaultRule

LroMode = Literal["async", "sync"]
MissingDirectory = Literal["refuse", "create"]
"""Connect to a ``directoryName`` the branch lacks: ``refuse`` answers 404
``GitProviderResourceNotFound`` (the API, per Microsoft's automation guidance); ``create``
connects and the first commit creates it (the portal's "Create and sync")."""

# How long a finished operation's state and result stay readable (seconds): Fabric does not
# keep them forever, and a bounded table keeps a long-running emulator's memory and disk flat.
DEFAULT_OPERATION_RETENTION = 24 * 3600.0
# The largest legitimate REST body is an item definition at the commit limit (125 MB of parts,
# the semantics document's cap): base64 makes that 167 MB, and part names and JSON add a
# little. Anything larger could never be committed, so it is refused before it is read.
DEFAULT_MAX_BODY_BYTES = 176 * 1024 * 1024
# A request line and headers (h11's default; a bearer token is about 2 KB).
MAX_HEAD_BYTES = 16 * 1024


class Clock(Protocol):
    """Wall-clock seconds and sleeping; tests inject a clock they advance by hand."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)


@dataclass(frozen=True, kw_only=True)
class EmulatorConfig:
    """How an emulator runs.

    ``data_dir`` keeps state (SQLite, repositories, the token secret) across restarts; without
    it, or with ``in_memory=True``, state lives in memory and repositories in a temporary
    directory removed at close.
    """

    host: str = "127.0.0.1"
    port: int = 0
    data_dir: Path | None = None
    in_memory: bool = False
    lro_mode: LroMode = "async"
    lro_duration: float = 1.0
    retry_after: int = 1
    page_size: int = 100
    missing_directory: MissingDirectory = "refuse"
    operation_retention: float = DEFAULT_OPERATION_RETENTION
    faults: tuple[FaultRule, ...] = ()
    secret: str | None = field(default=None, repr=False)
    access_log: bool = False
    worker_threads: int = 8
    header_timeout: float = 10.0
    """Seconds a connection may take to send a request's headers (else it is closed)."""
    body_timeout: float = 30.0
    """Seconds a request may wait between two parts of its body (else 408 / closed)."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """The largest REST request body (``/v1``, ``/_emulator``); larger ones answer 413."""
    max_connections: int = 512
    """Open connections beyond this are closed at once (a socket server only)."""
    git_backends: int = 8
    """Concurrent ``git http-backend`` processes; more Git requests answer 503."""
    clock: Clock = field(default_factory=SystemClock)
    crash_at: str | None = None
    """Test hook: the ``crashpoints`` point at which the process kills itself (None: none)."""

    def __post_init__(self) -> None:
        if self.data_dir is not None and self.in_memory:
            raise ValueError("choose data_dir or in_memory, not both")
        if self.lro_mode not in ("async", "sync"):
            raise ValueError("lro_mode must be 'async' or 'sync'")
        if self.lro_duration < 0 or self.retry_after < 0:
            raise ValueError("lro_duration and retry_after must not be negative")
        if self.missing_directory not in ("refuse", "create"):
            raise ValueError("missing_directory must be 'refuse' or 'create'")
        if self.operation_retention <= 0:
            raise ValueError("operation_retention must be positive")
        if self.worker_threads < 1:
            raise ValueError("worker_threads must be at least 1")
        if min(self.header_timeout, self.body_timeout) <= 0:
            raise ValueError("header_timeout and body_timeout must be positive")
        if self.max_body_bytes < 1:
            raise ValueError("max_body_bytes must be at least 1")
        if min(self.max_connections, self.git_backends) < 1:
            raise ValueError("max_connections and git_backends must be at least 1")
        if self.page_size < 1:
            raise ValueError("page_size must be at least 1")
        if self.data_dir is not None and not isinstance(self.data_dir, Path):
            object.__setattr__(self, "data_dir", Path(self.data_dir))

    @property
    def persistent(self) -> bool:
        return self.data_dir is not None
