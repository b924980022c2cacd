"""Lint rules on file maps: where findings point, and trees that must stay clean."""

from __future__ import annotations

from fabric_git.repoformat.lint import lint_files
from fabric_git.repoformat.model import ItemState
from fabric_git.repoformat.system_files import platform_bytes

HUB = "eeeeeeee-0000-4000-8000-000000000001"
DB = "eeeeeeee-0000-4000-8000-000000000002"
REPORT = "eeeeeeee-0000-4000-8000-000000000003"


def platform(logical_id: str, name: str, type: str) -> bytes:
    return platform_bytes(ItemState(logical_id=logical_id, type=type, display_name=name))


def codes(files: dict[str, bytes], directory: str = "") -> list[tuple[str, str]]:
    return [(f.path, f.code) for f in lint_files(files, directory)]


def test_child_items_in_children_are_clean() -> None:
    files = {
        "rt/Hub.Eventhouse/.platform": platform(HUB, "Hub", "Eventhouse"),
        "rt/Hub.Eventhouse/.children/Db.KQLDatabase/.platform": platform(DB, "Db", "KQLDatabase"),
        "rt/Hub.Eventhouse/.children/Db.KQLDatabase/DatabaseSchema.kql": b".create table T\n",
    }
    assert codes(files) == []
    del files["rt/Hub.Eventhouse/.children/Db.KQLDatabase/.platform"]
    assert codes(files) == [
        ("rt/Hub.Eventhouse/.children/Db.KQLDatabase/DatabaseSchema.kql", "MissingSystemFile")
    ]


def test_part_folders_named_like_items_are_not_items() -> None:
    files = {
        "Sales.Report/.platform": platform(REPORT, "Sales", "Report"),
        "Sales.Report/StaticResources/Theme.Report/theme.json": b"{}",
    }
    assert codes(files) == []


def test_only_the_connected_directory_is_read_as_items() -> None:
    files = {
        "fabric/Sales.Report/.platform": platform(REPORT, "Sales", "Report"),
        "docs/Old.Report/.platform": b"{",
        "docs/Orphan.Notebook/notebook-content.py": b"",
    }
    assert codes(files, "fabric") == []
    assert codes(files) == [
        ("docs/Old.Report/.platform", "InvalidSystemFiles"),
        ("docs/Orphan.Notebook/notebook-content.py", "MissingSystemFile"),
    ]


def test_a_json_error_points_at_its_line_and_a_missing_key_at_the_file() -> None:
    broken = b'{\n  "metadata": {\n    "type": "Report"\n  },\n  "config": {,\n}'
    files = {"A.Report/.platform": broken}
    (finding,) = lint_files(files)
    assert (finding.line, finding.code, finding.severity) == (5, "InvalidSystemFiles", "error")
    nameless = b'{\n  "metadata": {\n    "type": "Report"\n  },\n  "config": {}\n}'
    (finding,) = lint_files({"A.Report/.platform": nameless})
    assert finding.line == 1 and "displayName" in finding.message


def test_the_case_of_a_type_gets_a_hint() -> None:
    (finding,) = lint_files({"x.Report/.platform": platform(REPORT, "x", "report")})
    assert finding.code == "UnsupportedItemType" and finding.severity == "warning"
    assert "did you mean 'Report'?" in finding.message
