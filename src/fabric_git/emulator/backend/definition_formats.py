"""Definition formats: which ``format`` a getDefinition can ask of an item, and the conversions.

The emulator stores every definition in the repository format (a notebook as Fabric's Git
source, ``notebook-content.py``). It serves:
- a Notebook as ``fabricGitSource`` (stored) or ``ipynb`` (converted), and takes either on
  create and updateDefinition (``definition.format``, or a ``notebook-content.ipynb`` part);
- a SemanticModel as ``TMDL`` or ``TMSL``, whichever its stored definition is
  (``definition/*.tmdl`` or ``model.bim``): the emulator does not translate between the two;
- a SparkJobDefinition as ``SparkJobDefinitionV2`` (the stored parts, inline files included)
  or ``SparkJobDefinitionV1`` (``SparkJobDefinitionV1.json`` alone: V1 carries no files);
- a type whose spec names one format only, in that format (the stored definition);
and answers any other ``format`` 400 ``InvalidInput`` naming the formats it serves for the item.
"""

from __future__ import annotations

from collections.abc import Callable

from fabric_git.emulator import errors
from fabric_git.emulator.gitrepo.notebook_format import (
    NotebookFormatError,
    ipynb_to_source,
    source_to_ipynb,
)
from fabric_git.emulator.item_types import ITEM_TYPES

NOTEBOOK_SOURCE = "notebook-content.py"
NOTEBOOK_IPYNB = "notebook-content.ipynb"
SPARK_JOB_V1 = "SparkJobDefinitionV1.json"
_SPEC_FORMATS = {t.type: t.formats for t in ITEM_TYPES}


def served_formats(item_type: str, parts: dict[str, bytes]) -> tuple[str, ...]:
    if item_type == "Notebook":
        return ("fabricGitSource", "ipynb")
    if item_type == "SemanticModel":
        return ("TMSL",) if "model.bim" in parts else ("TMDL",)
    if item_type == "SparkJobDefinition":
        return ("SparkJobDefinitionV1", "SparkJobDefinitionV2")
    named = _SPEC_FORMATS.get(item_type, ())
    return named if len(named) == 1 else ()


def check_format(item_type: str, parts: dict[str, bytes], format: str | None) -> None:
    """Refuse, before the operation starts, a ``format`` the item cannot be served in."""
    if format is None:
        return
    supported = served_formats(item_type, parts)
    if format not in supported:
        served = ", ".join(supported) or "none; omit format for the stored definition"
        raise errors.invalid_input(
            "format",
            f"The format '{format}' is not supported for a {item_type} (supported: {served})",
        )


def export_parts(item_type: str, parts: dict[str, bytes], format: str | None) -> dict[str, bytes]:
    """The stored ``parts`` in ``format`` (checked by :func:`check_format`)."""
    check_format(item_type, parts, format)
    if format == "SparkJobDefinitionV1":
        return {path: data for path, data in parts.items() if path == SPARK_JOB_V1}
    if item_type != "Notebook" or format != "ipynb" or NOTEBOOK_SOURCE not in parts:
        return parts
    converted = {}
    for path, data in parts.items():
        if path == NOTEBOOK_SOURCE:
            converted[NOTEBOOK_IPYNB] = _convert(source_to_ipynb, data)
        else:
            converted[path] = data
    return converted


def import_parts(item_type: str, parts: dict[str, bytes], format: str | None) -> dict[str, bytes]:
    """``parts`` as given on create or updateDefinition, in the stored format."""
    if item_type != "Notebook" or NOTEBOOK_IPYNB not in parts:
        if format == "ipynb" and item_type == "Notebook" and parts:
            raise errors.invalid_definition(f"An ipynb definition needs a {NOTEBOOK_IPYNB} part")
        return parts
    if NOTEBOOK_SOURCE in parts:
        raise errors.invalid_definition(
            f"A notebook definition holds {NOTEBOOK_SOURCE} or {NOTEBOOK_IPYNB}, not both"
        )
    converted = {}
    for path, data in parts.items():
        if path == NOTEBOOK_IPYNB:
            converted[NOTEBOOK_SOURCE] = _convert(ipynb_to_source, data)
        else:
            converted[path] = data
    return converted


def _convert(conversion: Callable[[bytes], bytes], data: bytes) -> bytes:
    try:
        return conversion(data)
    except NotebookFormatError as exc:
        raise errors.invalid_definition(str(exc)) from None
