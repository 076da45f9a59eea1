"""Add one line to a knowledge file: a question variant of an FAQ entry, or an alias of an entity.

The file is read with ruamel.yaml's round-trip parser, which says where each list item sits and
how it is written. The new item goes in as one line after the last item of its list, indented and
quoted as ruamel.yaml writes it, so comments, key order, folded text and every other line stay
byte for byte (ruamel's own emitter would re-flow multi-line plain text: 69 of the 150 shipped
files do not survive an unchanged dump). The result is checked twice before anything is written:
parsed again, it must hold exactly the old data plus the new item, and the caller's `check`
validates the whole knowledge folder with the new text in place of the file. Only then is the
text written to a temporary file beside the original and moved over it in one step; on any
failure the original bytes are untouched.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from bot.knowledge.load import MAX_FILE_BYTES

T = TypeVar("T")

#: A check of the whole knowledge folder with some files' new text: raises on a problem.
Check = Callable[[Mapping[Path, str]], T]

#: Suffix of the temporary file beside the original (the loader reads only .yaml/.yml files).
TEMP_SUFFIX = ".edit-tmp"


class EditError(Exception):
    """The edit was not made; `problems` say why (one line each), the file is as it was."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Change:
    """One line added to a knowledge file."""

    file: Path
    line: int  #: 1-based line number of the new line
    entry_id: str
    field: str  #: "questions.en", "questions.ru" or "aliases"
    value: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.entry_id}: {self.field} + {self.value!r}"


def clean(text: str) -> str:
    """A question as a list item: one line, single spaces."""
    return " ".join(text.split())


def add_question(file: Path, faq_id: str, lang: str, question: str, check: Check[T]) -> tuple[Change, T]:
    """Add `question` to the `lang` question variants of FAQ entry `faq_id` in `file`."""
    if lang not in ("en", "ru"):
        raise EditError([f"no question list for language {lang!r} (en or ru)"])
    return _add(file, faq_id, ("questions", lang), question, check)


def add_alias(file: Path, entity_id: str, name: str, check: Check[T]) -> tuple[Change, T]:
    """Add `name` to the aliases of entity `entity_id` (the only entry of `file`)."""
    return _add(file, entity_id, ("aliases",), name, check)


# --- the edit ------------------------------------------------------------------------------


def _add(file: Path, entry_id: str, keys: tuple[str, ...], value: str, check: Check[T]) -> tuple[Change, T]:
    value = clean(value)
    field = ".".join(keys)
    if not value:
        raise EditError([f"{file}: {entry_id}: {field}: nothing to add (empty text)"])
    try:
        original = file.read_bytes()
    except OSError as exc:
        raise EditError([f"{file}: cannot read: {exc.strerror}"]) from None
    if len(original) > MAX_FILE_BYTES:
        raise EditError([f"{file}: file too large to edit ({len(original)} bytes)"])
    try:
        text = original.decode("utf-8")
    except UnicodeDecodeError:
        raise EditError([f"{file}: not UTF-8 text"]) from None
    new_text, line = insert_item(text, entry_id, keys, value, str(file))
    change = Change(file, line, entry_id, field, value)
    try:
        checked = check({file.resolve(): new_text})
    except Exception as exc:
        problems = getattr(exc, "problems", None)
        raise EditError(
            [str(p) for p in problems] if problems else [f"{type(exc).__name__}: {exc}"]
        ) from None
    _replace(file, original, new_text.encode("utf-8"))
    return change, checked


