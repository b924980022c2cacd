"""The SQLite store: migrations once, rollback on error, nested writes, reader connections."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from fabric_git.emulator.store import Store


def test_migrations_apply_once(tmp_path: Path):
    store = Store(tmp_path / "db.sqlite")
    with store.read() as conn:
        applied = [row[0] for row in conn.execute("SELECT name FROM schema_migrations")]
    store.close()
    assert "001_core.sql" in applied
    reopened = Store(tmp_path / "db.sqlite")
    with reopened.read() as conn:
        again = [row[0] for row in conn.execute("SELECT name FROM schema_migrations")]
    reopened.close()
    assert again == applied


def test_failed_write_rolls_back_and_nested_writes_join(tmp_path: Path):
    store = Store(tmp_path / "db.sqlite")
    try:
        with pytest.raises(RuntimeError), store.write() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
            raise RuntimeError("boom")
        with store.write() as outer:
            outer.execute("INSERT INTO meta (key, value) VALUES ('b', '2')")
            with store.write() as inner:
                assert inner is outer
                inner.execute("INSERT INTO meta (key, value) VALUES ('c', '3')")
        with store.read() as conn:
            keys = {row[0] for row in conn.execute("SELECT key FROM meta")}
        assert keys == {"b", "c"}
    finally:
        store.close()


def test_readers_of_ended_threads_are_closed(tmp_path: Path):
    store = Store(tmp_path / "db.sqlite")
    try:

        def read_once() -> None:
            with store.read() as conn:
                conn.execute("SELECT 1").fetchone()

        for _ in range(5):
            thread = threading.Thread(target=read_once)
            thread.start()
            thread.join()
        read_once()
        # The writer, plus the reader of this thread; the five ended threads' readers are gone.
        assert len(store._all) == 2
    finally:
        store.close()


def test_closed_store_refuses_work():
    store = Store()
    store.close()
    with pytest.raises(RuntimeError), store.write():
        pass


def test_a_full_disk_answers_insufficient_storage(emu, client):
    # SQLite's own limit on the database's pages: the next page it needs fails as a full disk
    # does (SQLITE_FULL), through the store's real write path.
    with emu.state.store.write() as conn:
        (pages,) = conn.execute("PRAGMA page_count").fetchone()
        conn.execute(f"PRAGMA max_page_count = {pages}")
    for n in range(500):
        response = client.post(
            "/workspaces", json={"displayName": f"Fill {n}", "description": "x" * 3000}
        )
        if response.status_code != 201:
            break
    assert response.status_code == 507, response.text
    body = response.json()
    assert body["errorCode"] == "InsufficientStorage"
    assert "disk is full" in body["message"]
    assert client.get("/workspaces").status_code == 200  # reads still work


def test_a_full_disk_is_known_by_its_code_not_its_text():
    import errno
    import sqlite3

    from fabric_git.emulator.errors import is_disk_full

    assert is_disk_full(OSError(errno.ENOSPC, "anything"))
    assert is_disk_full(OSError(errno.EDQUOT, "anything"))
    assert not is_disk_full(OSError(errno.EACCES, "no space left on device"))
    # pygit2's OSError for a libgit2 OS failure carries no errno, only strerror's text.
    assert is_disk_full(OSError("failed to write object: No space left on device"))
    assert not is_disk_full(OSError("'No space left on device' is not a valid name"))
    # A message that only reads like SQLite's is not SQLITE_FULL.
    assert not is_disk_full(sqlite3.OperationalError("database or disk is full"))
    assert not is_disk_full(RuntimeError("no space left on device"))
