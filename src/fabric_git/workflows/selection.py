"""Choosing items to commit from what people type: names, ``Name.Type``, types, globs or ids."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass

from fabric_git.api.git import selected_file_problem
from fabric_git.workflows.results import Change

__all__ = ["FileSelector", "match_selector", "parse_file_selector", "select_changes"]

_GLOB_CHARS = frozenset("*?[")


def match_selector(selector: str, candidates: Sequence[Change]) -> tuple[Change, ...]:
    """The changes one selector names. Tried in order, the first kind that matches wins:

    1. an object id or logical id (case-insensitive),
    2. ``Name.Type`` (name exact, type case-insensitive),
    3. a display name (exact, then case-insensitive),
    4. an item type (case-insensitive: every changed item of that type),
    5. a glob pattern (``*``, ``?``, ``[...]``) over display names and ``Name.Type``.
    """
    wanted = selector.strip()
    folded = wanted.casefold()
    tiers = (
        lambda c: folded in {(c.object_id or "").casefold(), (c.logical_id or "").casefold()},
        lambda c: _name_type(c, wanted),
        lambda c: c.display_name == wanted,
        lambda c: c.display_name.casefold() == folded,
        lambda c: c.item_type.casefold() == folded,
    )
    for matches in tiers:
        found = tuple(c for c in candidates if matches(c))
        if found:
            return found
    if _GLOB_CHARS & set(wanted):
        return tuple(
            c
            for c in candidates
            if fnmatch.fnmatchcase(c.display_name, wanted) or fnmatch.fnmatchcase(c.name, wanted)
        )
    return ()


def _name_type(change: Change, selector: str) -> bool:
    name, dot, item_type = selector.rpartition(".")
    return (
        bool(dot)
        and change.display_name == name
        and (change.item_type.casefold() == item_type.casefold())
    )


def select_changes(
    selectors: Sequence[str], candidates: Sequence[Change]
) -> tuple[tuple[Change, ...], tuple[str, ...]]:
    """The union of what every selector names (in status order), and the selectors that named
    nothing."""
    chosen: set[int] = set()
    unknown: list[str] = []
    for selector in selectors:
        found = match_selector(selector, candidates)
        if not found:
            unknown.append(selector)
        chosen.update(id(c) for c in found)
    return tuple(c for c in candidates if id(c) in chosen), tuple(unknown)


@dataclass(frozen=True)
class FileSelector:
    """One file of one item, as typed: ``ITEM:PATH`` (``Sales.Notebook:notebook-content.py``)."""

    text: str
    item: str
    path: str


def parse_file_selector(text: str) -> FileSelector:
    """``ITEM:PATH`` split at the last colon (a display name may hold one, a file path in an item
    folder does not). ``ITEM`` is any item selector; ``PATH`` is relative to the item's folder,
    with forward slashes, and names one file. Raises ``ValueError`` naming what is wrong: a missing
    part, or a path the service would refuse (a leading ``/``, a folder, a wildcard...)."""
    item, colon, path = text.rpartition(":")
    if not colon or not item.strip() or not path.strip():
        raise ValueError(
            f"{text!r} is not ITEM:PATH; name the item and a file of its folder, "
            "e.g. 'Sales.Notebook:notebook-content.py'"
        )
    path = path.strip()
    # Checked here, not only when sending: a path the service would refuse never names a changed
    # file either, so it would otherwise pass as "nothing to commit".
    problem = selected_file_problem(path)
    if problem:
        raise ValueError(f"in {text!r} the path {path!r} {problem}")
    return FileSelector(text=text, item=item.strip(), path=path)
