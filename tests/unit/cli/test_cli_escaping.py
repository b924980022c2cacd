"""Names are data: ``shown`` for terminals and CI logs, ``markdown`` for the step summary, and the
escaping of CI annotations."""

from __future__ import annotations

import io
import json
import unicodedata

import pytest
from markdown_it import MarkdownIt

from fabric_git.cli.escaping import (
    azure_data,
    github_data,
    github_property,
    markdown,
    shown,
)
from fabric_git.cli.render import Table, View, render_json, render_markdown, render_text
from fabric_git.cli.terminal import Environment, Terminal

HOSTILE = [
    "Sales\n::error::boom",
    "::error file=x,line=1::boom",
    "  \t::set-output name=x::y",
    "\u3000::add-mask::secret",  # an ideographic space is white space to the runner
    "x ##vso[task.setvariable variable=A]1",
    "x ##VSO[task.complete result=Failed]",
    "###vso[task.complete]",
    "##[group]folded",
    "red \x1b[31malert\x1b[0m \x1b]0;title\x07 \x9b2J",
    "a\rb\x00c\x7fd\x85e\u2028f\u2029g",
    "right-to-left \u202egnp.exe \u2066x\u2069",
    "lone \ud800 surrogate",
]

_BIDI_CONTROLS = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI", "LRM", "RLM"}


@pytest.mark.parametrize("name", HOSTILE)
def test_shown_is_one_printable_line_with_no_command_marker(name: str) -> None:
    text = shown(name)
    assert not [c for c in text if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")]
    assert not [c for c in text if unicodedata.bidirectional(c) in _BIDI_CONTROLS]
    assert not text.lstrip().startswith("::")
    assert "##vso[" not in text.lower() and "##[" not in text
    text.encode("utf-8")  # no lone surrogate is left to fail a stream
    assert shown(text) == text  # idempotent: showing twice changes nothing


def test_shown_escapes_readably_and_leaves_ordinary_names_alone() -> None:
    assert shown("a\nb\rc\td\x1be\u202ef") == "a\\nb\\rc\\td\\x1be\\u202ef"
    assert shown("::error::x") == "\\x3a:error::x"
    assert shown("  ::x") == "  \\x3a:x"
    assert shown("##vso[x]") == "\\x23#vso[x]"
    for name in ("Sales Report", "Umsätze 2024", "売上", "a::b", "C# notes", "👩‍💻 team", "50%"):
        assert shown(name) == name


def test_markdown_leaves_no_html_link_or_table_syntax() -> None:
    hostile = (
        "<img src=x onerror=alert(1)>|cell [click](https://evil.example) ![i](https://t.example/p)"
        " **bold** `code` # heading\n- list"
    )
    rendered = (
        MarkdownIt("commonmark", {"html": True})
        .enable("table")
        .render(
            render_markdown(
                View(
                    data={},
                    lines=(hostile,),
                    tables=(Table(columns=("Item",), rows=((hostile,),)),),
                    summary_title=hostile,
                )
            )
        )
    )
    for tag in ("<img", "<a ", "<strong", "<code", "<h1", "<ul>\n<li>-"):
        assert tag not in rendered, rendered
    assert rendered.count("<td>") == 1  # the pipe did not split the cell
    assert "&lt;img src=x onerror=alert(1)&gt;|cell [click](https://evil.example)" in rendered
    assert markdown("fabric-git status: ws") == "fabric\\-git status\\: ws"


def test_plain_tables_stay_aligned_with_hostile_names() -> None:
    view = View(
        data={},
        tables=(Table(columns=("Item", "Type"), rows=(("a\nb", "Notebook"), ("::x", "Report"))),),
    )
    lines = render_text(view).splitlines()
    assert lines == [
        "Item    Type",
        "------  --------",
        "a\\nb    Notebook",
        "\\x3a:x  Report",
    ]


def test_annotation_parts_follow_each_ci_s_rules() -> None:
    assert github_data("50%\r\n") == "50%25%0D%0A"
    assert github_property("a: b, c%") == "a%3A b%2C c%25"
    assert azure_data("50%\r\n;]") == "50%AZP25%0D%0A;]"


def test_terminal_messages_and_tracebacks_are_shown_as_data() -> None:
    err = io.StringIO()
    terminal = Terminal(
        environment=Environment.detect({"GITHUB_ACTIONS": "true"}, err), stderr=err, verbose=True
    )
    terminal.info("[ws\n::error::x] step")
    terminal.warning("w\x1b[2J")
    terminal.always("operation id: a\nb")
    terminal.traceback("Traceback\n  File 'x'\nError: ::error::boom\x1b]0;t\x07\n")
    assert err.getvalue().splitlines() == [
        "[ws\\n::error::x] step",
        "warning: w\\x1b[2J",
        "::warning title=fabric-git::w\\x1b[2J",
        "operation id: a\\nb",
        "Traceback",
        "  File 'x'",
        "Error: ::error::boom\\x1b]0;t\\x07",
    ]


def test_json_keeps_names_exactly_yet_writes_nothing_a_terminal_would_run() -> None:
    names = ["\x1b[2J\n::error::x", "\u202eexe.txt \x9b2J \x85", "lone \ud800"]
    document = render_json(View(data={"names": names}))
    assert json.loads(document) == {"names": names}
    assert not [c for c in document if unicodedata.category(c) in ("Cc", "Cs") and c != "\n"]
    assert "\u202e" not in document
    document.encode("utf-8")  # a lone surrogate no longer fails the stream


def test_json_output_carries_no_ci_command_marker() -> None:
    # Azure Pipelines runs "##vso[" anywhere in a line, so a name printed inside a JSON string
    # would still be a command; "\u0023" is the same "#" to every JSON reader.
    names = ["x ##vso[task.complete result=Failed]done", "##[error]x", "C# ## notes"]
    document = render_json(View(data={"names": names}))
    assert json.loads(document) == {"names": names}
    assert "##vso[" not in document.lower() and "##[" not in document
    assert "C# ## notes" in document  # ordinary names stay readable
