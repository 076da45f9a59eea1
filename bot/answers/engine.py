"""The answer engine: a knowledge snapshot, its index, and question -> Result."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from bot.answers import content, wording
from bot.answers.result import Answer, Result, Suggestion, Target
from bot.knowledge import edit
from bot.knowledge.edit import Change, EditError
from bot.knowledge.freshness import STALE_MONTHS
from bot.knowledge.load import Knowledge, KnowledgeError, load
from bot.knowledge.model import Person
from bot.matching.candidates import list_hit
from bot.matching.index import Hit, Index, alias_problems, phrasing_problems
from bot.matching.matcher import Match, match, targets
from bot.matching.text import language, normalise

#: How many entries an empty inline query shows.
FEATURED = 10
#: How many recent distinct questions keep their reply ready.
CACHED_QUESTIONS = 4096
#: How many rendered cards (an entry or list, in one language, on one day) are kept: many
#: different questions open the same popular entries.
CACHED_CARDS = 1024
#: Characters of a question the matcher reads (Telegram allows 4,096). Longer text is no
#: question; reading only its start bounds the matcher's work whatever arrives.
MAX_QUERY_CHARS = 512


class Engine:
    """An immutable snapshot of the knowledge base, ready to answer. Reload = build a new one."""

    def __init__(
        self,
        knowledge: Knowledge,
        cached_questions: int = CACHED_QUESTIONS,
        stale_months: int = STALE_MONTHS,
        today: Callable[[], dt.date] = dt.date.today,
    ):
        """`stale_months`: a dated fact older than this is marked as possibly out of date on the
        day `today()` returns (injectable for tests)."""
        self.knowledge = knowledge
        self.index = Index(knowledge)
        self.stale_months = stale_months
        self._today = today
        self._decide = functools.lru_cache(maxsize=cached_questions)(self._decide_uncached)
        self._card = functools.lru_cache(maxsize=CACHED_CARDS)(self._card_uncached)

    @classmethod
    def from_dir(
        cls, path: str | Path, stale_months: int = STALE_MONTHS, replace: Mapping[Path, str] | None = None
    ) -> Engine:
        """Load, validate and index a knowledge directory; raise KnowledgeError on any problem.

        `replace`: resolved file path -> text to read instead of that file's (an edit being checked).
        """
        knowledge = load(path, strict=False, replace=replace)
        problems = [*knowledge.problems, *alias_problems(knowledge), *phrasing_problems(knowledge)]
        if problems:
            raise KnowledgeError(problems)
        return cls(knowledge, stale_months=stale_months)

    @property
    def counts(self) -> dict[str, int]:
        return self.knowledge.counts

    def ask(self, query: str, lang: str | None = None) -> Result:
        """Answer one question (`lang` forces the reply language; by default the question's).

        A snapshot never changes, so the same question gets the same reply: popular questions are
        answered from a cache of recent ones.
        """
        started = time.perf_counter()
        # The day is part of the key: a cached reply marks facts that went stale overnight.
        decided = self._decide(query[:MAX_QUERY_CHARS], lang, self._today())
        elapsed = (time.perf_counter() - started) * 1000
        return dataclasses.replace(decided, query=query, elapsed_ms=elapsed)

    def _decide_uncached(self, query: str, lang: str | None, today: dt.date) -> Result:
        return self._result(
            query, self._chosen(query, match(self.index, query, lang)), time.perf_counter(), today
        )

    def _chosen(self, query: str, decided: Match) -> Match:
        """A question typed as the title of one of the choices it would be offered ("did you mean"
        labels are copied and sent back, or typed from a screenshot) opens that choice."""
        if decided.outcome != "suggest":
            return decided
        typed = normalise(query)
        for hit in decided.suggestions:
            titles = {self._suggestion(hit, lang).title for lang in ("en", "ru")}
            if typed in {normalise(t) for t in titles}:
                return dataclasses.replace(decided, outcome="answer", best=hit, suggestions=())
        return decided

    def open(self, entry_id: str, lang: str, asked: frozenset[str] = frozenset()) -> Result:
        """A given entry (or list answer) by id, for deep links and buttons; outcome `none` if there
        is no such id. `asked`: intents ("where", "left", "org", "designation", "born") whose facts
        the short card shows first, as if a question had asked them."""
        started = time.perf_counter()
        k = self.knowledge
        if entry_id in k.faq:
            hit = self.index.faq_hit(entry_id, 1.0)
        elif entry_id in k.entities:
            hit = self.index.entity_hit(entry_id, 1.0, asked)
        else:
            hit = list_hit(self.index, entry_id) if entry_id.startswith("list:") else None
        decided = Match(lang, "answer", hit) if hit else Match(lang, "none")
        return self._result(entry_id, decided, started, self._today())

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
            return Engine.from_dir(k.root, self.stale_months, replace=replace)

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
        title = content.list_heading(self.knowledge, hit, lang) if hit.type == "list" else (
            content.title(self.knowledge, hit.id, lang))  # fmt: skip
        return Suggestion(
            hit.id, hit.type, wording.typeset(title, lang), self._names(hit.entities), hit.score
        )

    def _answer(self, hit: Hit, lang: str, today: dt.date) -> Answer:
        """The answer a hit shows: its card, rendered once per entry, language and day, with its score."""
        card = self._card(dataclasses.replace(hit, score=0.0), lang, today)
        return dataclasses.replace(card, score=hit.score)

    def _card_uncached(self, hit: Hit, lang: str, today: dt.date) -> Answer:
        k = self.knowledge
        fresh = content.Freshness(today, self.stale_months)
        if hit.type == "list":
            title, card = content.list_card(k, hit, fresh, lang)
            members = content.list_members(k, hit, lang)
            as_of = min(k.entities[m].as_of for m in members).isoformat()
            sources = content.sources_of(k, members)[: content.MAX_LIST_SOURCES]
            related = members
        elif hit.type == "faq":
            faq = k.faq[hit.id]
            title, card = content.title(k, hit.id, lang), content.faq_card(k, hit.id, lang)
            as_of, sources, related = faq.as_of.isoformat(), list(faq.sources), tuple(faq.about)
        else:
            entity = k.entities[hit.id]
            title = content.pick(entity.name, lang)
            card = content.entity_card(k, entity, hit.intents, fresh, lang)
            as_of, sources, related = entity.as_of.isoformat(), list(entity.sources), tuple(entity.related)
        about = related if hit.type == "list" else hit.entities
        typeset = functools.partial(wording.typeset, lang=lang)  # editors write plain spaces
        return Answer(
            hit.id, hit.type, typeset(title), self._names(about), hit.score,
            text=typeset(card.full), as_of=as_of, sources=tuple((s.title, s.url) for s in sources),
            related=tuple((r, content.title(k, r, lang)) for r in related if r in k.entities and r != hit.id),
            short=typeset(card.short), outlets=card.outlets,
        )  # fmt: skip

    def _result(self, query: str, decided: Match, started: float, today: dt.date) -> Result:
        lang = decided.lang
        best = decided.best
        answer = self._answer(best, lang, today) if decided.outcome == "answer" and best else None
        suggestions = tuple(self._suggestion(h, lang) for h in decided.suggestions)
        elapsed = (time.perf_counter() - started) * 1000
        nobody = ("based", decided.nobody_in[lang == "ru"]) if decided.nobody_in else None
        nobody = ("left", decided.nobody_left) if decided.nobody_left else nobody
        return Result(
            query,
            lang,
            decided.outcome,
            answer,
            suggestions,
            elapsed,
            decided.small_talk,
            decided.unknown_name,
            nobody,
        )
