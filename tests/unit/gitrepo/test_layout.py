"""The Fabric repository format: items <-> file maps."""

from __future__ import annotations

import dataclasses
import json

import pytest

from fabric_git.emulator.gitrepo.layout import (
    SUPPORTED_TYPES,
    ZERO_GUID,
    ItemState,
    LayoutError,
    from_repo_references,
    item_directory_name,
    platform_bytes,
    read_items,
    same_content,
    sanitise_display_name,
    to_repo_references,
    write_items,
)

NB_ID = "99b570c5-0c79-9dc4-4c9b-fa16c621384c"
PIPE_ID = "1f4e0b7a-2c3d-4e5f-8a9b-0c1d2e3f4a5b"
MODEL_ID = "2a5f1c8b-3d4e-4f60-9bac-1d2e3f4a5b6c"
REPORT_ID = "3b602d9c-4e5f-4071-8cbd-2e3f4a5b6c7d"
HOUSE_ID = "4c713ead-5f60-4182-9dce-3f4a5b6c7d8e"
DB_ID = "5d824fbe-6071-4293-8edf-4a5b6c7d8e9f"


def notebook(**changes: object) -> ItemState:
    fields: dict[str, object] = {
        "logical_id": NB_ID,
        "type": "Notebook",
        "display_name": "Hello World",
        "description": "Sample notebook",
        "folder": (),
        "parts": {"notebook-content.py": b"# Fabric notebook source\nprint('hi')\n"},
    }
    fields.update(changes)
    return ItemState(**fields)  # type: ignore[arg-type]


def apply(files: dict[str, bytes], changes: dict[str, bytes | None]) -> dict[str, bytes]:
    result = dict(files)
    for path, content in changes.items():
        if content is None:
            del result[path]
        else:
            result[path] = content
    return result


def write(
    files: dict[str, bytes],
    root: str = "",
    upserts: tuple[ItemState, ...] = (),
    deletes: tuple[str, ...] = (),
) -> dict[str, bytes]:
    return apply(files, write_items(files, root, upserts=upserts, deletes=deletes))


def v1_files(directory: str, logical_id: str, name: str, kind: str) -> dict[str, bytes]:
    return {
        f"{directory}/item.metadata.json": json.dumps(
            {"type": kind, "displayName": name, "description": "old"}
        ).encode(),
        f"{directory}/item.config.json": json.dumps(
            {"version": "1.0", "logicalId": logical_id}
        ).encode(),
    }


# --- .platform -------------------------------------------------------------------------------


def test_platform_bytes_match_fabric_byte_for_byte() -> None:
    expected = (
        b"{\n"
        b'  "$schema": "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/'
        b'platformProperties/2.0.0/schema.json",\n'
        b'  "metadata": {\n'
        b'    "type": "Notebook",\n'
        b'    "displayName": "Hello World",\n'
        b'    "description": "Sample notebook"\n'
        b"  },\n"
        b'  "config": {\n'
        b'    "version": "2.0",\n'
        b'    "logicalId": "99b570c5-0c79-9dc4-4c9b-fa16c621384c"\n'
        b"  }\n"
        b"}"
    )
    assert platform_bytes(notebook()) == expected


def test_platform_bytes_leave_out_empty_description_and_keep_unicode() -> None:
    data = platform_bytes(notebook(description="", display_name="Café"))
    assert b'"description"' not in data
    assert '"displayName": "Café"'.encode() in data
    assert not data.endswith(b"\n")
    assert b"\r" not in data


WAREHOUSE_PLATFORM = (
    b"{\n"
    b'  "$schema": "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/'
    b'platformProperties/2.0.0/schema.json",\n'
    b'  "metadata": {\n'
    b'    "type": "Warehouse",\n'
    b'    "displayName": "Sales",\n'
    b'    "sensitivityLabelId": "6c2e1a4b-7d8e-4f90-a1b2-c3d4e5f6a7b8",\n'
    b'    "creationPayload": {\n'
    b'      "defaultCollation": "Latin1_General_100_CI_AS_KS_WS_SC_UTF8"\n'
    b"    },\n"
    b'    "x-future": [\n'
    b"      1,\n"
    b"      true\n"
    b"    ]\n"
    b"  },\n"
    b'  "config": {\n'
    b'    "version": "2.0",\n'
    b'    "logicalId": "4c713ead-5f60-4182-9dce-3f4a5b6c7d8e"\n'
    b"  }\n"
    b"}"
)


