"""What every Git operation needs: the repository a connection names, the caller's credentials,
and the three sides of the comparison (BASE, workspace, remote) as ``ItemState`` maps."""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fabric_git.emulator.auth import Principal
from fabric_git.emulator.backend import git_errors
from fabric_git.emulator.backend.git.part_cache import PartCache, WorkspaceParts
from fabric_git.emulator.backend.git.records import (
    Credentials,
    GitConnectionRecord,
    extra_metadata_of,
)
from fabric_git.emulator.backend.git.rules import WorkspaceEntry, provisional_key
from fabric_git.emulator.gitrepo.fingerprints import PrintedState, repo_part_ids
from fabric_git.emulator.gitrepo.layout import (
    SUPPORTED_TYPES,
    ItemState,
    LayoutError,
    read_items,
)
from fabric_git.emulator.gitrepo.references import RepoReferences

__all__ = [
    "Sides",
    "check_connection_scope",
    "git_items",
    "has_item_directories",
    "normalise_directory",
    "open_branch",
    "repo_key",
    "resolve_credentials",
    "workspace_items",
]

_FORBIDDEN_DIRECTORY_CHARS = frozenset('"/:<>\\*?|')
GITHUB = "GitHub"
AZURE_DEVOPS = "AzureDevOps"


def normalise_directory(directory: str) -> str:
    """The connected directory as a repo-relative path ("" = root); "/a/b/" and "a/b" agree."""
    return directory.strip("/")


def directory_problem(directory: str) -> str | None:
    """Why a directory name breaks Fabric's directory-name rules, or None."""
    path = normalise_directory(directory)
    if not path:
        return None
    for segment in path.split("/"):
        if not segment:
            return "The directory name has an empty path segment."
        if segment[0] in " \t" or segment[-1] in " \t":
            return "A directory name can't begin or end with a space or tab."
        bad = sorted(set(segment) & _FORBIDDEN_DIRECTORY_CHARS)
        if bad:
            return f"A directory name can't contain {' '.join(bad)}."
    return None


# Each part of a repository key: the request field that gives it and the record attribute.
_KEY_FIELDS = {
    "owner": ("ownerName", "owner_name"),
    "organization": ("organizationName", "organization_name"),
    "project": ("projectName", "project_name"),
    "repository name": ("repositoryName", "repository_name"),
}


def repo_key(record: GitConnectionRecord) -> Any:
    """The hosted repository a connection names; a name no provider could host is a missing
    repository (``GitProviderResourceNotFound`` naming the field), not a server error."""
    from fabric_git.emulator.gitrepo.repos import InvalidRepoKey, RepoKey

    try:
        if record.provider_type == GITHUB:
            return RepoKey.github(record.owner_name or "", record.repository_name)
        return RepoKey.azure_devops(
            record.organization_name or "", record.project_name or "", record.repository_name
        )
    except InvalidRepoKey as error:
        field, attribute = _KEY_FIELDS.get(error.part, _KEY_FIELDS["repository name"])
        value = getattr(record, attribute) or ""
        raise git_errors.invalid_repository_name(field, value, str(error)) from None


def open_branch(host: Any, record: GitConnectionRecord) -> tuple[Any, str]:
    """The hosted repository and the tip of the connected branch."""
    repo = host.get(repo_key(record)) if host is not None else None
    if repo is None:
        raise git_errors.git_provider_resource_not_found(f"repository '{record.repository_name}'")
    tip = repo.branch_tip(record.branch_name)
    if tip is None:
        raise git_errors.git_provider_resource_not_found(f"branch '{record.branch_name}'")
    return repo, str(tip)


def default_credentials(record: GitConnectionRecord, principal: Principal) -> Credentials:
    """Credentials of a principal who never set any: Automatic only where Fabric allows it."""
    if record.provider_type == AZURE_DEVOPS and principal.type == "User":
        return Credentials("Automatic")
    return Credentials("None")


def check_connection_scope(
    conn: sqlite3.Connection, connection_id: str, record: GitConnectionRecord
) -> str | None:
    """The PAT of a connection usable for ``record``'s repository; raises when it is not."""
    from fabric_git.emulator.backend.connections import (
        get_connection_record,
        get_connection_secret,
    )

    connection = get_connection_record(conn, connection_id)
    if connection is None:
        from fabric_git.emulator.errors import connection_not_found

        raise connection_not_found(connection_id)
    kind = str(connection.type).lower().replace(" ", "")
    wanted = "github" if record.provider_type == GITHUB else "azuredevops"
    if wanted not in kind:
        raise git_errors.connection_mismatch(
            f"The connection is of type {connection.type}, which cannot be used for a "
            f"{record.provider_type} repository."
        )
    if connection.url and not _url_names_repository(str(connection.url), record):
        raise git_errors.connection_mismatch(
            "The connection is scoped to another repository than the one connected."
        )
    secret = get_connection_secret(conn, connection_id)
    return str(secret) if secret is not None else None


