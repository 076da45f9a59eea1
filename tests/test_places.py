"""World places where nobody of ours is based: "who lives in Tbilisi?" declines, saying so."""

import pytest

from bot.answers import render
from bot.matching.places import DATA, gazetteer, name_keys
from tests.replies import seen


@pytest.mark.parametrize(
    ("question", "reply"),
    [
        (
            "Who's living in Tbilisi these days?",
            "As far as we know, nobody in our knowledge base lives in Tbilisi.",
        ),
        ("anyone based in prague?", "As far as we know, nobody in our knowledge base lives in Prague."),
        (
            "which of them live in Yerevan",
            "As far as we know, nobody in our knowledge base lives in Yerevan.",
        ),
        ("кто из наших живёт в Тбилиси", "В Тбилиси, по нашим данным, никто из людей в базе не живёт."),
        ("кто-нибудь сейчас живет в праге?", "В Праге, по нашим данным, никто из людей в базе не живёт."),
        ("Кто проживает в Белграде", "В Белграде, по нашим данным, никто из людей в базе не живёт."),
        ("кто живёт в Грузии", "В Грузии, по нашим данным, никто из людей в базе не живёт."),
        ("kto zhivet v tbilisi", "В Тбилиси, по нашим данным, никто из людей в базе не живёт."),
    ],
)
def test_a_place_nobody_of_ours_is_based_in_gets_nobody_there(engine, question, reply):
    result = engine.ask(question)
    reply = seen(reply, result.lang)
    assert (result.outcome, result.answer, result.suggestions) == ("none", None, ())
    assert render.plain(result) == reply
    assert render.html(result) == reply
    assert render.description(result) == reply
    assert result.to_json()["answer"] is None and "nobody_in" not in result.to_json()


def test_text_that_merely_mentions_the_place_is_not_the_answer(engine):
    # Dzyadko's "where does he live" entry mentions TV Rain's studio in Tbilisi; he is in Amsterdam.
    for question in ("who lives in Tbilisi", "кто живет в Тбилиси", "who is based in Tbilisi, Georgia"):
        result = engine.ask(question)
        assert result.outcome == "none"
        assert "Tbilisi" in render.plain(result) or "Тбилиси" in render.plain(result)


@pytest.mark.parametrize(
    ("question", "list_id"),
    [("who lives in Germany", "list:country:Germany"), ("кто живёт в Лондоне", "list:city:London"),
     ("кто живет в Вильнюсе", "list:city:Vilnius")],
)  # fmt: skip
def test_places_where_our_people_are_based_still_list_them(engine, question, list_id):
    result = engine.ask(question)
    assert result.outcome == "answer" and result.answer.id == list_id
    assert result.answer.entities


def test_a_city_in_a_country_where_someone_has_no_city_given_is_not_declined(engine):
    # Natalia Arno is based in the United States with no city: she may live in Chicago.
    assert "nobody" not in render.plain(engine.ask("who lives in Chicago"))


def test_places_inside_other_questions_work_as_before(engine):
    # A description naming a place its entry's text mentions still finds the entry.
    result = engine.ask("the TV Rain editor whose channel had a studio in Tbilisi")
    assert result.outcome == "answer" and result.answer.id == "tv_rain"
    # Asking about someone named is that person's question, not a list.
    result = engine.ask("does Dzyadko live in Tbilisi")
    assert result.outcome == "answer" and result.answer.id == "dzyadko_where_lives"


def test_the_place_file_lookup_keys_match_the_code():
    """places.tsv stores each name's lookup keys; a change to skeletons or stems needs
    `python tools/build_places.py` again."""
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        _kind, _code, en, ru, others, keys = line.split("\t")
        expected = [k for k in dict.fromkeys(name_keys(n) for n in (en, ru, *others.split("|")) if n) if k]
        assert keys.split("|") == expected, en


def test_the_gazetteer_reads_case_forms_and_both_scripts():
    g = gazetteer()
    for words, owner in ((["в", "праге"], "city:CZ:Prague"), (["prague"], "city:CZ:Prague"),
                         (["в", "тель", "авиве"], "city:IL:Tel Aviv"), (["czech", "republic"], "country:CZ:Czechia")):  # fmt: skip
        assert g.find(words)[0].owner == owner
    assert g.find(["pragueе"]) == []  # no typo tolerance: a misspelt word is not a place