def test_extra_platform_metadata_is_read_and_written_back_byte_for_byte() -> None:
    files = {"Sales.Warehouse/.platform": WAREHOUSE_PLATFORM}
    state = read_items(files, "")[HOUSE_ID].state
    assert list(state.extra_metadata) == ["sensitivityLabelId", "creationPayload", "x-future"]
    assert state.extra_metadata["creationPayload"] == {
        "defaultCollation": "Latin1_General_100_CI_AS_KS_WS_SC_UTF8"
    }
    assert platform_bytes(state) == WAREHOUSE_PLATFORM
    renamed = write(files, upserts=(dataclasses.replace(state, display_name="Sales 2"),))
    assert renamed["Sales.Warehouse/.platform"] == WAREHOUSE_PLATFORM.replace(
        b'"Sales"', b'"Sales 2"'
    )


def test_extra_platform_metadata_follows_the_known_keys_in_file_order() -> None:
    document = {
        "metadata": {
            "sensitivityLabelId": "label",
            "type": "Notebook",
            "zeta": 1,
            "displayName": "nb",
            "alpha": 2,
        },
        "config": {"version": "2.0", "logicalId": NB_ID},
    }
    files = {"nb.Notebook/.platform": json.dumps(document).encode()}
    state = read_items(files, "")[NB_ID].state
    written = json.loads(write(files, upserts=(state,))["nb.Notebook/.platform"])
    assert list(written["metadata"]) == [
        "type",
        "displayName",
        "sensitivityLabelId",
        "zeta",
        "alpha",
    ]


def test_same_content_sees_extra_platform_metadata_but_not_its_order() -> None:
    labelled = notebook(extra_metadata={"sensitivityLabelId": "a", "x": 1})
    assert same_content(labelled, notebook(extra_metadata={"x": 1, "sensitivityLabelId": "a"}))
    assert not same_content(labelled, notebook(extra_metadata={"sensitivityLabelId": "b", "x": 1}))
    assert not same_content(labelled, notebook())


# --- round trips -----------------------------------------------------------------------------


def sample_items() -> list[ItemState]:
    return [
        notebook(folder=("ingest",)),
        ItemState(
            logical_id=PIPE_ID,
            type="DataPipeline",
            display_name="Run Hello World",
            parts={"pipeline-content.json": b'{"properties": {}}\n'},
        ),
        ItemState(
            logical_id=MODEL_ID,
            type="SemanticModel",
            display_name="ABC",
            folder=("bi", "models"),
            parts={
                "definition.pbism": b'{"version": "4.0"}',
                "definition/model.tmdl": b"model Model\n",
                "definition/tables/Sales.tmdl": b"table Sales\n",
            },
        ),
        ItemState(
            logical_id=REPORT_ID,
            type="Report",
            display_name="ABC",
            description="sales report",
            folder=("bi",),
            parts={
                "definition.pbir": b'{"datasetReference": {"byPath": {"path": "../ABC"}}}',
                "report.json": b"{}",
                "StaticResources/logo.png": b"\x89PNG\r\n\x1a\n\x00\x01",
            },
        ),
        ItemState(
            logical_id=HOUSE_ID,
            type="Eventhouse",
            display_name="Telemetry",
            folder=("rt",),
            parts={"EventhouseProperties.json": b"{}"},
        ),
    ]


def test_write_then_read_round_trips_several_item_types() -> None:
    items = sample_items()
    files = write({}, "fabric", upserts=tuple(items))
    assert "fabric/ingest/Hello World.Notebook/.platform" in files
    assert "fabric/bi/models/ABC.SemanticModel/definition/tables/Sales.tmdl" in files
    assert "fabric/bi/ABC.Report/StaticResources/logo.png" in files
    read = read_items(files, "fabric")
    assert set(read) == {i.logical_id for i in items}
    for item in items:
        found = read[item.logical_id]
        assert found.state == item
        assert same_content(found.state, item)
    assert read[MODEL_ID].directory == "fabric/bi/models/ABC.SemanticModel"


