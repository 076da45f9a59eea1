"""The one model of the knowledge format.

Loading (`bot.knowledge`), validation and `knowledge/schema.json` are all derived from the
classes below; there is no second, hand-kept description of the YAML files.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from bot.knowledge.freshness import period_end

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
#: Longest summary or FAQ answer, so that text + sources always fit one Telegram message.
MAX_TEXT = 1500
MAX_LINE = 300
#: A year, a month or a day: 2013, 2025-10, 2022-05-20.
WHEN_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
#: An http(s) URL with a host and no whitespace (the loader and the editors' schema both use it).
URL_PATTERN = r"^https?://[^\s/?#]+\S*$"
#: A source title that says its page is a copy of another outlet's ("(AP, via The Hill)", "..., via
#: FXEmpire"): a repost, never cited (docs/knowledge-style.md, "What counts as a source"). Only the
#: bracketed outlet note or a trailing ", via ..." counts, as a headline may well say "via video link".
REPOST_PATTERN = r"\([^()]*\b(?:via|через)\s[^()]*\)|(?:[,;|–—]|\s-)\s*via\s[^()]*$"
#: What an entry's own `as_of` means (docs/knowledge-style.md, "How to date a fact").
CHECKED = (
    "The day an editor last checked the whole entry against its sources; not re-stamped by an edit. "
    "Changeable facts carry their own dates."
)


def _when(value: object) -> object:
    """Accept a year (1963), a YAML date (2022-05-20) or a string ('2025-10')."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | dt.date):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return value


def _check_url(value: str) -> str:
    if not re.fullmatch(URL_PATTERN, value):
        raise ValueError("not an http(s) URL")
    return value


_REPOST = re.compile(REPOST_PATTERN, re.IGNORECASE)


def repost_note(title: str) -> str | None:
    """The words of a source title saying its page is a repost ("AP, via The Hill"), if any."""
    found = _REPOST.search(title)
    return found[0].strip(" ,;|–—-()") if found else None


Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=64)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LINE)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]
# The schema says what `_when` accepts, as an editor sees the YAML (a bare year is a number there).
When = Annotated[
    str,
    BeforeValidator(_when),
    StringConstraints(pattern=WHEN_PATTERN),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1000, "maximum": 9999},
                {"type": "string", "pattern": WHEN_PATTERN},
            ],
            "description": "A year (2013), a month (2025-10) or a day (2022-05-20).",
        }
    ),
]
Url = Annotated[
    str,
    AfterValidator(_check_url),
    WithJsonSchema({"type": "string", "pattern": URL_PATTERN, "description": "An http(s) URL."}),
]


class Strict(BaseModel):
    """Base: unknown keys are errors, values are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class PersonRef(Strict):
    """Someone named either by their entry (`person`) or, lacking one, by `name`."""

    person: Id | None = Field(default=None, description="Id of a person entry, if they have one.")
    name: Words | None = Field(default=None, description="Their name, if they have no entry.")

    @model_validator(mode="after")
    def _one_of(self) -> PersonRef:
        if (self.person is None) == (self.name is None):
            raise ValueError("give exactly one of 'person' (an entry id) or 'name'")
        return self


class Words(Strict):
    """A short text in both languages (a name, a role, a city)."""

    en: Line
    ru: Line


class Prose(Strict):
    """A paragraph in both languages (a summary, an answer), written in our own words."""

    en: Text
    ru: Text


class Source(Strict):
    """A public page the facts were checked against."""

    title: Line
    url: Url
    accessed: dt.date
    state_action: bool = Field(
        default=False,
        description="Cited only for the date of a Russian state action (a listing, a charge, a verdict); "
        "required for Russian state media, which is no source for anything else.",
    )


OutletKind = Literal[
    "independent_media", "wire_agency", "other_media", "official", "court_or_register", "ngo", "reference",
    "state_media",
]  # fmt: skip
Domain = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)+$", max_length=253)]


class Outlet(Strict):
    """A publisher whose pages may be cited (knowledge/sources.yaml): a host is covered by a domain
    when it is that domain or one of its subdomains."""

    id: Id
    name: Line
    name_ru: Line | None = Field(
        default=None,
        description="The name Russian replies show: the outlet's standard Russian name («Новая газета Европа», "
        "«Радио Свобода»), or its Latin brand where Russian media keep it in Latin («Reuters», «The Insider»); "
        "without one, Russian replies show `name` without its bracketed note.",
    )
    domains: list[Domain] = Field(min_length=1)
    kind: OutletKind
    part_of: Id | None = Field(
        default=None,
        description="The id of the outlet this one is a service of (Radio Svoboda of RFE/RL): a card names "
        "one outlet of each such family, not both.",
    )


#: The source registry: a list of `Outlet`s at the top of the knowledge folder.
REGISTRY = "sources.yaml"


class Place(Strict):
    """Where someone or something is based, and the year that holds for."""

    city: Words | None = None
    country: Words
    since: When | None = None
    as_of: When = Field(description="Year (or date) the cited source describes this location for.")


class Departure(Strict):
    """When and why a person left Russia."""

    year: When
    why: Words


class Span(Strict):
    """When something held: from `since` to `until` (no `until`: it still holds)."""

    since: When | None = None
    until: When | None = None


class Current(Span):
    """A span that may still hold, with the date a source last reported it holding.

    While `until` is empty, the fact is "reported for" `as_of` if given, else for `since`: the
    only dates the data vouches for. Staleness (`bot.knowledge.stale`) is judged on that date.
    """

    as_of: When | None = Field(
        default=None,
        description="While `until` is empty: the year (or date) the cited source last reports this as "
        "still holding. Leave it out once `until` is set.",
    )

    @model_validator(mode="after")
    def _reported(self) -> Current:
        if self.as_of is not None and self.until is not None:
            raise ValueError("`as_of` is for a span that still holds: drop it once `until` is set")
        both = self.as_of is not None and self.since is not None
        if both and period_end(self.as_of) < period_end(self.since):  # type: ignore[arg-type]
            raise ValueError(f"`as_of` ({self.as_of}) is before `since` ({self.since})")
        return self

    @property
    def reported(self) -> str | None:
        """The date this still-holding span is reported for (None: it ended, or nothing dates it)."""
        return None if self.until is not None else self.as_of or self.since


class Membership(Current):
    """A person's role in an organisation that has its own entry."""

    org: Id = Field(description="Id of an organisation entry.")
    role: Words

    @property
    def founding(self) -> bool:
        """Whether the role is founding alone ("founder", "co-founder"): an event dated by `since`,
        not a span, so it has no end and cannot go out of date. Told by the role's English words,
        as the model has no field for it; "founder and chair" is a post, and stays a span."""
        return bool(_FOUNDING.fullmatch(self.role.en.strip()))


