"""Commit workspace changes to Git: everything, or the items a caller names."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fabric_git.errors import ConfigurationError
from fabric_git.models.git import CommitMode, ItemIdentifier
from fabric_git.workflows.errors import (
    UnknownItemsError,
    UpdateRequiredError,
    check_comment,
)
from fabric_git.workflows.events import ProgressCallback, Reporter
from fabric_git.workflows.results import Change, CommitResult, StatusReport, WorkspaceRef
from fabric_git.workflows.selection import (
    match_selector,
    parse_file_selector,
    select_changes,
)
from fabric_git.workflows.status import read_status, resolve_workspace

if TYPE_CHECKING:
    from fabric_git.client import FabricClient
    from fabric_git.workflows.selection import FileSelector as FileSelectorT

__all__ = ["commit", "commit_from_status"]

# An item of a file-level commit and its files to commit (None: every file of the item).
FileChoice = tuple[ItemIdentifier, list[str] | None]


def commit(
    client: FabricClient,
    workspace: str | WorkspaceRef,
    *,
    selectors: Sequence[str] = (),
    files: Sequence[str] = (),
    comment: str | None = None,
    dry_run: bool = False,
    timeout: float | None = None,
    progress: ProgressCallback | None = None,
) -> CommitResult:
    """Commit all workspace changes (no ``selectors``) or the selected ones.

    Selectors: display name, ``Name.Type``, item type, glob, object id or logical id (deleted
    items are found by logical id or name). Nothing to commit is a reported no-op, also when
    the selectors name items that have no changes (``unchanged`` in the result); a selector that
    names no item of the workspace at all raises ``UnknownItemsError`` listing the changed items.
    Git changes not applied to the workspace yet stop the commit (``UpdateRequiredError``)
    before it is sent, as the service would refuse it; a comment over 300 characters stops it
    before anything is read.

    ``files`` (``ITEM:PATH``, see ``parse_file_selector``) makes it a ``FileLevelSelective``
    commit: only those files of each item, plus every file of the items ``selectors`` name; the
    items' other changes stay pending. An ``ITEM`` must name one item; a ``PATH`` that is not a
    changed file of it is reported in ``unchanged`` (nothing to commit there). A ``PATH`` the
    service would refuse (a leading ``/``, a folder, a wildcard...) raises ``ConfigurationError``
    before any request.
    """
    check_comment(comment)
    parsed = [_parsed(text) for text in files]  # before any request: bad input changes nothing
    ws = workspace if isinstance(workspace, WorkspaceRef) else resolve_workspace(client, workspace)
    reporter = Reporter(ws.name, progress)
    reporter.step("status", "Reading the Git status")
    before = read_status(
        client, ws, timeout=timeout, reporter=reporter, step_of="commit", files=bool(parsed)
    )
    return commit_from_status(
        client,
        before,
        selectors=selectors,
        files=[p.text for p in parsed],
        comment=comment,
        dry_run=dry_run,
        timeout=timeout,
        reporter=reporter,
    )


def commit_from_status(
    client: FabricClient,
    before: StatusReport,
    *,
    selectors: Sequence[str],
    comment: str | None,
    dry_run: bool,
    timeout: float | None,
    reporter: Reporter,
    files: Sequence[str] = (),
) -> CommitResult:
    """The commit step once the status is known (shared with ``sync``). With ``files`` the
    status must have been read with per-file details."""
    ws = before.workspace
    outgoing = before.outgoing
    mode = CommitMode.SELECTIVE if selectors else CommitMode.ALL
    chosen = outgoing
    unchanged: tuple[str, ...] = ()
    selections: list[FileChoice] = []
    if files:
        mode = CommitMode.FILE_LEVEL_SELECTIVE
        chosen, unchanged, selections = _select_files(client, before, selectors, files)
    elif selectors:
        chosen, unchanged = select_changes(selectors, outgoing)
        if unchanged:
            # A selector naming an item without workspace changes is nothing to commit (a re-run
            # of a commit that already landed); only one naming nothing at all is an error.
            missing = _naming_nothing(client, before, unchanged)
            if missing:
                raise UnknownItemsError(
                    workspace_id=ws.id, unknown=missing, changed=[c.name for c in outgoing]
                )

    def result(status: StatusReport) -> CommitResult:
        return CommitResult(
            workspace=ws,
            dry_run=dry_run,
            mode=str(mode),
            comment=comment,
            items=chosen,
            previous_head=before.workspace_head,
            new_head=status.workspace_head,
            status=status,
            unchanged=unchanged,
        )

    if not chosen:
        reporter.step("commit", "Nothing to commit")
        return result(before)
    if dry_run:
        return result(before)
    if before.incoming:
        raise UpdateRequiredError(workspace_id=ws.id, incoming=[c.name for c in before.incoming])
    reporter.step("commit", f"Committing {len(chosen)} item(s) to Git ({mode})")
    client.git.commit_to_git(
        ws.id,
        mode=str(mode),
        workspace_head=before.workspace_head,
        comment=comment,
        items=([_identifier(c) for c in chosen] if mode == CommitMode.SELECTIVE else ()),
        files=selections,
        timeout=timeout,
        progress=reporter.operation("commit"),
    )
    after = read_status(
        client,
        ws,
        timeout=timeout,
        reporter=reporter,
        step_of="commit",
        done="the commit",
        files=bool(files),
    )
    return result(after)


def _naming_nothing(
    client: FabricClient, status: StatusReport, selectors: Sequence[str]
) -> tuple[str, ...]:
    """The selectors that match no item of the workspace, nor any change (a deleted item)."""
    items = tuple(
        Change(
            display_name=item.display_name or "",
            item_type=str(item.type),
            object_id=item.id,
            logical_id=None,
            workspace_change=None,
            remote_change=None,
            conflict_type="None",
        )
        for item in client.items.list(status.workspace.id)
    )
    candidates = (*status.changes, *items)
    return tuple(s for s in selectors if not match_selector(s, candidates))


def _identifier(change: Change) -> ItemIdentifier:
    # Only the ids the status gave: an item deleted in the workspace has no object id any more.
    ids = {"object_id": change.object_id, "logical_id": change.logical_id}
    return ItemIdentifier(**{key: value for key, value in ids.items() if value})


def _parsed(text: str) -> FileSelectorT:
    try:
        return parse_file_selector(text)
    except ValueError as error:
        raise ConfigurationError(str(error)) from None


def _select_files(
    client: FabricClient,
    status: StatusReport,
    selectors: Sequence[str],
    files: Sequence[str],
) -> tuple[tuple[Change, ...], tuple[str, ...], list[FileChoice]]:
    """The items of a file-level commit, each with the files to commit (every changed file of a
    whole item named by ``selectors``); what named nothing to commit; and the selection to send
    (``None``: every file of an item named whole)."""
    outgoing = status.outgoing
    whole, unchanged = select_changes(selectors, outgoing) if selectors else ((), ())
    paths: dict[int, set[str]] = {}
    missing: list[str] = []
    skipped = list(unchanged)
    for selector in (_parsed(text) for text in files):
        found = match_selector(selector.item, outgoing)
        if len(found) > 1:
            names = ", ".join(c.name for c in found)
            raise ConfigurationError(
                f"{selector.item!r} in {selector.text!r} names {len(found)} changed items "
                f"({names}); name one: Name.Type or its id"
            )
        if not found:
            missing.append(selector.item)
            skipped.append(selector.text)
            continue
        change = found[0]
        if selector.path not in {f.path for f in change.files or () if f.workspace_change}:
            skipped.append(selector.text)  # not a changed file: nothing to commit there
            continue
        paths.setdefault(id(change), set()).add(selector.path)
    looked_for = [*unchanged, *missing]
    unknown = _naming_nothing(client, status, looked_for) if looked_for else ()
    if unknown:
        raise UnknownItemsError(
            workspace_id=status.workspace.id, unknown=unknown, changed=[c.name for c in outgoing]
        )
    whole_ids = {id(c) for c in whole}
    picked = [c for c in outgoing if id(c) in whole_ids or id(c) in paths]
    selections = [
        (_identifier(c), None if id(c) in whole_ids else sorted(paths[id(c)])) for c in picked
    ]
    chosen = tuple(
        dataclasses.replace(
            change,
            files=tuple(
                f
                for f in change.files or ()
                if f.workspace_change
                and (id(change) in whole_ids or f.path in paths.get(id(change), ()))
            ),
        )
        for change in picked
    )
    return chosen, tuple(dict.fromkeys(skipped)), selections
