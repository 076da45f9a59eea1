"""JSON Schema for editors, generated from the model (knowledge/schema.json)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from bot.knowledge.model import FOLDERS, REGISTRY, Outlet

#: The schema's file name, at the top of the knowledge folder.
SCHEMA_FILE = "schema.json"


def json_schema() -> dict[str, Any]:
    """JSON Schema for editors, generated from the model (knowledge/schema.json)."""
    defs: dict[str, Any] = {}
    for folder, model in FOLDERS.items():
        schema = TypeAdapter(model).json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        defs[model.__name__] = schema
        ref = {"$ref": f"#/$defs/{model.__name__}"}
        defs[f"{folder}_file"] = {"type": "array", "items": ref} if folder == "faq" else ref
    outlet = TypeAdapter(Outlet).json_schema(ref_template="#/$defs/{model}")
    defs["Outlet"] = outlet
    defs["sources_file"] = {"type": "array", "items": {"$ref": "#/$defs/Outlet"}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "exile-desk knowledge file",
        "description": "people/, organisations/, events/: one entry per file; faq/: a list of entries; "
        "sources.yaml: the outlets that may be cited.",
        "anyOf": [{"$ref": f"#/$defs/{name}_file"} for name in (*FOLDERS, "sources")],
        "$defs": dict(sorted(defs.items())),
    }


def schema_text() -> str:
    """The schema as it is written to knowledge/schema.json."""
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"


def editor_line(path: Path, root: Path) -> str:
    """The first line of a knowledge file at `path` under `root`, which points yaml-language-server
    (VS Code's YAML extension and the editors built on it) at the schema."""
    target = Path(os.path.relpath(root / SCHEMA_FILE, path.parent)).as_posix()
    return f"# yaml-language-server: $schema={target}"


def schema_files(root: Path) -> list[Path]:
    """The files the schema describes: those of the four folders, then the source registry."""
    found = sorted(p for folder in FOLDERS for p in (root / folder).glob("*.y*ml"))
    return [*found, root / REGISTRY]