#: A role that is founding alone: "founder", "co-founder", "cofounder", "founding member" is not.
_FOUNDING = re.compile(r"(?:co-?)?founder", re.IGNORECASE)


class Milestone(Strict):
    """A dated event in an entry's history; `event` links to an event entry."""

    date: When
    text: Words
    event: Id | None = Field(default=None, description="Id of an event entry this took part in.")


DesignationKind = Literal[
    "foreign_agent",
    "undesirable",
    "extremist",
    "terrorist",
    "terrorist_extremist_list",
    "wanted",
    "arrested_in_absentia",
    "convicted_in_absentia",
    "criminal_case",
]


class Designation(Strict):
    """A Russian state designation or case (foreign agent, wanted, sentenced in absentia...)."""

    kind: DesignationKind
    date: When
    detail: Words | None = None


RelationKind = Literal["spouse", "former_spouse", "parent", "child", "sibling"]


class Relative(PersonRef, Span):
    """A family tie: `relation` is what the relative is to this person ("child": their child)."""

    relation: RelationKind


PostKind = Literal[
    "leader",
    "chair",
    "co_chair",
    "board_chair",
    "management_board_chair",
    "director",
    "executive_director",
    "president",
    "editor_in_chief",
]


class Post(PersonRef, Current):
    """Who held a leading post in an organisation, and when (`until` empty: still holds it)."""

    post: PostKind


class Entity(Strict):
    """Fields shared by people, organisations and events."""

    id: Id
    name: Words
    aliases: list[Line] = Field(
        default_factory=list,
        description="Other spellings, transliterations, nicknames, initials, short names.",
    )
    summary: Prose
    based_in: Place | None = None
    events: list[Milestone] = Field(default_factory=list)
    designations: list[Designation] = Field(default_factory=list)
    related: list[Id] = Field(default_factory=list)
    as_of: dt.date = Field(description=CHECKED)
    sources: list[Source] = Field(min_length=1)


class Person(Entity):
    """One person: a file under knowledge/people/."""

    full_name: Words | None = None
    gender: Literal["female", "male"] | None = Field(
        default=None, description="For grammatical agreement in replies."
    )
    role: Words
    born: When | None = None
    died: When | None = None
    left_russia: Departure | None = None
    organisations: list[Membership] = Field(default_factory=list)
    relatives: list[Relative] = Field(default_factory=list)


class Organisation(Entity):
    """One organisation: a file under knowledge/organisations/."""

    kind: Words = Field(description="What sort of body it is: NGO, media outlet, movement...")
    founded: When | None = None
    founders: list[Id] = Field(default_factory=list, description="Ids of person entries.")
    all_founders: bool = Field(
        default=False,
        description="True when `founders` lists every founder, as a cited source says; otherwise replies "
        'say "its founders include…" («Среди основателей…»), never implying a sole founder.',
    )
    leadership: list[Post] = Field(default_factory=list, description="Leading posts over time, with dates.")


class Event(Entity):
    """One event, law or state listing: a file under knowledge/events/."""

    category: Literal["event", "law", "listing"] = "event"
    date: When
    place: Words | None = None


class Questions(Strict):
    """How people ask an FAQ question, in both languages."""

    en: list[Line] = Field(min_length=1)
    ru: list[Line] = Field(min_length=1)


class Faq(Strict):
    """One FAQ entry: an item of a list in a file under knowledge/faq/."""

    id: Id
    questions: Questions
    answer: Prose
    about: list[Id] = Field(
        min_length=1,
        description="Ids of the entries it is about, the main one first (an entry about none is never shown).",
    )
    as_of: dt.date = Field(description=CHECKED)
    sources: list[Source] = Field(min_length=1)


#: Folder under knowledge/ -> the model of one item in its files.
FOLDERS: dict[str, type[Strict]] = {
    "people": Person,
    "organisations": Organisation,
    "events": Event,
    "faq": Faq,
}
#: Folder -> the `type` an entry of it has in answers.
TYPES = {"people": "person", "organisations": "organisation", "events": "event", "faq": "faq"}

_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def has_cyrillic(text: str) -> bool:
    """True if the text contains a Cyrillic letter."""
    return bool(_CYRILLIC.search(text))
