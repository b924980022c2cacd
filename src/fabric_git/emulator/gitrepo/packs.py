"""Git objects of one commit written as a single pack, not as a file per object.

A commit of a thousand items creates thousands of blobs and trees; written loose, each is a
file (and often a directory) of its own, which on slow disks costs far more than hashing and
compressing them. ``PackWriter`` compresses the objects into one pack file as they come
and writes its version 2 index (the formats of ``git-pack-objects`` and ``git-index-pack``:
undeltified, zlib-compressed objects), which Git and libgit2 read like any other pack.

A pack is written under a temporary name (``tmp_<32 hex>.pack``, then ``.idx``) and renamed into
place when complete; a process killed before that leaves the temporary files, which
:func:`remove_unfinished` drops at start-up.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import uuid
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from fabric_git.emulator import crashpoints

__all__ = [
    "BLOB",
    "COMMIT",
    "TREE",
    "PackWriter",
    "object_id",
    "remove_unfinished",
    "tree_content",
]

COMMIT, TREE, BLOB = 1, 2, 3
_NAMES = {COMMIT: b"commit", TREE: b"tree", BLOB: b"blob"}
_COMPRESSION = 1  # fast: a pack written by a commit is repacked by any later gc anyway
_MAX_OFFSET = 2**31  # beyond this the index needs its large-offset table, never needed here
_BUFFER = 1 << 20
_TEMPORARY = re.compile(r"tmp_[0-9a-f]{32}\.(?:pack|idx)")
"""This writer's temporary names only: Git's own (``tmp_pack_*``, ``tmp_idx_*``) never match."""


def object_id(kind: int, data: bytes) -> bytes:
    """The 20-byte id Git gives an object of ``kind`` holding ``data``."""
    digest = hashlib.sha1(b"%s %d\0" % (_NAMES[kind], len(data)), usedforsecurity=False)
    digest.update(data)
    return digest.digest()


def tree_content(entries: Iterable[tuple[bytes, int, bytes]]) -> bytes:
    """A tree object's content from (name, file mode, 20-byte id) entries, in Git's order:
    by name, a subtree's name compared as if it ended with '/'."""

    def order(entry: tuple[bytes, int, bytes]) -> bytes:
        name, mode, _ = entry
        return name + b"/" if mode == 0o040000 else name

    return b"".join(
        b"%o %s\0%s" % (mode, name, oid) for name, mode, oid in sorted(entries, key=order)
    )


def _entry_header(kind: int, size: int) -> bytes:
    header = bytearray()
    byte = (kind << 4) | (size & 0x0F)
    size >>= 4
    while size:
        header.append(byte | 0x80)
        byte = size & 0x7F
        size >>= 7
    header.append(byte)
    return bytes(header)


class PackWriter:
    """New objects of one commit, written as one pack into ``pack_dir``.

    Each object is compressed into a temporary pack file as it is added, so the writer holds
    no object's content (only ids, checksums and offsets); :meth:`write` completes the file
    (object count, checksum) and its index. :meth:`discard` drops an unfinished pack.
    """

    def __init__(self, pack_dir: Path, *, crash_at: str | None = None) -> None:
        self._dir = pack_dir
        self._crash_at = crash_at  # the durability tests' crash point (``crashpoints``)
        self._entries: dict[bytes, tuple[int, int]] = {}  # id -> (crc32, offset)
        self._temporary = pack_dir / f"tmp_{uuid.uuid4().hex}.pack"  # see _TEMPORARY
        self._file: BinaryIO | None = None
        self._offset = 0

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, kind: int, data: bytes) -> bytes:
        """Add an object (once per id); returns its 20-byte id."""
        oid = object_id(kind, data)
        if oid in self._entries:
            return oid
        if self._file is None:
            self._dir.mkdir(parents=True, exist_ok=True)
            self._file = open(self._temporary, "w+b", buffering=_BUFFER)  # closed by write/discard
            self._offset = self._file.write(_pack_header(0))
        if self._offset >= _MAX_OFFSET:
            raise ValueError("a pack this large needs an index with large offsets")
        entry = _entry_header(kind, len(data)) + zlib.compress(data, _COMPRESSION)
        self._entries[oid] = (zlib.crc32(entry), self._offset)
        self._offset += self._file.write(entry)
        return oid

    def write(self) -> str:
        """Complete ``pack-<sha>.pack`` and write its ``.idx``; returns the pack's name. The
        index is renamed into place last: readers look packs up by their index, so a crash
        leaves no half pack in use."""
        file = self._file
        if file is None:
            raise ValueError("an empty pack")
        file.seek(0)
        file.write(_pack_header(len(self._entries)))
        file.seek(0)
        pack = hashlib.sha1(usedforsecurity=False)
        while block := file.read(_BUFFER):
            pack.update(block)
        checksum = pack.digest()
        file.write(checksum)
        file.close()
        self._file = None
        name = f"pack-{checksum.hex()}"
        index = self._temporary.with_suffix(".idx")
        entries = [(oid, crc, offset) for oid, (crc, offset) in self._entries.items()]
        crashpoints.crash_point(crashpoints.COMMIT_INSIDE_PACK_WRITE, self._crash_at)
        _write(index, [_index(entries, checksum)])
        os.replace(self._temporary, self._dir / f"{name}.pack")
        os.replace(index, self._dir / f"{name}.idx")
        return name

    def discard(self) -> None:
        """Drop the pack if it was not written (a commit that failed half-way)."""
        if self._file is not None:
            self._file.close()
            self._file = None
            self._temporary.unlink(missing_ok=True)


def remove_unfinished(pack_dir: Path) -> list[Path]:
    """Remove the temporary files of packs a killed writer never completed, and nothing else
    (no completed ``pack-*`` file, no temporary file of Git's own). Only safe while nothing
    writes packs here, i.e. at start-up. Returns the removed paths."""
    if not pack_dir.is_dir():
        return []
    removed = []
    for path in sorted(pack_dir.iterdir()):
        if _TEMPORARY.fullmatch(path.name) and path.is_file():
            path.unlink()
            removed.append(path)
    return removed


def _pack_header(count: int) -> bytes:
    return b"PACK" + struct.pack(">II", 2, count)


def _index(entries: list[tuple[bytes, int, int]], pack_checksum: bytes) -> bytes:
    entries = sorted(entries)
    fanout = [0] * 256
    for oid, _, _ in entries:
        fanout[oid[0]] += 1
    total = 0
    for first in range(256):
        total += fanout[first]
        fanout[first] = total
    body = b"".join(
        [
            b"\377tOc" + struct.pack(">I", 2),
            struct.pack(">256I", *fanout),
            b"".join(oid for oid, _, _ in entries),
            b"".join(struct.pack(">I", crc) for _, crc, _ in entries),
            b"".join(struct.pack(">I", offset) for _, _, offset in entries),
            pack_checksum,
        ]
    )
    return body + hashlib.sha1(body, usedforsecurity=False).digest()


def _write(path: Path, chunks: list[bytes]) -> None:
    with open(path, "wb") as file:
        for chunk in chunks:
            file.write(chunk)
