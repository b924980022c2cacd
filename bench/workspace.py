"""A realistic Fabric workspace, generated deterministically from a seed.

The default shape is the benchmark workspace: 1,000 items of twelve types (about 4,000 files),
a few semantic models of a couple of MB each, items spread over nested workspace folders, and
cross-item references (pipelines to notebooks, notebooks to lakehouses and environments,
reports to semantic models). It exists in two forms: item definitions for the Fabric API
(:meth:`Workspace.api_definition`) and the repository tree Fabric writes (:meth:`write_tree`).
"""

from __future__ import annotations

import base64
import json
import posixpath
import random
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bench import content

PLATFORM_SCHEMA = (
    "https://developer.microsoft.com/json-schemas/fabric/gitIntegration/"
    "platformProperties/2.0.0/schema.json"
)

FOLDERS = (
    "Ingest",
    "Ingest/Raw",
    "Ingest/Curated",
    "Reporting",
    "Reporting/Finance",
    "Reporting/Sales",
    "Shared",
)

# Items per type for 1,000 items, in creation order: an item only refers to earlier types.
MIX = (
    ("Lakehouse", 60),
    ("Environment", 30),
    ("Notebook", 300),
    ("DataPipeline", 140),
    ("SemanticModel", 150),
    ("Report", 150),
    ("Dataflow", 40),
    ("KQLQueryset", 30),
    ("Eventstream", 30),
    ("VariableLibrary", 20),
    ("SparkJobDefinition", 30),
    ("Reflex", 20),
)
LARGE_MODELS = 4


@dataclass(frozen=True)
class Item:
    logical_id: str
    type: str
    display_name: str
    folder: str
    parts: Mapping[str, bytes]
    description: str = ""
    references: tuple[str, ...] = field(default=())

    @property
    def directory(self) -> str:
        """Path of the item's folder in the repository, relative to the connected directory."""
        name = f"{self.display_name}.{self.type}"
        return posixpath.join(self.folder, name) if self.folder else name

    def platform(self) -> bytes:
        """The ``.platform`` file in the v2 shape Fabric writes (no trailing newline)."""
        metadata: dict[str, str] = {"type": self.type, "displayName": self.display_name}
        if self.description:
            metadata["description"] = self.description
        document = {
            "$schema": PLATFORM_SCHEMA,
            "metadata": metadata,
            "config": {"version": "2.0", "logicalId": self.logical_id},
        }
        return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")

    def files(self) -> Iterator[tuple[str, bytes]]:
        yield posixpath.join(self.directory, ".platform"), self.platform()
        for path, data in sorted(self.parts.items()):
            yield posixpath.join(self.directory, path), data


@dataclass(frozen=True)
class Workspace:
    seed: int
    items: tuple[Item, ...]

    @property
    def folders(self) -> list[str]:
        """Every workspace folder that holds an item, with its ancestors, parents first."""
        found: set[str] = set()
        for item in self.items:
            path = item.folder
            while path:
                found.add(path)
                path = posixpath.dirname(path)
        return sorted(found, key=lambda p: (p.count("/"), p))

    @property
    def file_count(self) -> int:
        return sum(1 + len(item.parts) for item in self.items)

    @property
    def total_bytes(self) -> int:
        return sum(len(data) for item in self.items for _, data in item.files())

    def write_tree(self, root: Path) -> None:
        """Write the repository tree Fabric would commit for this workspace under ``root``."""
        for item in self.items:
            for relative, data in item.files():
                target = root / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)

    def api_definition(
        self, item: Item, object_ids: Mapping[str, str], workspace_id: str
    ) -> dict[str, object]:
        """The item's definition as the Fabric API takes it.

        In a workspace, references hold object ids and the real workspace id; Git holds logical
        ids and the all-zero id. ``object_ids`` maps logical id to object id for the items
        created so far (the creation order of ``items`` guarantees references come first).
        """
        parts = []
        for path, data in sorted(item.parts.items()):
            text = data
            if item.references:
                decoded = data.decode("utf-8")
                for logical_id in item.references:
                    decoded = decoded.replace(logical_id, object_ids[logical_id])
                text = decoded.replace(content.ZERO_GUID, workspace_id).encode("utf-8")
            parts.append(
                {
                    "path": path,
                    "payload": base64.b64encode(text).decode("ascii"),
                    "payloadType": "InlineBase64",
                }
            )
        return {"parts": parts}


