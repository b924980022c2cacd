"""The ``fabric-git-lint`` pre-commit hook, run by the real ``pre-commit`` in a test repository.

The hook is the one ``.pre-commit-hooks.yaml`` defines, validated by pre-commit itself. In the
test repository it is declared as a local hook with the same fields, run from this environment
(``language: system``), so pre-commit needs no network to build an environment for it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from fabric_git.repoformat.model import ItemState
from fabric_git.repoformat.system_files import platform_bytes
from spec import REPO_ROOT

BIN = Path(sys.executable).parent
PRE_COMMIT = BIN / "pre-commit"
MANIFEST = REPO_ROOT / ".pre-commit-hooks.yaml"
LID = "dddddddd-0000-4000-8000-000000000001"


def the_hook() -> dict[str, Any]:
    hooks = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "fabric-git-lint"]
    return dict(hook)


def run(repo: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in ("CI", "GITHUB_ACTIONS", "TF_BUILD") and not key.startswith("GIT_")
    }
    environ |= {
        "PATH": f"{BIN}{os.pathsep}{environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(home),
        "HOME": str(home),
        "GIT_AUTHOR_NAME": "Dev",
        "GIT_AUTHOR_EMAIL": "dev@example.com",
        "GIT_COMMITTER_NAME": "Dev",
        "GIT_COMMITTER_EMAIL": "dev@example.com",
    }
    return subprocess.run(
        list(args), cwd=repo, env=environ, capture_output=True, text=True, timeout=120
    )


def test_the_manifest_is_valid_for_pre_commit() -> None:
    done = subprocess.run(
        [str(PRE_COMMIT), "validate-manifest", str(MANIFEST)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    hook = the_hook()
    assert (hook["entry"], hook["language"], hook["pass_filenames"]) == (
        "fabric-git lint",
        "python",
        False,
    )


def test_the_hook_refuses_a_commit_fabric_would_refuse(tmp_path: Path) -> None:
    repo, home = tmp_path / "repo", tmp_path / "home"
    repo.mkdir()
    home.mkdir()
    hook = {**the_hook(), "language": "system"}
    config = {"repos": [{"repo": "local", "hooks": [hook]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    item = repo / "Sales.Notebook"
    item.mkdir()
    platform = platform_bytes(ItemState(logical_id=LID, type="Notebook", display_name="Sales"))
    (item / ".platform").write_bytes(platform)
    copy = repo / "Sales copy.Notebook"
    copy.mkdir()
    (copy / ".platform").write_bytes(platform)  # a copied item keeps the logical id

    assert run(repo, "git", "init", "-q", home=home).returncode == 0
    installed = run(repo, str(PRE_COMMIT), "install", home=home)
    assert installed.returncode == 0, installed.stderr
    assert run(repo, "git", "add", "-A", home=home).returncode == 0
    refused = run(repo, "git", "commit", "-q", "-m", "Copy the notebook", home=home)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    output = refused.stdout + refused.stderr
    assert "fabric-git lint" in output and "Failed" in output
    assert "Sales copy.Notebook/.platform:9: DuplicateLogicalId" in output
    assert run(repo, "git", "rev-parse", "--verify", "HEAD", home=home).returncode != 0

    shutil.rmtree(copy)
    assert run(repo, "git", "add", "-A", home=home).returncode == 0
    accepted = run(repo, "git", "commit", "-q", "-m", "One notebook", home=home)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "fabric-git lint" in accepted.stdout + accepted.stderr
    assert "Passed" in accepted.stdout + accepted.stderr
