"""The pure Git integration rules: the status table, initialization, commit and update plans."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from fabric_git.emulator.backend.git.rules import (
    ChangeType,
    ConflictPolicy,
    ConflictType,
    Dependent,
    InitializationStrategy,
    RequiredAction,
    RuleError,
    Selector,
    WorkspaceEntry,
    check_dependencies,
    compute_status,
    decide_initialization,
    match_logical_ids,
    plan_commit,
    plan_update,
    provisional_key,
)

A, D, M = ChangeType.ADDED, ChangeType.DELETED, ChangeType.MODIFIED
NONE, CONFLICT, SAME = ConflictType.NONE, ConflictType.CONFLICT, ConflictType.SAME_CHANGES


@dataclass(frozen=True)
class Item:
    logical_id: str
    type: str
    display_name: str
    content: str = ""


def same(a: Item, b: Item) -> bool:
    return (a.type, a.display_name, a.content) == (b.type, b.display_name, b.content)


LID = "11111111-1111-1111-1111-111111111111"
OID = "aaaaaaaa-0000-0000-0000-000000000001"
V0 = Item(LID, "Notebook", "nb", "v0")
V1 = Item(LID, "Notebook", "nb", "v1")
V2 = Item(LID, "Notebook", "nb", "v2")


def status_of(base: Item | None, ws: Item | None, rm: Item | None):
    rows = compute_status(
        {LID: base} if base else {},
        {LID: WorkspaceEntry(OID, ws)} if ws else {},
        {LID: rm} if rm else {},
        same,
    )
    assert len(rows) <= 1
    if not rows:
        return None
    row = rows[0]
    return row.workspace_change, row.remote_change, row.conflict


# Rows of the three-way table (§4): BASE, WS, RM -> workspaceChange, remoteChange, conflictType.
@pytest.mark.parametrize(
    ("row", "base", "ws", "rm", "expected"),
    [
        (1, V0, V0, V0, None),
        (2, V0, V1, V0, (M, None, NONE)),
        (3, None, V1, None, (A, None, NONE)),
        (4, V0, None, V0, (D, None, NONE)),
        (5, V0, V0, V1, (None, M, NONE)),
        (6, None, None, V1, (None, A, NONE)),
        (7, V0, V0, None, (None, D, NONE)),
        (8, V0, V1, V2, (M, M, CONFLICT)),
        (9, V0, V1, V1, (M, M, SAME)),
        (10, None, V1, V2, (A, A, CONFLICT)),
        (11, None, V1, V1, (A, A, SAME)),
        (12, V0, None, V1, (D, M, CONFLICT)),
        (13, V0, V1, None, (M, D, CONFLICT)),
        (14, V0, None, None, (D, D, SAME)),
    ],
)
def test_status_table(row, base, ws, rm, expected) -> None:
    assert status_of(base, ws, rm) == expected


def test_identifiers_follow_the_spec_examples() -> None:
    added_in_ws = Item(provisional_key(OID), "SemanticModel", "new")
    deleted_in_git = Item("22222222-2222-2222-2222-222222222222", "Report", "gone")
    modified = Item(LID, "Notebook", "nb", "v1")
    rows = compute_status(
        {deleted_in_git.logical_id: deleted_in_git, LID: V0},
        {
            added_in_ws.logical_id: WorkspaceEntry(OID, added_in_ws),
            deleted_in_git.logical_id: WorkspaceEntry("o-2", deleted_in_git),
            LID: WorkspaceEntry("o-3", modified),
        },
        {LID: V0},
        same,
    )
    ids = {row.display_name: (row.object_id, row.logical_id) for row in rows}
    assert ids == {
        "new": (OID, None),
        "gone": ("o-2", deleted_in_git.logical_id),
        "nb": ("o-3", LID),
    }
    only_remote = compute_status({LID: V0}, {}, {LID: V0}, same)
    assert [(r.object_id, r.logical_id) for r in only_remote] == [(None, LID)]


def test_display_name_prefers_the_workspace() -> None:
    renamed_ws = Item(LID, "Notebook", "workspace name", "v0")
    renamed_rm = Item(LID, "Notebook", "remote name", "v0")
    (row,) = compute_status({LID: V0}, {LID: WorkspaceEntry(OID, renamed_ws)}, {LID: V0}, same)
    assert row.display_name == "workspace name"
    (row,) = compute_status({LID: V0}, {LID: WorkspaceEntry(OID, V0)}, {LID: renamed_rm}, same)
    assert row.display_name == "nb"
    (row,) = compute_status({}, {}, {LID: renamed_rm}, same)
    assert row.display_name == "remote name"


@pytest.mark.parametrize(
    ("ws", "git", "strategy", "expected"),
    [
        (False, False, None, RequiredAction.NONE),
        (False, False, InitializationStrategy.PREFER_WORKSPACE, RequiredAction.NONE),
        (False, True, None, RequiredAction.UPDATE_FROM_GIT),
        (False, True, InitializationStrategy.PREFER_WORKSPACE, RequiredAction.UPDATE_FROM_GIT),
        (True, False, None, RequiredAction.COMMIT_TO_GIT),
        (True, False, InitializationStrategy.PREFER_REMOTE, RequiredAction.COMMIT_TO_GIT),
        (True, True, InitializationStrategy.PREFER_REMOTE, RequiredAction.UPDATE_FROM_GIT),
        (True, True, InitializationStrategy.PREFER_WORKSPACE, RequiredAction.COMMIT_TO_GIT),
    ],
)
def test_initialization_table(ws, git, strategy, expected) -> None:
    assert decide_initialization(ws, git, strategy) is expected


@pytest.mark.parametrize("strategy", [None, InitializationStrategy.NONE])
def test_initialization_needs_a_policy_when_both_sides_have_content(strategy) -> None:
    with pytest.raises(RuleError) as caught:
        decide_initialization(True, True, strategy)
    assert caught.value.error_code == "MissingInitializationPolicy"


def test_logical_ids_matched_by_name_and_type() -> None:
    git = [Item("g-1", "Notebook", "a"), Item("g-2", "Report", "a"), Item("g-3", "Notebook", "b")]
    workspace = [
        ("o-1", None, "Notebook", "a"),  # no logical id: takes g-1
        ("o-2", "other", "Report", "a"),  # another logical id: takes g-2
        ("o-3", "g-3", "Notebook", "c"),  # already a Git id: kept
        ("o-4", None, "Notebook", "b"),  # g-3 is held by o-3: nothing
        ("o-5", None, "Lakehouse", "a"),  # no Git item of that type
    ]
    assert match_logical_ids(workspace, git) == {"o-1": "g-1", "o-2": "g-2"}


def rows_for(base, ws, rm):
    return compute_status(base, ws, rm, same)


NEW = Item(provisional_key("o-new"), "Notebook", "new", "x")
MOD = Item("l-mod", "Notebook", "mod", "v1")
MOD_BASE = Item("l-mod", "Notebook", "mod", "v0")
GONE = Item("l-gone", "Report", "gone", "v0")


def local_changes():
    base = {MOD.logical_id: MOD_BASE, GONE.logical_id: GONE}
    ws = {NEW.logical_id: WorkspaceEntry("o-new", NEW), MOD.logical_id: WorkspaceEntry("o-m", MOD)}
    return rows_for(base, ws, dict(base))


def test_commit_all_takes_every_workspace_change() -> None:
    plan = plan_commit(local_changes(), mode="All")
    assert sorted(row.display_name for row in plan.upserts) == ["mod", "new"]
    assert [row.key for row in plan.deletes] == ["l-gone"]


def test_commit_selective_by_object_or_logical_id() -> None:
    plan = plan_commit(
        local_changes(),
        mode="Selective",
        selected=[Selector(object_id="o-new"), Selector(logical_id="l-gone")],
    )
    assert [row.display_name for row in plan.upserts] == ["new"]
    assert [row.key for row in plan.deletes] == ["l-gone"]
    both = plan_commit(local_changes(), mode="Selective", selected=[Selector("o-m", "l-mod")] * 2)
    assert [row.display_name for row in both.upserts] == ["mod"]


@pytest.mark.parametrize(
    ("selected", "code"),
    [
        ([], "NoItemsSelected"),
        ([Selector(object_id="o-unknown")], "ItemNotFound"),
        ([Selector(object_id="o-new", logical_id="l-mod")], "ItemNotFound"),
    ],
)
def test_commit_selective_refusals(selected, code) -> None:
    with pytest.raises(RuleError) as caught:
        plan_commit(local_changes(), mode="Selective", selected=selected)
    assert caught.value.error_code == code


def test_commit_with_nothing_to_commit() -> None:
    with pytest.raises(RuleError) as caught:
        plan_commit([], mode="All")
    assert caught.value.error_code == "NoChangesToCommit"


def test_commit_refused_while_git_has_unapplied_changes() -> None:
    rows = rows_for({LID: V0}, {LID: WorkspaceEntry(OID, V0)}, {LID: V1})
    rows += local_changes()
    with pytest.raises(RuleError) as caught:
        plan_commit(rows, mode="All")
    assert caught.value.error_code == "WorkspaceUpdateRequired"
    assert caught.value.details == ("'nb' (Notebook) was modified in Git.",)
    assert caught.value.message == (
        "Run Update From Git first, then commit: 1 item has a change in Git not yet applied "
        "to the workspace: 'nb' (Notebook)."
    )


def update(base, ws, rm, **options):
    options.setdefault("policy", None)
    options.setdefault("allow_override", False)
    options.setdefault("initial", False)
    return plan_update(rows_for(base, ws, rm), workspace=ws, remote=rm, **options)


def test_update_applies_remote_changes_and_keeps_workspace_ones() -> None:
    added = Item("l-add", "Notebook", "added", "r")
    base = {LID: V0, GONE.logical_id: GONE, MOD.logical_id: MOD_BASE}
    ws = {
        LID: WorkspaceEntry(OID, V0),
        GONE.logical_id: WorkspaceEntry("o-g", GONE),
        MOD.logical_id: WorkspaceEntry("o-m", MOD),  # workspace-only change: kept
    }
    rm = {LID: V1, added.logical_id: added, MOD.logical_id: MOD_BASE}
    plan = update(base, ws, rm)
    assert {(u.state.logical_id, u.object_id) for u in plan.upserts} == {
        (LID, OID),
        ("l-add", None),
    }
    assert plan.deletes == ("o-g",)
    assert plan.adopted == {}


def test_update_with_conflicts_needs_a_policy() -> None:
    base, ws, rm = {LID: V0}, {LID: WorkspaceEntry(OID, V1)}, {LID: V2}
    with pytest.raises(RuleError) as caught:
        update(base, ws, rm)
    assert caught.value.error_code == "MissingWorkspaceConflictResolution"
    remote_wins = update(base, ws, rm, policy=ConflictPolicy.PREFER_REMOTE)
    assert [(u.state, u.object_id) for u in remote_wins.upserts] == [(V2, OID)]
    workspace_wins = update(base, ws, rm, policy=ConflictPolicy.PREFER_WORKSPACE)
    assert workspace_wins.upserts == () and workspace_wins.deletes == ()


def test_update_delete_modify_conflict_prefer_remote_deletes() -> None:
    plan = update(
        {LID: V0}, {LID: WorkspaceEntry(OID, V1)}, {}, policy=ConflictPolicy.PREFER_REMOTE
    )
    assert plan.deletes == (OID,) and plan.upserts == ()


def test_update_same_changes_need_nothing() -> None:
    plan = update({LID: V0}, {LID: WorkspaceEntry(OID, V1)}, {LID: V1})
    assert plan.upserts == () and plan.deletes == ()


def test_override_needs_consent() -> None:
    incoming = Item("l-git", "Notebook", "shared")
    local = Item(provisional_key("o-1"), "Notebook", "shared", "local")
    ws = {local.logical_id: WorkspaceEntry("o-1", local)}
    rm = {incoming.logical_id: incoming}
    with pytest.raises(RuleError) as caught:
        update({}, ws, rm)
    assert caught.value.error_code == "OverrideItemsNotAllowed"
    assert caught.value.details == ("shared",)
    plan = update({}, ws, rm, allow_override=True)
    assert [(u.state, u.object_id) for u in plan.upserts] == [(incoming, "o-1")]
    assert plan.adopted == {"o-1": "l-git"}
    assert plan.deletes == ()


def test_rename_in_git_to_a_workspace_name_is_a_duplicate() -> None:
    other = Item("l-other", "Notebook", "taken")
    renamed = Item(LID, "Notebook", "taken", "v0")
    base = {LID: V0, other.logical_id: other}
    ws = {LID: WorkspaceEntry(OID, V0), other.logical_id: WorkspaceEntry("o-2", other)}
    # Git renames the item to the name another (unchanged) workspace item holds.
    with pytest.raises(RuleError) as caught:
        update(base, ws, {LID: renamed, other.logical_id: other})
    assert caught.value.error_code == "PotentialDuplicateDisplayNameAndType"
    assert caught.value.details == ("taken.Notebook",)


def test_initial_update_overwrites_the_workspace() -> None:
    only_ws = Item("l-ws", "Notebook", "local only")
    clash = Item(provisional_key("o-c"), "Report", "r", "local")
    incoming_r = Item("l-r", "Report", "r", "git")
    ws = {
        LID: WorkspaceEntry(OID, V1),
        only_ws.logical_id: WorkspaceEntry("o-w", only_ws),
        clash.logical_id: WorkspaceEntry("o-c", clash),
    }
    rm = {LID: V2, incoming_r.logical_id: incoming_r}
    plan = update({}, ws, rm, initial=True)
    assert {(u.state.logical_id, u.object_id) for u in plan.upserts} == {
        (LID, OID),
        ("l-r", "o-c"),
    }
    assert plan.deletes == ("o-w",)
    assert plan.adopted == {"o-c": "l-r"}


# --- dependencies -------------------------------------------------------------------------------


def test_dependencies_check_known_items_only() -> None:
    known = {"l-kept": "'kept' (Notebook)", "l-gone": "'gone' (Notebook)"}
    incoming = [Dependent("'run' (DataPipeline)", frozenset({"l-kept", "some-connection"}))]
    check_dependencies(incoming=incoming, known=known, final={"l-kept"}, staying=[], deleted={})
    dangling = [Dependent("'run' (DataPipeline)", frozenset({"l-kept", "l-gone"}))]
    with pytest.raises(RuleError) as raised:
        check_dependencies(incoming=dangling, known=known, final={"l-kept"}, staying=[], deleted={})
    assert raised.value.error_code == "MissingDependency"
    assert raised.value.details == (
        "'run' (DataPipeline) references 'gone' (Notebook), which will not exist after the update.",
    )


def test_a_deleted_item_referenced_by_a_staying_item_is_refused() -> None:
    staying = [Dependent("'board' (Dashboard)", frozenset({"o-gone", "o-other"}))]
    check_dependencies(
        incoming=[], known={}, final=set(), staying=staying, deleted={"o-third": "'third'"}
    )
    with pytest.raises(RuleError) as raised:
        check_dependencies(
            incoming=[], known={}, final=set(), staying=staying, deleted={"o-gone": "'gone'"}
        )
    assert raised.value.error_code == "DependencyDeletionFailed"
    assert "'gone' would be deleted, but 'board' (Dashboard) references it." in raised.value.message
