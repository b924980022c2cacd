"""Fingerprints of item parts: the Git blob ids of the files an item is (or would be) written as.

Two versions of an item whose fingerprints are equal hold the same parts for ``same_content``,
so a comparison of thousands of items can trust equal fingerprints and read the contents of
the few that differ. A fingerprint that differs proves nothing (a repository may hold CRLF
text the emulator would write with LF): those versions are compared in full.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from fabric_git.emulator.gitrepo.references import same_metadata, same_part, same_parts
from fabric_git.repoformat.model import MAX_FILE_BYTES, ItemState, RepoItem, canonical_bytes

__all__ = [
    "PrintedState",
    "blob_id",
    "over_file_limit",
    "part_ids_of",
    "repo_part_ids",
    "same_version",
    "written_part_ids",
]


def blob_id(data: bytes) -> str:
    """Git's id of a blob holding ``data`` (SHA-1 of ``blob <size>\\0`` + content)."""
    digest = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    digest.update(data)
    return digest.hexdigest()


def written_part_ids(parts: Mapping[str, bytes]) -> dict[str, str] | None:
    """The blob ids of ``parts`` as a commit writes them (``canonical_bytes``), by path.

    None when a part's written form is not stable under ``canonical_bytes`` (text holding
    ``\\r\\r\\n``): a repository file with that id could still differ from the part for
    ``same_content``, so such an item is always compared in full.
    """
    ids: dict[str, str] = {}
    for path, content in parts.items():
        written = canonical_bytes(content)
        if written is not content and canonical_bytes(written) != written:
            return None
        ids[path] = blob_id(written)
    return ids


def repo_part_ids(item: RepoItem, blob_ids: Callable[[str], str]) -> dict[str, str]:
    """The blob ids of a repository item's parts, by part path; ``blob_ids`` gives the id of a
    repo-relative file path (``TreeFiles.blob_id``) without reading its content."""
    return {name: blob_ids(f"{item.directory}/{name}") for name in item.state.parts}


@dataclass(frozen=True)
class PrintedState(ItemState):
    """An item version that knows the fingerprint of its parts (None: unknown), so comparing
    it needs its parts only when fingerprints differ. ``parts`` may be read lazily."""

    part_ids: Mapping[str, str] | None = field(default=None, compare=False, repr=False)
    part_size: Callable[[str], int] | None = field(default=None, compare=False, repr=False)
    """A part's stored size, known without reading it (a Git blob's, from its header)."""


def part_ids_of(state: ItemState) -> Mapping[str, str] | None:
    """The fingerprint of a version's parts: the one it carries, else the one its parts give
    (a lazily read map may have a ``part_ids()`` method), else None."""
    if isinstance(state, PrintedState) and state.part_ids is not None:
        return state.part_ids
    computed = getattr(state.parts, "part_ids", None)
    if callable(computed):
        found = computed()
        return found if isinstance(found, Mapping) else None
    return None


def over_file_limit(state: ItemState, path: str) -> bool:
    """Whether the part is known, without reading it, to be larger than a file may be (25 MB):
    such a part is never read to be compared, and counts as changed (an update refuses it)."""
    size = state.part_size if isinstance(state, PrintedState) else None
    return size is not None and size(path) > MAX_FILE_BYTES


def same_version(a: ItemState, b: ItemState) -> bool:
    """``same_content``, taking equal fingerprints of parts as proof of equal parts: where
    both fingerprints are known, only the parts whose blob ids differ are read and compared
    (and none over the file limit)."""
    if not same_metadata(a, b):
        return False
    a_ids, b_ids = part_ids_of(a), part_ids_of(b)
    if a_ids is None or b_ids is None:
        return same_parts(a, b)
    if a_ids == b_ids:
        return True
    if a_ids.keys() != b_ids.keys():
        return False
    differing = [path for path, oid in a_ids.items() if b_ids[path] != oid]
    if any(over_file_limit(state, path) for path in differing for state in (a, b)):
        return False
    return all(same_part(a.parts[path], b.parts[path]) for path in differing)
