"""Names are data, never commands: how text from the service is shown to people and to CIs.

Display names of items, workspaces and connections are set by anyone who may write to a
workspace (a Contributor, or a ``.platform`` file pushed to Git), and service messages quote them.
Every human output runs its text through ``shown``: one printable line, in which no terminal
sees an escape sequence and no CI log sees a command. The step summary takes ``markdown`` and CI
annotations escape their parts by the CI's own rules. JSON output keeps every name exactly: JSON
escapes it (``json_text`` only writes as ``\\uXXXX`` what JSON would leave raw).
"""

from __future__ import annotations

import re
import string

__all__ = [
    "azure_data",
    "github_data",
    "github_property",
    "json_text",
    "markdown",
    "shown",
]

# C0 and C1 controls, DEL, line and paragraph separators, bidirectional overrides and isolates
# (text that reads differently than it is), and lone surrogates (which no stream can encode).
# JSON escapes C0 itself (and its own white space outside strings must stay as it is).
_BEYOND_C0 = "\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
_UNPRINTABLE = re.compile(f"[\x00-\x1f{_BEYOND_C0}]")
_UNPRINTABLE_IN_JSON = re.compile(f"[{_BEYOND_C0}]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

# GitHub Actions runs a line that starts with "::" (after white space) as a workflow command;
# Azure Pipelines runs "##vso[" anywhere in a line, and both read "##[" as a log command. The
# first character of each such marker is shown as its escape, so no marker is left.
_COMMAND = re.compile(r"^\s*(:)(?=:)|(#)(?=#(?:vso)?\[)", re.IGNORECASE)


def _escape(char: str) -> str:
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def shown(text: str) -> str:
    """``text`` as one printable line, safe in a terminal and in a CI log. Unprintable
    characters become escapes (``\\n``, ``\\x1b``, ``\\u202e``); idempotent."""
    text = _UNPRINTABLE.sub(lambda m: _escape(m.group(0)), text)
    return _COMMAND.sub(lambda m: m.group(0)[:-1] + _escape(m.group(0)[-1]), text)


_MARKDOWN_SPECIAL = re.compile("[" + re.escape(string.punctuation) + "]")


def markdown(text: str) -> str:
    """``text`` as literal Markdown (GitHub's step summary): every ASCII punctuation character is
    backslash-escaped, so no HTML, link, image, emphasis or table syntax survives."""
    return _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(0), shown(text))


# In JSON a "#" occurs only inside strings, where "\\u0023" is the same character.
_COMMAND_IN_JSON = re.compile(r"#(?=#(?:vso)?\[)", re.IGNORECASE)


def json_text(document: str) -> str:
    """A JSON text with the unprintable characters JSON leaves raw written as ``\\uXXXX``, and
    the first ``#`` of a CI command marker (``##vso[``, ``##[``) likewise: the same document once
    parsed, but safe on a terminal and in a CI log, and writable to any stream."""
    document = _UNPRINTABLE_IN_JSON.sub(lambda m: f"\\u{ord(m.group(0)):04x}", document)
    return _COMMAND_IN_JSON.sub("\\\\u0023", document)


def github_data(text: str) -> str:
    """The message of a GitHub workflow command (``::error ...::MESSAGE``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A property value of a GitHub workflow command (``::error title=VALUE::``)."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def azure_data(text: str) -> str:
    """The message of an Azure Pipelines logging command (``##vso[...]MESSAGE``)."""
    return text.replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A")


def azure_property(text: str) -> str:
    """A property value of an Azure Pipelines logging command (``##vso[... sourcepath=VALUE]``)."""
    return azure_data(text).replace(";", "%3B").replace("]", "%5D")
