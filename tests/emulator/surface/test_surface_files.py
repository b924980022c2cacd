"""Per-file status and file-level commit over HTTP (docs/git-integration-rules.md)."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.git.git_support import Env

PARTS = {"notebook-content.py": b"# one\n", "extra/data.json": b"{}\n"}


def _committed(env: Env) -> tuple[str, str]:
    ws = env.workspace()
    env.repo()
    item = env.item(ws, "Nb", PARTS)
    env.connected(ws)
    assert env.commit(ws).status_code == 200
    return ws, item


def _files_status(env: Env, ws: str) -> dict[str, Any]:
    response = env.client.get(f"/workspaces/{ws}/git/status?includeFilesDetails=true")
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_status_lists_the_changed_files_of_each_item(env: Env) -> None:
    ws, item = _committed(env)
    env.set_parts(item, {"notebook-content.py": b"# two\n", "new.txt": b"x\n"})
    change = _files_status(env, ws)["changes"][0]
    assert change["workspaceChange"] == "Modified"
    assert change["fileChanges"] == [
        {"path": "extra/data.json", "workspaceChange": "Deleted", "conflictType": "None"},
        {"path": "new.txt", "workspaceChange": "Added", "conflictType": "None"},
        {"path": "notebook-content.py", "workspaceChange": "Modified", "conflictType": "None"},
    ]
    assert "fileChanges" not in env.status(ws)["changes"][0]


def test_status_of_a_file_changed_on_both_sides_is_a_conflict(env: Env) -> None:
    ws, item = _committed(env)
    directory = next(p for p in env.files() if p.endswith("/notebook-content.py")).split("/")[0]
    env.push({f"{directory}/notebook-content.py": b"# git\n", f"{directory}/extra/data.json": None})
    env.set_parts(item, {"notebook-content.py": b"# ws\n"})
    files = _files_status(env, ws)["changes"][0]["fileChanges"]
    assert files == [
        {
            "path": "extra/data.json",
            "workspaceChange": "Deleted",
            "remoteChange": "Deleted",
            "conflictType": "SameChanges",
        },
        {
            "path": "notebook-content.py",
            "workspaceChange": "Modified",
            "remoteChange": "Modified",
            "conflictType": "Conflict",
        },
    ]


def test_a_file_level_commit_writes_only_the_selected_files(env: Env) -> None:
    ws, item = _committed(env)
    env.set_parts(item, {"notebook-content.py": b"# two\n", "extra/data.json": b"[]\n"})
    response = env.commit(
        ws,
        mode="FileLevelSelective",
        itemsWithFileSelection=[{"objectId": item, "selectedFiles": ["extra/data.json"]}],
    )
    assert response.status_code == 200, response.text
    files = {p.split("/", 1)[1]: c for p, c in env.files().items()}
    assert files["extra/data.json"] == b"[]\n"
    assert files["notebook-content.py"] == b"# one\n"
    change = _files_status(env, ws)["changes"][0]
    assert change["workspaceChange"] == "Modified"
    assert [f["path"] for f in change["fileChanges"]] == ["notebook-content.py"]


def test_an_empty_selection_commits_the_whole_item(env: Env) -> None:
    ws, item = _committed(env)
    env.set_parts(item, {"notebook-content.py": b"# two\n"})
    response = env.commit(
        ws, mode="FileLevelSelective", itemsWithFileSelection=[{"objectId": item}]
    )
    assert response.status_code == 200, response.text
    assert env.status(ws)["changes"] == []


def test_a_new_item_committed_by_file_gets_its_platform_file(env: Env) -> None:
    ws, _ = _committed(env)
    new = env.item(ws, "Fresh", {"notebook-content.py": b"# a\n", "b.txt": b"b\n"})
    response = env.commit(
        ws,
        mode="FileLevelSelective",
        itemsWithFileSelection=[{"objectId": new, "selectedFiles": ["notebook-content.py"]}],
    )
    assert response.status_code == 200, response.text
    written = sorted(p for p in env.files() if p.startswith("Fresh."))
    assert written == ["Fresh.Notebook/.platform", "Fresh.Notebook/notebook-content.py"]
    change = _files_status(env, ws)["changes"][0]
    assert change["itemMetadata"]["itemIdentifier"]["objectId"] == new
    assert change["fileChanges"] == [
        {"path": "b.txt", "workspaceChange": "Added", "conflictType": "None"}
    ]


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/notebook-content.py", "leading slash"),
        ("extra\\data.json", "forward slashes"),
        ("extra/", "directory"),
        ("*.py", "Wildcards"),
        ("extra//data.json", "empty"),
        ("extra/ /data.json", "empty"),
        ("extra./data.json", "end in a dot"),
        ("extra /data.json", "whitespace"),
        ("", "empty"),
    ],
)
def test_a_malformed_selected_file_is_refused_at_once(env: Env, path: str, words: str) -> None:
    ws, item = _committed(env)
    response = env.commit(
        ws,
        mode="FileLevelSelective",
        itemsWithFileSelection=[{"objectId": item, "selectedFiles": [path]}],
    )
    assert response.status_code == 400
    error = response.json()
    assert error["errorCode"] == "InvalidInput"
    detail = error["moreDetails"][0]["message"]
    assert detail.startswith("itemsWithFileSelection[0].selectedFiles[0]: ")
    assert words in detail


@pytest.mark.parametrize(
    ("selected", "reason"),
    [
        ("extra", "is a directory"),
        ("missing.py", "is not a file of the item"),
        ("extra/data.json", "has no uncommitted change"),
    ],
)
def test_a_selected_file_must_be_a_changed_file_of_the_item(
    env: Env, selected: str, reason: str
) -> None:
    ws, item = _committed(env)
    env.set_parts(item, {"notebook-content.py": b"# two\n", "extra/data.json": b"{}\n"})
    response = env.commit(
        ws,
        mode="FileLevelSelective",
        itemsWithFileSelection=[{"objectId": item, "selectedFiles": [selected]}],
    )
    assert response.status_code == 400
    assert response.json()["errorCode"] == "InvalidFileSelection"
    assert reason in response.json()["message"]
    assert env.status(ws)["changes"][0]["workspaceChange"] == "Modified"


def test_items_and_file_selections_do_not_mix(env: Env) -> None:
    ws, item = _committed(env)
    both = env.commit(
        ws,
        mode="FileLevelSelective",
        items=[{"objectId": item}],
        itemsWithFileSelection=[{"objectId": item}],
    )
    assert both.status_code == 400
    assert both.json()["moreDetails"][0]["message"].startswith("items: ")
    wrong_mode = env.commit(ws, mode="Selective", itemsWithFileSelection=[{"objectId": item}])
    assert wrong_mode.status_code == 400
    assert "FileLevelSelective" in wrong_mode.json()["moreDetails"][0]["message"]


def test_a_file_level_commit_of_a_deleted_items_file(env: Env) -> None:
    ws, item = _committed(env)
    from fabric_git.emulator.backend import items

    with env.state.store.write() as conn:
        items.delete_item(conn, item)
    selection = {"logicalId": _logical(env, ws), "selectedFiles": ["extra/data.json"]}
    response = env.commit(ws, mode="FileLevelSelective", itemsWithFileSelection=[selection])
    assert response.status_code == 200, response.text
    assert sorted(p.split("/", 1)[1] for p in env.files()) == [".platform", "notebook-content.py"]
    assert env.status(ws)["changes"][0]["workspaceChange"] == "Deleted"
    whole = env.commit(
        ws,
        mode="FileLevelSelective",
        itemsWithFileSelection=[{"logicalId": _logical(env, ws), "selectedFiles": [".platform"]}],
    )
    assert whole.status_code == 200, whole.text
    assert env.files() == {}


def _logical(env: Env, ws: str) -> str:
    return str(env.status(ws)["changes"][0]["itemMetadata"]["itemIdentifier"]["logicalId"])


def _go_async(env: Env) -> None:
    """Set-up runs in sync mode; the request under test in async mode, where a refusal after
    the start would be a 202 and a failed operation."""
    response = env.client.put("http://localhost/_emulator/settings", json={"lroMode": "async"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "selection",
    [{"itemsWithFileSelection": []}, {"itemsWithFileSelection": None}, {}],
    ids=["empty", "null", "missing"],
)
def test_a_file_level_commit_naming_no_item_is_refused_before_it_starts(
    env: Env, selection: dict[str, Any]
) -> None:
    ws, item = _committed(env)
    env.set_parts(item, {"notebook-content.py": b"# two\n"})
    _go_async(env)

    refused = env.commit(ws, mode="FileLevelSelective", **selection)

    assert refused.status_code == 400, refused.text
    assert "x-ms-operation-id" not in refused.headers
    assert refused.json()["errorCode"] == "NoItemsSelected"
    assert "itemsWithFileSelection" in refused.json()["message"]


@pytest.mark.parametrize("second_by", ["objectId", "logicalId"])
def test_an_item_selected_twice_with_other_files_is_refused_before_it_starts(
    env: Env, second_by: str
) -> None:
    ws, item = _committed(env)
    env.set_parts(item, {"notebook-content.py": b"# two\n", "extra/data.json": b"[]\n"})
    head = env.tip()
    second = {"objectId": item} if second_by == "objectId" else {"logicalId": _logical(env, ws)}
    _go_async(env)

    refused = env.commit(
        ws,
        mode="FileLevelSelective",
        itemsWithFileSelection=[
            {"objectId": item, "selectedFiles": ["notebook-content.py"]},
            {**second, "selectedFiles": ["extra/data.json"]},
        ],
    )

    assert refused.status_code == 400, refused.text
    assert "x-ms-operation-id" not in refused.headers
    assert refused.json()["errorCode"] == "InvalidInput"
    detail = refused.json()["moreDetails"][0]["message"]
    assert detail.startswith("itemsWithFileSelection[1]: ")
    assert "itemsWithFileSelection[0]" in detail and "list each item once" in detail
    assert env.tip() == head


def test_a_deleted_item_selected_twice_with_other_files_is_refused(env: Env) -> None:
    ws, item = _committed(env)
    from fabric_git.emulator.backend import items

    with env.state.store.write() as conn:
        items.delete_item(conn, item)
    logical = _logical(env, ws)
    refused = env.commit(
        ws,
        mode="FileLevelSelective",
        itemsWithFileSelection=[
            {"logicalId": logical, "selectedFiles": ["extra/data.json"]},
            {"logicalId": logical},
        ],
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["moreDetails"][0]["message"].startswith("itemsWithFileSelection[1]: ")


def test_an_item_selected_twice_with_the_same_files_is_committed_once(env: Env) -> None:
    ws, item = _committed(env)
    env.set_parts(item, {"notebook-content.py": b"# two\n", "extra/data.json": b"[]\n"})
    response = env.commit(
        ws,
        mode="FileLevelSelective",
        itemsWithFileSelection=[
            {"objectId": item, "selectedFiles": ["extra/data.json"]},
            {
                "logicalId": _logical(env, ws),
                "selectedFiles": ["extra/data.json", "extra/data.json"],
            },
        ],
    )
    assert response.status_code == 200, response.text
    files = {p.split("/", 1)[1]: c for p, c in env.files().items()}
    assert files["extra/data.json"] == b"[]\n" and files["notebook-content.py"] == b"# one\n"


def test_a_selected_file_where_git_keeps_a_directory_is_refused(env: Env) -> None:
    """The workspace's ``extra`` (a file) selected while Git keeps ``extra/data.json``: the
    two cannot both be tree entries, so the commit answers 400 naming both, never 500."""
    ws, item = _committed(env)
    env.set_parts(item, {"notebook-content.py": b"# one\n", "extra": b"flat\n"})
    tip = env.tip()
    response = env.commit(
        ws,
        mode="FileLevelSelective",
        itemsWithFileSelection=[{"objectId": item, "selectedFiles": ["extra"]}],
    )
    assert response.status_code == 400, response.text
    assert response.json()["errorCode"] == "InvalidPath"
    assert (
        "'Nb.Notebook/extra' is a file and also a directory of 'Nb.Notebook/extra/data.json'"
        in (response.json()["message"])
    )
    assert env.tip() == tip
