"""``status --files``, ``status --exit-code`` and ``commit --file`` at the CLI layer: the exact
requests the real client sends, and how the answers are shown."""

from __future__ import annotations

import json

import pytest

from unit.cli.surface_service import (
    HEAD,
    ITEM,
    LOGICAL,
    WS,
    SurfaceService,
    file_change,
    item_change,
    query,
    status_body,
)

STATUS = f"/workspaces/{WS}/git/status"
COMMIT = f"/workspaces/{WS}/git/commitToGit"


@pytest.fixture
def service() -> SurfaceService:
    found = SurfaceService()
    found.workspace()
    return found


def test_status_files_asks_for_file_details_and_lists_each_changed_file(
    service: SurfaceService,
) -> None:
    files = [file_change("notebook-content.py"), file_change(".platform", "Added")]
    service.on("GET", STATUS, status_body(item_change(files=files)))

    document = service.json("status", "-w", WS, "--files")

    assert query(service.sent("GET", STATUS)[0]) == {"includeFilesDetails": "true"}
    assert document["changes"][0]["files"] == [
        {
            "path": "notebook-content.py",
            "workspaceChange": "Modified",
            "remoteChange": None,
            "conflictType": "None",
        },
        {
            "path": ".platform",
            "workspaceChange": "Added",
            "remoteChange": None,
            "conflictType": "None",
        },
    ]
    text = service.run("status", "-w", WS, "--files").stdout
    assert "Load.Notebook  notebook-content.py  Modified" in text
    assert "Load.Notebook  .platform            Added" in text


def test_status_without_files_sends_no_file_option_and_shows_no_files_key(
    service: SurfaceService,
) -> None:
    service.on("GET", STATUS, status_body(item_change()))

    document = service.json("status", "-w", WS)

    assert query(service.sent("GET", STATUS)[0]) == {}
    assert "files" not in document["changes"][0]
    assert "File" not in service.run("status", "-w", WS).stdout


def test_file_paths_are_shown_as_data_in_text(service: SurfaceService) -> None:
    hostile = "evil\x1b[31m.py"
    service.on("GET", STATUS, status_body(item_change(files=[file_change(hostile)])))

    text = service.run("status", "-w", WS, "--files").stdout
    document = service.json("status", "-w", WS, "--files")

    assert "\x1b" not in text and "evil\\x1b[31m.py" in text
    assert document["changes"][0]["files"][0]["path"] == hostile


@pytest.mark.parametrize(("changes", "code"), [((), 0), ((item_change(),), 7)])
def test_status_exit_code_is_7_when_not_in_sync(
    service: SurfaceService, changes: tuple[dict[str, object], ...], code: int
) -> None:
    service.on("GET", STATUS, status_body(*changes))

    result = service.run("-o", "json", "status", "-w", WS, "--exit-code", expect=code)

    assert json.loads(result.stdout)["inSync"] is (code == 0)
    # Without --exit-code a status that is not in sync is still a success.
    service.run("status", "-w", WS)


def test_commit_file_sends_a_file_level_selection_and_reports_what_stays_pending(
    service: SurfaceService,
) -> None:
    both = [file_change("notebook-content.py"), file_change(".platform")]
    service.on(
        "GET",
        STATUS,
        status_body(item_change(files=both)),
        status_body(item_change(files=[file_change(".platform")])),
    )
    service.on("POST", COMMIT, None)

    document = service.json(
        "commit", "-w", WS, "--file", "Load.Notebook:notebook-content.py", "-m", "one file"
    )

    assert service.body("POST", COMMIT) == {
        "mode": "FileLevelSelective",
        "workspaceHead": HEAD,
        "comment": "one file",
        "itemsWithFileSelection": [
            {"objectId": ITEM, "logicalId": LOGICAL, "selectedFiles": ["notebook-content.py"]}
        ],
    }
    assert all(query(r) == {"includeFilesDetails": "true"} for r in service.sent("GET", STATUS))
    assert document["mode"] == "FileLevelSelective"
    assert [f["path"] for f in document["items"][0]["files"]] == ["notebook-content.py"]
    assert [f["path"] for f in document["status"]["changes"][0]["files"]] == [".platform"]