def insert_item(text: str, entry_id: str, keys: tuple[str, ...], value: str, shown: str) -> tuple[str, int]:
    """`text` with `value` added as the last item of the list at `keys` of entry `entry_id`.

    Returns the new text and the 1-based line of the new item; raises EditError if the list
    cannot be found or extended by one line.
    """
    where = f"{shown}: {entry_id}: {'.'.join(keys)}"
    try:
        document = YAML(typ="rt").load(text)
    except YAMLError as exc:
        raise EditError([f"{shown}: malformed YAML: {exc}"]) from None
    entry = _entry(document, entry_id)
    if entry is None:
        raise EditError([f"{shown}: no entry {entry_id!r} in this file (reload the knowledge first?)"])
    items: Any = entry
    for key in keys:
        items = items.get(key) if isinstance(items, CommentedMap) else None
    if not isinstance(items, CommentedSeq) or not items:
        raise EditError([f"{where}: no list to add to; add the first item by hand"])
    if items.fa.flow_style():
        raise EditError(
            [f"{where}: written as [a, b]; write it as a block list (one '- item' a line) to edit it"]
        )
    if any(isinstance(i, str) and i.casefold() == value.casefold() for i in items):
        raise EditError([f"{where}: {value!r} is there already"])
    lines = text.splitlines(keepends=True)
    last_line, column = items.lc.item(len(items) - 1)
    prefix = lines[last_line][:column]
    if prefix.strip() != "-":
        raise EditError([f"{where}: the last item does not start its own line; add it by hand"])
    after = _item_end(lines, last_line, len(prefix) - len(prefix.lstrip()))
    if not lines[after - 1].endswith("\n"):  # only the file's last line can lack one
        lines[after - 1] += "\n"
    new_text = "".join([*lines[:after], prefix + _scalar(value) + "\n", *lines[after:]])
    _verify(text, new_text, entry_id, keys, value, where)
    return new_text, after + 1


def _entry(document: Any, entry_id: str) -> CommentedMap | None:
    """The entry with this id: the document itself (one entity) or an item of it (FAQ lists)."""
    candidates = document if isinstance(document, CommentedSeq) else [document]
    for item in candidates:
        if isinstance(item, CommentedMap) and item.get("id") == entry_id:
            return item
    return None


def _item_end(lines: list[str], start: int, dash: int) -> int:
    """Index of the line after the list item starting at `start` (its continuation lines included,
    comment and blank lines after it not)."""
    end = start + 1
    for i in range(start + 1, len(lines)):
        body = lines[i].strip()
        if not body or body.startswith("#"):
            continue
        if len(lines[i]) - len(lines[i].lstrip()) <= dash:
            break
        end = i + 1
    return end


def _scalar(value: str) -> str:
    """`value` as ruamel.yaml writes a list item (quoted only where YAML needs it), one line."""
    out = io.StringIO()
    writer = YAML(typ="rt")
    writer.width = 1_000_000  # never fold
    writer.dump([value], out)
    written = out.getvalue()
    if not written.startswith("- ") or written.count("\n") != 1:
        raise EditError([f"{value!r} cannot be written as one YAML line"])
    return written[2:-1]


def _verify(old: str, new: str, entry_id: str, keys: tuple[str, ...], value: str, where: str) -> None:
    """The new text must parse to the old data plus exactly this one item."""
    try:
        expected, got = yaml.safe_load(old), yaml.safe_load(new)
    except (yaml.YAMLError, ValueError) as exc:
        raise EditError([f"{where}: the file cannot be read as plain YAML ({exc}); fix it first"]) from None
    entries = expected if isinstance(expected, list) else [expected]
    target = next(e for e in entries if isinstance(e, dict) and e.get("id") == entry_id)
    for key in keys:
        target = target[key]
    target.append(value)
    if got != expected:
        raise EditError([f"{where}: adding one line would change other data; add it by hand"])


def _replace(file: Path, original: bytes, new: bytes) -> None:
    """Write `new` beside `file` and move it over `file`, unless `file` changed since it was read."""
    mode = file.stat().st_mode & 0o7777
    fd, temp_name = tempfile.mkstemp(prefix=f".{file.name}.", suffix=TEMP_SUFFIX, dir=file.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(new)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        if file.read_bytes() != original:
            raise EditError(
                [f"{file}: changed on disk while this edit was checked; nothing written, try again"]
            )
        os.replace(temp, file)
    except OSError as exc:
        raise EditError([f"{file}: cannot write: {exc.strerror or exc}"]) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    with contextlib.suppress(OSError):  # the rename itself survives a crash once the folder is synced
        folder = os.open(file.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
