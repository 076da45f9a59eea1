"""knowledge/schema.json as an editor uses it: every shipped file passes a standard JSON Schema
validator, mistakes fail it, and every file points the editor at it."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.knowledge.model import FOLDERS, REGISTRY, Person
from bot.knowledge.schema import editor_line, schema_files
from tests.conftest import KNOWLEDGE, ROOT

SCHEMA = json.loads((KNOWLEDGE / "schema.json").read_text(encoding="utf-8"))
FILES = schema_files(KNOWLEDGE)


def json_view(value: Any) -> Any:
    """The data as yaml-language-server validates it: YAML 1.2, where 2022-05-20 is a string."""
    if isinstance(value, dict):
        return {k: json_view(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_view(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def validator(kind: str) -> jsonschema.Draft202012Validator:
    """A validator for one kind of file (a folder, or `sources`), checking `format` as editors do."""
    schema = {"$ref": f"#/$defs/{kind}_file", "$defs": SCHEMA["$defs"]}
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def kind_of(path: Path) -> str:
    return "sources" if path.name == REGISTRY and path.parent == KNOWLEDGE else path.parent.name


def test_the_schema_is_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_every_folder_and_the_registry_have_files():
    assert {kind_of(p) for p in FILES} == {*FOLDERS, "sources"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(KNOWLEDGE)))
def test_every_shipped_file_passes_the_schema(path):
    data = json_view(yaml.safe_load(path.read_text(encoding="utf-8")))
    errors = [f"{e.json_path}: {e.message}" for e in validator(kind_of(path)).iter_errors(data)]
    assert errors == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(KNOWLEDGE)))
def test_every_file_starts_with_the_editor_line(path):
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    expected = "schema.json" if kind_of(path) == "sources" else "../schema.json"
    assert first == editor_line(path, KNOWLEDGE) == f"# yaml-language-server: $schema={expected}"


def a_person() -> dict[str, Any]:
    """A shipped person with the fields the cases below change, as an editor sees it."""
    for path in FILES:
        if kind_of(path) == "people":
            data = json_view(yaml.safe_load(path.read_text(encoding="utf-8")))
            if "born" in data and "based_in" in data:
                return data
    raise AssertionError("no shipped person with `born` and `based_in`")


def change(data: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    *parents, last = path
    target = data
    for key in parents:
        target = target[key]
    target[last] = value
    return data


ACCEPTED = [
    (("born",), 1963),
    (("born",), "1963"),
    (("born",), "1963-05"),
    (("born",), "1963-05-20"),
    (("based_in", "since"), 2016),
    (("as_of",), "2026-11-23"),
    (("sources", 0, "url"), "http://example.org"),
    (("sources", 0, "url"), "https://example.org/a?b=c#d"),
]
REJECTED = [
    (("sources", 0, "url"), "htps//example.org/page"),
    (("sources", 0, "url"), "https://"),
    (("sources", 0, "url"), "https:///page"),
    (("sources", 0, "url"), "https://example.org/a page"),
    (("sources", 0, "url"), "ftp://example.org/page"),
    (("born",), True),
    (("born",), 63),
    (("born",), "1963-13"),
    (("born",), "May 1963"),
    (("role",), 5),
    (("as_of",), "2026-13-01"),
    (("as_of",), 2026),
]


@pytest.mark.parametrize(("path", "value"), ACCEPTED, ids=repr)
def test_the_schema_and_the_loader_accept_the_same_values(path, value):
    data = change(a_person(), path, value)
    assert list(validator("people").iter_errors(data)) == []
    Person.model_validate(data)


@pytest.mark.parametrize(("path", "value"), REJECTED, ids=repr)
def test_the_schema_and_the_loader_reject_a_broken_url_and_a_wrong_type(path, value):
    data = change(a_person(), path, value)
    (error,) = validator("people").iter_errors(data)
    assert list(error.absolute_path) == list(path)
    with pytest.raises(ValueError):
        Person.model_validate(data)


def test_the_tool_adds_the_editor_line_once_and_leaves_the_rest_as_it_was(tmp_path):
    root = tmp_path / "knowledge"
    for path in (
        KNOWLEDGE / "people" / "akunin.yaml",
        KNOWLEDGE / "faq" / "general.yaml",
        KNOWLEDGE / REGISTRY,
    ):
        target = root / path.relative_to(KNOWLEDGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    bare = root / "people" / "akunin.yaml"
    body = bare.read_bytes().split(b"\n", 1)[1]
    bare.write_bytes(body)
    tool = [sys.executable, str(ROOT / "tools" / "schema_comment.py"), str(root)]
    first = subprocess.run(tool, capture_output=True, text=True, check=True)
    assert first.stdout == "added the schema line to 1 files\n"
    assert bare.read_bytes() == b"# yaml-language-server: $schema=../schema.json\n" + body
    for path in schema_files(root):
        assert path.read_bytes() == (KNOWLEDGE / path.relative_to(root)).read_bytes()
    again = subprocess.run(tool, capture_output=True, text=True, check=True)
    assert again.stdout == "added the schema line to 0 files\n"
