"""Get Status with fingerprints kept between requests gives what a full comparison gives.

The reference below reads every item of the three sides in full (parts read and rewritten,
trees read blob by blob) and compares them with ``same_content``, as status did before it kept
fingerprints. Each test changes one thing the kept fingerprints depend on and checks the
service against the reference, twice: right after the change and again from warm caches.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from emulator.git.git_support import Env, item_files, platform
from fabric_git.emulator.backend.git import records
from fabric_git.emulator.backend.git.access import normalise_directory
from fabric_git.emulator.backend.git.rules import WorkspaceEntry, compute_status, provisional_key
from fabric_git.emulator.gitrepo.layout import (
    SUPPORTED_TYPES,
    ItemState,
    read_items,
    same_content,
    to_repo_references,
)

Row = tuple[str, str | None, str | None, str]


def _summary(change: dict[str, Any]) -> Row:
    identifier = change["itemMetadata"]["itemIdentifier"]
    return (
        identifier.get("logicalId") or identifier["objectId"],
        change.get("workspaceChange"),
        change.get("remoteChange"),
        change["conflictType"],
    )


def service_status(env: Env, ws: str) -> set[Row]:
    first = {_summary(change) for change in env.status(ws)["changes"]}
    again = {_summary(change) for change in env.status(ws)["changes"]}
    assert first == again
    return first


def reference_status(env: Env, ws: str) -> set[Row]:
    """Status computed from scratch: every part read, rewritten and compared in full."""
    from fabric_git.emulator.backend.folders import folder_path
    from fabric_git.emulator.backend.items import get_parts, list_items

    with env.state.store.read() as conn:
        record = records.get_connection(conn, ws)
        assert record is not None
        rows = [r for r in list_items(conn, ws) if r.type in SUPPORTED_TYPES]
        extra = records.extra_metadata_of(conn, ws)
        mapping = {r.id: r.logical_id for r in rows if r.logical_id}
        workspace = {}
        for r in rows:
            key = r.logical_id or provisional_key(r.id)
            parts = to_repo_references(
                get_parts(conn, r.id), object_to_logical=mapping, workspace_id=ws
            )
            state = ItemState(
                logical_id=key,
                type=r.type,
                display_name=r.display_name,
                description=r.description or "",
                folder=tuple(folder_path(conn, r.folder_id)),
                parts=parts,
                extra_metadata=extra.get(r.id, {}),
            )
            workspace[key] = WorkspaceEntry(r.id, state)
    repo = env.state.repos.get(env.repo_key)
    root = normalise_directory(record.directory_name)

    def side(commit: str | None) -> dict[str, ItemState]:
        if commit is None:
            return {}
        files = dict(repo.read_files(commit, root))
        return {lid: item.state for lid, item in read_items(files, root).items()}

    tip = repo.branch_tip(record.branch_name)
    found = compute_status(side(record.workspace_head), workspace, side(tip), same_content)
    return {
        (
            row.logical_id or str(row.object_id),
            str(row.workspace_change) if row.workspace_change else None,
            str(row.remote_change) if row.remote_change else None,
            str(row.conflict),
        )
        for row in found
    }


def check(env: Env, ws: str) -> set[Row]:
    expected = reference_status(env, ws)
    assert service_status(env, ws) == expected
    return expected


def committed(env: Env, names: tuple[str, ...] = ("nb",)) -> tuple[str, dict[str, str]]:
    """A workspace whose items ``names`` are committed; returns it and name -> object id."""
    env.repo()
    ws = env.workspace()
    ids = {name: env.item(ws, name) for name in names}
    env.connected(ws)
    assert env.commit(ws).status_code == 200
    assert check(env, ws) == set()
    return ws, ids


def logical_id(env: Env, item: str) -> str:
    with env.state.store.read() as conn:
        row = conn.execute("SELECT logical_id FROM items WHERE id = ?", (item,)).fetchone()
    assert row is not None and row[0] is not None
    return str(row[0])


# --- the three-way table through the service -----------------------------------------------

V0, V1, V2 = b"# v0\n", b"# v1\n", b"# v2\n"
LID = "5f0e3c1a-7b2d-4c8e-9a6f-1d2e3f4a5b6c"
A, D, M = "Added", "Deleted", "Modified"


@pytest.mark.parametrize(
    ("row", "base", "ws", "rm", "expected"),
    [
        (1, V0, V0, V0, None),
        (2, V0, V1, V0, (M, None, "None")),
        (3, None, V1, None, (A, None, "None")),
        (4, V0, None, V0, (D, None, "None")),
        (5, V0, V0, V1, (None, M, "None")),
        (6, None, None, V1, (None, A, "None")),
        (7, V0, V0, None, (None, D, "None")),
        (8, V0, V1, V2, (M, M, "Conflict")),
        (9, V0, V1, V1, (M, M, "SameChanges")),
        (10, None, V1, V2, (A, A, "Conflict")),
        (11, None, V1, V1, (A, A, "SameChanges")),
        (12, V0, None, V1, (D, M, "Conflict")),
        (13, V0, V1, None, (M, D, "Conflict")),
        (14, V0, None, None, (D, D, "SameChanges")),
    ],
)
def test_every_row_of_the_status_table(
    env: Env,
    row: int,
    base: bytes | None,
    ws: bytes | None,
    rm: bytes | None,
    expected: tuple[str | None, str | None, str] | None,
) -> None:
    from fabric_git.emulator.backend import items

    env.repo()
    workspace = env.workspace()
    item: str | None = None
    if base is not None:
        item = env.item(workspace, "nb", {"notebook-content.py": base})
        env.connected(workspace)
        assert env.commit(workspace).status_code == 200
        lid = logical_id(env, item)
    else:
        env.connected(workspace)
        lid = LID
    assert service_status(env, workspace) == set()  # fingerprints of BASE now kept
    if rm != base:
        if rm is None:
            env.push({"nb.Notebook/.platform": None, "nb.Notebook/notebook-content.py": None})
        else:
            env.push(item_files("nb.Notebook", lid, "nb", rm))
    if ws != base:
        if ws is None:
            assert item is not None
            with env.state.store.write() as conn:
                items.delete_item(conn, item)
        elif item is not None:
            env.set_parts(item, {"notebook-content.py": ws})
        else:
            with env.state.store.write() as conn:
                item = items.create_item(
                    conn,
                    workspace,
                    type="Notebook",
                    display_name="nb",
                    parts={"notebook-content.py": ws},
                    logical_id=lid,
                ).id
    # Status names an item by logical id only when Git knows it.
    key = lid if base is not None or rm is not None else item
    rows = check(env, workspace)
    assert rows == (set() if expected is None else {(key, *expected)}), f"row {row}"


# --- what the kept fingerprints depend on ---------------------------------------------------


def test_parts_changed_and_changed_back(env: Env) -> None:
    ws, ids = committed(env)
    lid = logical_id(env, ids["nb"])
    env.set_parts(ids["nb"], {"notebook-content.py": b"# edited\n"})
    assert check(env, ws) == {(lid, M, None, "None")}
    env.set_parts(ids["nb"], {"notebook-content.py": b"# nb\n"})
    assert check(env, ws) == set()
    env.set_parts(ids["nb"], {"notebook-content.py": b"# nb\n", "extra.json": b"{}"})
    assert check(env, ws) == {(lid, M, None, "None")}


def test_definition_updated_through_the_api(env: Env) -> None:
    import base64

    ws, ids = committed(env)
    body = {
        "definition": {
            "parts": [
                {
                    "path": "notebook-content.py",
                    "payload": base64.b64encode(b"# from the api\n").decode(),
                    "payloadType": "InlineBase64",
                }
            ]
        }
    }
    response = env.client.post(f"/workspaces/{ws}/items/{ids['nb']}/updateDefinition", json=body)
    assert response.status_code in (200, 202), response.text
    assert check(env, ws) == {(logical_id(env, ids["nb"]), M, None, "None")}


def test_rename_and_description(env: Env) -> None:
    ws, ids = committed(env)
    lid = logical_id(env, ids["nb"])
    url = f"/workspaces/{ws}/items/{ids['nb']}"
    assert env.client.patch(url, json={"displayName": "renamed"}).status_code == 200
    assert check(env, ws) == {(lid, M, None, "None")}
    assert env.client.patch(url, json={"displayName": "nb"}).status_code == 200
    assert check(env, ws) == set()
    assert env.client.patch(url, json={"description": "now described"}).status_code == 200
    assert check(env, ws) == {(lid, M, None, "None")}


def test_folder_move_and_folder_rename(env: Env) -> None:
    from fabric_git.emulator.backend import folders, items

    env.repo()
    ws = env.workspace()
    item = env.item(ws, "nb", folder=("old",))
    env.connected(ws)
    assert env.commit(ws).status_code == 200
    lid = logical_id(env, item)
    assert check(env, ws) == set()
    with env.state.store.read() as conn:
        old = items.get_item(conn, ws, item).folder_id
    assert old is not None
    response = env.client.patch(f"/workspaces/{ws}/folders/{old}", json={"displayName": "new"})
    assert response.status_code == 200, response.text
    assert check(env, ws) == {(lid, M, None, "None")}
    with env.state.store.write() as conn:
        items.update_item(conn, item, folder_id=None)
    assert check(env, ws) == {(lid, M, None, "None")}
    with env.state.store.write() as conn:
        items.update_item(conn, item, folder_id=folders.ensure_folder_path(conn, ws, ("old",)))
    assert check(env, ws) == set()


def test_another_item_getting_a_logical_id_changes_the_items_naming_it(env: Env) -> None:
    env.repo()
    ws = env.workspace()
    lake = env.item(ws, "lake", {"lakehouse.metadata.json": b"{}"}, type="Lakehouse")
    note = env.item(ws, "nb", {"notebook-content.py": f'lake = "{lake}"\n'.encode()})
    env.connected(ws)
    # The notebook goes first: its reference is written as the lakehouse's object id.
    assert env.commit(ws, mode="Selective", items=[{"objectId": note}]).status_code == 200
    note_lid = logical_id(env, note)
    assert check(env, ws) == {(lake, A, None, "None")}
    # The lakehouse gets a logical id: the notebook's repository form now names it by that.
    assert env.commit(ws, mode="Selective", items=[{"objectId": lake}]).status_code == 200
    assert check(env, ws) == {(note_lid, M, None, "None")}
    assert env.commit(ws).status_code == 200
    written = env.files()["nb.Notebook/notebook-content.py"]
    assert written == f'lake = "{logical_id(env, lake)}"\n'.encode()
    assert check(env, ws) == set()


def test_extra_platform_metadata(env: Env) -> None:
    ws, ids = committed(env)
    lid = logical_id(env, ids["nb"])
    with env.state.store.write() as conn:
        records.put_extra_metadata(conn, ids["nb"], {"sensitivityLabelId": "label-1"})
    assert check(env, ws) == {(lid, M, None, "None")}
    assert env.commit(ws).status_code == 200
    assert check(env, ws) == set()
    with env.state.store.write() as conn:
        records.put_extra_metadata(conn, ids["nb"], {"sensitivityLabelId": "label-2"})
    assert check(env, ws) == {(lid, M, None, "None")}


def test_update_and_commit_move_the_heads(env: Env) -> None:
    ws, ids = committed(env, ("one", "two"))
    one, two = logical_id(env, ids["one"]), logical_id(env, ids["two"])
    env.push(item_files("one.Notebook", one, "one", b"# changed in git\n"))
    assert check(env, ws) == {(one, None, M, "None")}
    assert env.update(ws).status_code == 200
    assert check(env, ws) == set()
    env.set_parts(ids["two"], {"notebook-content.py": b"# changed here\n"})
    assert check(env, ws) == {(two, M, None, "None")}
    assert env.commit(ws).status_code == 200
    assert check(env, ws) == set()


def test_crlf_in_git_is_the_same_text(env: Env) -> None:
    ws, ids = committed(env)
    lid = logical_id(env, ids["nb"])
    env.push({"nb.Notebook/notebook-content.py": b"# nb\r\n"})
    assert check(env, ws) == set()
    env.set_parts(ids["nb"], {"notebook-content.py": b"a\r\r\nb"})
    assert check(env, ws) == {(lid, M, None, "None")}
    assert env.commit(ws).status_code == 200
    # Written as "a\r\nb", which compares as "a\nb": still not the workspace's "a\r\nb".
    assert check(env, ws) == {(lid, M, None, "None")}


def test_a_deleted_item_recreated_under_its_id_is_read_again(env: Env) -> None:
    from fabric_git.emulator.backend import items

    ws, ids = committed(env)
    lid = logical_id(env, ids["nb"])
    with env.state.store.write() as conn:
        items.delete_item(conn, ids["nb"])
        items.create_item(
            conn,
            ws,
            type="Notebook",
            display_name="nb",
            parts={"notebook-content.py": b"# reborn\n"},
            logical_id=lid,
            item_id=ids["nb"],
        )
    assert check(env, ws) == {(lid, M, None, "None")}


def test_two_emulators_keep_their_own_fingerprints() -> None:
    from fabric_git.emulator import Emulator

    with Emulator(lro_mode="sync") as one, one.client() as first:
        with Emulator(lro_mode="sync") as two, two.client() as second:
            env_one, env_two = Env(one, first), Env(two, second)
            ws_one, _ = committed(env_one)
            ws_two, ids_two = committed(env_two)
            env_two.set_parts(ids_two["nb"], {"notebook-content.py": b"# only here\n"})
            assert check(env_one, ws_one) == set()
            assert len(check(env_two, ws_two)) == 1


# --- many changes in a row ---------------------------------------------------------------------


def _random_step(env: Env, ws: str, rng: random.Random, step: int) -> None:
    from fabric_git.emulator.backend import folders, items

    current = env.items(ws)
    names = sorted(current)
    action = rng.choice(
        [
            "edit",
            "edit",
            "crlf",
            "rename",
            "move",
            "create",
            "delete",
            "push",
            "push-delete",
            "commit",
            "update",
            "extra",
        ]
    )
    contents = [b"# a\n", b"# b\n", b"# a\r\n"]
    if action in ("edit", "crlf") and names:
        target = current[rng.choice(names)]
        if rng.random() < 0.5 and len(names) > 1:
            other = current[rng.choice(names)]
            content = f'ref = "{other.id}"\nws = "{ws}"\n'.encode()
        else:
            content = rng.choice(contents)
        if action == "crlf":
            content = content.replace(b"\n", b"\r\n")
        env.set_parts(target.id, {"notebook-content.py": content})
    elif action == "rename" and names:
        target = current[rng.choice(names)]
        env.client.patch(f"/workspaces/{ws}/items/{target.id}", json={"displayName": f"n{step}"})
    elif action == "move" and names:
        target = current[rng.choice(names)]
        with env.state.store.write() as conn:
            folder = folders.ensure_folder_path(conn, ws, rng.choice([(), ("f",), ("f", "g")]))
            items.update_item(conn, target.id, folder_id=folder)
    elif action == "create":
        env.item(ws, f"c{step}", {"notebook-content.py": rng.choice(contents)})
    elif action == "delete" and names:
        with env.state.store.write() as conn:
            items.delete_item(conn, current[rng.choice(names)].id)
    elif action in ("push", "push-delete"):
        in_git = read_items(env.files(), "")
        if in_git and (action == "push-delete" or rng.random() < 0.7):
            lid = rng.choice(sorted(in_git))
            found = in_git[lid]
            if action == "push-delete":
                env.push(
                    {f"{found.directory}/{name}": None for name in found.state.parts}
                    | {f"{found.directory}/.platform": None}
                )
            else:
                env.push({f"{found.directory}/notebook-content.py": rng.choice(contents)})
        else:
            lid = f"{rng.getrandbits(32):08x}-0000-4000-8000-{step:012d}"
            env.push(
                {
                    f"g{step}.Notebook/.platform": platform(lid, f"g{step}"),
                    f"g{step}.Notebook/notebook-content.py": rng.choice(contents),
                }
            )
    elif action == "commit":
        env.commit(ws)
    elif action == "update":
        policy = rng.choice(["PreferRemote", "PreferWorkspace"])
        env.update(
            ws,
            conflictResolution={
                "conflictResolutionType": "Workspace",
                "conflictResolutionPolicy": policy,
            },
            options={"allowOverrideItems": True},
        )
    elif action == "extra" and names:
        with env.state.store.write() as conn:
            records.put_extra_metadata(
                conn, current[rng.choice(names)].id, {"sensitivityLabelId": f"l{step % 2}"}
            )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_status_matches_a_full_comparison_through_many_changes(env: Env, seed: int) -> None:
    rng = random.Random(seed)
    ws, _ = committed(env, tuple(f"nb{i}" for i in range(6)))
    for step in range(30):
        _random_step(env, ws, rng, step)
        check(env, ws)


# --- the stamps and the cache itself ---------------------------------------------------------


def _stamp(env: Env, item: str) -> int | None:
    with env.state.store.read() as conn:
        row = conn.execute(
            "SELECT stamp FROM git_part_stamps WHERE item_id = ?", (item,)
        ).fetchone()
    return None if row is None else int(row[0])


def test_every_write_of_parts_changes_the_stamp(env: Env) -> None:
    from fabric_git.emulator.backend import items

    ws = env.workspace()
    item = env.item(ws, "nb")
    seen = {_stamp(env, item)}
    env.set_parts(item, {"notebook-content.py": b"# nb\n"})  # the same content, written again
    seen.add(_stamp(env, item))
    env.set_parts(item, {})
    seen.add(_stamp(env, item))
    assert None not in seen and len(seen) == 3
    with env.state.store.write() as conn:
        items.delete_item(conn, item)
    assert _stamp(env, item) is None


def test_items_with_parts_get_stamps_when_the_table_is_added(tmp_path: Any) -> None:
    from fabric_git.emulator.store import Store

    path = tmp_path / "state.db"
    store = Store(path)
    with store.write() as conn:
        # The database as it was before the stamps existed, holding two items.
        conn.execute("DROP TABLE git_part_stamps")
        for trigger in ("insert", "update", "delete", "item_delete"):
            conn.execute(f"DROP TRIGGER git_part_stamps_on_{trigger}")
        conn.execute("DELETE FROM schema_migrations WHERE name = '012_git_part_stamps.sql'")
        conn.execute("INSERT INTO workspaces (id, display_name, created_at) VALUES ('w', 'w', 0)")
        for item in ("with-parts", "without-parts"):
            conn.execute(
                "INSERT INTO items (id, workspace_id, type, display_name, created_at)"
                " VALUES (?, 'w', 'Notebook', ?, 0)",
                (item, item),
            )
        conn.executemany(
            "INSERT INTO item_parts (item_id, path, payload) VALUES ('with-parts', ?, x'00')",
            [("x.py",), ("y.py",)],
        )
    store.close()
    store = Store(path)
    with store.read() as conn:
        rows = dict(conn.execute("SELECT item_id, stamp FROM git_part_stamps").fetchall())
    store.close()
    assert list(rows) == ["with-parts"]


def test_the_cache_keeps_a_bounded_number_of_items() -> None:
    from fabric_git.emulator.backend.git.part_cache import PartCache, _Entry

    cache = PartCache(max_entries=10)
    for index in range(25):
        cache.put(f"item-{index}", _Entry(stamp=index, targets=(), part_ids={}))
    assert len(cache) <= 10
    newest = cache.get("item-24")
    assert newest is not None and newest.stamp == 24
    assert cache.get("item-0") is None


# --- what status reads --------------------------------------------------------------------------


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Records the items whose parts are read from the store and the trees walked in Git."""
    from fabric_git.emulator.backend import items
    from fabric_git.emulator.gitrepo.repos import HostedRepo

    seen: dict[str, list[str]] = {"parts": [], "trees": []}
    get_parts, blob_ids = items.get_parts, HostedRepo._blob_ids

    def spy_parts(conn: Any, item_id: str) -> dict[str, bytes]:
        seen["parts"].append(item_id)
        return get_parts(conn, item_id)

    def spy_tree(self: HostedRepo, commit: str, root: str) -> Any:
        seen["trees"].append(commit)
        return blob_ids(self, commit, root)

    monkeypatch.setattr(items, "get_parts", spy_parts)
    monkeypatch.setattr(HostedRepo, "_blob_ids", spy_tree)
    return seen


def test_status_after_a_commit_reads_no_parts_and_no_tree(
    env: Env, reads: dict[str, list[str]]
) -> None:
    env.repo()
    ws = env.workspace()
    names = [f"nb{i}" for i in range(5)]
    ids = {name: env.item(ws, name) for name in names}
    env.connected(ws)
    assert env.commit(ws).status_code == 200
    reads["parts"].clear()
    reads["trees"].clear()
    assert env.status(ws)["changes"] == []
    assert reads == {"parts": [], "trees": []}
    env.set_parts(ids["nb3"], {"notebook-content.py": b"# changed\n"})
    (change,) = env.status(ws)["changes"]
    assert change["itemMetadata"]["itemIdentifier"]["objectId"] == ids["nb3"]
    assert reads == {"parts": [ids["nb3"]], "trees": []}


def test_initialize_and_a_first_commit_read_each_part_once(
    env: Env, reads: dict[str, list[str]]
) -> None:
    env.repo()
    ws = env.workspace()
    ids = sorted(env.item(ws, f"nb{i}") for i in range(4))
    env.connected(ws)
    assert reads["parts"] == []  # initialize looks at names and types only
    assert env.commit(ws).status_code == 200
    assert sorted(reads["parts"]) == ids
