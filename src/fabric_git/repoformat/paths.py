"""Path and name rules: what Git's own checks refuse and what Fabric refuses in a repository.

``git_path_problem`` follows Git's ``verify_path`` and ``fsck`` name checks, so a tree that
passes it can be cloned and checked out on Linux, Windows (NTFS) and macOS (HFS+): no ``.git``
segment in any spelling a file system maps to ``.git`` (case, trailing dots and spaces, the
8.3 short name ``git~1``, Unicode code points HFS+ ignores), no ``.`` or ``..`` segment, no
empty segment, no absolute path. ``item_path_problem`` adds what Fabric and the item definition
API refuse in an item's files. Each returns a message naming the path, or None.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from fabric_git.repoformat.model import MAX_PATH_LENGTH

__all__ = [
    "FOLDER_FORBIDDEN_CHARACTERS",
    "ITEM_DIRECTORY_FORBIDDEN_CHARACTERS",
    "MAX_FOLDER_DEPTH",
    "MAX_FOLDER_NAME_LENGTH",
    "folder_name_problem",
    "git_path_problem",
    "gitmodules_problem",
    "is_dotgitmodules",
    "is_git_name",
    "is_gitmodules_like",
    "item_directory_name_problem",
    "item_path_problem",
    "may_have_problems",
    "path_clash",
    "path_too_long",
    "printable",
]

# Workspace folder names (Fabric's workspace-folder documentation).
MAX_FOLDER_DEPTH = 10
MAX_FOLDER_NAME_LENGTH = 255
FOLDER_FORBIDDEN_CHARACTERS = frozenset('~"#.&*:<>?/\\{|}')
FOLDER_RESERVED_NAMES = frozenset({"$recycle.bin", "recycled", "recycler"})
# Item directory names: "can't contain any of the following characters" (Git limitations).
ITEM_DIRECTORY_FORBIDDEN_CHARACTERS = frozenset('":<>\\*?|')

# Code points HFS+ ignores when it compares names (Git's utf8.c ``next_hfs_char``).
_HFS_IGNORED = frozenset(
    chr(c)
    for c in (
        0x200C, 0x200D, 0x200E, 0x200F,  # zero-width non-joiner ... right-to-left mark
        0x202A, 0x202B, 0x202C, 0x202D, 0x202E,  # directional embeddings and overrides
        0x206A, 0x206B, 0x206C, 0x206D, 0x206E, 0x206F,  # deprecated format characters
        0xFEFF,  # zero-width no-break space
    )
)  # fmt: skip

# Names Git treats specially when they are symbolic links (fsck's gitmodulesSymlink and kin),
# with the NTFS 8.3 short names Windows may give them: (name, short prefix, hashed prefix).
_SPECIAL_FILES = (
    ("gitmodules", "gitmod", "gi7eba"),
    ("gitattributes", "gitatt", "gi7d29"),
    ("gitignore", "gitign", "gi250a"),
    ("mailmap", "mailma", "maba30"),
)
_SHORT_NAME_RE = re.compile(r"([0-9a-z]{6})~([1-9])")


_HFS_DROP = {ord(c): None for c in _HFS_IGNORED}


def _hfs_fold(segment: str) -> str:
    return (segment if segment.isascii() else segment.translate(_HFS_DROP)).lower()


def _ntfs_fold(segment: str) -> str:
    """The name NTFS resolves ``segment`` to: an alternate data stream suffix and trailing
    dots and spaces dropped, case folded."""
    return segment.split(":", 1)[0].rstrip(". ").lower()


def is_git_name(segment: str) -> bool:
    """Whether a file system could resolve this path segment to ``.git``."""
    if _hfs_fold(segment) == ".git":
        return True
    folded = _ntfs_fold(segment)
    return folded in (".git", "git~1")


def is_gitmodules_like(segment: str) -> bool:
    """Whether a segment could resolve to ``.gitmodules``, ``.gitattributes``, ``.gitignore``
    or ``.mailmap``: Git refuses these as symbolic links."""
    for folded in (_hfs_fold(segment), _ntfs_fold(segment)):
        for name, short, hashed in _SPECIAL_FILES:
            if folded == "." + name:
                return True
            match = _SHORT_NAME_RE.fullmatch(folded)
            if match and match.group(1) in (short, hashed):
                return True
    return False


_ASCII_LOWER = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"
)  # fmt: skip
_FALLBACK_SHORT_NAME_RE = re.compile(r"([0-9a-z]{0,6})~[1-9][0-9]*")


def _ntfs_dot_generic(name: str, dotted: str, hashed: str) -> bool:
    """Git's ``is_ntfs_dot_generic``: whether NTFS could resolve ``name`` to ``.<dotted>``,
    itself or through its 8.3 short name (``gitmod~1``) or the hashed fall-back short name
    (eight characters: a prefix of ``hashed``, ``~`` and digits, as ``gi7eba~1``), with
    trailing dots and spaces or a ``:stream`` suffix."""

    def only_spaces_and_periods(rest: str) -> bool:
        return rest.split(":", 1)[0].strip(". ") == ""

    lowered = name.translate(_ASCII_LOWER)
    if lowered[:1] == "." and lowered[1 : len(dotted) + 1] == dotted:
        return only_spaces_and_periods(name[len(dotted) + 1 :])
    if lowered[:6] == dotted[:6] and lowered[6:7] == "~" and "1" <= lowered[7:8] <= "4":
        return only_spaces_and_periods(name[8:])
    match = _FALLBACK_SHORT_NAME_RE.match(lowered)
    if match is None or match.end() != 8 or not hashed.startswith(match.group(1)):
        return False
    return only_spaces_and_periods(name[8:])


def is_dotgitmodules(segment: str) -> bool:
    """Whether Git's fsck takes this path segment for ``.gitmodules`` (its
    ``is_hfs_dotgitmodules`` or ``is_ntfs_dotgitmodules``) and checks the blob as one."""
    return _hfs_fold(segment) == ".gitmodules" or _ntfs_dot_generic(segment, "gitmodules", "gi7eba")


def gitmodules_problem(path: str) -> str | None:
    """Why ``path`` may not be written: a segment Git's fsck reads as ``.gitmodules`` (and
    checks as submodule configuration: gitmodulesName, gitmodulesUrl), or None. Neither a
    definition part nor a file the emulator commits is ever one."""
    if "~" not in path and "gitmodules" not in _hfs_fold(path):
        return None
    for segment in re.split(r"[/\\]", path):
        if is_dotgitmodules(segment):
            return f"'{path}' has a segment Git reads as '.gitmodules'"
    return None


def printable(text: str) -> str:
    """``text`` with control characters, lone surrogates (undecodable bytes of a file name),
    invisible format characters and line separators escaped as ``\\xNN``/``\\uNNNN``, so a name
    printed to a terminal or a CI log is data, never a command. Messages are kept raw; they are
    escaped where they are printed."""
    if text.isprintable():
        return text
    out: list[str] = []
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cs", "Cf", "Zl", "Zp"):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


_DOT_SEGMENT_RE = re.compile(r"(?:^|[/\\])\.{0,2}(?:[/\\]|$)")
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def may_have_problems(paths: list[str]) -> bool:
    """False when no path of ``paths`` can have a problem ``item_path_problem`` finds: no
    "git" in any case, no "~" (8.3 short names), no character that is not printable (control,
    format and HFS-ignorable characters, undecodable bytes), no backslash, no empty, "." or
    ".." segment. Most trees hold none of these, and then no path is checked one by one (a
    few string scans in C)."""
    joined = "/" + "/".join(paths) + "/"
    return (
        not joined.isprintable()
        or "\\" in joined
        or "git" in joined.lower()
        or "~" in joined
        or "//" in joined
        or "/./" in joined
        or "/../" in joined
    )


def git_path_problem(path: str) -> str | None:
    """Why Git would refuse ``path`` (a repository-relative POSIX path) as a tree entry, or
    None. Backslashes count as separators too, as Git does to protect NTFS checkouts."""
    if not path:
        return "an empty path"
    if path.startswith("/"):
        return f"'{path}' is an absolute path"
    if _DOT_SEGMENT_RE.search(path):
        return f"'{path}' has an empty, '.' or '..' segment"
    # Fast path: every spelling of .git holds "git" once ignorable code points are dropped.
    if "git" in _hfs_fold(path):
        for segment in re.split(r"[/\\]", path):
            if is_git_name(segment):
                return f"'{path}' has a segment a checkout would treat as '.git'"
    return None


def item_path_problem(path: str) -> str | None:
    """Why ``path`` cannot be a file of a Fabric item, or None: Git's rules, then what the item
    definition API refuses (backslashes, control characters, names that are not UTF-8)."""
    problem = git_path_problem(path) or gitmodules_problem(path)
    if problem is not None:
        return problem
    if "\\" in path:
        return f"'{path}' has a backslash"
    bad = _CONTROL_RE.search(path)
    if bad is not None:
        what = "is not valid UTF-8" if "\ud800" <= bad.group() else "has a control character"
        return f"'{path}' {what}"
    return None


def path_too_long(path: str) -> str | None:
    """The length message of a path over MAX_PATH_LENGTH, or None."""
    if len(path) > MAX_PATH_LENGTH:
        return f"'{path}' is {len(path)} characters long; the limit is {MAX_PATH_LENGTH}"
    return None


def path_clash(paths: Iterable[str]) -> str | None:
    """The message naming two of ``paths`` that cannot both be files of one tree (one is a
    directory of the other: ``a`` and ``a/b``), or None. Paths compare as Git compares them,
    case-sensitively."""
    files = set(paths)
    for path in sorted(files):
        parts = path.split("/")
        for depth in range(1, len(parts)):
            directory = "/".join(parts[:depth])
            if directory in files:
                return f"'{directory}' is a file and also a directory of '{path}'"
    return None


def item_directory_name_problem(name: str) -> str | None:
    """Why Fabric refuses ``name`` as an item directory name, or None."""
    bad = sorted(ITEM_DIRECTORY_FORBIDDEN_CHARACTERS.intersection(name))
    if bad:
        listed = " ".join(bad)
        return f"the item directory name '{name}' contains {listed}"
    return None


def folder_name_problem(name: str) -> str | None:
    """Why Fabric refuses ``name`` as a workspace folder name, or None."""
    if not name:
        return "The folder name must not be empty"
    if len(name) > MAX_FOLDER_NAME_LENGTH:
        return f"The folder name must be at most {MAX_FOLDER_NAME_LENGTH} characters"
    if name != name.strip(" "):
        return "The folder name must not begin or end with a space"
    if _CONTROL_RE.search(name):
        return "The folder name must not contain control characters"
    bad = sorted(FOLDER_FORBIDDEN_CHARACTERS.intersection(name))
    if bad:
        return f"The folder name must not contain {''.join(bad)!r}"
    if name.lower() in FOLDER_RESERVED_NAMES:
        return f"The folder name {name!r} is reserved"
    return None
