"""SQLite state: one database, one writer at a time, schema files applied once in name order.

Writes go through :meth:`Store.write` (``BEGIN IMMEDIATE`` ... commit or rollback, under one
process-wide lock). Reads use :meth:`Store.read`, which on a file database gives each thread
its own connection in WAL mode, so reads never wait for the writer lock. An in-memory database
has a single connection shared under the lock.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

MEMORY = ":memory:"


def _schema_files() -> list[tuple[str, str]]:
    folder = resources.files("fabric_git.emulator") / "schema"
    scripts = [
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    ]
    return sorted(scripts)


class Store:
    def __init__(self, path: Path | str = MEMORY) -> None:
        self._path = str(path)
        self._memory = self._path == MEMORY
        self._lock = threading.RLock()
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        # Reader connections by thread; a thread pool retires idle threads, so readers of
        # threads that have ended are closed when the next reader opens.
        self._readers: dict[int, tuple[threading.Thread, sqlite3.Connection]] = {}
        self._all_lock = threading.Lock()
        self._closed = False
        if not self._memory:
            _make_private(Path(self._path))
        self._writer = self._connect()
        # 16 MiB of pages for the writer (SQLite's default is 2 MiB): item ids are random, so
        # inserts land all over the tables' B-trees, and with a small cache an emulator holding
        # tens of thousands of items pays a page read for most of them.
        self._writer.execute("PRAGMA cache_size=-16384")
        if not self._memory:
            self._writer.execute("PRAGMA journal_mode=WAL")
        self._migrate()

    @property
    def path(self) -> str:
        return self._path

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self._path, isolation_level=None, check_same_thread=False, timeout=30.0
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys=ON")
        # FULL: a transaction that reported success survives a process kill or a power cut.
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=30000")
        with self._all_lock:
            self._all.append(conn)
        return conn

    def _migrate(self) -> None:
        with self.write() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
            )
            applied = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
            for name, script in _schema_files():
                if name in applied:
                    continue
                for statement in _split_statements(script):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations (name) VALUES (?)", (name,))

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. Re-entrant: a nested call joins the outer transaction."""
        with self._lock:
            if getattr(self._local, "writing", False):
                yield self._writer
                return
            self._check_open()
            self._local.writing = True
            try:
                self._writer.execute("BEGIN IMMEDIATE")
                try:
                    yield self._writer
                except BaseException:
                    self._writer.execute("ROLLBACK")
                    raise
                else:
                    self._writer.execute("COMMIT")
            finally:
                self._local.writing = False

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for reads. Inside :meth:`write` it is the writer itself."""
        if self._memory or getattr(self._local, "writing", False):
            with self._lock:
                self._check_open()
                yield self._writer
            return
        conn: sqlite3.Connection | None = getattr(self._local, "reader", None)
        if conn is None:
            self._check_open()
            self._close_orphaned_readers()
            conn = self._connect()
            self._local.reader = conn
            with self._all_lock:
                self._readers[threading.get_ident()] = (threading.current_thread(), conn)
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def _close_orphaned_readers(self) -> None:
        with self._all_lock:
            for ident, (thread, conn) in list(self._readers.items()):
                if not thread.is_alive():
                    del self._readers[ident]
                    self._all.remove(conn)
                    conn.close()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the store is closed")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            with self._all_lock:
                for conn in self._all:
                    conn.close()
                self._all.clear()
                self._readers.clear()


def expire_operations(conn: sqlite3.Connection, *, finished_before: float) -> int:
    """Delete the operations that finished, and reported so, before ``finished_before`` (their
    state and result with them); returns how many. Running ones are never touched."""
    cursor = conn.execute(
        "DELETE FROM operations WHERE finished_at < ? AND ready_at < ?",
        (finished_before, finished_before),
    )
    return cursor.rowcount


def _make_private(database: Path) -> None:
    """The database (it holds sealed secrets and their key) and its WAL files are the owner's
    alone; SQLite gives the files it creates the database file's mode."""
    from fabric_git.emulator.datadir import make_private_file

    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        if path == database or path.exists():
            make_private_file(path)


def _split_statements(script: str) -> list[str]:
    """Split a schema script on complete statements (``sqlite3.complete_statement``)."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements
