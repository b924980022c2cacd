"""Every spec example of the item-type paths the emulator serves, replayed against it.

One test per item type (one emulator each, a fresh workspace per example, so the suite stays
fast): for each example and each success status it shows, the replay creates what the path
names (the workspace, an item of the type, a folder the body names), sends the example's
request, and checks the status (LRO mode "sync" for 200/201, "async" for 202), the 202
headers, and that the body validates against the type's own response schema. The checking
transport also validates every answer, errors included, against the spec.

Example payloads are placeholders (``eyJ..fX0``, ``ZG90UGxhdGZvcm1CYXNlNjRTdHJpbmc=``), not
content: the replay sends a real payload of the same path in their place, as it sends real ids
in place of the example's.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest

import spec
from conformance.conformance_support import (
    Stage,
    emulated_item_type_operations,
    json_body,
    lro_header_problems,
    platform_file,
    spec_path,
)
from fabric_git.emulator.item_types import ITEM_TYPES, ItemTypePaths

_BY_COLLECTION = {t.collection: t for t in ITEM_TYPES}


def _type_of(op: spec.Operation) -> ItemTypePaths:
    return _BY_COLLECTION[op.path.split("/")[3]]


def _cases() -> dict[str, list[tuple[spec.Operation, Path]]]:
    cases: dict[str, list[tuple[spec.Operation, Path]]] = defaultdict(list)
    for op in emulated_item_type_operations():
        for file in op.example_files().values():
            cases[_type_of(op).type].append((op, file))
    return cases


CASES = _cases()

_NOTEBOOK_SOURCE = b"# Fabric notebook source\n\n# CELL ********************\n\nprint(1)\n"
_NOTEBOOK_IPYNB = json.dumps(
    {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"language_info": {"name": "python"}},
        "cells": [{"cell_type": "code", "source": ["print('example')\n"], "metadata": {}}],
    }
).encode()


def _real_payload(path: str, payload: str, item_type: str, name: str) -> str:
    """A payload the emulator can read in place of a placeholder one."""
    if path == ".platform":
        data = platform_file("00000000-0000-0000-0000-000000000000", name, item_type)
    elif path.endswith(".ipynb"):
        data = _NOTEBOOK_IPYNB
    else:
        try:
            base64.b64decode(payload, validate=True)
            return payload
        except (binascii.Error, ValueError):
            data = f"example content of {path}\n".encode()
    return base64.b64encode(data).decode()


def _replay_body(body: Any, item_type: str, stage: Stage, ws: str) -> Any:
    if not isinstance(body, dict):
        return body
    body = json.loads(json.dumps(body))
    name = str(body.get("displayName") or "Example")
    for part in (body.get("definition") or {}).get("parts", []):
        part["payload"] = _real_payload(part["path"], part["payload"], item_type, name)
    if body.get("folderId"):
        folder = stage.ok("POST", f"/workspaces/{ws}/folders", {"displayName": "Example"})
        body["folderId"] = folder["id"]
    return body


def _replay(stage: Stage, op: spec.Operation, file: Path, status: int) -> list[str]:
    paths = _type_of(op)
    example = json.loads(file.read_text(encoding="utf-8"))
    params = example["parameters"]
    ws = stage.workspace(f"{file.stem} {status}")
    path = str(spec_path(op)).replace("{workspaceId}", ws)
    if paths.id_param and f"{{{paths.id_param}}}" in path:
        content = {"notebook-content.py": _NOTEBOOK_SOURCE}
        item = stage.item(ws, "Example item", paths.type, content)
        path = path.replace(f"{{{paths.id_param}}}", item)
    body = None
    query: dict[str, str] = {}
    for parameter in op.spec.get("parameters", []):
        name = parameter["name"]
        if parameter.get("in") == "body":
            value = params.get(name)
            if value is None:  # examples do not always use the spec's name for the body
                extra = [k for k in params if k not in ("workspaceId", paths.id_param)]
                value = params.get(extra[0]) if extra else None
            body = _replay_body(value, paths.type, stage, ws)
        elif parameter.get("in") == "query" and name in params:
            query[name] = (
                str(params[name]).lower() if isinstance(params[name], bool) else str(params[name])
            )
    lro = "202" in op.spec["responses"]
    if lro:
        stage.lro_mode("async" if status == 202 else "sync")
    url = httpx.URL(f"http://api.example.test:8443/v1{path}", params=query or None)
    response = stage.client.request(op.method, url, json=body)
    stage.emu.state.operations.wait_idle()
    where = f"{file.parent.parent.name}/{file.name} {status}"
    if response.status_code != status:
        return [f"{where}: {response.status_code} {response.text[:300]}"]
    problems = [f"{where}: {p}" for p in stage.log.problems]
    stage.log.problems.clear()
    if status == 202:
        problems += [f"{where}: {p}" for p in lro_header_problems(response)]
    schema = op.response_schema(status)
    if schema is not None and "schema" in op.spec["responses"][str(status)]:
        problems += [f"{where}: {p}" for p in spec.validate(json_body(response), schema)]
    return problems


@pytest.mark.parametrize("item_type", sorted(CASES))
def test_item_type_examples_replay(stage: Stage, item_type: str) -> None:
    problems: list[str] = []
    replayed = 0
    for op, file in CASES[item_type]:
        example = json.loads(file.read_text(encoding="utf-8"))
        for status in sorted(int(s) for s in example.get("responses", {}) if int(s) < 300):
            problems += _replay(stage, op, file, status)
            replayed += 1
    assert replayed > 0
    assert problems == []


def test_every_served_item_type_has_examples_replayed() -> None:
    served = {t.type for t in ITEM_TYPES}
    assert served == set(CASES), "vendor the missing types' examples from the upstream spec"