def test_read_finds_child_items_under_children_with_the_parent_folder() -> None:
    files = write({}, "", upserts=(sample_items()[4],))
    child = ItemState(
        logical_id=DB_ID,
        type="KQLDatabase",
        display_name="Telemetry",
        folder=("rt",),
        parts={"DatabaseProperties.json": b"{}", "DatabaseSchema.kql": b".create table T\n"},
    )
    child_dir = "rt/Telemetry.Eventhouse/.children/Telemetry.KQLDatabase"
    files[f"{child_dir}/.platform"] = platform_bytes(child)
    for name, content in child.parts.items():
        files[f"{child_dir}/{name}"] = content
    read = read_items(files, "")
    assert read[DB_ID].state == child
    assert read[DB_ID].directory == child_dir
    assert read[HOUSE_ID].state.parts == {"EventhouseProperties.json": b"{}"}

    # Rewriting the parent keeps the child; moving the parent carries the child along.
    house = ItemState(
        logical_id=HOUSE_ID,
        type="Eventhouse",
        display_name="Telemetry",
        folder=("archive",),
        parts={"EventhouseProperties.json": b'{"v": 2}'},
    )
    moved = write(files, "", upserts=(house,))
    reread = read_items(moved, "")
    assert reread[HOUSE_ID].directory == "archive/Telemetry.Eventhouse"
    assert reread[DB_ID].directory == (
        "archive/Telemetry.Eventhouse/.children/Telemetry.KQLDatabase"
    )
    assert reread[DB_ID].state.folder == ("archive",)
    assert reread[DB_ID].state.parts == child.parts
    # Deleting the parent removes the child with it.
    assert read_items(write(files, "", deletes=(HOUSE_ID,)), "") == {}


def _database(parent: str | None, **changes: object) -> ItemState:
    props = {"databaseType": "ReadWrite"}
    if parent is not None:
        props["parentEventhouseItemId"] = parent
    fields: dict[str, object] = {
        "logical_id": DB_ID,
        "type": "KQLDatabase",
        "display_name": "Logs",
        "folder": (),
        "parts": {"DatabaseProperties.json": json.dumps(props).encode()},
    }
    fields.update(changes)
    return ItemState(**fields)  # type: ignore[arg-type]


def test_a_child_item_is_written_under_its_parents_children() -> None:
    house = sample_items()[4]  # in folder rt
    # Committed together (the parent named in the child's definition, in upper case even).
    together = write({}, "fabric", upserts=(_database(HOUSE_ID.upper()), house))
    child_dir = "fabric/rt/Telemetry.Eventhouse/.children/Logs.KQLDatabase"
    assert f"{child_dir}/.platform" in together
    assert not any(p.startswith("fabric/Logs.KQLDatabase/") for p in together)
    read = read_items(together, "fabric")
    assert read[DB_ID].directory == child_dir and read[DB_ID].state.folder == ("rt",)
    # The parent already in Git: the new child still goes under it.
    later = write(write({}, "", upserts=(house,)), "", upserts=(_database(HOUSE_ID),))
    assert "rt/Telemetry.Eventhouse/.children/Logs.KQLDatabase/.platform" in later
    # A child whose parent Git does not hold (or that names none) is written like any item.
    orphan = write({}, "", upserts=(_database("6e935fcf-7182-43a4-9fe0-5b6c7d8e9fa0"),))
    assert "Logs.KQLDatabase/.platform" in orphan
    assert "Logs.KQLDatabase/.platform" in write({}, "", upserts=(_database(None),))
    # Two children whose directory names differ in case only: the second takes the logical-id
    # name, as a top-level item would.
    other = _database(HOUSE_ID, logical_id=PIPE_ID, display_name="logs")
    clash = write_items(
        write({}, "", upserts=(house, _database(HOUSE_ID))), "", upserts=(other,), deletes=()
    )
    assert f"rt/Telemetry.Eventhouse/.children/{PIPE_ID}.KQLDatabase/.platform" in clash


def test_read_ignores_files_outside_root_and_unsupported_types() -> None:
    files = write({}, "fabric", upserts=(notebook(),))
    files.update(write({}, "other", upserts=(notebook(logical_id=PIPE_ID),)))
    dash = ItemState(logical_id=MODEL_ID, type="Dashboard", display_name="D")
    assert "Dashboard" not in SUPPORTED_TYPES
    files["fabric/D.Dashboard/.platform"] = platform_bytes(dash)
    files["fabric/README.md"] = b"hello"
    assert set(read_items(files, "fabric")) == {NB_ID}
    assert set(read_items(files, "/fabric/")) == {NB_ID}