def _url_names_repository(url: str, record: GitConnectionRecord) -> bool:
    """Whether a connection URL (``https://github.com/OWNER/REPO``, or an Azure DevOps
    ``https://dev.azure.com/ORG/PROJECT/_git/REPO``) names the connected repository. A URL
    naming only an owner or organization scopes the connection to all of its repositories."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if segments and segments[-1].lower().endswith(".git"):
        segments[-1] = segments[-1][:-4]
    if record.provider_type == GITHUB:
        wanted = [record.owner_name or "", record.repository_name]
    else:
        wanted = [record.organization_name or "", record.project_name or ""]
        if "_git" in segments:
            segments.remove("_git")
        wanted.append(record.repository_name)
    given = [s.lower() for s in segments]
    return given == [w.lower() for w in wanted][: len(given)] and bool(given)


def resolve_credentials(
    conn: sqlite3.Connection,
    record: GitConnectionRecord,
    principal: Principal,
    credentials: Credentials | None,
) -> str | None:
    """The PAT the caller's credentials give for the repository (None: no PAT)."""
    credentials = credentials or default_credentials(record, principal)
    if credentials.source == "None":
        raise git_errors.git_credentials_not_configured()
    if credentials.source == "Automatic":
        if principal.type != "User" or record.provider_type == GITHUB:
            from fabric_git.emulator.errors import principal_type_not_supported

            raise principal_type_not_supported()
        return None
    return check_connection_scope(conn, credentials.connection_id or "", record)


def check_access(repo: Any, pat: str | None) -> None:
    if not repo.accepts_pat(pat):
        raise git_errors.git_provider_authentication_failed()


def has_item_directories(files: Mapping[str, bytes]) -> bool:
    return any(path.rsplit("/", 1)[-1] in (".platform", "item.metadata.json") for path in files)


# --- the three sides -------------------------------------------------------------------------

_CACHE_SIZE = 8
_cache: OrderedDict[tuple[Any, str, str], dict[str, PrintedState]] = OrderedDict()
_cache_lock = threading.Lock()


def git_items(repo: Any, commit: str | None, directory: str) -> dict[str, PrintedState]:
    """The supported items of ``directory`` at ``commit``, keyed by logical id, each with the
    blob ids of its parts; a part's content is read from Git when it is first looked at.

    Commits never change, so items are cached by (repository, commit, directory). The key holds
    the repository object itself: a repository deleted and created again under the same name
    is another object, so its items are never read through the old one's handle.
    """
    if commit is None:
        return {}
    root = normalise_directory(directory)
    key = (repo, commit, root)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    files = repo.tree_files(commit, root)
    try:
        items = read_items(files, root)
    except LayoutError as error:
        raise git_errors.from_rule(error) from None
    parsed = {
        logical_id: _printed(item.state, repo_part_ids(item, files.blob_id))
        for logical_id, item in items.items()
    }
    with _cache_lock:
        _cache[key] = parsed
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return parsed


def _printed(state: ItemState, part_ids: Mapping[str, str] | None) -> PrintedState:
    return PrintedState(
        logical_id=state.logical_id,
        type=state.type,
        display_name=state.display_name,
        description=state.description,
        folder=state.folder,
        parts=state.parts,
        extra_metadata=state.extra_metadata,
        part_ids=part_ids,
    )


def workspace_items(
    conn: sqlite3.Connection, workspace_id: str, cache: PartCache
) -> dict[str, WorkspaceEntry[PrintedState]]:
    """The workspace's supported items as Git integration sees them, keyed by logical id (or a
    provisional key), with same-workspace object ids in their parts rewritten to logical ids.

    Parts come with their fingerprints from ``cache`` (see ``part_cache``); an item whose
    fingerprint is trusted has its parts read only when looked at, which must happen inside
    the transaction of ``conn``.
    """
    from fabric_git.emulator.backend.folders import folder_path
    from fabric_git.emulator.backend.items import list_items

    records = [r for r in list_items(conn, workspace_id) if r.type in SUPPORTED_TYPES]
    extra_metadata = extra_metadata_of(conn, workspace_id)
    object_to_logical = {r.id: r.logical_id for r in records if r.logical_id}
    stored = WorkspaceParts(
        conn, workspace_id, RepoReferences(object_to_logical, workspace_id), cache
    )
    paths: dict[str | None, tuple[str, ...]] = {None: ()}
    entries: dict[str, WorkspaceEntry[PrintedState]] = {}
    for record in records:
        if record.folder_id not in paths:
            paths[record.folder_id] = tuple(folder_path(conn, record.folder_id))
        key = record.logical_id or provisional_key(record.id)
        parts, part_ids = stored.parts(record.id)
        state = PrintedState(
            logical_id=key,
            type=record.type,
            display_name=record.display_name,
            description=record.description or "",
            folder=paths[record.folder_id],
            parts=parts,
            extra_metadata=extra_metadata.get(record.id, {}),
            part_ids=part_ids,
        )
        entries[key] = WorkspaceEntry(record.id, state)
    return entries


@dataclass(frozen=True)
class Sides:
    base: dict[str, PrintedState]
    workspace: dict[str, WorkspaceEntry[PrintedState]]
    remote: dict[str, PrintedState]
    tip: str
