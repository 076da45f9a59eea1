"""The answer engine: a knowledge snapshot, its index, and question -> Result."""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Mapping
from pathlib import Path

from bot.answers import content
from bot.answers.result import Answer, Result, Suggestion, Target
from bot.knowledge import edit
from bot.knowledge.edit import Change, EditError
from bot.knowledge.load import Knowledge, KnowledgeError, load
from bot.knowledge.model import Person
from bot.matching.index import Hit, Index, alias_problems
from bot.matching.matcher import Match, match, targets
from bot.matching.text import language

#: How many entries an empty inline query shows.
FEATURED = 10
#: How many recent distinct questions keep their reply ready.
CACHED_QUESTIONS = 4096
#: Characters of a question the matcher reads (Telegram allows 4,096). Longer text is no
#: question; reading only its start bounds the matcher's work whatever arrives.
MAX_QUERY_CHARS = 512


class Engine:
    """An immutable snapshot of the knowledge base, ready to answer. Reload = build a new one."""

    def __init__(self, knowledge: Knowledge, cached_questions: int = CACHED_QUESTIONS):
        self.knowledge = knowledge
        self.index = Index(knowledge)
        self._decide = functools.lru_cache(maxsize=cached_questions)(self._decide_uncached)

    @classmethod
    def from_dir(cls, path: str | Path, replace: Mapping[Path, str] | None = None) -> Engine:
        """Load, validate and index a knowledge directory; raise KnowledgeError on any problem.

        `replace`: resolved file path -> text to read instead of that file's (an edit being checked).
        """
        knowledge = load(path, strict=False, replace=replace)
        problems = [*knowledge.problems, *alias_problems(knowledge)]
        if problems:
            raise KnowledgeError(problems)
        return cls(knowledge)

    @property
    def counts(self) -> dict[str, int]:
        return self.knowledge.counts

    def ask(self, query: str, lang: str | None = None) -> Result:
        """Answer one question (`lang` forces the reply language; by default the question's).

        A snapshot never changes, so the same question gets the same reply: popular questions are
        answered from a cache of recent ones.
        """
        started = time.perf_counter()
        decided = self._decide(query[:MAX_QUERY_CHARS], lang)
        elapsed = (time.perf_counter() - started) * 1000
        return dataclasses.replace(decided, query=query, elapsed_ms=elapsed)

    def _decide_uncached(self, query: str, lang: str | None) -> Result:
        return self._result(query, match(self.index, query, lang), time.perf_counter())

    def open(self, entry_id: str, lang: str) -> Result:
        """A given entry by id, for deep links and buttons; outcome `none` if there is no such id."""
        started = time.perf_counter()
        k = self.knowledge
        if entry_id in k.faq:
            hit = self.index.faq_hit(entry_id, 1.0)
        elif entry_id in k.entities:
            hit = self.index.entity_hit(entry_id, 1.0, frozenset())
        else:
            return self._result(entry_id, Match(lang, "none"), started)
        return self._result(entry_id, Match(lang, "answer", hit), started)

    def targets(self, query: str, lang: str | None = None) -> tuple[Target, ...]:
        """Up to 3 entries to add a question to, best first, even when the engine declines it:
        aliases of the entities ranked for a question that is only a name, else FAQ entries about
        them (titles in `lang`, by default the question's)."""
        lang = lang or self.ask(query).lang
        k = self.knowledge
        return tuple(
            Target(t.id, k.type_of(t.id), content.title(k, t.id, lang), t.adds, t.score)
            for t in targets(self.index, query[:MAX_QUERY_CHARS])
        )

    def add_to(self, entry_id: str, question: str) -> tuple[Change, Engine]:
        """Add `question` to an entry in its YAML file: a question variant of an FAQ entry (in the
        question's language) or an alias of an entity. The whole folder is validated with the
        change before it is written (the question's language is that of its words as typed); returns the change and an engine built from the new files.
        Raises EditError (saying why, file:line: field: what) and writes nothing on any problem.
        """
        k = self.knowledge
        if entry_id not in k.where:
            raise EditError([f"no entry {entry_id!r} in the knowledge base"])
        file = Path(k.where[entry_id].file)

        def check(replace: Mapping[Path, str]) -> Engine:
            return Engine.from_dir(k.root, replace=replace)

        if entry_id in k.faq:
            return edit.add_question(file, entry_id, language(question), question, check)
        return edit.add_alias(file, entry_id, question, check)

    def featured(self, lang: str) -> list[Result]:
        """The people most asked about in the FAQ, for an empty inline query."""
        about = self.index.faq_about
        people = [e for e in self.knowledge.entities.values() if isinstance(e, Person)]
        people.sort(key=lambda p: (-len(about.get(p.id, ())), p.id))
        return [self.open(p.id, lang) for p in people[:FEATURED]]

    # --- building results ---------------------------------------------------------------------

    def _names(self, ids: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        entities = self.knowledge.entities
        return tuple((i, entities[i].name.en) for i in ids if i in entities)

    def _suggestion(self, hit: Hit, lang: str) -> Suggestion:
        title = content.list_text(self.knowledge, hit, lang)[0] if hit.type == "list" else (
            content.title(self.knowledge, hit.id, lang))  # fmt: skip
        return Suggestion(hit.id, hit.type, title, self._names(hit.entities), hit.score)

    def _answer(self, hit: Hit, lang: str) -> Answer:
        k = self.knowledge
        if hit.type == "list":
            title, text = content.list_text(k, hit, lang)
            members = hit.members[: content.MAX_LIST]
            as_of = min(k.entities[m].as_of for m in members).isoformat()
            sources = content.sources_of(k, members)[: content.MAX_LIST_SOURCES]
            related = members
        elif hit.type == "faq":
            faq = k.faq[hit.id]
            title, text = content.title(k, hit.id, lang), content.pick(faq.answer, lang)
            as_of, sources, related = faq.as_of.isoformat(), list(faq.sources), tuple(faq.about)
        else:
            entity = k.entities[hit.id]
            title = content.pick(entity.name, lang)
            text = content.entity_text(k, entity, hit.intents, lang)
            as_of, sources, related = entity.as_of.isoformat(), list(entity.sources), tuple(entity.related)
        about = related if hit.type == "list" else hit.entities
        return Answer(
            hit.id, hit.type, title, self._names(about), hit.score,
            text=text, as_of=as_of, sources=tuple((s.title, s.url) for s in sources),
            related=tuple((r, content.title(k, r, lang)) for r in related if r in k.entities and r != hit.id),
        )  # fmt: skip

    def _result(self, query: str, decided: Match, started: float) -> Result:
        lang = decided.lang
        answer = self._answer(decided.best, lang) if decided.outcome == "answer" and decided.best else None
        suggestions = tuple(self._suggestion(h, lang) for h in decided.suggestions)
        elapsed = (time.perf_counter() - started) * 1000
        return Result(query, lang, decided.outcome, answer, suggestions, elapsed, decided.small_talk)
