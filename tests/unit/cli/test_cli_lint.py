"""``fabric-git lint`` as a command: output lines, JSON, exit codes, CI annotations, reading a
working tree (symbolic links, .gitignore, --directory)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fabric_git.cli import cli
from fabric_git.repoformat.model import ItemState
from fabric_git.repoformat.system_files import platform_bytes

LID = "cccccccc-0000-4000-8000-000000000001"
_CI_VARS = ("CI", "GITHUB_ACTIONS", "TF_BUILD", "GITHUB_STEP_SUMMARY", "FABRIC_GIT_OUTPUT")


def platform(logical_id: str, name: str, type: str = "Notebook") -> bytes:
    return platform_bytes(ItemState(logical_id=logical_id, type=type, display_name=name))


def write(root: Path, files: dict[str, bytes]) -> Path:
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return root


def run(*args: str, **environ: str) -> Result:
    env = dict.fromkeys(_CI_VARS) | environ
    return CliRunner().invoke(cli, ["lint", *args], env=env)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _CI_VARS:
        monkeypatch.delenv(name, raising=False)


def test_a_clean_tree_exits_0_and_says_so(tmp_path: Path) -> None:
    write(tmp_path, {"Sales.Notebook/.platform": platform(LID, "Sales"), "README.md": b"hi"})
    result = run(str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "lint: 0 errors, 0 warnings in 2 files" in result.stderr


def test_findings_are_path_line_code_message_with_a_fix(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a/Sales.Notebook/.platform": platform(LID, "Sales"),
            "a/Copy.Notebook/.platform": b'{\n  "metadata": {"type": "Notebook",\n'
            b'  "displayName": "Copy"},\n  "config": {"logicalId": "' + LID.encode() + b'"}}',
        },
    )
    result = run(str(tmp_path))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    root = tmp_path.as_posix()
    assert lines[0] == (
        f"{root}/a/Copy.Notebook/.platform:4: DuplicateLogicalId logicalId {LID} is used by "
        "'a/Copy.Notebook', 'a/Sales.Notebook'"
    )
    assert lines[1].startswith("  fix: give all but one of these items a new config.logicalId")
    assert lines[2].startswith(f"{root}/a/Sales.Notebook/.platform:")
    assert "lint: 2 errors, 0 warnings in 2 files" in result.stderr


def test_paths_are_relative_to_the_current_directory_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"x.Dashboard/.platform": platform(LID, "x", "Dashboard")})
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 0  # a warning only
    assert result.stdout.startswith("x.Dashboard/.platform:4: UnsupportedItemType item type")


def test_json_is_a_list_of_findings(tmp_path: Path) -> None:
    write(tmp_path, {"x.Dashboard/.platform": platform(LID, "x", "Dashboard")})
    result = CliRunner().invoke(cli, ["-o", "json", "lint", str(tmp_path)])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document == [
        {
            "path": f"{tmp_path.as_posix()}/x.Dashboard/.platform",
            "line": 4,
            "code": "UnsupportedItemType",
            "severity": "warning",
            "message": "item type 'Dashboard' does not take part in Git integration",
        }
    ]


def test_json_of_a_clean_tree_is_an_empty_list(tmp_path: Path) -> None:
    write(tmp_path, {"Sales.Notebook/.platform": platform(LID, "Sales")})
    result = run(str(tmp_path), "-o", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run(str(tmp_path / "missing")).exit_code == 2
    for bad in ("../elsewhere", "/abs", "no-such-dir"):
        result = run(str(tmp_path), "--directory", bad)
        assert result.exit_code == 2, bad
        assert "--directory" in result.stderr


def test_directory_limits_what_is_read_and_is_the_connected_directory(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "fabric/Sales.Notebook/.platform": platform(LID, "Sales"),
            "other/Broken.Notebook/.platform": b"{",
        },
    )
    assert run(str(tmp_path), "--directory", "fabric").exit_code == 0
    assert run(str(tmp_path)).exit_code == 1


def test_github_actions_annotations_escape_names(tmp_path: Path) -> None:
    hostile = "x\n::error::owned.Dashboard"
    write(tmp_path, {f"{hostile}/.platform": platform(LID, "x", "Dashboard")})
    result = run(str(tmp_path), GITHUB_ACTIONS="true")
    annotations = [line for line in result.stderr.splitlines() if line.startswith("::")]
    assert len(annotations) == 1
    annotation = annotations[0]
    assert annotation.startswith("::warning file=")
    assert "/x\\x0a%3A%3Aerror%3A%3Aowned.Dashboard/.platform,line=4," in annotation
    assert ",title=fabric-git lint%3A UnsupportedItemType::item type 'Dashboard'" in annotation
    assert not any(line.startswith("::error") for line in result.stderr.splitlines())
    assert "\\x0a::error::owned.Dashboard/.platform:4:" in result.stdout


def test_azure_pipelines_annotations_name_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, {"a;b].Notebook/.platform": b"{"})
    result = run(str(tmp_path), TF_BUILD="True")
    assert result.exit_code == 1
    (annotation,) = [line for line in result.stderr.splitlines() if line.startswith("##vso")]
    assert annotation.startswith("##vso[task.logissue type=error;sourcepath=")
    assert "a%3Bb%5D.Notebook/.platform;linenumber=1;code=fabric-git lint: InvalidSystemFiles]" in (
        annotation
    )


@pytest.mark.parametrize("output", ["table", "json"])
def test_no_line_on_stdout_is_an_azure_pipelines_command(tmp_path: Path, output: str) -> None:
    # A file name in a pull request is anyone's text; Azure Pipelines runs "##vso[" anywhere in a
    # line of the log.
    hostile = "x ##vso[task.setvariable variable=A]1.Notebook"
    write(tmp_path, {f"{hostile}/notebook-content.py": b"print(1)\n"})
    result = run("-o", output, str(tmp_path), TF_BUILD="True")
    assert result.stdout and "##vso[" not in result.stdout.lower(), result.stdout
    if output == "json":
        assert hostile in json.loads(result.stdout)[0]["path"]


def test_gitmodules_symbolic_links_are_refused(tmp_path: Path) -> None:
    write(tmp_path, {"Sales.Notebook/.platform": platform(LID, "Sales")})
    os.symlink("/etc/passwd", tmp_path / "Sales.Notebook" / ".gitmodules")
    os.symlink("target", tmp_path / "Sales.Notebook" / "plain-link")
    result = run(str(tmp_path), "-o", "json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert {f["code"] for f in findings} == {"InvalidPath"}
    assert all(f["path"].endswith("Sales.Notebook/.gitmodules") for f in findings)
    assert any("symbolic link" in f["message"] for f in findings)


def test_in_a_git_working_tree_ignored_files_are_not_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".gitignore": b"build/\n",
            "Sales.Notebook/.platform": platform(LID, "Sales"),
            "build/Broken.Notebook/.platform": b"{",
        },
    )
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert run(str(tmp_path)).exit_code == 0
    (tmp_path / ".gitignore").unlink()
    assert run(str(tmp_path)).exit_code == 1


def test_lint_loads_nothing_of_the_emulator_or_the_service_client(tmp_path: Path) -> None:
    write(tmp_path, {"Sales.Notebook/.platform": platform(LID, "Sales")})
    code = (
        "import sys\n"
        "from fabric_git.cli import main\n"
        f"sys.argv = ['fabric-git', 'lint', {str(tmp_path)!r}]\n"
        "try:\n    main()\nexcept SystemExit as done:\n    assert done.code in (0, None), done\n"
        "heavy = ('fabric_git.emulator', 'pygit2', 'starlette', 'httpx', 'azure', 'pydantic')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
