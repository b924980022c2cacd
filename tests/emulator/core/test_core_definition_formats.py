"""getDefinition ``format``: a notebook as ipynb and back, without loss; formats the emulator does
not serve answer a 400 naming the ones it does."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx
import pytest

from emulator.core.core_support import FakeClock, create_workspace
from fabric_git.emulator import Emulator, EmulatorConfig
from fabric_git.emulator.gitrepo.notebook_format import (
    NotebookFormatError,
    ipynb_to_source,
    source_to_ipynb,
)

# As Fabric writes it: notebook metadata, a code cell ending in a blank line, Markdown with an
# empty line, a parameters cell, a %%sql cell as MAGIC lines, an empty cell.
SOURCE = """# Fabric notebook source

# METADATA ********************

# META {
# META   "kernel_info": {
# META     "name": "synapse_pyspark"
# META   },
# META   "dependencies": {
# META     "environment": {
# META       "environmentId": "a277ea4a-e87f-8537-4ce0-39db11d4aade",
# META       "workspaceId": "00000000-0000-0000-0000-000000000000"
# META     }
# META   }
# META }

# CELL ********************

# Welcome to your new notebook
print("héllo")


# METADATA ********************

# META {
# META   "language": "python",
# META   "language_group": "synapse_pyspark"
# META }

# MARKDOWN ********************

# # Title
# 
# Some *text*.

# PARAMETERS CELL ********************

run_date = "2024-01-01"

# METADATA ********************

# META {
# META   "language": "python",
# META   "language_group": "synapse_pyspark"
# META }

# CELL ********************

# MAGIC %%sql
# MAGIC SELECT 1

# METADATA ********************

# META {
# META   "language": "sparksql",
# META   "language_group": "synapse_pyspark"
# META }

# CELL ********************


# METADATA ********************

