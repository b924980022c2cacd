"""A notebook's two definition formats: Fabric's Git source (``notebook-content.py``, what the
repository stores) and Jupyter's ``ipynb``, converted both ways without loss.

The Git source is blocks joined by one blank line, after the ``# Fabric notebook source`` line:
a marker line (``# CELL``, ``# MARKDOWN``, ``# PARAMETERS CELL``, ``# METADATA``, each followed
by 20 ``*``), a blank line and the block's text. Code is written as is (a cell of another
language than the kernel's as ``# MAGIC `` lines), Markdown with ``# `` before each line,
metadata as indented JSON with ``# META `` before each line. The first ``# METADATA`` block (before
any cell) is the notebook's; every other belongs to the cell before it. In ipynb: the
notebook's metadata is ``metadata``, a cell's is the cell's ``metadata``, a parameters cell is a
code cell tagged ``parameters``, and ``# MAGIC`` lines are the cell's plain source. A cell's
``# META`` JSON is its ipynb metadata's ``microsoft`` object, as Fabric's ipynb export has it;
other ipynb cell metadata (and outputs) has no place in the Git source and is not kept.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

HEADER = "# Fabric notebook source"
_STARS = "*" * 20
_MARKER = re.compile(r"^# (CELL|MARKDOWN|PARAMETERS CELL|METADATA) \*{20}$", re.MULTILINE)
_PARAMETERS_TAG = "parameters"


class NotebookFormatError(ValueError):
    """The content is not a notebook in the format it claims."""


@dataclass
class _Cell:
    kind: str  # CELL, MARKDOWN or PARAMETERS CELL
    text: str
    metadata: dict[str, Any] | None = None
    magic: bool = False


@dataclass
class _Notebook:
    metadata: dict[str, Any] | None = None
    cells: list[_Cell] = field(default_factory=list)


# --- Git source <-> model ---------------------------------------------------------------------


def _parse_source(text: str) -> _Notebook:
    if not text.startswith(HEADER):
        raise NotebookFormatError(f"a notebook's Git source starts with '{HEADER}'")
    pieces = _MARKER.split(text)
    notebook = _Notebook()
    blocks = list(zip(pieces[1::2], pieces[2::2], strict=True))
    for index, (kind, rest) in enumerate(blocks):
        last = index == len(blocks) - 1
        body = rest.removesuffix("\n") if last else rest.removesuffix("\n\n")
        content = "" if body == "\n" else body.removeprefix("\n\n")
        if kind == "METADATA":
            metadata = _read_meta(content)
            if notebook.cells:
                notebook.cells[-1].metadata = metadata
            else:
                notebook.metadata = metadata
        elif kind == "MARKDOWN":
            notebook.cells.append(_Cell(kind, _unprefix(content, "# ")))
        else:
            lines = content.split("\n")
            magic = content != "" and all(line.startswith("# MAGIC") for line in lines)
            if magic:
                content = _unprefix(content, "# MAGIC ")
            notebook.cells.append(_Cell(kind, content, magic=magic))
    return notebook


def _write_source(notebook: _Notebook) -> str:
    blocks = [HEADER]

    def block(kind: str, content: str) -> None:
        marker = f"# {kind} {_STARS}"
        blocks.append(f"{marker}\n\n{content}" if content else f"{marker}\n")

    if notebook.metadata is not None:
        block("METADATA", _write_meta(notebook.metadata))
    for cell in notebook.cells:
        if cell.kind == "MARKDOWN":
            block(cell.kind, _prefix(cell.text, "# "))
        else:
            block(cell.kind, _prefix(cell.text, "# MAGIC ") if cell.magic else cell.text)
        if cell.metadata is not None:
            block("METADATA", _write_meta(cell.metadata))
    return "\n\n".join(blocks) + "\n"


def _read_meta(content: str) -> dict[str, Any]:
    try:
        value = json.loads(_unprefix(content, "# META "))
    except ValueError:
        raise NotebookFormatError("a # META block is not JSON") from None
    if not isinstance(value, dict):
        raise NotebookFormatError("a # META block is not a JSON object")
    return value


def _write_meta(metadata: dict[str, Any]) -> str:
    return _prefix(json.dumps(metadata, indent=2, ensure_ascii=False), "# META ")


def _prefix(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.split("\n"))


def _unprefix(text: str, prefix: str) -> str:
    bare = prefix.rstrip()
    lines = []
    for line in text.split("\n"):
        if line.startswith(prefix):
            lines.append(line[len(prefix) :])
        elif line == bare:
            lines.append("")
        else:
            raise NotebookFormatError(f"a line of the block does not start with '{prefix}'")
    return "\n".join(lines)


# --- model <-> ipynb --------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _to_ipynb(notebook: _Notebook) -> dict[str, Any]:
    cells = []
    for cell in notebook.cells:
        metadata: dict[str, Any] = {} if cell.metadata is None else {"microsoft": cell.metadata}
        if cell.kind == "MARKDOWN":
            cells.append(
                {"cell_type": "markdown", "metadata": metadata, "source": _lines(cell.text)}
            )
            continue
        if cell.kind == "PARAMETERS CELL":
            metadata["tags"] = [_PARAMETERS_TAG]
        code: dict[str, Any] = {
            "cell_type": "code",
            "execution_count": None,
            "metadata": metadata,
            "outputs": [],
            "source": _lines(cell.text),
        }
        cells.append(code)
    return {
        "cells": cells,
        "metadata": notebook.metadata or {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _from_ipynb(document: Any) -> _Notebook:
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise NotebookFormatError("an ipynb document is a JSON object with a 'cells' list")
    metadata = document.get("metadata")
    notebook = _Notebook(metadata=metadata if isinstance(metadata, dict) and metadata else None)
    for cell in document["cells"]:
        if not isinstance(cell, dict):
            raise NotebookFormatError("an ipynb cell is a JSON object")
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        cell_metadata = cell.get("metadata") or {}
        if not isinstance(cell_metadata, dict):
            raise NotebookFormatError("an ipynb cell's metadata is a JSON object")
        fabric = cell_metadata.get("microsoft")
        meta = fabric if isinstance(fabric, dict) else None
        if cell.get("cell_type") == "markdown":
            notebook.cells.append(_Cell("MARKDOWN", text, meta))
            continue
        tags = cell_metadata.get("tags")
        parameters = isinstance(tags, list) and _PARAMETERS_TAG in tags
        kind = "PARAMETERS CELL" if parameters else "CELL"
        notebook.cells.append(_Cell(kind, text, meta, magic=text.startswith("%%")))
    return notebook


# --- the two conversions ----------------------------------------------------------------------


def source_to_ipynb(source: bytes) -> bytes:
    """``notebook-content.py`` -> ``notebook-content.ipynb`` (indented JSON, UTF-8)."""
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError:
        raise NotebookFormatError("the notebook's Git source is not UTF-8") from None
    document = _to_ipynb(_parse_source(text))
    return json.dumps(document, indent=1, ensure_ascii=False).encode("utf-8") + b"\n"


def ipynb_to_source(ipynb: bytes) -> bytes:
    """``notebook-content.ipynb`` -> ``notebook-content.py``."""
    try:
        document = json.loads(ipynb)
    except ValueError:
        raise NotebookFormatError("the ipynb part is not JSON") from None
    return _write_source(_from_ipynb(document)).encode("utf-8")
