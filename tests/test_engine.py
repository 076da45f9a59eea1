"""The answer engine on the shipped knowledge base: matching, outcomes and composed replies."""

import re

import pytest

from bot.answers import render
from bot.answers.engine import Engine
from tests.emulator import check_text
from tests.replies import Shown, assert_shows, assert_valid_reply, entries


def about(engine: Engine, question: str) -> set[str]:
    result = engine.ask(question)
    assert result.outcome == "answer", (question, result.outcome, [s.id for s in result.suggestions])
    return {entity_id for entity_id, _ in result.answer.entities}


@pytest.mark.parametrize(
    "question",
    ["Ходорковский", "Khodorkovsky", "Khodorkovskiy", "Chodorkowski", "hodorkovskiy", "Ходорковского",
     "МБХ", "почему уехал Ходорковский", "Khodorkovksy foreign agent"],
)  # fmt: skip
def test_spellings_cases_and_typos_of_one_name(engine, question):
    assert "khodorkovsky" in about(engine, question)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Kasprov", "kasparov"),
        ("с Каспаровым", "kasparov"),
        ("rfcgfhjd", "kasparov"),  # каспаров typed on an English layout
        ("лфызфкщм", "kasparov"),  # kasparov typed on a Russian layout
        ("Певчх", "pevchikh"),
        ("о Навальной", "navalnaya"),
        ("Навального", "navalny"),
        ("Kas\u200bparov", "kasparov"),
        ("gde zhivet kasparov", "kasparov"),
        ("Dmitry Gudkov", "dmitry_gudkov"),
        ("vladimir karamurza", "kara_murza"),
    ],
)
def test_names_meet_across_scripts_cases_layouts_and_typos(engine, question, expected):
    assert expected in about(engine, question)


def test_a_surname_shared_by_two_people_offers_both(engine):
    result = engine.ask("Gudkov")
    assert result.outcome == "suggest"
    assert {s.id for s in result.suggestions} == {"dmitry_gudkov", "gennady_gudkov"}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("FBK's head of investigations", "pevchikh"),
        ("Navalny's widow", "navalnaya"),
        ("вдова Навального", "navalnaya"),
        ("navalny novichok", "navalny_poisoning_2020"),
    ],
)
def test_descriptions_find_who_is_meant(engine, question, expected):
    assert expected in about(engine, question)


@pytest.mark.parametrize(
    "question",
    ["what's the weather in Moscow", "who won the Champions League", "asdfgh", "?", "🙂",
     "where does Boris Johnson live", "who is Macron", "рецепт борща"],
)  # fmt: skip
def test_out_of_scope_is_declined(engine, question):
    assert engine.ask(question).outcome == "none"


@pytest.mark.parametrize(
    "question",
    ["Лев Яшин вратарь", "расскажи про журналиста Алексея Пивоварова", "Andrei Zhdanov Soviet ideologist"],
)
def test_a_namesake_is_not_taken_for_our_person(engine, question):
    assert engine.ask(question).outcome == "none"


def test_a_first_name_of_another_person_of_ours_finds_them(engine):
    assert "navalnaya" in about(engine, "yulia navalny where does she live")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what happened to Navalny in February 2024", "navalny_death_2024"),
        ("prisonner exchange 2024", "prisoner_exchange_2024"),
        ("Evgueni Tchitchvarkine", "chichvarkin"),
        ("Yukos", "khodorkovsky"),
    ],
)
def test_events_partial_names_and_long_typos(engine, question, expected):
    assert expected in about(engine, question)


@pytest.mark.parametrize("question", ["какая погода в Вильнюсе", "Nemtsov", "Putin"])
def test_known_words_alone_do_not_make_an_answer(engine, question):
    assert engine.ask(question).outcome != "answer"


def people() -> dict[str, dict]:
    """The people of the shipped knowledge, as their YAML files say."""
    return {i: entry for i, (folder, entry) in entries().items() if folder == "people"}


def test_list_answers_come_from_structured_fields(engine):
    in_vilnius = {
        i for i, p in people().items() if ((p.get("based_in") or {}).get("city") or {}).get("en") == "Vilnius"
    }
    for question in ("who lives in Vilnius?", "кто живёт в Вильнюсе"):
        result = engine.ask(question)
        assert result.answer.type == "list"
        assert {i for i, _ in result.answer.entities} == in_vilnius
    germany = engine.ask("какие бывшие политзаключённые живут в Германии").answer
    assert germany.type == "list" and {"yashin", "pivovarov"} <= {i for i, _ in germany.entities}
    freed = engine.ask("who was freed in the 2024 exchange?").answer
    assert freed.type == "list" and {"yashin", "kara_murza"} <= {i for i, _ in freed.entities}
    agents = engine.ask("who is a foreign agent?").answer
    expected = {
        i for i, p in people().items() if any(d["kind"] == "foreign_agent" for d in p.get("designations", []))
    }
    assert {i for i, _ in agents.entities} == expected


def test_reply_language_follows_the_question_unless_forced(engine):
    assert engine.ask("где живёт Каспаров").lang == "ru"
    assert engine.ask("where does Kasparov live").lang == "en"
    assert engine.ask("Kasparov", lang="ru").lang == "ru"
    assert re.search("[а-я]", engine.ask("Kasparov", lang="ru").answer.text)


@pytest.mark.xfail(
    strict=True,
    reason="bug: the matcher takes the language of its best reading, here the question typed as if "
    "on a Russian keyboard layout, even when that reading answers nothing",
)
def test_a_declined_question_is_declined_in_its_language(engine):
    declined = engine.ask("what is the airspeed velocity of an unladen swallow")
    assert (declined.outcome, declined.lang) == ("none", "en")


def test_where_question_answers_from_based_in_with_its_year(engine):
    result = engine.ask("where does Volkov live now")
    place = people()["volkov"]["based_in"]
    assert place["city"]["en"] in result.answer.text or place["country"]["en"] in result.answer.text


def test_every_entry_renders_as_valid_telegram_html_in_both_languages(engine):
    for entry_id in entries():
        for lang in ("en", "ru"):
            result = engine.open(entry_id, lang)
            html = render.html(result)
            assert_valid_reply(html)
            text, entities = check_text(html, "HTML")
            # Its name or first question, all of its text, every source, its date, as its file says.
            assert_shows({"text": text, "entities": entities}, Shown.of(entry_id, lang))
            assert result.answer.as_of
            assert render.plain(result)


def test_user_text_is_escaped_in_suggestions_and_declines(engine):
    for question in ("<b>Kasprov</b> & *_[", "</a><script>", "Gudkov <i>"):
        assert_valid_reply(render.html(engine.ask(question)))


def test_json_contract(engine):
    data = engine.ask("Where does Kasparov live now?").to_json()
    assert set(data) == {"query", "lang", "outcome", "answer", "suggestions", "elapsed_ms"}
    assert set(data["answer"]) == {"id", "type", "title", "entities", "score", "text", "as_of", "sources"}
    assert data["answer"]["entities"][0] == {"id": "kasparov", "name_en": "Garry Kasparov"}
    assert all(set(s) == {"title", "url"} for s in data["answer"]["sources"])
    suggest = engine.ask("Gudkov").to_json()
    assert suggest["answer"] is None
    assert all(set(s) == {"id", "type", "title", "entities", "score"} for s in suggest["suggestions"])


def test_open_unknown_id_and_featured(engine):
    assert engine.open("no_such_entry", "en").outcome == "none"
    featured = engine.featured("ru")
    assert 1 <= len(featured) <= 10 and all(r.outcome == "answer" for r in featured)
