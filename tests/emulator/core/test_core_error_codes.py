"""Every error code the emulator answers is the spec's, one of the SDK's Git codes listed by
the semantics document (§9 and the rules it cites), or one that docs/emulator.md names as the
emulator's choice; and no code listed as chosen is in fact documented.

The emulator's codes are read from its source: each string literal given as the code to
``EmulatorError``, ``git_error``, ``RuleError`` or ``LayoutError``, plus the fault defaults.
"""

from __future__ import annotations

import ast
import re
from functools import cache

from fabric_git.emulator import faults
from spec import REPO_ROOT, spec_root

EMULATOR = REPO_ROOT / "src" / "fabric_git" / "emulator"
SEMANTICS = REPO_ROOT / "docs" / "fabric-git-semantics.md"
CODE = re.compile(r"[A-Z][a-z]+(?:[A-Z][a-z0-9]*)+")
CONSTRUCTORS = {"EmulatorError", "git_error", "RuleError", "LayoutError"}
CHOSEN_HEADING = "### Error codes the emulator chose"


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


@cache
def emitted_codes() -> frozenset[str]:
    codes: set[str] = set(faults._STATUS_CODES.values())
    for path in EMULATOR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _call_name(node) in CONSTRUCTORS:
                for arg in node.args[:2]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        if CODE.fullmatch(arg.value):
                            codes.add(arg.value)
    return frozenset(codes)


@cache
def documented_text() -> str:
    texts = [SEMANTICS.read_text(encoding="utf-8")]
    texts += [path.read_text(encoding="utf-8") for path in spec_root().rglob("*.json")]
    return "\n".join(texts)


def is_documented(code: str) -> bool:
    return re.search(rf"\b{code}\b", documented_text()) is not None


def chosen_codes() -> set[str]:
    text = (REPO_ROOT / "docs" / "emulator.md").read_text(encoding="utf-8")
    assert CHOSEN_HEADING in text
    section = text.split(CHOSEN_HEADING, 1)[1].split("\n## ", 1)[0]
    return {code for code in re.findall(r"`([A-Za-z]+)`", section) if CODE.fullmatch(code)}


def test_the_source_scan_finds_codes_of_every_kind() -> None:
    codes = emitted_codes()
    # One of each constructor, so a scan that stopped finding a kind would show here.
    assert {"WorkspaceNotFound", "GitCredentialsNotConfigured", "NoChangesToCommit"} <= codes
    assert {"GitFilePathTooLong", "RequestBlocked"} <= codes


def test_every_code_is_documented_or_listed_as_chosen() -> None:
    chosen = chosen_codes()
    unexplained = sorted(c for c in emitted_codes() if not is_documented(c) and c not in chosen)
    assert unexplained == []


def test_no_chosen_code_is_a_documented_one() -> None:
    assert sorted(c for c in chosen_codes() if is_documented(c)) == []


def test_git_rules_name_their_chosen_codes_as_choices() -> None:
    rules = (REPO_ROOT / "docs" / "git-integration-rules.md").read_text(encoding="utf-8")
    paragraph = rules.split("are the emulator's **choice**:", 1)[1].split("\n\n", 1)[0]
    listed = set(re.findall(r"`([A-Za-z]+)`", paragraph))
    statuses = set(re.findall(r"`([A-Za-z]+)`", rules.split("## Roles", 1)[0]))
    git_chosen = chosen_codes() & statuses
    assert git_chosen <= listed
    assert "as Fabric does for a caller without Git credentials" not in rules
