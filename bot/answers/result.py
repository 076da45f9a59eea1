"""What the engine says to a question: `Result`, its `Answer` or `Suggestion`s, and their JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Suggestion:
    """A "did you mean" choice."""

    id: str
    type: str
    title: str
    entities: tuple[tuple[str, str], ...]
    score: float

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "title": self.title,
            "entities": [{"id": i, "name_en": n} for i, n in self.entities],
            "score": self.score,
        }


@dataclass(frozen=True)
class Answer(Suggestion):
    """A confident answer: text in our own words, its sources and the day an editor checked it.

    `text` is the full card's body (the terminal, JSON and "more" show it); `short` the body a
    chat shows first (the same as `text` when nothing was left out); `outlets` the (name, URL)
    of the outlets a chat names, at most four.
    """

    text: str = ""
    as_of: str = ""
    sources: tuple[tuple[str, str], ...] = ()
    related: tuple[tuple[str, str], ...] = ()
    short: str = ""
    outlets: tuple[tuple[str, str], ...] = ()

    @property
    def has_more(self) -> bool:
        """Whether the full card says more than the short one."""
        return bool(self.short) and self.short != self.text

    def to_json(self) -> dict[str, Any]:
        return {
            **super().to_json(),
            "text": self.text,
            "as_of": self.as_of,
            "sources": [{"title": t, "url": u} for t, u in self.sources],
        }


@dataclass(frozen=True)
class Result:
    """What the engine says to one question."""

    query: str
    lang: str
    outcome: str
    answer: Answer | None
    suggestions: tuple[Suggestion, ...]
    elapsed_ms: float
    #: greeting, thanks, bye, how_are_you or about_bot: the message was only that
    small_talk: str | None = None
    unknown_name: str = ""  #: declined: the name asked about, as typed, that no entry has
    #: asked who lives in a place, or left Russia in a year, and nobody in the knowledge base did:
    #: ("based", the place's name) or ("left", the departures list key: "2023", "after-2025"); not in JSON
    nobody: tuple[str, str] | None = None

    def log_fields(self) -> dict[str, Any]:
        """What the query log records of this result, the same for every front end.

        `score` is the answer's, or the best suggestion's when there was only a "did you mean".
        """
        best = self.answer or (self.suggestions[0] if self.suggestions else None)
        return {
            "lang": self.lang,
            "outcome": self.outcome,
            "chosen_id": self.answer.id if self.answer else None,
            "score": best.score if best else None,
        }

    def to_json(self) -> dict[str, Any]:
        """The `ask --json` contract."""
        return {
            "query": self.query,
            "lang": self.lang,
            "outcome": self.outcome,
            "answer": self.answer.to_json() if self.answer else None,
            "suggestions": [s.to_json() for s in self.suggestions],
            "elapsed_ms": round(self.elapsed_ms, 3),
        }


@dataclass(frozen=True)
class Target:
    """An entry a question with no answer could be added to (`Engine.targets`, `Engine.add_to`):
    as a question variant of an FAQ entry (`adds` "question") or an alias of an entity ("alias")."""

    id: str
    type: str
    title: str
    adds: str
    score: float
