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

# How long a finished operation's state and result stay readable (seconds): Fabric does not
# keep them forever, and a bounded table keeps a long-running emulator's memory and disk flat.
DEFAULT_OPERATION_RETENTION = 24 * 3600.0


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
    operation_retention: float = DEFAULT_OPERATION_RETENTION
    faults: tuple[FaultRule, ...] = ()
    secret: str | None = field(default=None, repr=False)
    access_log: bool = False
    worker_threads: int = 8
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
        if self.operation_retention <= 0:
            raise ValueError("operation_retention must be positive")
        if self.worker_threads < 1:
            raise ValueError("worker_threads must be at least 1")
        if self.page_size < 1:
            raise ValueError("page_size must be at least 1")
        if self.data_dir is not None and not isinstance(self.data_dir, Path):
            object.__setattr__(self, "data_dir", Path(self.data_dir))

    @property
    def persistent(self) -> bool:
        return self.data_dir is not None
