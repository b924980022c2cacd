"""fabric-git.yml: the shipped schema matches sync's options, problems name file, line and key,
and import folds shared values into defaults."""

from __future__ import annotations

import pytest
import yaml

from fabric_git.cli.constants import ExitCode
from fabric_git.cli.failures import classify, worst_exit_code
from fabric_git.cli.sync import sync
from fabric_git.fleet.config import ConfigFileError, parse, schema
from fabric_git.fleet.importing import _document, to_yaml

GOOD = """\
defaults:
  repo-url: https://github.com/contoso/fabric
  strategy: prefer-remote
workspaces:
  - workspace: Sales Dev
    branch: dev
    directory: sales
  - workspace: Sales Test
    branch: test
    directory: sales
    strategy: prefer-workspace
"""


def test_every_key_of_an_entry_is_a_sync_option_long_name() -> None:
    options = {name for param in sync.params for name in param.opts if name.startswith("--")}
    entry = schema()["properties"]["workspaces"]["items"]["properties"]
    defaults = schema()["properties"]["defaults"]["properties"]
    assert set(entry) == set(defaults) | {"workspace"}
    assert {f"--{key}" for key in entry} <= options
    # What sync takes on its command line only (which workspaces, how, the PAT's pipe) stays out.
    assert "--dry-run" in options and "dry-run" not in entry
    assert "pat-stdin" not in entry and "workspaces-file" not in entry


def test_defaults_are_inherited_and_an_entry_wins() -> None:
    config = parse(GOOD, "fleet.yml")
    dev, test = config.entries
    assert dev.workspace == "Sales Dev" and dev.line == 5
    assert dev.settings == {
        "repo-url": "https://github.com/contoso/fabric",
        "strategy": "prefer-remote",
        "branch": "dev",
        "directory": "sales",
    }
    assert test.settings["strategy"] == "prefer-workspace"


A = "workspaces:\n  - workspace: A\n"  # a file's first three lines: an entry for A
DEFAULTS = "defaults:\n  {}\nworkspaces:\n  - workspace: A\n"


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        (A + "    brnch: dev\n", "f.yml:3: workspaces[0].brnch:", "allowed"),
        (DEFAULTS.format("branch: 7"), "f.yml:2: defaults.branch:", "string"),
        (A + "  - workspace: a\n", "f.yml:3: workspaces[1].workspace:", "twice"),
        (A + "    token: x\n", "f.yml:3: workspaces[0].token:", "pat-env"),
        (A + "    strategy: theirs\n", "f.yml:3: workspaces[0].strategy:", "prefer-remote"),
        (A + "    branch: a\n    branch: b\n", "f.yml:4: workspaces[0].branch:", "twice"),
        (DEFAULTS.format("workspace: B"), "f.yml:2: defaults.workspace:", "entry"),
        ("workspaces:\n  - branch: dev\n", "f.yml:2: workspaces[0]:", "missing `workspace`"),
        ("workspaces: [\n", "f.yml:2:", "not valid YAML"),
        ("workspaces: []\n", "f.yml:1: workspaces:", "no workspace"),
        ("", "f.yml:", "empty"),
    ],
)
def test_a_problem_names_the_file_the_line_and_the_key(text: str, where: str, words: str) -> None:
    with pytest.raises(ConfigFileError) as raised:
        parse(text, "f.yml")
    message = str(raised.value)
    assert message.startswith(where) and words in message, message
    failure = classify(raised.value, command="plan")
    assert failure.exit_code == ExitCode.USAGE and failure.code == "InvalidConfig"
    # What to do next points at the file's reference, not at options the command does not have.
    assert failure.hint is not None and "docs/config.md" in failure.hint, failure.hint
    assert "--help" not in failure.hint


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        # sync's own checks point at the key they are about, in the entry or in the defaults.
        (
            A + "    branch: x\n    repo-url: https://gitlab.com/a/b\n",
            "f.yml:4: workspaces[0].repo-url:",
            "neither GitHub",
        ),
        (
            DEFAULTS.format("repo-url: https://nowhere"),
            "f.yml:2: defaults.repo-url:",
            "expected https://",
        ),
        (DEFAULTS.format("repo-url: nowhere"), "f.yml:2: defaults.repo-url:", "not an https://"),
        (A + "    repository: r\n", "f.yml:2: workspaces[0].owner:", "GitHub needs owner"),
        (
            A + "    provider: azure-devops\n    repository: r\n",
            "f.yml:2: workspaces[0].organization:",
            "organization",
        ),
        (
            A + '    branch: x\n    message: "' + "m" * 301 + '"\n',
            "f.yml:4: workspaces[0].message:",
            "300",
        ),
        # A repository half described: not "nothing to do" for whatever it is connected to.
        (A + "    provider: github\n", "f.yml:3: workspaces[0].provider:", "names no repository"),
        (DEFAULTS.format("owner: contoso"), "f.yml:2: defaults.owner:", "names no repository"),
    ],
)
def test_an_entry_sync_could_not_use_names_the_key_that_says_so(
    text: str, where: str, words: str
) -> None:
    from fabric_git.cli.fleet import _targets

    with pytest.raises(ConfigFileError) as raised:
        _targets(parse(text, "f.yml"), (), 60.0)
    message = str(raised.value)
    assert message.startswith(where) and words in message, message


def test_worst_exit_code_puts_failures_before_differences() -> None:
    assert worst_exit_code([]) == ExitCode.OK
    assert worst_exit_code([ExitCode.DIFFERENCES_FOUND, ExitCode.CONFLICTS]) == ExitCode.CONFLICTS
    assert worst_exit_code([ExitCode.WAIT_TIMED_OUT, ExitCode.OPERATION_FAILED]) == (
        ExitCode.OPERATION_FAILED
    )
    assert worst_exit_code([ExitCode.ERROR, ExitCode.AUTH, ExitCode.OK]) == ExitCode.AUTH


def test_import_folds_shared_values_and_each_workspaces_own_name_into_defaults() -> None:
    url = "https://github.com/contoso/fabric"
    document = _document(
        [
            ("Sales Dev", {"repo-url": url, "branch": "dev", "directory": "/Sales Dev"}),
            ("Sales Test", {"repo-url": url, "branch": "test", "directory": "/Sales Test"}),
        ]
    )
    assert document["defaults"] == {"repo-url": url, "directory": "/{workspace}"}
    assert document["workspaces"] == [
        {"workspace": "Sales Dev", "branch": "dev"},
        {"workspace": "Sales Test", "branch": "test"},
    ]
    one = _document([("Solo", {"repo-url": url, "branch": "main", "directory": "/"})])
    assert "defaults" not in one
    assert one["workspaces"] == [
        {"workspace": "Solo", "repo-url": url, "branch": "main", "directory": "/"}
    ]


@pytest.mark.parametrize(
    "name",
    [
        "a" * 90 + " ::error::boom",  # a long name folded onto a line of its own
        "x ##vso[task.complete result=Failed]",
        "##[error]x",
        "right-to-left \u202egnp.exe",
        "Sales\n::error::x\x1b[2J",
    ],
)
def test_imported_yaml_is_the_same_config_and_no_line_of_it_is_a_ci_command(name: str) -> None:
    # `import` prints the file on stdout, often into a CI log.
    document = {"workspaces": [{"workspace": name, "directory": f"/{name}"}]}
    text = to_yaml(document)
    assert yaml.safe_load(text) == document
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), line
        assert "##vso[" not in line.lower() and "##[" not in line, line
        assert line.isprintable(), line
