"""Definition files of each item type, in the shapes Fabric writes to Git.

Every builder takes a seeded ``random.Random`` so that the same seed gives the same bytes.
Cross-item references are written as the referenced item's logical id with the all-zero
workspace id, which is how a Fabric repository holds them.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence

ZERO_GUID = "00000000-0000-0000-0000-000000000000"

Parts = dict[str, bytes]

WORDS = (
    "sales orders customers products region revenue margin inventory ledger invoice payment "
    "shipment supplier warehouse forecast budget target quarter channel segment campaign "
    "employee department account balance currency exchange rate discount return category"
).split()


def _word(rng: random.Random) -> str:
    return rng.choice(WORDS)


def _identifier(rng: random.Random, parts: int = 2) -> str:
    return "_".join(_word(rng) for _ in range(parts))


def _json(value: object) -> bytes:
    return json.dumps(value, indent=2).encode("utf-8") + b"\n"


def _meta_block(value: object) -> str:
    lines = json.dumps(value, indent=2).splitlines()
    return "# METADATA ********************\n\n" + "\n".join(f"# META {line}" for line in lines)


def notebook(rng: random.Random, lakehouse: str | None, environment: str | None) -> Parts:
    dependencies: dict[str, object] = {}
    if lakehouse is not None:
        dependencies["lakehouse"] = {
            "default_lakehouse": lakehouse,
            "default_lakehouse_name": "lakehouse",
            "default_lakehouse_workspace_id": ZERO_GUID,
        }
    if environment is not None:
        dependencies["environment"] = {"environmentId": environment, "workspaceId": ZERO_GUID}
    header = {"kernel_info": {"name": "synapse_pyspark"}, "dependencies": dependencies}
    cell_meta = {"language": "python", "language_group": "synapse_pyspark"}
    chunks = ["# Fabric notebook source\n", _meta_block(header) + "\n"]
    for _ in range(rng.randint(4, 14)):
        table = _identifier(rng)
        body = "\n".join(
            [
                f'df = spark.read.table("{table}")',
                f'df = df.filter(df["{_word(rng)}"] > {rng.randint(0, 1000)})',
                f'df = df.groupBy("{_word(rng)}").agg({{"{_word(rng)}": "sum"}})',
                f'df.write.mode("overwrite").saveAsTable("{table}_agg")',
            ]
        )
        chunks.append("# CELL ********************\n\n" + body + "\n")
        chunks.append(_meta_block(cell_meta) + "\n")
    return {"notebook-content.py": "\n".join(chunks).encode("utf-8")}


def data_pipeline(rng: random.Random, notebooks: Sequence[str]) -> Parts:
    activities: list[dict[str, object]] = []
    previous: str | None = None
    for index, notebook_id in enumerate(notebooks):
        name = f"Run {_word(rng)} {index}"
        activities.append(
            {
                "name": name,
                "type": "TridentNotebook",
                "dependsOn": (
                    []
                    if previous is None
                    else [{"activity": previous, "dependencyConditions": ["Succeeded"]}]
                ),
                "policy": {"timeout": "0.12:00:00", "retry": rng.randint(0, 3)},
                "typeProperties": {"notebookId": notebook_id, "workspaceId": ZERO_GUID},
            }
        )
        previous = name
    return {"pipeline-content.json": _json({"properties": {"activities": activities}})}


def _tmdl_table(rng: random.Random, name: str, columns: int, measures: int) -> bytes:
    lines = [f"table {name}", f"\tlineageTag: {rng.getrandbits(64):016x}", ""]
    for _ in range(measures):
        measure = f"Total {_word(rng)} {rng.randint(1, 99999)}"
        lines += [
            f"\tmeasure '{measure}' = SUM({name}[{_word(rng)}])",
            '\t\tformatString: "#,0.00"',
            f"\t\tlineageTag: {rng.getrandbits(64):016x}",
            "",
        ]
    for index in range(columns):
        column = f"{_word(rng)}_{index}"
        lines += [
            f"\tcolumn {column}",
            f"\t\tdataType: {rng.choice(['int64', 'string', 'double', 'dateTime'])}",
            f"\t\tlineageTag: {rng.getrandbits(64):016x}",
            "\t\tsummarizeBy: none",
            f"\t\tsourceColumn: {column}",
            "",
        ]
    lines += [
        f"\tpartition {name} = m",
        "\t\tmode: import",
        "\t\tsource =",
        "\t\t\tlet",
        f'\t\t\t\tSource = Sql.Database("server", "{_word(rng)}"),',
        f'\t\t\t\tData = Source{{[Schema="dbo",Item="{name}"]}}[Data]',
        "\t\t\tin",
        "\t\t\t\tData",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def semantic_model(rng: random.Random, tables: int, large: bool) -> Parts:
    names = [f"{_word(rng).title()}{index}" for index in range(tables)]
    parts: Parts = {
        "definition.pbism": _json({"version": "4.2", "settings": {}}),
        "definition/database.tmdl": b"database\n\tcompatibilityLevel: 1604\n",
        "definition/model.tmdl": (
            "model Model\n\tculture: en-US\n\tdefaultPowerBIDataSourceVersion: powerBI_V3\n\n"
            + "".join(f"ref table {name}\n" for name in names)
        ).encode("utf-8"),
        "definition/cultures/en-US.tmdl": b"cultureInfo en-US\n",
    }
    relationships = [
        f"relationship {rng.getrandbits(64):016x}\n"
        f"\tfromColumn: {names[i]}.{_word(rng)}_0\n\ttoColumn: {names[0]}.{_word(rng)}_0\n"
        for i in range(1, len(names))
    ]
    parts["definition/relationships.tmdl"] = "\n".join(relationships).encode("utf-8")
    for index, name in enumerate(names):
        # A large model keeps its bulk in its first table, as real fact tables do.
        columns, measures = (14000, 6000) if large and index == 0 else (rng.randint(4, 20), 3)
        parts[f"definition/tables/{name}.tmdl"] = _tmdl_table(rng, name, columns, measures)
    parts["diagramLayout.json"] = _json(
        {"version": "1.1.0", "diagrams": [{"name": "All tables", "nodes": names}]}
    )
    return parts


def report(rng: random.Random, model_path: str) -> Parts:
    sections = [
        {
            "displayName": f"{_word(rng).title()} overview",
            "visualContainers": [
                {
                    "x": rng.randint(0, 900),
                    "y": rng.randint(0, 500),
                    "config": json.dumps({"visualType": rng.choice(["barChart", "card", "table"])}),
                }
                for _ in range(rng.randint(2, 8))
            ],
        }
        for _ in range(rng.randint(1, 5))
    ]
    theme = {"name": "CY24SU10", "dataColors": [f"#{rng.getrandbits(24):06x}" for _ in range(40)]}
    return {
        "definition.pbir": _json(
            {"version": "4.0", "datasetReference": {"byPath": {"path": model_path}}}
        ),
        "report.json": _json({"config": "{}", "layoutOptimization": 0, "sections": sections}),
        "StaticResources/SharedResources/BaseThemes/CY24SU10.json": _json(theme),
    }


def lakehouse(rng: random.Random) -> Parts:
    return {
        "lakehouse.metadata.json": _json({"defaultSchema": "dbo"}),
        "shortcuts.metadata.json": _json([]),
        "alm.settings.json": _json(
            {"version": "1.0.1", "objectTypes": [{"name": "Shortcuts", "state": "Enabled"}]}
        ),
    }


def environment(rng: random.Random) -> Parts:
    packages = sorted(
        {f"{_word(rng)}-tools=={rng.randint(1, 9)}.{rng.randint(0, 20)}" for _ in range(5)}
    )
    return {
        "Setting/Sparkcompute.yml": (
            "enable_native_execution_engine: false\ninstance_pool_id: null\n"
            f"driver_cores: {rng.choice([4, 8])}\ndriver_memory: 28g\nexecutor_cores: 4\n"
            "runtime_version: 1.3\n"
        ).encode(),
        "Libraries/PublicLibraries/environment.yml": (
            "dependencies:\n  - pip:\n" + "".join(f"      - {p}\n" for p in packages)
        ).encode("utf-8"),
    }


def dataflow(rng: random.Random) -> Parts:
    query = _identifier(rng)
    return {
        "mashup.pq": (
            "section Section1;\n"
            f'shared {query} = let\n  Source = Csv.Document(Web.Contents("https://example.com/'
            f'{query}.csv"))\nin\n  Source;\n'
        ).encode(),
        "queryMetadata.json": _json(
            {"formatVersion": "202502", "name": query, "queriesMetadata": {query: {}}}
        ),
    }


def kql_queryset(rng: random.Random) -> Parts:
    tabs = [{"title": _word(rng), "content": f"{_identifier(rng)} | take 100"} for _ in range(3)]
    return {"RealTimeQueryset.json": _json({"queryset": {"version": "1.0.0", "tabs": tabs}})}


def eventstream(rng: random.Random) -> Parts:
    return {
        "eventstream.json": _json(
            {"sources": [{"name": _word(rng), "type": "SampleData"}], "destinations": []}
        ),
        "eventstreamProperties.json": _json({"retentionTimeInDays": rng.randint(1, 90)}),
    }


def variable_library(rng: random.Random) -> Parts:
    names = [_identifier(rng) for _ in range(6)]
    variables = [{"name": n, "type": "String", "value": _word(rng)} for n in names]
    parts: Parts = {
        "variables.json": _json({"variables": variables}),
        "settings.json": _json({"valueSetsOrder": ["Test", "Prod"]}),
    }
    for value_set in ("Test", "Prod"):
        overrides = [{"name": n, "value": f"{value_set.lower()}-{_word(rng)}"} for n in names]
        parts[f"valueSets/{value_set}.json"] = _json({"name": value_set, "overrides": overrides})
    return parts


def spark_job_definition(rng: random.Random, lakehouse: str | None) -> Parts:
    return {
        "SparkJobDefinitionV1.json": _json(
            {
                "executableFile": "main.py",
                "defaultLakehouseArtifactId": lakehouse or "",
                "mainClass": "",
                "commandLineArguments": f"--table {_identifier(rng)}",
            }
        ),
        "Main/main.py": (
            "from pyspark.sql import SparkSession\n\nspark = SparkSession.builder.getOrCreate()\n"
            f'spark.read.table("{_identifier(rng)}").show()\n'
        ).encode(),
    }


def reflex(rng: random.Random) -> Parts:
    entities = [
        {"uniqueIdentifier": f"{rng.getrandbits(64):016x}", "payload": {"name": _word(rng)}}
        for _ in range(rng.randint(2, 6))
    ]
    return {"ReflexEntities.json": _json(entities)}
