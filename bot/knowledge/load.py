"""Load and validate the knowledge files; every problem is reported as `file:line: field: what`."""

from __future__ import annotations

import re
import stat
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ValidationError
from telegram.constants import MessageLimit

from bot.knowledge.model import (
    FOLDERS,
    REGISTRY,
    TYPES,
    WHEN_PATTERN,
    Entity,
    Event,
    Faq,
    Organisation,
    Outlet,
    Person,
    has_cyrillic,
    repost_note,
)

#: A knowledge file larger than this is refused before it is parsed.
MAX_FILE_BYTES = 1_000_000
#: Seconds reading the whole knowledge folder may take (`/reload`, `validate`): a file on a hung
#: mount must not hold them for ever.
READ_TIMEOUT = 60.0
#: The file each loading thread is reading now (thread id -> shown name): who names a read that
#: never ends, from another thread (`being_read`).
_READING: dict[int, str] = {}
#: Characters of one message an entry's text and source links may take; the rest is for the title,
#: the fact lines and the footer of its reply.
ENTRY_BUDGET = MessageLimit.MAX_TEXT_LENGTH - 600
#: Characters a source link adds besides its URL (its HTML, the site named, the separator).
LINK_OVERHEAD = 40
#: A YAML document with more nodes than this is refused (guards against node bombs).
MAX_NODES = 50_000
#: Deepest nesting of lists and mappings accepted (the models need 5; Python's stack is finite).
MAX_DEPTH = 50

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge files."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class KnowledgeError(Exception):
    """Raised when the knowledge files have problems; `problems` lists all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Located:
    """Where an entry was defined."""

    file: str
    line: int


@dataclass
class Knowledge:
    """A validated snapshot of the knowledge base."""

    root: Path
    entities: dict[str, Entity] = field(default_factory=dict)
    faq: dict[str, Faq] = field(default_factory=dict)
    where: dict[str, Located] = field(default_factory=dict)
    broken: dict[str, Located] = field(default_factory=dict)  # entries that failed validation
    lines: dict[str, dict[Path_, int]] = field(default_factory=dict, repr=False)  # id -> field -> line
    problems: list[Problem] = field(default_factory=list)
    outlets: dict[str, Outlet] = field(default_factory=dict)  # domain -> outlet (knowledge/sources.yaml)

    def outlet(self, url: str) -> Outlet | None:
        """The registered outlet a URL belongs to: its host is a domain of it or a subdomain."""
        host = (urlsplit(url).hostname or "").removesuffix(".")
        parts = host.split(".")
        for i in range(len(parts) - 1):
            found = self.outlets.get(".".join(parts[i:]))
            if found:
                return found
        return None

    def type_of(self, entry_id: str) -> str:
        """The answer type of an entry: person, organisation, event or faq."""
        if entry_id in self.faq:
            return "faq"
        return _entity_type(self.entities[entry_id])

    @property
    def counts(self) -> dict[str, int]:
        """Number of entries of each kind, in folder order."""
        counts = {"people": 0, "organisations": 0, "events": 0, "faq": len(self.faq)}
        for entity in self.entities.values():
            counts[_FOLDER_OF[type(entity)]] += 1
        return counts


_FOLDER_OF = {Person: "people", Organisation: "organisations", Event: "events"}


def _entity_type(entity: Entity) -> str:
    return TYPES[_FOLDER_OF[type(entity)]]


# --- YAML with line numbers -------------------------------------------------------------------


# libyaml's parser when PyYAML was built with it: the same safe loading, several times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _YamlProblem(Exception):
    def __init__(self, line: int, message: str, path: Path_ = ()):
        self.line, self.message, self.path = line, message, path


def _parse(text: str) -> tuple[Any, dict[Path_, int], list[_YamlProblem]]:
    """Parse one YAML document safely; return the data, a map from field path to line and the
    values that could not be read (an impossible date...), which are kept as their text so that
    the rest of the document can still be validated."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except RecursionError:
        raise _YamlProblem(0, f"nested too deep (more than {MAX_DEPTH} levels)") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise _YamlProblem(mark.line + 1 if mark else 0, f"malformed YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise _YamlProblem(0, f"malformed YAML: {exc}") from None
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    bad: list[_YamlProblem] = []
    seen: set[int] = set()

    def build(node: yaml.Node, path: Path_) -> Any:
        if id(node) in seen:
            raise _YamlProblem(node.start_mark.line + 1, "YAML aliases are not allowed", path)
        seen.add(id(node))
        if len(seen) > MAX_NODES:
            raise _YamlProblem(node.start_mark.line + 1, f"more than {MAX_NODES} YAML nodes", path)
        lines[path] = node.start_mark.line + 1
        if len(path) > MAX_DEPTH:
            raise _YamlProblem(node.start_mark.line + 1, f"nested too deep (more than {MAX_DEPTH} levels)")
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
                    raise _YamlProblem(key_node.start_mark.line + 1, "unsupported key", path)
                key = loader.construct_scalar(key_node)
                if key in out:
                    raise _YamlProblem(key_node.start_mark.line + 1, "duplicate key", (*path, key))
                out[key] = build(value_node, (*path, key))
                lines[(*path, key)] = key_node.start_mark.line + 1
            return out
        if isinstance(node, yaml.SequenceNode):
            return [build(item, (*path, i)) for i, item in enumerate(node.value)]
        try:
            return loader.construct_object(node)
        except (yaml.YAMLError, ValueError) as exc:  # e.g. a timestamp like 2023-02-30
            bad.append(_YamlProblem(node.start_mark.line + 1, f"bad value {node.value!r}: {exc}", path))
            return node.value

    if node is None:
        return None, lines, bad
    return build(node, ()), lines, bad


def field_name(path: Path_) -> str:
    """('organisations', 0, 'role', 'ru') -> 'organisations[0].role.ru'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def line_for(lines: dict[Path_, int], path: Path_) -> int:
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return 1


_MESSAGES = {
    "missing": "missing field",
    "extra_forbidden": "unknown key",
    "too_short": "must not be empty",
    "string_too_long": "text too long",
    "string_type": "expected text",
    "list_type": "expected a list",
    "model_type": "expected a mapping of fields",
    "dict_type": "expected a mapping of fields",
    "literal_error": "not one of the allowed values",
}


def _describe(error: dict[str, Any]) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "missing" and loc and loc[-1] in ("en", "ru"):
        return f"missing translation ({loc[-1]})"
    if kind == "too_short" and loc and loc[-1] == "sources":
        return "no source: every entry needs at least one"
    if kind == "string_pattern_mismatch":
        if error.get("ctx", {}).get("pattern") == WHEN_PATTERN:
            return f"bad date {error['input']!r}: expected YYYY, YYYY-MM or YYYY-MM-DD"
        return f"bad id {error['input']!r}: use lower-case letters, digits and _"
    if kind.startswith("date"):
        return f"bad date {error['input']!r}: expected YYYY-MM-DD"
    if kind == "value_error" and "URL" in error["msg"]:
        return f"bad URL {error['input']!r}: not an http(s) URL"
    if kind == "string_too_long":
        return f"text too long ({len(error['input'])} characters, at most {error['ctx']['max_length']})"
    message = _MESSAGES.get(kind, error["msg"])
    if kind == "literal_error":
        message += f" ({error['ctx']['expected']})"
    return message


# --- Loading ----------------------------------------------------------------------------------


def _files(root: Path, problems: list[Problem]) -> Iterator[tuple[str, Path, str]]:
    """Yield (folder, path, shown name) for every knowledge file, reporting strays."""
    resolved_root = root.resolve()
    for path in sorted(root.rglob("*")):
        shown = str(path)
        if path.is_dir():
            if path.is_symlink():  # never followed: what it holds would be silently left out
                where = "outside" if not path.resolve().is_relative_to(resolved_root) else "inside"
                problems.append(Problem(shown, 0, "", f"linked directory (pointing {where} the knowledge "
                                        "directory) is not loaded: move the files here instead"))  # fmt: skip
            continue
        if path.suffix.lower() not in (".yaml", ".yml"):
            continue
        rel = path.relative_to(root)
        if rel == Path(REGISTRY):
            continue
        if path.suffix not in (".yaml", ".yml"):
            problems.append(
                Problem(
                    shown, 0, "", f"write the ending in lower case ({path.suffix.lower()}) to have it loaded"
                )
            )
            continue
        if not path.resolve().is_relative_to(resolved_root):
            problems.append(Problem(shown, 0, "", "link points outside the knowledge directory"))
            continue
        folder = rel.parts[0] if len(rel.parts) > 1 else ""
        if folder not in FOLDERS or len(rel.parts) != 2:
            expected = ", ".join(f"{f}/" for f in FOLDERS)
            problems.append(Problem(shown, 0, "", f"not in a known folder (expected {expected})"))
            continue
        yield folder, path, shown


def being_read(thread_id: int | None) -> str | None:
    """The knowledge file the thread `thread_id` is reading (or finding) now, if any."""
    return None if thread_id is None else _READING.get(thread_id)


def _read(path: Path, shown: str) -> str:
    me = threading.get_ident()
    _READING[me] = shown  # the stat can hang on a dead mount as well as the read
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block or never end
            raise _YamlProblem(0, "not a regular file (a FIFO, socket or device): refused")
        size = info.st_size
        if size > MAX_FILE_BYTES:
            raise _YamlProblem(0, f"file too large ({size} bytes, at most {MAX_FILE_BYTES})")
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise _YamlProblem(0, "not UTF-8 text") from None
    finally:
        _READING.pop(me, None)


def _unread_problems(unread: list[_YamlProblem], shown: str) -> list[Problem]:
    return [Problem(shown, u.line, field_name(u.path), u.message) for u in unread]


def _model_problems(
    exc: ValidationError, prefix: Path_, lines: dict[Path_, int], shown: str, unread: list[Path_]
) -> Iterator[Problem]:
    """The model's errors as problems, except at values YAML could not read (reported already)."""
    for error in exc.errors():
        path = (*prefix, *error["loc"])
        if not any(path[: len(u)] == u for u in unread):
            yield Problem(shown, line_for(lines, path), field_name(path), _describe(error))


def _validate_items(
    folder: str, data: Any, lines: dict[Path_, int], unread: list[_YamlProblem], shown: str
) -> tuple[list[tuple[Any, Path_]], list[Problem], dict[str, Located]]:
    """Validate one file's data against its folder's model; return (entries, problems, broken):
    the items that failed, by id, so that references to them are not reported as missing too."""
    model: type[BaseModel] = FOLDERS[folder]
    is_list = folder == "faq"
    problems = _unread_problems(unread, shown)
    if is_list and not isinstance(data, list):
        return [], [*problems, Problem(shown, 1, "", "expected a list of FAQ entries")], {}
    if not is_list and not isinstance(data, dict):
        return [], [*problems, Problem(shown, 1, "", "expected a mapping of fields")], {}
    items = list(enumerate(data)) if is_list else [(None, data)]
    entries, broken = [], {}
    for index, item in items:
        prefix: Path_ = () if index is None else (index,)
        item_unread = [u.path for u in unread if u.path[: len(prefix)] == prefix]
        try:
            entry = model.model_validate(item)
        except ValidationError as exc:
            problems += _model_problems(exc, prefix, lines, shown, item_unread)
        else:
            problems += _translation_problems(entry, shown, line_for(lines, prefix))
            if not item_unread:
                entries.append((entry, prefix))
                continue
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            broken[item["id"]] = Located(shown, line_for(lines, (*prefix, "id")))
    return entries, problems, broken


#: An entry's `id:` line, looked for in a file that cannot be parsed at all.
_ID_LINE = re.compile(r"^(?:- +| {2})?id: *['\"]?([a-z][a-z0-9_]*)['\"]? *(?:#.*)?$", re.MULTILINE)


def _unparsed_ids(text: str, shown: str) -> dict[str, Located]:
    """The ids a file that cannot be parsed seems to define, where."""
    return {m[1]: Located(shown, text.count("\n", 0, m.start()) + 1) for m in _ID_LINE.finditer(text)}


def _translation_problems(entry: Entity | Faq, shown: str, line: int) -> Iterator[Problem]:
    """Russian text must be Russian; English text must not be Russian."""
    texts = {"answer": entry.answer} if isinstance(entry, Faq) else {"summary": entry.summary}
    if isinstance(entry, Entity):
        texts["name"] = entry.name
    for name, pair in texts.items():
        if not has_cyrillic(pair.ru):
            yield Problem(shown, line, f"{name}.ru", "missing translation: no Russian text")
        if pair.en == pair.ru or (name != "name" and has_cyrillic(pair.en) and len(pair.en) > 40):
            yield Problem(shown, line, f"{name}.en", "missing translation: English text is not English")


def load(root: str | Path, strict: bool = True, replace: Mapping[Path, str] | None = None) -> Knowledge:
    """Load every knowledge file under `root`; raise KnowledgeError listing all problems.

    With `strict=False` the entries that are valid on their own are returned and the problems are
    kept in `Knowledge.problems` (for tools that inspect a base while it is being written).
    `replace` maps resolved file paths to text read instead of theirs (an edit checked before it
    is written: `bot.knowledge.edit`).
    """
    root = Path(root)
    if not root.is_dir():
        raise KnowledgeError([Problem(str(root), 0, "", "knowledge directory not found")])
    problems: list[Problem] = []
    knowledge = Knowledge(root=root)
    knowledge.outlets = _registry(root, problems)
    for folder, path, shown in _files(root, problems):
        text = ""
        try:
            replaced = replace.get(path.resolve()) if replace else None
            text = _read(path, shown) if replaced is None else replaced
            data, lines, unread = _parse(text)
        except _YamlProblem as exc:
            problems.append(Problem(shown, exc.line, field_name(exc.path), exc.message))
            knowledge.broken.update(_unparsed_ids(text, shown))
            continue
        except OSError as exc:
            problems.append(Problem(shown, 0, "", f"cannot read: {exc.strerror}"))
            continue
        entries, found, broken = _validate_items(folder, data, lines, unread, shown)
        problems += found
        knowledge.broken.update(broken)
        for entry, prefix in entries:
            line = line_for(lines, prefix)
            if entry.id in knowledge.where:
                first = knowledge.where[entry.id]
                problems.append(
                    Problem(
                        shown, line, "id", f"duplicate id {entry.id!r} (first in {first.file}:{first.line})"
                    )
                )
                continue
            knowledge.where[entry.id] = Located(shown, line)
            knowledge.lines[entry.id] = {
                p[len(prefix) :]: n for p, n in lines.items() if p[: len(prefix)] == prefix
            }
            if isinstance(entry, Faq):
                knowledge.faq[entry.id] = entry
            else:
                knowledge.entities[entry.id] = entry
    problems += _reference_problems(knowledge)
    problems += _size_problems(knowledge)
    problems += _repost_problems(knowledge)
    if knowledge.outlets:
        problems += _source_problems(knowledge)
    if problems and strict:
        raise KnowledgeError(problems)
    knowledge.problems = problems
    return knowledge


def _size_problems(k: Knowledge) -> Iterator[Problem]:
    """An entry's text and its source links must leave room in one message for the rest of a reply."""
    for entry_id, at in k.where.items():
        entry = k.faq.get(entry_id) or k.entities[entry_id]
        text = entry.answer if isinstance(entry, Faq) else entry.summary
        links = sum(len(s.url) + LINK_OVERHEAD for s in entry.sources)
        for lang in ("en", "ru"):
            if len(getattr(text, lang)) + links > ENTRY_BUDGET:
                field = "answer" if isinstance(entry, Faq) else "summary"
                yield Problem(at.file, at.line, field, f"text too long for one Telegram message ({lang})")


def _registry(root: Path, problems: list[Problem]) -> dict[str, Outlet]:
    """The outlets of knowledge/sources.yaml by domain (none if the folder has no registry)."""
    path = root / REGISTRY
    if not path.exists():
        return {}
    shown = str(path)
    try:
        data, lines, unread = _parse(_read(path, shown))
    except _YamlProblem as exc:
        problems.append(Problem(shown, exc.line, field_name(exc.path), exc.message))
        return {}
    except OSError as exc:
        problems.append(Problem(shown, 0, "", f"cannot read: {exc.strerror}"))
        return {}
    problems += _unread_problems(unread, shown)
    if not isinstance(data, list):
        problems.append(Problem(shown, 1, "", "expected a list of outlets"))
        return {}
    outlets: dict[str, Outlet] = {}
    read: list[tuple[int, Outlet]] = []
    for i, item in enumerate(data):
        item_unread = [u.path for u in unread if u.path[:1] == (i,)]
        try:
            outlet = Outlet.model_validate(item)
        except ValidationError as exc:
            problems += _model_problems(exc, (i,), lines, shown, item_unread)
            continue
        if item_unread:
            continue
        read.append((i, outlet))
        for j, domain in enumerate(outlet.domains):
            other = outlets.setdefault(domain, outlet)
            if other is not outlet:
                at = (i, "domains", j)
                problems.append(
                    Problem(
                        shown,
                        line_for(lines, at),
                        field_name(at),
                        f"{domain} is also a domain of {other.id!r}",
                    )
                )
    ids = {outlet.id for outlet in outlets.values()}
    for i, outlet in read:
        if outlet.part_of is not None and outlet.part_of not in ids:
            at = (i, "part_of")
            problems.append(
                Problem(
                    shown, line_for(lines, at), field_name(at), f"no outlet has the id {outlet.part_of!r}"
                )
            )
    return outlets


def _repost_problems(k: Knowledge) -> Iterator[Problem]:
    """No cited page is a copy of another outlet's, as its title says ("AP, via The Hill")."""
    for entry_id, at in k.where.items():
        entry = k.faq.get(entry_id) or k.entities[entry_id]
        for i, source in enumerate(entry.sources):
            if note := repost_note(source.title):
                path = ("sources", i, "title")
                message = (f'the title says the page is a repost ("{note}"): cite the original outlet\'s page, '
                           "or another outlet's report you read (docs/knowledge-style.md, §3)")  # fmt: skip
                yield Problem(at.file, line_for(k.lines[entry_id], path), field_name(path), message)


def _source_problems(k: Knowledge) -> Iterator[Problem]:
    """Every cited page is an original outlet's, and state media is cited only for state actions."""
    for entry_id, at in k.where.items():
        entry = k.faq.get(entry_id) or k.entities[entry_id]
        for i, source in enumerate(entry.sources):
            path = ("sources", i, "url")
            outlet = k.outlet(source.url)
            if outlet is None:
                host = urlsplit(source.url).hostname
                message = (f"{host} is not an outlet in {REGISTRY}: cite the original outlet's page, not a copy, "
                           "a mirror or a proxy (or register the outlet)")  # fmt: skip
            elif outlet.kind == "state_media" and not source.state_action:
                message = (f"{outlet.name} is Russian state media: cite it only for the date of a state action, "
                           "and mark the source `state_action: true`")  # fmt: skip
            else:
                continue
            yield Problem(at.file, line_for(k.lines[entry_id], path), field_name(path), message)


def _reference_problems(k: Knowledge) -> Iterator[Problem]:
    """References to missing ids or entries of the wrong kind; those to an entry whose file has
    errors are counted instead, and reported once at that entry."""
    unchecked: Counter[str] = Counter()

    def check(entry_id: str, path: Path_, ref: str | None, wanted: type | None) -> Iterator[Problem]:
        if ref is None:
            return
        target = k.entities.get(ref)
        if target is None and ref in k.broken:
            unchecked[ref] += 1
            return
        file, line = k.where[entry_id].file, line_for(k.lines[entry_id], path)
        if target is None:
            yield Problem(file, line, field_name(path), f"refers to missing id {ref!r}")
        elif wanted is not None and not isinstance(target, wanted):
            yield Problem(file, line, field_name(path), f"{ref!r} is not {TYPES[_FOLDER_OF[wanted]]}")

    for entity in k.entities.values():
        for i, ref in enumerate(entity.related):
            yield from check(entity.id, ("related", i), ref, None)
        for i, milestone in enumerate(entity.events):
            yield from check(entity.id, ("events", i, "event"), milestone.event, Event)
        if isinstance(entity, Person):
            for i, membership in enumerate(entity.organisations):
                yield from check(entity.id, ("organisations", i, "org"), membership.org, Organisation)
            for i, relative in enumerate(entity.relatives):
                yield from check(entity.id, ("relatives", i, "person"), relative.person, Person)
        if isinstance(entity, Organisation):
            for i, ref in enumerate(entity.founders):
                yield from check(entity.id, ("founders", i), ref, Person)
            for i, post in enumerate(entity.leadership):
                yield from check(entity.id, ("leadership", i, "person"), post.person, Person)
    for faq in k.faq.values():
        for i, ref in enumerate(faq.about):
            yield from check(faq.id, ("about", i), ref, None)
    for ref, count in unchecked.items():
        at = k.broken[ref]
        refs = "reference" if count == 1 else "references"
        yield Problem(at.file, at.line, "", f"{count} {refs} to {ref!r} (whose file has errors) not checked")