# --- directory names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("display_name", "expected"),
    [
        ("Sales", "Sales"),
        ('a"b', "a&#34;b"),
        ("a:b<c>d", "a&#58;b&#60;c&#62;d"),
        ("a\\b/c", "a&#92;b&#47;c"),
        ("a*b?c|d", "a&#42;b&#63;c&#124;d"),
        (" lead", "&#32;lead"),
        ("trail ", "trail&#32;"),
        ("dot.", "dot&#46;"),
        ("tab\there", "tab&#9;here"),
        ("keep & # % .inner", "keep & # % .inner"),
    ],
)
def test_sanitise_display_name(display_name: str, expected: str) -> None:
    assert sanitise_display_name(display_name) == expected


def test_long_names_fall_back_to_the_logical_id() -> None:
    assert item_directory_name(notebook(display_name="x" * 256)) == "x" * 256 + ".Notebook"
    assert item_directory_name(notebook(display_name="x" * 257)) == f"{NB_ID}.Notebook"
    # Sanitising can push a name over the limit too.
    assert item_directory_name(notebook(display_name=":" * 60)) == f"{NB_ID}.Notebook"


def test_sanitised_names_round_trip_through_platform_display_name() -> None:
    state = notebook(display_name=" a:b.")
    files = write({}, "", upserts=(state,))
    assert "&#32;a&#58;b&#46;.Notebook/.platform" in files
    assert read_items(files, "")[NB_ID].state.display_name == " a:b."


def test_a_taken_name_falls_back_to_the_logical_id() -> None:
    files = {"Hello World.Notebook/notes.txt": b"not an item"}
    out = write(files, "", upserts=(notebook(),))
    assert f"{NB_ID}.Notebook/.platform" in out
    assert out["Hello World.Notebook/notes.txt"] == b"not an item"


def test_names_that_differ_only_in_case_or_encoding_do_not_share_a_directory() -> None:
    other = notebook(logical_id=PIPE_ID, display_name="hello world")
    out = write({}, "", upserts=(notebook(), other))
    assert "Hello World.Notebook/.platform" in out
    assert f"{PIPE_ID}.Notebook/.platform" in out
    read = read_items(out, "")
    assert read[PIPE_ID].state.display_name == "hello world"


def test_rename_keeps_the_directory() -> None:
    files = write({}, "", upserts=(notebook(),))
    renamed = write(files, "", upserts=(notebook(display_name="Goodbye"),))
    item = read_items(renamed, "")[NB_ID]
    assert item.directory == "Hello World.Notebook"
    assert item.state.display_name == "Goodbye"


def test_folder_move_moves_the_directory_and_keeps_its_leaf_name() -> None:
    files = write({}, "ws", upserts=(notebook(display_name="Old", folder=("a", "b")),))
    moved = write(files, "ws", upserts=(notebook(display_name="New", folder=("c",)),))
    assert sorted(moved) == ["ws/c/Old.Notebook/.platform", "ws/c/Old.Notebook/notebook-content.py"]
    state = read_items(moved, "ws")[NB_ID].state
    assert state.folder == ("c",)
    assert state.display_name == "New"


def test_folder_move_onto_a_taken_name_falls_back_to_the_logical_id() -> None:
    first = notebook(folder=("a",))
    second = notebook(logical_id=PIPE_ID, display_name="Other", folder=("b",))
    files = write({}, "", upserts=(first, second))
    files["b/Hello World.Notebook/readme.md"] = b"someone else's"
    moved = write(files, "", upserts=(notebook(folder=("b",)),))
    assert read_items(moved, "")[NB_ID].directory == f"b/{NB_ID}.Notebook"
    assert moved["b/Hello World.Notebook/readme.md"] == b"someone else's"