def changed(item: Item, revision: int) -> Item:
    """The same item with one definition file edited (a line appended to its first part)."""
    path = sorted(item.parts)[0]
    suffix = f"\n# revision {revision}\n".encode()
    parts = dict(item.parts)
    parts[path] = parts[path] + suffix
    return Item(
        logical_id=item.logical_id,
        type=item.type,
        display_name=item.display_name,
        folder=item.folder,
        parts=parts,
        description=item.description,
        references=item.references,
    )


def _guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _folder(rng: random.Random) -> str:
    return "" if rng.random() < 0.4 else rng.choice(FOLDERS)


def generate(seed: int = 7, items: int = 1000) -> Workspace:
    """The benchmark workspace; ``items`` scales the type mix (at least one item of each type)."""
    rng = random.Random(seed)
    scale = items / sum(count for _, count in MIX)
    made: list[Item] = []
    by_type: dict[str, list[Item]] = {}

    def pick(kind: str) -> Item | None:
        pool = by_type.get(kind, [])
        return rng.choice(pool) if pool else None

    for kind, base_count in MIX:
        for index in range(max(1, round(base_count * scale))):
            name = f"{rng.choice(content.WORDS).title()} {rng.choice(content.WORDS)} {index:03d}"
            folder = _folder(rng)
            references: list[str] = []
            parts = _parts(rng, kind, index, folder, name, pick, references)
            item = Item(
                logical_id=_guid(rng),
                type=kind,
                display_name=name,
                folder=folder,
                parts=parts,
                description=f"{kind} for {name.lower()}" if rng.random() < 0.3 else "",
                references=tuple(dict.fromkeys(references)),
            )
            made.append(item)
            by_type.setdefault(kind, []).append(item)
    return Workspace(seed=seed, items=tuple(made))


def _parts(
    rng: random.Random,
    kind: str,
    index: int,
    folder: str,
    name: str,
    pick: Callable[[str], Item | None],
    references: list[str],
) -> content.Parts:
    def ref(target_kind: str, chance: float = 1.0) -> str | None:
        target = pick(target_kind) if rng.random() < chance else None
        if target is None:
            return None
        references.append(target.logical_id)
        return str(target.logical_id)

    if kind == "Notebook":
        return content.notebook(rng, ref("Lakehouse", 0.7), ref("Environment", 0.3))
    if kind == "DataPipeline":
        notebooks = [ref("Notebook") for _ in range(rng.randint(1, 4))]
        return content.data_pipeline(rng, [n for n in notebooks if n is not None])
    if kind == "SemanticModel":
        return content.semantic_model(rng, rng.randint(2, 8), large=index < LARGE_MODELS)
    if kind == "Report":
        model = pick("SemanticModel")
        report_dir = posixpath.join(folder, f"{name}.Report")
        model_path = posixpath.relpath(model.directory, report_dir) if model else "../missing"
        return content.report(rng, model_path)
    if kind == "SparkJobDefinition":
        return content.spark_job_definition(rng, ref("Lakehouse", 0.5))
    simple = {
        "Lakehouse": content.lakehouse,
        "Environment": content.environment,
        "Dataflow": content.dataflow,
        "KQLQueryset": content.kql_queryset,
        "Eventstream": content.eventstream,
        "VariableLibrary": content.variable_library,
        "Reflex": content.reflex,
    }
    return simple[kind](rng)
