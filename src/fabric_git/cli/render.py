"""What a command shows: one JSON document, or headline lines and tables for people.

A command builds a ``View``; the app writes it as JSON (``--output json``) or as text. The JSON is
the stable, documented contract (docs/cli.md); the text is for reading and may change. The JSON
carries names as they are; every text form shows them as data (``escaping``): each line and cell
through ``shown``, the step summary through ``markdown``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fabric_git.cli.escaping import json_text, markdown, shown
from fabric_git.cli.terminal import Terminal

__all__ = ["Table", "View", "render_json", "render_markdown", "render_text", "show"]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str | None = None
    empty: str = "(none)"


@dataclass(frozen=True)
class View:
    """``data`` is the JSON document; ``lines`` and ``tables`` are the text form."""

    data: Any
    lines: tuple[str, ...] = ()
    tables: tuple[Table, ...] = field(default_factory=tuple)
    summary_title: str | None = None


def render_json(view: View) -> str:
    return json_text(json.dumps(view.data, indent=2, sort_keys=False, ensure_ascii=False))


def render_text(view: View) -> str:
    """Plain text: headline lines, then each table with aligned columns."""
    parts: list[str] = [shown(line) for line in view.lines]
    for table in view.tables:
        if parts:
            parts.append("")
        if table.title:
            parts.append(shown(table.title))
        parts.extend(_plain_table(table))
    return "\n".join(parts)


def _shown_rows(table: Table) -> list[tuple[str, ...]]:
    return [tuple(shown(cell) for cell in row) for row in table.rows]


def _plain_table(table: Table) -> list[str]:
    if not table.rows:
        return [f"  {shown(table.empty)}"]
    rows = _shown_rows(table)
    widths = [len(c) for c in table.columns]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(cells)).rstrip()

    out = [line(table.columns), line(["-" * w for w in widths])]
    out.extend(line(row) for row in rows)
    return out


def render_markdown(view: View) -> str:
    """The view as GitHub-flavoured markdown (for ``$GITHUB_STEP_SUMMARY``)."""
    out: list[str] = []
    if view.summary_title:
        out.append(f"### {markdown(view.summary_title)}")
        out.append("")
    out.extend(f"- {markdown(line)}" for line in view.lines)
    for table in view.tables:
        out.append("")
        if table.title:
            out.append(f"**{markdown(table.title)}**")
            out.append("")
        if not table.rows:
            out.append(f"_{markdown(table.empty)}_")
            continue
        out.append("| " + " | ".join(markdown(c) for c in table.columns) + " |")
        out.append("|" + "---|" * len(table.columns))
        out.extend("| " + " | ".join(markdown(c) for c in row) + " |" for row in table.rows)
    return "\n".join(out)


def show(view: View, terminal: Terminal, *, output: str) -> None:
    """Write ``view`` to stdout in the chosen format (and to the CI job summary)."""
    if output == "json":
        terminal.data(render_json(view))
    elif terminal.environment.interactive and view.tables:
        _rich_show(view, terminal)
    else:
        text = render_text(view)
        if text:
            terminal.data(text)
    if view.summary_title:
        terminal.append_step_summary(render_markdown(view))


def _rich_show(view: View, terminal: Terminal) -> None:
    from rich.table import Table as RichTable
    from rich.text import Text

    console = terminal.rich_console(stderr=False)
    for line in view.lines:
        console.print(shown(line), markup=False, highlight=False)
    for table in view.tables:
        # Text, not str: rich would read "[...]" in a name as markup.
        title = Text(shown(table.title)) if table.title else None
        rich_table = RichTable(title=title, title_justify="left")
        for column in table.columns:
            rich_table.add_column(column)
        for row in _shown_rows(table):
            rich_table.add_row(*(Text(cell) for cell in row))
        if not table.rows:
            console.print(shown(f"{table.title or ''} {table.empty}".strip()), markup=False)
        else:
            console.print(rich_table)
