"""The one way the emulator writes Git trees and commits, for every commit it makes.

A commit's changes (path -> content, or None to delete) are nested into directories, each path
checked once by :func:`check_path`; :func:`write_tree` then writes the tree of ``base`` + the
changes, touching only the changed paths, into an :class:`ObjectSink`. A small commit's sink
writes loose objects into the repository; a large one's collects them into one pack
(``packs.PackWriter``). Either way the objects, and so the commit ids, are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol, Union

import pygit2

from fabric_git.emulator.gitrepo.packs import BLOB, COMMIT, TREE, tree_content
from fabric_git.repoformat.paths import git_path_problem, gitmodules_problem

__all__ = [
    "Changes",
    "LooseObjects",
    "ObjectSink",
    "check_path",
    "InvalidTreePath",
    "commit_content",
    "nest",
    "write_tree",
]

Changes = dict[str, Union[bytes, None, "Changes"]]


class InvalidTreePath(ValueError):
    """A path that cannot be a tree entry, or two paths that cannot both be: the caller's
    input, never a fault of the repository."""


"""Nested changes: a name maps to new content, None (deleted) or a directory's changes."""

_TREE_MODE = int(pygit2.enums.FileMode.TREE)
_BLOB_MODE = int(pygit2.enums.FileMode.BLOB)
_EXECUTABLE_MODE = int(pygit2.enums.FileMode.BLOB_EXECUTABLE)


class ObjectSink(Protocol):
    """Where new objects go; ``add`` returns the 20-byte id Git gives the object."""

    def add(self, kind: int, data: bytes) -> bytes: ...


class LooseObjects:
    """Objects written one by one into a repository's object database."""

    _KINDS = {
        COMMIT: pygit2.enums.ObjectType.COMMIT,
        TREE: pygit2.enums.ObjectType.TREE,
        BLOB: pygit2.enums.ObjectType.BLOB,
    }

    def __init__(self, repo: pygit2.Repository) -> None:
        self._repo = repo

    def add(self, kind: int, data: bytes) -> bytes:
        return self._repo.write(self._KINDS[kind], data).raw


def check_path(path: str) -> list[str]:
    """The names of a repo-relative file path; ValueError when a name cannot be a tree entry:
    empty, ``.``, ``..``, holding a NUL, or any name Git's own checks refuse (``.git`` in every
    spelling a checkout would take for it, ``.gitmodules`` in every spelling fsck reads as one;
    the rules are the shared repository-format ones)."""
    names = path.strip("/").split("/")
    joined = "/".join(names)
    problem = (
        "a NUL byte" if "\0" in path else git_path_problem(joined) or gitmodules_problem(joined)
    )
    if problem is not None:
        raise InvalidTreePath(f"invalid path {path!r}: {problem}")
    return names


def _only_deletions(node: bytes | None | Changes) -> bool:
    if isinstance(node, dict):
        return all(_only_deletions(child) for child in node.values())
    return node is None


def nest(changes: Mapping[str, bytes | None]) -> Changes:
    """``{"a/b": x}`` -> ``{"a": {"b": x}}``. A path cannot be both a file and a directory,
    except that a file may replace a directory whose files are all deleted, and vice versa."""
    root: Changes = {}
    for path, content in changes.items():
        names = check_path(path)
        node = root
        for name in names[:-1]:
            child = node.get(name)
            if child is None:
                child = node[name] = {}
            elif not isinstance(child, dict):
                raise InvalidTreePath(f"{path!r} is below a file that is also changed")
            node = child
        leaf = node.get(names[-1])
        if isinstance(leaf, dict) and not (content is None or _only_deletions(leaf)):
            raise InvalidTreePath(f"{path!r} is also a directory of other changed paths")
        if not (isinstance(leaf, dict) and content is None):
            node[names[-1]] = content
    return root


def _raw_name(entry: pygit2.Object) -> bytes:
    raw = getattr(entry, "raw_name", None)
    return raw if isinstance(raw, bytes) else (entry.name or "").encode()


def write_tree(
    repo: pygit2.Repository,
    base: pygit2.Tree | None,
    changes: Changes,
    sink: ObjectSink,
    *,
    wrote_blob: Callable[[bytes, bytes], None] | None = None,
) -> bytes | None:
    """Write the tree ``base`` + ``changes`` into ``sink``; the 20-byte id of the tree, None
    when it is empty (Git keeps no empty trees). A file keeps its executable bit when its
    content changes. ``wrote_blob(id, content)`` hears of each blob written."""
    entries: dict[bytes, tuple[int, bytes]] = {}
    if base is not None:
        for entry in base:
            entries[_raw_name(entry)] = (int(entry.filemode), entry.id.raw)
    for name, change in changes.items():
        key = name.encode()
        existing = entries.get(key)
        if isinstance(change, dict):
            subtree: pygit2.Tree | None = None
            if existing is not None and existing[0] == _TREE_MODE:
                loaded = repo[pygit2.Oid(raw=existing[1])]
                subtree = loaded if isinstance(loaded, pygit2.Tree) else None
            oid = write_tree(repo, subtree, change, sink, wrote_blob=wrote_blob)
            if oid is not None:
                entries[key] = (_TREE_MODE, oid)
            else:
                entries.pop(key, None)
        elif change is None:
            entries.pop(key, None)
        else:
            mode = _EXECUTABLE_MODE if existing and existing[0] == _EXECUTABLE_MODE else _BLOB_MODE
            oid = sink.add(BLOB, change)
            if wrote_blob is not None:
                wrote_blob(oid, change)
            entries[key] = (mode, oid)
    if not entries:
        return None
    return sink.add(TREE, tree_content(_entries(entries)))


def _entries(entries: dict[bytes, tuple[int, bytes]]) -> Iterable[tuple[bytes, int, bytes]]:
    return ((name, mode, oid) for name, (mode, oid) in entries.items())


def commit_content(
    tree: bytes, parents: Iterable[str], signature: pygit2.Signature, message: str
) -> bytes:
    """A commit object's content, as ``git commit`` and libgit2 write it (UTC time)."""
    person = f"{signature.name} <{signature.email}> {signature.time} +0000".encode()
    lines = [b"tree " + tree.hex().encode()]
    lines += [b"parent " + parent.encode() for parent in parents]
    lines += [b"author " + person, b"committer " + person]
    return b"\n".join(lines) + b"\n\n" + message.encode()