# META {
# META   "language": "python",
# META   "language_group": "synapse_pyspark"
# META }
"""


def test_git_source_to_ipynb_and_back_is_byte_identical():
    ipynb = json.loads(source_to_ipynb(SOURCE.encode()))
    assert ipynb["nbformat"] == 4
    assert ipynb["metadata"]["kernel_info"] == {"name": "synapse_pyspark"}
    kinds = [c["cell_type"] for c in ipynb["cells"]]
    assert kinds == ["code", "markdown", "code", "code", "code"]
    first, markdown, parameters, sql, empty = ipynb["cells"]
    assert "".join(first["source"]) == '# Welcome to your new notebook\nprint("héllo")\n'
    assert first["metadata"]["microsoft"]["language"] == "python"
    assert first["outputs"] == [] and first["execution_count"] is None
    assert "".join(markdown["source"]) == "# Title\n\nSome *text*."
    assert parameters["metadata"]["tags"] == ["parameters"]
    assert "".join(sql["source"]) == "%%sql\nSELECT 1"
    assert empty["source"] == []
    assert ipynb_to_source(source_to_ipynb(SOURCE.encode())).decode() == SOURCE


def test_ipynb_from_elsewhere_becomes_git_source():
    document = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"language_info": {"name": "python"}},
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# Head"},
            {"cell_type": "code", "metadata": {}, "source": ["x = 1\n", "print(x)"]},
        ],
    }
    source = ipynb_to_source(json.dumps(document).encode()).decode()
    assert source == (
        "# Fabric notebook source\n\n"
        "# METADATA ********************\n\n"
        '# META {\n# META   "language_info": {\n# META     "name": "python"\n# META   }\n'
        "# META }\n\n"
        "# MARKDOWN ********************\n\n# # Head\n\n"
        "# CELL ********************\n\nx = 1\nprint(x)\n"
    )


@pytest.mark.parametrize(
    "bad",
    [b"not json", b"[]", b'{"cells": "no"}', b'{"cells": [{"cell_type": "code", "metadata": 1}]}'],
)
def test_malformed_ipynb_is_refused(bad):
    with pytest.raises(NotebookFormatError):
        ipynb_to_source(bad)


def test_malformed_git_source_is_refused():
    with pytest.raises(NotebookFormatError):
        source_to_ipynb(b"print('no header')\n")
    with pytest.raises(NotebookFormatError):
        source_to_ipynb(
            b"# Fabric notebook source\n\n# METADATA ********************\n\nnot meta\n"
        )


# --- over HTTP --------------------------------------------------------------------------------


@pytest.fixture
def sync_client(clock: FakeClock) -> Iterator[httpx.Client]:
    with Emulator(EmulatorConfig(clock=clock, lro_mode="sync")) as emu, emu.client() as client:
        yield client


def _part(path: str, data: bytes) -> dict[str, str]:
    return {"path": path, "payload": base64.b64encode(data).decode(), "payloadType": "InlineBase64"}


def _parts(response: httpx.Response) -> dict[str, bytes]:
    assert response.status_code == 200, response.text
    return {
        p["path"]: base64.b64decode(p["payload"]) for p in response.json()["definition"]["parts"]
    }


def test_notebook_definition_as_ipynb_and_back(sync_client):
    ws = create_workspace(sync_client)
    created = sync_client.post(
        f"/workspaces/{ws}/notebooks",
        json={
            "displayName": "NB",
            "definition": {"parts": [_part("notebook-content.py", SOURCE.encode())]},
        },
    ).json()
    url = f"/workspaces/{ws}/notebooks/{created['id']}/getDefinition"
    stored = _parts(sync_client.post(url))
    assert stored["notebook-content.py"] == SOURCE.encode()
    assert _parts(sync_client.post(url, params={"format": "fabricGitSource"})) == stored
    as_ipynb = _parts(sync_client.post(url, params={"format": "ipynb"}))
    assert set(as_ipynb) == {"notebook-content.ipynb", ".platform"}
    # The same through /items, and written back as ipynb it is stored as the same source.
    generic = f"/workspaces/{ws}/items/{created['id']}/getDefinition"
    assert _parts(sync_client.post(generic, params={"format": "ipynb"})) == as_ipynb
    update = sync_client.post(
        f"/workspaces/{ws}/notebooks/{created['id']}/updateDefinition",
        json={
            "definition": {
                "format": "ipynb",
                "parts": [_part("notebook-content.ipynb", as_ipynb["notebook-content.ipynb"])],
            }
        },
    )
    assert update.status_code == 200, update.text
    assert _parts(sync_client.post(url))["notebook-content.py"] == SOURCE.encode()


def test_notebook_created_from_ipynb_is_stored_as_git_source(sync_client):
    ws = create_workspace(sync_client)
    ipynb = source_to_ipynb(SOURCE.encode())
    created = sync_client.post(
        f"/workspaces/{ws}/items",
        json={
            "displayName": "From ipynb",
            "type": "Notebook",
            "definition": {"format": "ipynb", "parts": [_part("notebook-content.ipynb", ipynb)]},
        },
    )
    assert created.status_code == 201, created.text
    url = f"/workspaces/{ws}/items/{created.json()['id']}/getDefinition"
    assert _parts(sync_client.post(url))["notebook-content.py"] == SOURCE.encode()
    broken = sync_client.post(
        f"/workspaces/{ws}/notebooks",
        json={
            "displayName": "Broken",
            "definition": {"format": "ipynb", "parts": [_part("notebook-content.ipynb", b"{")]},
        },
    )
    assert broken.status_code == 400
    assert broken.json()["errorCode"] == "InvalidDefinition"


def test_unserved_formats_answer_400_naming_the_served_ones(sync_client):
    ws = create_workspace(sync_client)
    notebook = sync_client.post(f"/workspaces/{ws}/notebooks", json={"displayName": "N"}).json()
    model = sync_client.post(
        f"/workspaces/{ws}/semanticModels",
        json={
            "displayName": "M",
            "definition": {
                "parts": [
                    _part("definition.pbism", b"{}"),
                    _part("definition/model.tmdl", b"model Model\n"),
                ]
            },
        },
    ).json()
    refused = sync_client.post(
        f"/workspaces/{ws}/notebooks/{notebook['id']}/getDefinition", params={"format": "py"}
    )
    assert refused.status_code == 400
    detail = refused.json()["moreDetails"][0]["message"]
    assert detail.startswith("format:") and "fabricGitSource, ipynb" in detail
    model_url = f"/workspaces/{ws}/semanticModels/{model['id']}/getDefinition"
    assert "definition/model.tmdl" in _parts(sync_client.post(model_url, params={"format": "TMDL"}))
    tmsl = sync_client.post(model_url, params={"format": "TMSL"})
    assert tmsl.status_code == 400 and "TMDL" in tmsl.json()["moreDetails"][0]["message"]


def test_spark_job_definition_v1_leaves_the_inline_files_out(sync_client):
    ws = create_workspace(sync_client)
    job = sync_client.post(
        f"/workspaces/{ws}/sparkJobDefinitions",
        json={
            "displayName": "Job",
            "definition": {
                "format": "SparkJobDefinitionV2",
                "parts": [
                    _part("SparkJobDefinitionV1.json", b"{}"),
                    _part("Main/main.py", b"print(1)\n"),
                ],
            },
        },
    ).json()
    url = f"/workspaces/{ws}/sparkJobDefinitions/{job['id']}/getDefinition"
    v2 = _parts(sync_client.post(url, params={"format": "SparkJobDefinitionV2"}))
    assert set(v2) == {"SparkJobDefinitionV1.json", "Main/main.py", ".platform"}
    v1 = _parts(sync_client.post(url, params={"format": "SparkJobDefinitionV1"}))
    assert set(v1) == {"SparkJobDefinitionV1.json", ".platform"}
