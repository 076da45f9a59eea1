"""bot.matching.lexicon: first names and their short forms, other names of countries, designation cues."""

from typing import get_args

import pytest

from bot.knowledge.model import DesignationKind
from bot.matching.lexicon import COUNTRY_NAMES, DESIGNATION_CUES, first_name_groups
from bot.matching.text import normalise, script


def groups(name: str) -> frozenset[int]:
    return first_name_groups(normalise(name))


@pytest.mark.parametrize(
    "forms",
    [
        ["Alexei", "Alexey", "Aleksei", "Alexej", "Алексей", "Лёша", "Lyosha"],
        ["Ilya", "Ilja", "Илья", "Илюша"],
        ["Yulia", "Julia", "Юлия", "Юля"],
        ["Garry", "Gary", "Гарри", "Garik"],
    ],
)
def test_every_spelling_and_short_form_of_a_first_name_is_one_group(forms):
    found = {groups(f) for f in forms}
    assert len(found) == 1 and len(found.pop()) == 1


@pytest.mark.parametrize(
    ("inflected", "name"),
    [("Алексея", "Алексей"), ("Олегу", "Олег"), ("Ильи", "Илья"), ("Ивана", "Иван"), ("Натальей", "Наталья")],
)
def test_a_russian_first_name_in_another_case_is_found(inflected, name):
    assert groups(inflected) == groups(name) != frozenset()


@pytest.mark.xfail(strict=True, reason="the stem of Юлия is 'юл', under the three letters looked up")
@pytest.mark.parametrize("inflected", ["Юлией", "Юлии", "Юлию"])
def test_yulia_in_another_case_is_found(inflected):
    assert groups(inflected) == groups("Юлия")


def test_a_short_form_shared_by_two_names_belongs_to_both():
    assert groups("Саша") == groups("Sasha") == groups("Александр") | groups("Александра")
    assert groups("Женя") == groups("Евгений") | groups("Евгения")
    assert not groups("Alexander") & groups("Alexandra")
    assert not groups("Евгений") & groups("Евгения")


def test_different_first_names_are_in_different_groups():
    assert not groups("Лев") & groups("Илья")  # "Лев Яшин" is not Ilya Yashin
    assert not groups("Yulia") & groups("Yury")


@pytest.mark.parametrize("word", ["Kasparov", "Каспаров", "Berlin", "ва", "ole"])
def test_a_word_that_is_no_first_name_has_no_group(word):
    assert groups(word) == frozenset()


def test_other_names_of_a_country_never_point_to_two_countries():
    owners: dict[str, set[str]] = {}
    for country, others in COUNTRY_NAMES.items():
        for name in (country, *others):
            owners.setdefault(normalise(name), set()).add(country)
    assert {name: cs for name, cs in owners.items() if len(cs) > 1} == {}


def test_every_country_has_a_russian_name():
    assert [c for c, others in COUNTRY_NAMES.items() if not any(script(o) == "ru" for o in others)] == []


def test_designation_cues_are_for_kinds_of_the_model_in_both_languages():
    assert set(DESIGNATION_CUES) <= set(get_args(DesignationKind))
    for kind, phrases in DESIGNATION_CUES.items():
        assert {script(p) for p in phrases} == {"en", "ru"}, kind


def test_no_designation_cue_asks_for_two_kinds():
    kinds: dict[str, list[str]] = {}
    for kind, phrases in DESIGNATION_CUES.items():
        for phrase in phrases:
            kinds.setdefault(normalise(phrase), []).append(kind)
    assert {p: ks for p, ks in kinds.items() if len(ks) > 1} == {}
