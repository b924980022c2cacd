"""The data directory: private to its owner, and used by one emulator at a time.

Two emulators on one directory would each recover the other's running operations as
interrupted and race on the same repositories, so the first takes an exclusive lock on a file
in it (``flock``: the kernel releases it when the process ends, however it ends) and writes
its process id there; a second one is refused with that id. Where ``flock`` does not exist
(Windows), the directory is not locked.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

LOCK_FILE = "emulator.lock"
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


class DataDirInUse(RuntimeError):
    """Another process holds the data directory's lock."""

    def __init__(self, data_dir: Path, holder: str) -> None:
        self.data_dir = data_dir
        self.holder = holder
        who = f"process {holder}" if holder else "another process"
        super().__init__(f"the data directory {data_dir} is in use by {who}")


def make_private(directory: Path) -> None:
    """Create ``directory`` (and its parents) if missing; make it owner-only (0700)."""
    directory.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    _restrict(directory, PRIVATE_DIR)


def make_private_file(path: Path) -> None:
    """Create ``path`` empty if missing; make it readable and writable by its owner only."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    _restrict(path, PRIVATE_FILE)


def _restrict(path: Path, mode: int) -> None:
    if stat.S_IMODE(path.stat().st_mode) != mode:
        path.chmod(mode)


class DataDirLock:
    """The lock an emulator holds on its data directory while it runs."""

    def __init__(self, fd: int | None) -> None:
        self._fd = fd

    @classmethod
    def acquire(cls, data_dir: Path) -> DataDirLock:
        """Make ``data_dir`` private and lock it; :class:`DataDirInUse` if another holds it."""
        make_private(data_dir)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return cls(None)
        fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 64).decode("ascii", "replace").strip()
            os.close(fd)
            raise DataDirInUse(data_dir, holder) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        return cls(fd)

    def release(self) -> None:
        """Unlock (the file stays: removing it would race with the next emulator's open)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __del__(self) -> None:
        # An emulator that failed half-way through starting never reaches its close.
        self.release()