def test_stale_files_removed_outside_files_untouched_no_empty_directories() -> None:
    files = write({}, "ws", upserts=(notebook(folder=("f",)),))
    files["ws/f/Hello World.Notebook/stale.txt"] = b"old"
    files["ws/f/notes.md"] = b"mine"
    files["README.md"] = b"top"
    changes = write_items(
        files, "ws", upserts=(notebook(folder=("f",), parts={"other.py": b"x"}),), deletes=()
    )
    assert changes["ws/f/Hello World.Notebook/stale.txt"] is None
    assert changes["ws/f/Hello World.Notebook/notebook-content.py"] is None
    assert changes["ws/f/Hello World.Notebook/other.py"] == b"x"
    assert "ws/f/notes.md" not in changes and "README.md" not in changes
    # An unchanged .platform is not rewritten.
    assert "ws/f/Hello World.Notebook/.platform" not in changes

    gone = write(files, "ws", deletes=(NB_ID,))
    assert sorted(gone) == ["README.md", "ws/f/notes.md"]
    # Directories exist only through files, so a removed item leaves no directory behind.
    assert not any(p.startswith("ws/f/Hello World.Notebook") for p in gone)


def test_deleting_an_unknown_logical_id_is_a_no_op() -> None:
    files = write({}, "", upserts=(notebook(),))
    assert write_items(files, "", upserts=(), deletes=(PIPE_ID,)) == {}


def test_unchanged_items_give_no_changes_and_crlf_parts_are_written_with_lf() -> None:
    files = write({}, "", upserts=(notebook(),))
    assert write_items(files, "", upserts=(notebook(),), deletes=()) == {}
    crlf = notebook(parts={"notebook-content.py": b"a\r\nb\r\n", "bin.dat": b"\x00\r\n"})
    out = write(files, "", upserts=(crlf,))
    assert out["Hello World.Notebook/notebook-content.py"] == b"a\nb\n"
    assert out["Hello World.Notebook/bin.dat"] == b"\x00\r\n"


def test_system_files_in_parts_are_ignored_on_write() -> None:
    state = notebook(parts={".platform": b"garbage", "x.py": b"1"})
    out = write({}, "", upserts=(state,))
    assert out["Hello World.Notebook/.platform"] == platform_bytes(state)


def test_power_bi_local_files_are_neither_parts_nor_stale() -> None:
    model = ItemState(
        logical_id=MODEL_ID,
        type="SemanticModel",
        display_name="M",
        parts={"definition.pbism": b"{}"},
    )
    files = write({}, "", upserts=(model,))
    files["M.SemanticModel/.pbi/localSettings.json"] = b"{}"
    assert read_items(files, "")[MODEL_ID].state.parts == {"definition.pbism": b"{}"}
    out = write(files, "", upserts=(model,))
    assert out["M.SemanticModel/.pbi/localSettings.json"] == b"{}"


# --- version 1 system files ------------------------------------------------------------------


def test_v1_system_files_are_read() -> None:
    files = v1_files("Legacy.Notebook", NB_ID.upper(), "Legacy", "Notebook")
    files["Legacy.Notebook/notebook-content.py"] = b"print(1)\n"
    item = read_items(files, "")[NB_ID]
    assert item.state == ItemState(
        logical_id=NB_ID,
        type="Notebook",
        display_name="Legacy",
        description="old",
        parts={"notebook-content.py": b"print(1)\n"},
    )


def test_writing_a_v1_item_upgrades_it_to_v2() -> None:
    files = v1_files("Legacy.Notebook", NB_ID, "Legacy", "Notebook")
    files["Legacy.Notebook/notebook-content.py"] = b"print(1)\n"
    state = read_items(files, "")[NB_ID].state
    changes = write_items(files, "", upserts=(state,), deletes=())
    assert changes == {
        "Legacy.Notebook/item.metadata.json": None,
        "Legacy.Notebook/item.config.json": None,
        "Legacy.Notebook/.platform": platform_bytes(state),
    }


def test_only_files_writes_those_files_and_keeps_the_others_bytes() -> None:
    files = v1_files("Legacy.Notebook", NB_ID, "Legacy", "Notebook")
    files["Legacy.Notebook/notebook-content.py"] = b"print(1)\r\n"
    files["Legacy.Notebook/gone.txt"] = b"x\n"
    state = read_items(files, "")[NB_ID].state
    edited = dataclasses.replace(
        state, description="new", parts={"notebook-content.py": b"print(1)\r\n", "a.txt": b"a"}
    )
    only = {NB_ID.upper(): ("a.txt", "gone.txt")}
    changes = write_items(files, "", upserts=(edited,), deletes=(), only_files=only)
    assert changes == {"Legacy.Notebook/a.txt": b"a", "Legacy.Notebook/gone.txt": None}
    with_platform = {NB_ID: (".platform",)}
    changes = write_items(files, "", upserts=(edited,), deletes=(), only_files=with_platform)
    assert changes == {
        "Legacy.Notebook/item.metadata.json": None,
        "Legacy.Notebook/item.config.json": None,
        "Legacy.Notebook/.platform": platform_bytes(edited),
    }


