"""Russian case forms of place names, for the few templates that need them ("живёт в Вильнюсе").

pymorphy3 with its OpenCorpora dictionary inflects; a name with a word the dictionary does not
know is not guessed at: callers then fall back to a phrasing that keeps the nominative.
"""

from __future__ import annotations

import functools
import re

import pymorphy3

from bot.answers.wording import NBSP


@functools.cache
def _morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()  # ~0.25 s and ~15 MB, once, on the first Russian place


@functools.lru_cache(maxsize=16384)
def _parse(word: str) -> tuple[pymorphy3.analyzer.Parse, ...]:
    """pymorphy's parses of a word, best first (cached: cards read the same words again and again)."""
    return tuple(_morph().parse(word))


def _known(word: str) -> pymorphy3.analyzer.Parse | None:
    parses = [p for p in _parse(word) if p.is_known and ("NOUN" in p.tag or "ADJF" in p.tag)]
    return parses[0] if parses else None


def _inflect_word(word: str, case: str) -> str | None:
    # A hyphenated name is in the dictionary whole ("Нью-Йорк") or declines in its parts.
    whole = _known(word)
    pieces = [word] if whole else word.split("-")
    out = []
    for piece in pieces:
        parse = whole or _known(piece)
        if parse is None:
            return None
        form = parse.inflect({case})
        if form is None:
            return None
        out.append(_capitalised_like(form.word, piece))
    return "-".join(out)


def _capitalised_like(form: str, original: str) -> str:
    """Keep the original capitals: "нью-йорке" -> "Нью-Йорке", "сша" -> "США"."""
    if original.isupper() and len(original) > 1:
        return form.upper()
    bits, shape = form.split("-"), original.split("-")
    if len(bits) == len(shape):
        return "-".join(
            b[:1].upper() + b[1:] if s[:1].isupper() else b for b, s in zip(bits, shape, strict=True)
        )
    return form[:1].upper() + form[1:] if original[:1].isupper() else form


@functools.lru_cache(maxsize=1024)
def inflect(name: str, case: str) -> str | None:
    """`name` (a place, nominative) in a pymorphy case ("loc2", "gent"), or None if not known."""
    words = [_inflect_word(w, case) for w in name.split()]
    return None if any(w is None for w in words) else " ".join(words)  # type: ignore[arg-type]


#: Places said with «на», not «в» (islands and a few regions); «в Украине», as the style guide says.
_ON = frozenset({"Кипр", "Мальта", "Куба", "Крит", "Сицилия", "Сардиния", "Корсика", "Тайвань", "Шри-Ланка",
                 "Филиппины", "Мальдивы", "Ямайка", "Гаити", "Бали", "Кавказ", "Урал", "Камчатка", "Сахалин"})  # fmt: skip


def in_place(name: str) -> str | None:
    """«в Вильнюсе», «во Франции», «на Кипре», «в Крыму»: where, or None if it cannot be formed."""
    form = inflect(name, "loc2")  # the second locative where a word has one («в Крыму»), else the first
    if form is None:
        return None
    if name in _ON:
        return f"на{NBSP}{form}"
    low = form.lower()
    # «во» before в/ф followed by a consonant: «во Франции», «во Владимире», but «в Вильнюсе».
    vo = len(low) > 1 and low[0] in "вф" and low[1] not in "аеёиоуыэюяй"
    return f"{'во' if vo else 'в'}{NBSP}{form}"


def starts_with_verb(text: str) -> bool:
    """Whether a Russian text opens with a verb or a short participle («Уехал…», «Освобождён…»),
    so that a date can go before it: «В 2013 году уехал…»."""
    first = text.split(None, 1)[0].strip(",;:") if text.strip() else ""
    parses = _parse(first) if first else ()
    return bool(parses) and parses[0].is_known and bool({"VERB", "PRTS"} & set(parses[0].tag.grammemes))


def first_noun(text: str, within: int = 4) -> str | None:
    """The dictionary form of the first noun among the first `within` words of a Russian text
    («Самая известная правозащитная организация…» -> «организация»), or None."""
    for word in re.findall(r"[а-яёА-ЯЁ]+(?:-[а-яёА-ЯЁ]+)*", text)[:within]:
        parse = _parse(word)[0]
        if "NOUN" in parse.tag:
            return parse.normal_form.replace("ё", "е")
    return None


def has_verb(text: str) -> bool:
    """Whether a Russian text has a verb, a short participle or a gerund anywhere: a clause,
    not only a phrase («После увольнения в марте 2014 года» has none)."""
    words = re.findall(r"[а-яё]+", text.lower())
    return any({"VERB", "PRTS", "GRND"} & set(_parse(w)[0].tag.grammemes) for w in words)


#: Lemmas that say someone left a country (or could not go back): «уехал», «вывезен», «не дадут вернуться».
_DEPARTURE = frozenset(
    "уехать уезжать переехать переезжать выехать выезжать улететь улетать бежать сбежать эмигрировать "
    "вывезти вывозить выслать высылать покинуть покидать вернуться возвращаться отъезд выезд переезд "
    "эмиграция высылка".split()
)


def says_departure(text: str) -> bool:
    """Whether a Russian text says that someone left («уехал», «вывезена из России», «вернуться ему
    не дадут», «остался за границей»), rather than only what happened before («его ненадолго задержали»)."""
    if re.search(r"\bза\s(?:границ|рубеж)", text.lower()):  # «остался за границей», typeset or not
        return True
    words = [w for w in re.findall(r"[а-яё]+", text.lower()) if len(w) > 2]
    return any(p.normal_form.replace("ё", "е") in _DEPARTURE for w in words for p in _parse(w)[:2])


#: Words that state a death («погиб в колонии в 2024 году»).
_DEATH = frozenset("умереть погибнуть скончаться убить смерть гибель".split())


def says_death(text: str) -> bool:
    """Whether a Russian text states a death («погиб», «умерла», «убит»)."""
    words = re.findall(r"[а-яё]+", text.lower())
    return any(p.normal_form in _DEATH for w in words for p in _parse(w)[:1])
