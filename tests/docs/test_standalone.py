"""A fresh clone stands alone: nothing reads files beside the checkout, and the vendored spec
says where it came from."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO / "specs" / "fabric-api"
# A path that leaves the checkout for a sibling folder ("../shared", "parent / 'shared'").
OUTSIDE = re.compile(r"\.\./shared|parent\s*/\s*[\"']shared[\"']")


def _tracked() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [REPO / name for name in listed if not name.startswith("specs/")]


def test_no_file_reads_a_folder_beside_the_checkout() -> None:
    this = Path(__file__).resolve()
    offenders = [
        str(path.relative_to(REPO))
        for path in _tracked()
        if path != this
        and path.is_file()
        and path.suffix in {".py", ".md", ".toml", ".yml", ".yaml", ""}
        and OUTSIDE.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []


def test_the_vendored_spec_is_whole_and_names_its_upstream() -> None:
    readme = (SPECS / "README.md").read_text(encoding="utf-8")
    assert re.search(r"`[0-9a-f]{40}`", readme), "the snapshot commit is not named"
    assert "MIT" in (SPECS / "LICENSE.txt").read_text(encoding="utf-8")
    swagger = json.loads((SPECS / "platform" / "swagger.json").read_text(encoding="utf-8"))
    assert swagger["basePath"] == "/v1"
    # Every file the platform documents refer to is here (examples are kept for platform/ only;
    # upstream's known quirk, a "../../Common/" spelling, is the README's to explain).
    missing = set()
    for document in [*SPECS.glob("platform/**/*.json"), *SPECS.glob("common/*.json")]:
        for ref in re.findall(r'"\$ref":\s*"([^"#]+)', document.read_text(encoding="utf-8")):
            if "/examples/" in ref or "/Common/" in ref:
                continue
            if not document.parent.joinpath(ref).exists():
                missing.add(f"{document.relative_to(SPECS)} -> {ref}")
    assert sorted(missing) == []