# --- errors ----------------------------------------------------------------------------------


def error_of(files: dict[str, bytes], root: str = "") -> LayoutError:
    with pytest.raises(LayoutError) as caught:
        read_items(files, root)
    return caught.value


def test_invalid_system_files() -> None:
    base = write({}, "", upserts=(notebook(),))
    both = dict(base) | v1_files("Hello World.Notebook", NB_ID, "Hello World", "Notebook")
    bad_json = {"X.Notebook/.platform": b"{not json"}
    no_id = {
        "X.Notebook/.platform": json.dumps(
            {"metadata": {"type": "Notebook", "displayName": "X"}, "config": {}}
        ).encode()
    }
    half_v1 = {
        k: v for k, v in v1_files("Y.Notebook", NB_ID, "Y", "Notebook").items() if "meta" in k
    }
    zero = {"Z.Notebook/.platform": platform_bytes(notebook(logical_id=ZERO_GUID))}
    for files in (both, bad_json, no_id, half_v1, zero):
        error = error_of(files)
        assert error.error_code == "InvalidSystemFiles"
        assert error.details and error.details[0]["errorCode"] == "InvalidSystemFiles"
    # write_items refuses to work on such a tree as well.
    with pytest.raises(LayoutError) as caught:
        write_items(bad_json, "", upserts=(notebook(),), deletes=())
    assert caught.value.error_code == "InvalidSystemFiles"


def test_invalid_system_files_name_every_bad_directory() -> None:
    files = {"X.Notebook/.platform": b"{not json", "deep/Y.Notebook/.platform": b"[]"}
    files |= write({}, "", upserts=(notebook(),))
    error = error_of(files)
    assert error.message == (
        "2 item directories have invalid system files: 'X.Notebook', 'deep/Y.Notebook'"
    )
    assert [d["message"] for d in error.details] == [
        "'X.Notebook/.platform' is not a JSON object",
        "'deep/Y.Notebook/.platform' is not a JSON object",
    ]
    del files["deep/Y.Notebook/.platform"]
    assert error_of(files).message == "1 item directory has invalid system files: 'X.Notebook'"


def test_duplicate_logical_id() -> None:
    files = write({}, "", upserts=(notebook(),))
    copy = {p.replace("Hello World", "Copy"): c for p, c in files.items()}
    error = error_of(files | copy)
    assert error.error_code == "DuplicateLogicalId"
    assert NB_ID in error.message and "Copy.Notebook" in error.message
    with pytest.raises(LayoutError) as caught:
        write_items({}, "", upserts=(notebook(), notebook(display_name="B")), deletes=())
    assert caught.value.error_code == "DuplicateLogicalId"


def test_potential_duplicate_display_name_and_type() -> None:
    files = write({}, "", upserts=(notebook(folder=("a",)),))
    files |= write({}, "", upserts=(notebook(logical_id=PIPE_ID, folder=("b",)),))
    error = error_of(files)
    assert error.error_code == "PotentialDuplicateDisplayNameAndType"
    assert "Hello World" in error.message
    # Same name with a different type is fine.
    fine = write({}, "", upserts=(notebook(), notebook(logical_id=PIPE_ID, type="Report")))
    assert len(read_items(fine, "")) == 2


def test_writing_a_duplicate_display_name_is_refused() -> None:
    files = write({}, "", upserts=(notebook(),))
    with pytest.raises(LayoutError) as caught:
        write_items(files, "", upserts=(notebook(logical_id=PIPE_ID, folder=("x",)),), deletes=())
    assert caught.value.error_code == "DuplicateDisplayNameAndType"


def test_git_file_path_too_long() -> None:
    deep = notebook(folder=("f" * 100, "g" * 100), display_name="n" * 40)
    with pytest.raises(LayoutError) as caught:
        write_items({}, "", upserts=(deep,), deletes=())
    assert caught.value.error_code == "GitFilePathTooLong"
    assert "250" in caught.value.message


# --- comparison ------------------------------------------------------------------------------


