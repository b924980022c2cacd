"""Comparing item versions and rewriting cross-item references between workspace and repository."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from fabric_git.repoformat.model import ZERO_GUID, ItemState, as_text, canonical_bytes
from fabric_git.repoformat.references import GUID_RE as _GUID_RE
from fabric_git.repoformat.references import referenced_ids

__all__ = [
    "RepoReferences",
    "WorkspaceReferences",
    "from_repo_references",
    "referenced_ids",
    "same_content",
    "same_metadata",
    "same_part",
    "same_parts",
    "to_repo_references",
]

# The all-zero GUID stands for "this workspace" only as the value of a workspace-named key
# (workspaceId, workspace, default_lakehouse_workspace_id, ...): elsewhere it may mean "none".
_ZERO_WORKSPACE_RE = re.compile(r"(?i)(\w*workspace\w*[\"']?\s*[:=]\s*[\"']?)" + ZERO_GUID)


def same_content(a: ItemState, b: ItemState) -> bool:
    """Whether two versions of one item are the same for Git integration: type, display name,
    description, other ``.platform`` metadata (key order aside), workspace folder and parts,
    text compared with LF line endings. The logical id is the identity, not content, and is not
    compared."""
    return same_metadata(a, b) and same_parts(a, b)


def same_metadata(a: ItemState, b: ItemState) -> bool:
    """``same_content`` without the parts: what the ``.platform`` file and the folder say."""
    if (a.type, a.display_name, a.description, a.folder) != (
        b.type,
        b.display_name,
        b.description,
        b.folder,
    ):
        return False
    return dict(a.extra_metadata) == dict(b.extra_metadata)


def same_parts(a: ItemState, b: ItemState) -> bool:
    """``same_content`` of the parts alone: the same paths, text compared with LF endings."""
    if a.parts.keys() != b.parts.keys():
        return False
    return all(same_part(a.parts[k], b.parts[k]) for k in a.parts)


def same_part(x: bytes, y: bytes) -> bool:
    """Whether two contents of a part are the same, text compared with LF endings."""
    return x is y or x == y or canonical_bytes(x) == canonical_bytes(y)


def _replace_guids(text: str, mapping: Mapping[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        return mapping.get(match.group(0).lower(), match.group(0))

    return _GUID_RE.sub(substitute, text)


def _rewrite_text_parts(
    parts: Mapping[str, bytes], rewrite: Callable[[str], str]
) -> dict[str, bytes]:
    rewritten: dict[str, bytes] = {}
    for path, content in parts.items():
        text = as_text(content)
        if text is None:
            rewritten[path] = content
            continue
        new_text = rewrite(text)
        rewritten[path] = content if new_text == text else new_text.encode("utf-8")
    return rewritten


def to_repo_references(
    parts: Mapping[str, bytes], *, object_to_logical: Mapping[str, str], workspace_id: str
) -> dict[str, bytes]:
    """Commit direction: in text parts, each object id of an item of the workspace becomes that
    item's logical id, and the workspace's own id becomes the all-zero GUID. GUIDs are matched
    case-insensitively as whole tokens; binary parts are left alone."""
    return RepoReferences(object_to_logical, workspace_id).rewrite(parts)


class RepoReferences:
    """``to_repo_references`` for one workspace, its id mapping built once for many items."""

    def __init__(self, object_to_logical: Mapping[str, str], workspace_id: str) -> None:
        self._mapping = {k.lower(): v for k, v in object_to_logical.items()}
        self._mapping[workspace_id.lower()] = ZERO_GUID

    def rewrite(
        self, parts: Mapping[str, bytes], found: set[str] | None = None
    ) -> dict[str, bytes]:
        """The parts rewritten; ``found`` (when given) receives every GUID the text parts name,
        in lower case, as ``referenced_ids`` of the parts would give."""
        mapping = self._mapping

        def substitute(match: re.Match[str]) -> str:
            guid = match.group(0).lower()
            if found is not None:
                found.add(guid)
            return mapping.get(guid, match.group(0))

        return _rewrite_text_parts(parts, lambda text: _GUID_RE.sub(substitute, text))

    def targets(self, guids: Iterable[str]) -> tuple[tuple[str, str | None], ...]:
        """What each of ``guids`` (lower case) becomes in the repository (None: itself), in
        order: a definition naming exactly these GUIDs is rewritten the same way by any two
        mappings that agree here."""
        return tuple((guid, self._mapping.get(guid)) for guid in sorted(guids))

    def agrees(self, targets: Iterable[tuple[str, str | None]]) -> bool:
        """Whether this mapping rewrites each GUID of ``targets`` to what they say."""
        mapping = self._mapping
        return all(mapping.get(guid) == target for guid, target in targets)


def from_repo_references(
    parts: Mapping[str, bytes], *, logical_to_object: Mapping[str, str], workspace_id: str
) -> dict[str, bytes]:
    """Update direction: in text parts, each logical id of an item of the workspace becomes that
    item's object id, and the all-zero GUID given as the value of a workspace-named key
    (``workspaceId``, ``workspace``, ``default_lakehouse_workspace_id``, ...) becomes the
    workspace's id. Binary parts are left alone."""
    return WorkspaceReferences(logical_to_object, workspace_id).rewrite(parts)


class WorkspaceReferences:
    """``from_repo_references`` for one workspace, its id mapping built once for many items."""

    def __init__(self, logical_to_object: Mapping[str, str], workspace_id: str) -> None:
        self._mapping = {k.lower(): v for k, v in logical_to_object.items() if k != ZERO_GUID}
        self._workspace_id = workspace_id

    def rewrite(self, parts: Mapping[str, bytes]) -> dict[str, bytes]:
        def rewrite(text: str) -> str:
            if ZERO_GUID in text:  # the costly pattern runs only where it can match
                text = _ZERO_WORKSPACE_RE.sub(lambda m: m.group(1) + self._workspace_id, text)
            return _replace_guids(text, self._mapping)

        return _rewrite_text_parts(parts, rewrite)
