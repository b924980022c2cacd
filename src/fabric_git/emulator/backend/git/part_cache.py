"""Workspace items' parts in their repository form, with fingerprints kept between requests.

Get Status compares every workspace item with its BASE and remote versions. Reading and
rewriting the parts of a thousand items for each request costs far more than the comparison,
so for each item the blob ids of its parts as a commit would write them are kept
(``fingerprints.written_part_ids``). One is trusted only while both of these hold:

- the item's parts stamp is the one it was computed under (``schema/012_git_part_stamps.sql``:
  triggers give an item a new random stamp whenever its parts change);
- every GUID its parts name is rewritten as it was then: another item getting a logical id
  changes the repository form of the items that refer to it, and nothing else's.

Everything else Git integration compares (type, name, description, folder, ``.platform``
metadata) is read for each request and compared directly. Parts are read through a lazy map,
only for the items a comparison cannot settle by fingerprints (or by metadata alone).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from fabric_git.emulator.backend import items
from fabric_git.emulator.gitrepo.fingerprints import written_part_ids
from fabric_git.emulator.gitrepo.references import RepoReferences

__all__ = ["PartCache", "WorkspaceParts"]

_MAX_ENTRIES = 100_000


@dataclass(frozen=True)
class _Entry:
    stamp: int
    targets: tuple[tuple[str, str | None], ...]  # each GUID the parts name -> its rewrite
    part_ids: Mapping[str, str] | None


class PartCache:
    """Fingerprints of workspace items' parts by item id, for one store (the emulator state
    owns one). Thread-safe."""

    def __init__(self, max_entries: int = _MAX_ENTRIES) -> None:
        self._entries: dict[str, _Entry] = {}
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, item_id: str) -> _Entry | None:
        return self._entries.get(item_id)

    def put(self, item_id: str, entry: _Entry) -> None:
        with self._lock:
            self._entries.pop(item_id, None)
            self._entries[item_id] = entry
            if len(self._entries) > self._max_entries:
                # The oldest tenth goes: items not seen for longest, usually deleted ones.
                for stale in list(self._entries)[: self._max_entries // 10 or 1]:
                    del self._entries[stale]


class _LazyParts(Mapping[str, bytes]):
    """Parts read on first use, inside the read transaction that made them; ``part_ids``
    gives their fingerprint (``fingerprints.part_ids_of``), reading them if need be."""

    __slots__ = ("_ids", "_item_id", "_parts", "_source")

    def __init__(self, source: WorkspaceParts, item_id: str) -> None:
        self._source = source
        self._item_id = item_id
        self._parts: dict[str, bytes] | None = None
        self._ids: Mapping[str, str] | None = None

    def _loaded(self) -> dict[str, bytes]:
        if self._parts is None:
            self._parts, self._ids = self._source.read_with_ids(self._item_id)
        return self._parts

    def part_ids(self) -> Mapping[str, str] | None:
        self._loaded()
        return self._ids

    def __getitem__(self, path: str) -> bytes:
        return self._loaded()[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())

    def __repr__(self) -> str:
        return "<parts not read yet>" if self._parts is None else repr(self._parts)


class WorkspaceParts:
    """The repository form of one workspace's items' parts within one transaction: the items'
    stamps are read once, parts rewritten with ``references`` and their fingerprints kept."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        workspace_id: str,
        references: RepoReferences,
        cache: PartCache,
    ) -> None:
        self._conn = conn
        self._references = references
        self._cache = cache
        rows = conn.execute(
            "SELECT s.item_id, s.stamp FROM git_part_stamps s JOIN items i ON i.id = s.item_id"
            " WHERE i.workspace_id = ?",
            (workspace_id,),
        ).fetchall()
        self._stamps: dict[str, int] = {str(row[0]): int(row[1]) for row in rows}

    def parts(self, item_id: str) -> tuple[Mapping[str, bytes], Mapping[str, str] | None]:
        """The item's parts in repository form, read only if they are looked at, and their
        fingerprint if a trusted one is kept (None: unknown)."""
        entry = self._cache.get(item_id)
        trusted = (
            entry is not None
            and self._stamps.get(item_id) == entry.stamp
            and self._references.agrees(entry.targets)
        )
        return _LazyParts(self, item_id), (entry.part_ids if entry and trusted else None)

    def read(self, item_id: str) -> dict[str, bytes]:
        """Read and rewrite the item's parts, and keep their fingerprint."""
        return self.read_with_ids(item_id)[0]

    def read_with_ids(self, item_id: str) -> tuple[dict[str, bytes], Mapping[str, str] | None]:
        """``read``, with the fingerprint of what it read."""
        found: set[str] = set()
        rewritten = self._references.rewrite(items.get_parts(self._conn, item_id), found)
        part_ids = written_part_ids(rewritten)
        # The stamp read now, with the parts: a write transaction may have changed them since.
        stamp = self._stamp(item_id)
        if stamp is not None:
            self._cache.put(item_id, _Entry(stamp, self._references.targets(found), part_ids))
        return rewritten, part_ids

    def _stamp(self, item_id: str) -> int | None:
        row = self._conn.execute(
            "SELECT stamp FROM git_part_stamps WHERE item_id = ?", (item_id,)
        ).fetchone()
        return int(row[0]) if row is not None else None
