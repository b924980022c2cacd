"""Small modules named for what they do: a module of ``fabric_git`` (client, CLI and emulator
alike) longer than about 400 lines says at its top why it is one module, in a docstring sentence
that starts "One module because"."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import fabric_git

PACKAGE = Path(fabric_git.__file__).parent
MAX_LINES = 400
REASON = re.compile(r"One module because \S")


def test_long_modules_say_why() -> None:
    offenders = []
    checked = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        checked += 1
        text = path.read_text(encoding="utf-8")
        if text.count("\n") <= MAX_LINES:
            continue
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if not REASON.search(" ".join(docstring.split())):
            offenders.append(f"{path.relative_to(PACKAGE).as_posix()} ({text.count(chr(10))})")
    assert checked > 100  # the whole package, the emulator included
    assert offenders == []
