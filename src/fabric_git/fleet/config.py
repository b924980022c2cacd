"""Reading ``fabric-git.yml``: YAML with the line of every key, checked against the shipped schema.

Wire only: this module turns the file into entries of plain values (kebab-case keys, the
``defaults`` folded in) or one ``ConfigFileError`` naming the file, the line and the key. What the
values mean is the sync options' business (``fabric_git.fleet.targets``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from fabric_git.errors import ConfigurationError

__all__ = [
    "DEFAULT_FILE",
    "ConfigFileError",
    "Entry",
    "FleetConfig",
    "load",
    "parse",
    "schema",
    "schema_text",
]

DEFAULT_FILE = "fabric-git.yml"
# Keys that would hold a secret: the file never does (PATs come from pat-env or stdin).
_SECRET_KEYS = frozenset({"pat", "token", "secret", "password", "client-secret", "key"})

_Path = tuple[str | int, ...]


class ConfigFileError(ConfigurationError):
    """The config file is not what the schema allows (a usage error, exit 2)."""

    code = "InvalidConfig"

    def __init__(self, file: str, line: int | None, key: str | None, problem: str) -> None:
        where = f"{file}:{line}" if line is not None else file
        what = f" {key}:" if key else ""
        super().__init__(f"{where}:{what} {problem}")
        self.file = file
        self.line = line
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class Entry:
    """One workspace of the file: its settings with the defaults folded in (entry wins)."""

    workspace: str
    settings: Mapping[str, Any]
    line: int
    index: int
    # Where each setting was written: its line and dotted key (the entry's, or the defaults').
    origins: Mapping[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"workspaces[{self.index}]"

    def where(self, setting: str) -> tuple[int, str]:
        """The line and key of ``setting``: where it was written, or the entry if it is not."""
        return self.origins.get(setting, (self.line, f"{self.key}.{setting}"))


@dataclass(frozen=True)
class FleetConfig:
    file: str
    defaults: Mapping[str, Any]
    entries: tuple[Entry, ...]


def schema_text() -> str:
    """The JSON Schema shipped with the package, as text."""
    return resources.files("fabric_git.fleet").joinpath("schema.json").read_text(encoding="utf-8")


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_text())
    return loaded


def load(path: Path) -> FleetConfig:
    """Read and check ``path``; every problem is a ``ConfigFileError``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigFileError(
            str(path), None, None, "no such file; write one, or `fabric-git import -f FILE`"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigFileError(str(path), None, None, f"cannot be read: {error}") from None
    return parse(text, str(path))


def parse(text: str, file: str = DEFAULT_FILE) -> FleetConfig:
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ConfigFileError(file, line, None, f"not valid YAML: {error.problem}") from None
    except yaml.YAMLError as error:
        raise ConfigFileError(file, None, None, f"not valid YAML: {error}") from None
    if root is None:
        raise ConfigFileError(file, None, None, "is empty; it needs a `workspaces:` list")
    lines: dict[_Path, int] = {}
    document = _plain(root, (), lines, file, yaml.SafeLoader(""))
    _validate(document, lines, file)
    return _config(document, lines, file)


def _plain(node: Any, path: _Path, lines: dict[_Path, int], file: str, loader: Any) -> Any:
    """A composed YAML node as plain values, recording the line of each key and item."""
    import yaml

    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = (
                loader.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            )
            if not isinstance(key, str):
                raise ConfigFileError(
                    file, key_node.start_mark.line + 1, _dotted(path), f"key {key!r} is not a name"
                )
            if key in result:
                raise ConfigFileError(
                    file, key_node.start_mark.line + 1, _dotted((*path, key)), "given twice"
                )
            lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _plain(value_node, (*path, key), lines, file, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, (*path, i), lines, file, loader) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_object(node)
    raise ConfigFileError(file, node.start_mark.line + 1, _dotted(path), "unsupported YAML")


def _dotted(path: _Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _validate(document: Any, lines: dict[_Path, int], file: str) -> None:
    """The first problem (in file order) the schema finds, as a ``ConfigFileError``."""
    from jsonschema import Draft7Validator

    errors = list(Draft7Validator(schema()).iter_errors(document))
    if not errors:
        return
    problems = [_problem(error, lines) for error in errors]
    problems.sort(key=lambda p: p[0] if p[0] is not None else 0)
    line, key, text = problems[0]
    if len(problems) > 1:
        text += f" (and {len(problems) - 1} more problem(s))"
    raise ConfigFileError(file, line, key, text)


def _problem(error: Any, lines: dict[_Path, int]) -> tuple[int | None, str | None, str]:
    path: _Path = tuple(error.absolute_path)
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = set(error.schema.get("properties", {}))
        unknown = sorted(k for k in instance if k not in allowed)
        key = unknown[0] if unknown else "?"
        return lines.get((*path, key)), _dotted((*path, key)), _unknown_key(key, path, allowed)
    if error.validator == "required" and isinstance(instance, dict):
        missing = sorted(k for k in error.validator_value if k not in instance)
        name = missing[0] if missing else "?"
        return lines.get(path), _dotted(path) or None, f"missing `{name}`"
    if error.validator == "type":
        wanted = error.validator_value
        wanted_text = " or ".join(wanted) if isinstance(wanted, list) else str(wanted)
        article = "an" if wanted_text[0] in "aeiou" else "a"
        return (
            lines.get(path),
            _dotted(path) or None,
            (f"expected {article} {wanted_text}, got {_kind(instance)}"),
        )
    if error.validator == "enum":
        choices = ", ".join(str(v) for v in error.validator_value if str(v)[0].islower())
        return lines.get(path), _dotted(path), f"{instance!r} is not one of {choices}"
    if error.validator == "pattern" and path and path[-1] == "pat-env":
        return lines.get(path), _dotted(path), "expected the name of an environment variable"
    if error.validator == "pattern" and path and path[-1] == "repo-url":
        return lines.get(path), _dotted(path), f"{instance!r} is not an https:// repository URL"
    if error.validator == "maxLength" and isinstance(instance, str):
        limit = error.validator_value
        return lines.get(path), _dotted(path), f"at most {limit} characters, got {len(instance)}"
    if error.validator == "minItems":
        return lines.get(path), _dotted(path), "lists no workspace"
    return lines.get(path), _dotted(path) or None, error.message


def _unknown_key(key: str, path: _Path, allowed: set[str]) -> str:
    if key.casefold() in _SECRET_KEYS:
        return (
            "unknown key; secrets never go in this file: name the environment variable that "
            "holds the PAT with pat-env (or pipe it with --pat-stdin)"
        )
    if key == "workspace" and path == ("defaults",):
        return "unknown key: each workspace is an entry of `workspaces`, not a default"
    return f"unknown key; allowed here: {', '.join(sorted(allowed))}"


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"{value!r}"


def _config(document: dict[str, Any], lines: dict[_Path, int], file: str) -> FleetConfig:
    defaults: dict[str, Any] = document.get("defaults") or {}
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(document["workspaces"]):
        workspace = str(raw["workspace"]).strip()
        line = lines[("workspaces", index, "workspace")]
        folded = workspace.casefold()
        if folded in seen:
            raise ConfigFileError(
                file,
                line,
                f"workspaces[{index}].workspace",
                f"workspace {workspace!r} is listed twice (first on line {seen[folded]})",
            )
        seen[folded] = line
        settings = {**defaults, **{k: v for k, v in raw.items() if k != "workspace"}}
        origins = {k: (lines[("defaults", k)], f"defaults.{k}") for k in defaults}
        origins.update(
            (k, (lines[("workspaces", index, k)], f"workspaces[{index}].{k}"))
            for k in raw
            if k != "workspace"
        )
        entry = Entry(workspace, settings, lines[("workspaces", index)], index, origins)
        entries.append(entry)
    return FleetConfig(file, defaults, tuple(entries))
