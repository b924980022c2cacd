"""Git objects of one commit written as a single pack, not as a file per object.

A commit of a thousand items creates thousands of blobs and trees; written loose, each is a
file (and often a directory) of its own, which on slow disks costs far more than hashing and
compressing them. ``PackWriter`` collects the objects in memory and writes them as one pack
file and its version 2 index (the formats of ``git-pack-objects`` and ``git-index-pack``:
undeltified, zlib-compressed objects), which Git and libgit2 read like any other pack.
"""

from __future__ import annotations

import hashlib
import os
import struct
import uuid
import zlib
from collections.abc import Iterable
from pathlib import Path

__all__ = ["BLOB", "COMMIT", "TREE", "PackWriter", "object_id", "tree_content"]

COMMIT, TREE, BLOB = 1, 2, 3
_NAMES = {COMMIT: b"commit", TREE: b"tree", BLOB: b"blob"}
_COMPRESSION = 1  # fast: a pack written by a commit is repacked by any later gc anyway
_MAX_OFFSET = 2**31  # beyond this the index needs its large-offset table, never needed here


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
    """New objects of one commit, written as one pack by :meth:`write`."""

    def __init__(self) -> None:
        self._objects: dict[bytes, tuple[int, bytes]] = {}

    def __len__(self) -> int:
        return len(self._objects)

    def add(self, kind: int, data: bytes) -> bytes:
        """Add an object (once per id); returns its 20-byte id."""
        oid = object_id(kind, data)
        self._objects.setdefault(oid, (kind, data))
        return oid

    def write(self, pack_dir: Path) -> str:
        """Write ``pack-<sha>.pack`` and its ``.idx`` into ``pack_dir`` (the repository's
        ``objects/pack``); returns the pack's name. The index is renamed into place last:
        readers look packs up by their index, so a crash leaves no half pack in use."""
        if not self._objects:
            raise ValueError("an empty pack")
        pack = hashlib.sha1(usedforsecurity=False)
        chunks = [b"PACK" + struct.pack(">II", 2, len(self._objects))]
        offset = len(chunks[0])
        index: list[tuple[bytes, int, int]] = []  # (id, crc32, offset)
        for oid, (kind, data) in self._objects.items():
            entry = _entry_header(kind, len(data)) + zlib.compress(data, _COMPRESSION)
            if offset >= _MAX_OFFSET:
                raise ValueError("a pack this large needs an index with large offsets")
            index.append((oid, zlib.crc32(entry), offset))
            chunks.append(entry)
            offset += len(entry)
        for chunk in chunks:
            pack.update(chunk)
        checksum = pack.digest()
        name = f"pack-{checksum.hex()}"
        pack_dir.mkdir(parents=True, exist_ok=True)
        temporary = pack_dir / f"tmp_{uuid.uuid4().hex}"
        _write(temporary.with_suffix(".pack"), [*chunks, checksum])
        _write(temporary.with_suffix(".idx"), [_index(index, checksum)])
        os.replace(temporary.with_suffix(".pack"), pack_dir / f"{name}.pack")
        os.replace(temporary.with_suffix(".idx"), pack_dir / f"{name}.idx")
        return name


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
