"""Blob contents: a byte-budgeted cache shared by a host's repositories (blob ids are content
hashes), and the files of a tree read on lookup."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping

import pygit2

from fabric_git.repoformat.model import LayoutError

__all__ = ["BlobCache", "TreeFiles"]


class BlobCache:
    """Blob contents by id, least recently used dropped first past a byte budget."""

    def __init__(self, budget: int) -> None:
        self._budget = budget
        self._size = 0
        self._entries: OrderedDict[pygit2.Oid, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, oid: pygit2.Oid) -> bytes | None:
        with self._lock:
            cached = self._entries.get(oid)
            if cached is not None:
                self._entries.move_to_end(oid)
            return cached

    def data(self, blob: pygit2.Blob) -> bytes:
        cached = self.get(blob.id)
        if cached is not None:
            return cached
        content = blob.data
        self.put(blob.id, content)
        return content

    def put(self, oid: pygit2.Oid, content: bytes) -> None:
        if len(content) > self._budget // 8:
            return  # too big to be worth evicting everything else for
        with self._lock:
            if oid not in self._entries:
                self._entries[oid] = content
                self._size += len(content)
                while self._size > self._budget:
                    _, dropped = self._entries.popitem(last=False)
                    self._size -= len(dropped)


class TreeFiles(Mapping[str, bytes]):
    """The files of a tree, repo-relative path -> content, each content read on lookup; with
    ``size`` and ``max_bytes``, a lookup of a file larger than ``max_bytes`` raises LayoutError
    ``GitProviderOperationFailed`` instead.

    Keys and blob ids come from one walk of the tree; contents are immutable, so a lookup
    gives the same bytes whenever it is made and from any thread.
    """

    def __init__(
        self,
        read: Callable[[pygit2.Oid], bytes],
        ids: dict[str, pygit2.Oid],
        label: str,
        *,
        size: Callable[[pygit2.Oid], int] | None = None,
        max_bytes: int | None = None,
    ) -> None:
        self._read = read
        self._ids = ids
        self._label = label
        self._size = size
        self._max_bytes = max_bytes

    def __getitem__(self, path: str) -> bytes:
        oid = self._ids[path]
        if self._size is not None and self._max_bytes is not None:
            # Decided from the blob's header: a file over the limit is never read whole.
            if self._size(oid) > self._max_bytes:
                raise LayoutError(
                    "GitProviderOperationFailed",
                    f"The file {path} is larger than {self._max_bytes // (1024 * 1024)} MB.",
                )
        return self._read(oid)

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, path: object) -> bool:
        return path in self._ids

    def blob_id(self, path: str) -> str:
        """Git's id of the file's content (its SHA-1 blob hash), without reading it."""
        return str(self._ids[path])

    def __repr__(self) -> str:
        return f"TreeFiles({self._label}, {len(self._ids)} files)"
