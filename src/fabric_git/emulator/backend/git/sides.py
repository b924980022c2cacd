"""The sides of a Git comparison: what Git holds (BASE, the workspace head's commit, and the
remote, the branch tip) and what the workspace holds, each as ``PrintedState`` maps keyed by
logical id."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fabric_git.emulator.backend import git_errors
from fabric_git.emulator.backend.folders import folder_path
from fabric_git.emulator.backend.git.access import (
    RepoAccess,
    check_access,
    normalise_directory,
    open_branch,
)
from fabric_git.emulator.backend.git.part_cache import PartCache, WorkspaceParts
from fabric_git.emulator.backend.git.records import GitConnectionRecord, extra_metadata_of
from fabric_git.emulator.backend.git.rules import (
    ItemStatus,
    WorkspaceEntry,
    compute_status,
    provisional_key,
)
from fabric_git.emulator.backend.items import list_items
from fabric_git.emulator.gitrepo.fingerprints import PrintedState, repo_part_ids, same_version
from fabric_git.emulator.gitrepo.layout import SUPPORTED_TYPES, ItemState, LayoutError, read_items
from fabric_git.emulator.gitrepo.references import RepoReferences
from fabric_git.emulator.gitrepo.repos import HostedRepo
from fabric_git.emulator.lru import Lru

if TYPE_CHECKING:
    from fabric_git.emulator.state import EmulatorState

__all__ = ["CommitItems", "Sides", "git_items", "load_sides", "workspace_items"]

CommitItems = Lru[tuple[HostedRepo, str, str], dict[str, PrintedState]]
"""Items of a commit by (repository, commit, directory): commits never change. The key holds
the repository object itself: a repository deleted and created again under the same name is
another object, so its items are never read through the old one's handle."""

GitItems = dict[str, PrintedState]
WorkspaceItems = dict[str, WorkspaceEntry[PrintedState]]


@dataclass(frozen=True)
class Sides:
    base: GitItems
    workspace: WorkspaceItems
    remote: GitItems
    tip: str

    def status(self) -> list[ItemStatus[PrintedState]]:
        """Each item's change on either side since BASE (``rules.compute_status``); parts
        are compared by fingerprint where one is known."""
        return compute_status(self.base, self.workspace, self.remote, same_version)


def git_items(cache: CommitItems, repo: HostedRepo, commit: str | None, directory: str) -> GitItems:
    """The supported items of ``directory`` at ``commit``, keyed by logical id, each with the
    blob ids of its parts; a part's content is read from Git when it is first looked at."""
    if commit is None:
        return {}
    root = normalise_directory(directory)
    key = (repo, commit, root)
    cached = cache.get(key)
    if cached is not None:
        return cached
    try:
        files = repo.tree_files(commit, root)
        items = read_items(files, root)
    except LayoutError as error:
        raise git_errors.from_rule(error) from None
    parsed = {
        logical_id: _printed(item.state, repo_part_ids(item, files.blob_id), repo)
        for logical_id, item in items.items()
    }
    cache.put(key, parsed)
    return parsed


def _printed(state: ItemState, part_ids: Mapping[str, str], repo: HostedRepo) -> PrintedState:
    return PrintedState(
        logical_id=state.logical_id,
        type=state.type,
        display_name=state.display_name,
        description=state.description,
        folder=state.folder,
        parts=state.parts,
        extra_metadata=state.extra_metadata,
        part_ids=part_ids,
        part_size=lambda path: repo.blob_size(part_ids[path]),
    )


def workspace_items(
    conn: sqlite3.Connection, workspace_id: str, cache: PartCache
) -> WorkspaceItems:
    """The workspace's supported items as Git integration sees them, keyed by logical id (or a
    provisional key), with same-workspace object ids in their parts rewritten to logical ids.

    Parts come with their fingerprints from ``cache`` (see ``part_cache``); an item whose
    fingerprint is trusted has its parts read only when looked at, which must happen inside
    the transaction of ``conn``.
    """
    rows = [r for r in list_items(conn, workspace_id) if r.type in SUPPORTED_TYPES]
    extra_metadata = extra_metadata_of(conn, workspace_id)
    object_to_logical = {r.id: r.logical_id for r in rows if r.logical_id}
    stored = WorkspaceParts(
        conn, workspace_id, RepoReferences(object_to_logical, workspace_id), cache
    )
    paths: dict[str | None, tuple[str, ...]] = {None: ()}
    entries: WorkspaceItems = {}
    for row in rows:
        if row.folder_id not in paths:
            paths[row.folder_id] = tuple(folder_path(conn, row.folder_id))
        key = row.logical_id or provisional_key(row.id)
        parts, part_ids = stored.parts(row.id)
        state = PrintedState(
            logical_id=key,
            type=row.type,
            display_name=row.display_name,
            description=row.description or "",
            folder=paths[row.folder_id],
            parts=parts,
            extra_metadata=extra_metadata.get(row.id, {}),
            part_ids=part_ids,
        )
        entries[key] = WorkspaceEntry(row.id, state)
    return entries


def load_sides(
    state: EmulatorState, record: GitConnectionRecord, pat: RepoAccess, conn: sqlite3.Connection
) -> Sides:
    """The three sides; workspace parts are read lazily, so use them inside ``conn``'s
    transaction."""
    repo, tip = open_branch(state.repos, record)
    check_access(repo, pat)
    entries = workspace_items(conn, record.workspace_id, state.part_cache)
    return Sides(
        base=git_items(state.commit_items, repo, record.workspace_head, record.directory_name),
        workspace=entries,
        remote=git_items(state.commit_items, repo, tip, record.directory_name),
        tip=tip,
    )