def test_commit_file_with_a_whole_item_sends_it_without_file_selection(
    service: SurfaceService,
) -> None:
    other = "7a6b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
    service.on(
        "GET",
        STATUS,
        status_body(
            item_change(files=[file_change("notebook-content.py"), file_change(".platform")]),
            item_change(
                "Nightly",
                "DataPipeline",
                files=[file_change("pipeline-content.json")],
                object_id=other,
                logical_id=other,
            ),
        ),
        status_body(item_change(files=[file_change(".platform")])),
    )
    service.on("POST", COMMIT, None)

    service.run("commit", "-w", WS, "Nightly", "--file", "Load.Notebook:notebook-content.py")

    assert service.body("POST", COMMIT)["itemsWithFileSelection"] == [
        {"objectId": ITEM, "logicalId": LOGICAL, "selectedFiles": ["notebook-content.py"]},
        {"objectId": other, "logicalId": other},
    ]


def test_commit_file_of_an_unchanged_file_is_a_reported_no_op(service: SurfaceService) -> None:
    service.on("GET", STATUS, status_body(item_change(files=[file_change(".platform")])))

    document = service.json("commit", "-w", WS, "--file", "Load:notebook-content.py")

    assert document["noop"] is True
    assert document["unchanged"] == ["Load:notebook-content.py"]
    assert service.sent("POST", COMMIT) == []


@pytest.mark.parametrize("selector", ["Load.Notebook", "Load.Notebook:", ":notebook-content.py"])
def test_a_file_selector_without_item_or_path_is_a_usage_error_before_any_request(
    service: SurfaceService, selector: str
) -> None:
    result = service.run("commit", "-w", WS, "--file", selector, expect=2)

    assert "ITEM:PATH" in result.stderr
    assert service.requests == []


def test_a_file_selector_naming_several_items_is_refused_before_committing(
    service: SurfaceService,
) -> None:
    other = "7a6b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
    service.on(
        "GET",
        STATUS,
        status_body(
            item_change(files=[file_change("notebook-content.py")]),
            item_change(
                "Clean",
                files=[file_change("notebook-content.py")],
                object_id=other,
                logical_id=other,
            ),
        ),
    )

    result = service.run("commit", "-w", WS, "--file", "Notebook:notebook-content.py", expect=2)

    assert "Load.Notebook, Clean.Notebook" in result.stderr
    assert service.sent("POST", COMMIT) == []


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/abs", "starts with '/'"),
        ("a/", "names a folder"),
        ("*.py", "wildcard"),
        ("a//b.py", "empty or blank name"),
        ("a\\b.py", "backslash"),
        ("a./b.py", "ending in a dot"),
    ],
)
def test_a_bad_path_is_a_usage_error_before_any_request(
    service: SurfaceService, path: str, says: str
) -> None:
    # The item has changes, so a path that matched nothing used to pass as "No changes".
    service.on("GET", STATUS, status_body(item_change(files=[file_change("a/b.py")])))

    result = service.run("commit", "-w", WS, "--file", f"Load.Notebook:{path}", expect=2)

    (error,) = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    text = f"Load.Notebook:{path}"
    assert f"--file: in {text!r} the path {path!r}" in error and says in error
    assert service.requests == []


def test_a_nested_path_of_a_changed_file_is_committed_in_a_dry_run(
    service: SurfaceService,
) -> None:
    service.on("GET", STATUS, status_body(item_change(files=[file_change("a/b.py")])))

    result = service.run("commit", "-w", WS, "--file", "Load:a/b.py", "--dry-run")
    assert "Dry run: would commit 1 item(s) (FileLevelSelective)" in result.stdout
    assert service.sent("POST", COMMIT) == []


def test_a_file_selector_naming_no_item_at_all_fails_listing_the_changed_items(
    service: SurfaceService,
) -> None:
    service.on("GET", STATUS, status_body(item_change(files=[file_change("x.py")])))
    service.on(
        "GET",
        f"/workspaces/{WS}/items",
        {"value": [{"id": ITEM, "displayName": "Load", "type": "Notebook"}]},
    )

    result = service.run("commit", "-w", WS, "--file", "Missing:x.py", expect=1)

    assert "'Missing'" in result.stderr and "Load.Notebook" in result.stderr
    assert service.sent("POST", COMMIT) == []


def test_status_files_gives_every_change_a_files_list_even_when_none_are_listed(
    service: SurfaceService,
) -> None:
    service.on("GET", STATUS, status_body(item_change()))

    document = service.json("status", "-w", WS, "--files")

    assert document["changes"][0]["files"] == []
    assert "no file details" in service.run("status", "-w", WS, "--files").stdout