def test_same_content_normalises_line_endings_of_text_only() -> None:
    lf = notebook(parts={"a.py": b"x\ny\n", "b.bin": b"\x00\n"})
    crlf = notebook(parts={"a.py": b"x\r\ny\r\n", "b.bin": b"\x00\n"})
    assert same_content(lf, crlf)
    binary_crlf = notebook(parts={"a.py": b"x\ny\n", "b.bin": b"\x00\r\n"})
    assert not same_content(lf, binary_crlf)


@pytest.mark.parametrize(
    "change",
    [
        {"display_name": "Other"},
        {"description": "changed"},
        {"folder": ("moved",)},
        {"parts": {"notebook-content.py": b"# Fabric notebook source\nprint('bye')\n"}},
        {"parts": {}},
    ],
)
def test_same_content_sees_every_field(change: dict[str, object]) -> None:
    assert not same_content(notebook(), notebook(**change))


def test_same_content_ignores_the_logical_id() -> None:
    assert same_content(notebook(), notebook(logical_id=PIPE_ID))


# --- references ------------------------------------------------------------------------------

WS_ID = "aaaaaaaa-1111-2222-3333-444444444444"
NB_OBJECT = "bbbbbbbb-1111-2222-3333-444444444444"
OTHER_WS = "cccccccc-1111-2222-3333-444444444444"


def pipeline_text(notebook_id: str, workspace_id: str, other: str, upper: str) -> bytes:
    return json.dumps(
        {"notebookId": notebook_id, "workspaceId": workspace_id, "other": other, "upper": upper}
    ).encode()


def test_references_are_rewritten_both_ways() -> None:
    workspace_text = pipeline_text(NB_OBJECT, WS_ID, OTHER_WS, NB_OBJECT.upper())
    parts = {"pipeline-content.json": workspace_text, "blob.bin": NB_OBJECT.encode() + b"\x00"}
    repo = to_repo_references(parts, object_to_logical={NB_OBJECT: NB_ID}, workspace_id=WS_ID)
    assert repo["pipeline-content.json"] == pipeline_text(NB_ID, ZERO_GUID, OTHER_WS, NB_ID)
    assert repo["blob.bin"] == parts["blob.bin"]

    back = from_repo_references(repo, logical_to_object={NB_ID: NB_OBJECT}, workspace_id=WS_ID)
    assert back["pipeline-content.json"] == pipeline_text(NB_OBJECT, WS_ID, OTHER_WS, NB_OBJECT)


def test_zero_guid_outside_workspace_keys_is_kept_on_update() -> None:
    def text(lakehouse_ws: str, environment: str, workspace: str) -> bytes:
        return (
            f'# META   "default_lakehouse_workspace_id": "{lakehouse_ws}",\n'
            f'{{"environmentId": "{environment}", "workspace": "{workspace}"}}\n'
        ).encode()

    source = text(ZERO_GUID, ZERO_GUID, ZERO_GUID)
    back = from_repo_references({"n.py": source}, logical_to_object={}, workspace_id=WS_ID)
    assert back["n.py"] == text(WS_ID, ZERO_GUID, WS_ID)


def test_guid_embedded_in_a_longer_token_is_not_rewritten() -> None:
    text = f"x{NB_OBJECT}y {NB_OBJECT}".encode()
    out = to_repo_references({"a": text}, object_to_logical={NB_OBJECT: NB_ID}, workspace_id=WS_ID)
    assert out["a"] == f"x{NB_OBJECT}y {NB_ID}".encode()


def test_moving_a_child_into_a_too_long_path_is_refused() -> None:
    house = sample_items()[4]
    files = write({}, "", upserts=(house,))
    child_dir = "rt/Telemetry.Eventhouse/.children/" + "k" * 120 + ".KQLDatabase"
    child = ItemState(logical_id=DB_ID, type="KQLDatabase", display_name="k")
    files[f"{child_dir}/.platform"] = platform_bytes(child)
    moved_house = ItemState(
        logical_id=HOUSE_ID,
        type="Eventhouse",
        display_name="Telemetry",
        folder=("f" * 100,),
        parts=house.parts,
    )
    with pytest.raises(LayoutError) as caught:
        write_items(files, "", upserts=(moved_house,), deletes=())
    assert caught.value.error_code == "GitFilePathTooLong"
    assert ".children/kkk" in caught.value.message
