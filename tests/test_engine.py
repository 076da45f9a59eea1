"""The answer engine on the shipped knowledge base: matching, outcomes and composed replies."""

import re

import pytest

from bot.answers import render
from bot.answers.engine import Engine
from bot.answers.result import Suggestion
from bot.answers.wording import NBSP
from bot.matching.text import normalise
from tests.emulator import check_text
from tests.replies import Shown, assert_shows, assert_valid_reply, entries, seen


def about(engine: Engine, question: str) -> set[str]:
    result = engine.ask(question)
    assert result.outcome == "answer", (question, result.outcome, [s.id for s in result.suggestions])
    return {entity_id for entity_id, _ in result.answer.entities}


def offered(engine: Engine, question: str) -> Suggestion:
    """What the reply puts first: the answer, or the first "did you mean" choice when the matcher
    is not sure enough to answer (descriptions and lists often are; a wrong answer is worse)."""
    result = engine.ask(question)
    assert result.outcome != "none", question
    return result.answer or result.suggestions[0]


def offered_about(engine: Engine, question: str) -> set[str]:
    return {entity_id for entity_id, _ in offered(engine, question).entities}


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
    [("куда уехала Кара-Мурза", "evgenia_kara_murza"), ("когда арестован Кара-Мурза", "kara_murza")],
)
def test_a_shared_surname_with_a_gendered_verb_is_the_person_of_that_gender(engine, question, expected):
    assert expected in about(engine, question)


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
    assert expected in offered_about(engine, question)


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


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("Where does Lionel Messi live?", "I have no entry on Lionel Messi."),
        ("Was hält Olaf Scholz von Nawalny", "I have no entry on Olaf Scholz."),
        ("кто такой Пётр Пустота", "Пётр Пустота: такой записи в моей базе нет."),
    ],
)
def test_a_declined_question_about_someone_we_have_no_entry_on_names_them(engine, question, said):
    """The decline says whom we have nothing on, so the asker knows the name was read, not missed."""
    result = engine.ask(question)
    assert result.outcome == "none"
    assert render.html(result).startswith(seen(said, result.lang))
    assert "no entry" not in render.html(engine.ask("what's the weather like today"))


def test_a_first_name_of_another_person_of_ours_finds_them(engine):
    assert "navalnaya" in about(engine, "yulia navalny where does she live")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        pytest.param(
            "what happened to Navalny in February 2024",
            "navalny_death_2024",
            marks=pytest.mark.xfail(
                strict=True, reason="the ranker puts the person above his event of that month (issue 11)"
            ),
        ),
        ("prisonner exchange 2024", "prisoner_exchange_2024"),
        ("Evgueni Tchitchvarkine", "chichvarkin"),
        ("Yukos", "khodorkovsky"),
    ],
)
def test_events_partial_names_and_long_typos(engine, question, expected):
    assert expected in offered_about(engine, question)


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
        listed = offered(engine, question)
        assert listed.type == "list"
        assert {i for i, _ in listed.entities} == in_vilnius
    freed = offered(engine, "who was freed in the 2024 exchange?")
    assert freed.type == "list" and {"yashin", "kara_murza"} <= {i for i, _ in freed.entities}
    agents = offered(engine, "who is a foreign agent?")
    expected = {
        i for i, p in people().items() if any(d["kind"] == "foreign_agent" for d in p.get("designations", []))
    }
    assert {i for i, _ in agents.entities} == expected


@pytest.mark.parametrize(
    ("question", "keep", "heading"),
    [("кто уехал после 2022", lambda year: year > 2022, f"Кто покинул Россию после{NBSP}2022{NBSP}года?"),
     ("who left Russia before 2014", lambda year: year < 2014, "Who left Russia before 2014?"),
     ("кто эмигрировал с 2022 года", lambda year: year >= 2022, f"Кто покинул Россию с{NBSP}2022{NBSP}года?")],
)  # fmt: skip
def test_asked_who_left_after_since_or_before_a_year_the_list_keeps_those_years(
    engine, question, keep, heading
):
    listed = engine.ask(question).answer
    left = {
        i
        for i, p in people().items()
        if p.get("left_russia") and keep(int(str(p["left_russia"]["year"])[:4]))
    }
    assert listed is not None and listed.type == "list" and listed.title == heading
    assert {i for i, _ in listed.entities} == left
    # Two years are a span, not a bound: «с 2011 по 2016» does not ask who left since 2011.
    span = engine.ask("кто уехал с 2011 по 2016").answer
    assert span is None or not span.id.startswith("list:left:since")


def test_asked_who_left_in_a_year_nobody_of_ours_left_the_bot_says_so_instead_of_declining(engine):
    years = {int(str(p["left_russia"]["year"])[:4]) for p in people().values() if p.get("left_russia")}
    quiet = next(y for y in range(2000, 2100) if y not in years)
    result = engine.ask(f"кто уехал в {quiet} году")
    assert (result.outcome, result.answer, result.suggestions) == ("none", None, ())
    assert render.plain(result) == seen(
        f"По нашим данным, в {quiet}{NBSP}году никто из людей в базе не уезжал из России."
    )
    after = engine.ask(f"who left Russia after {max(years)}")
    assert (
        render.html(after)
        == f"As far as we know, nobody in our knowledge base left Russia after {max(years)}."
    )
    # A question naming someone is about them, not a list: no "nobody" reply.
    assert "nobody" not in render.plain(engine.ask(f"did Kasparov leave Russia in {quiet}"))


@pytest.mark.parametrize("question", ["кто признан экстремистом", "who is listed as a terrorist"])
def test_asked_who_is_branded_an_extremist_the_bot_lists_the_people_on_the_list(engine, question):
    """One word of the list's name is enough: Russians call it the "extremists" list."""
    listed = engine.ask(question).answer
    on_list = {
        i for i, p in people().items()
        if any(d["kind"] == "terrorist_extremist_list" for d in p.get("designations", []))
    }  # fmt: skip
    assert listed is not None and listed.type == "list"
    assert {i for i, _ in listed.entities} == on_list


@pytest.mark.xfail(
    strict=True,
    reason="a list filtered by place and a described status: the ranker prefers one of the people (issue 11)",
)
def test_a_list_filtered_by_place_and_a_description(engine):
    germany = offered(engine, "какие бывшие политзаключённые живут в Германии")
    assert germany.type == "list" and {"yashin", "pivovarov"} <= {i for i, _ in germany.entities}


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


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_example_the_bot_advertises_is_answered_by_the_entry_it_promises(engine, lang):
    from bot.tg.phrases import EXAMPLES

    promised = ["kasparov", "khodorkovsky", "pevchikh", "yashin"]  # in the order /start lists them
    for question, person in zip(EXAMPLES[lang], promised, strict=True):
        assert person in about(engine, question), question
    assert "kasparov" in about(engine, "Where does Kasparov live now?")  # the README's first command


def test_a_question_typed_as_an_faq_entry_phrases_it_is_never_offered_back_as_a_choice(engine):
    """An editor wrote that question for that entry: if the bot is unsure, it still answers the
    entry rather than offering it in a "did you mean", and no choice is offered twice."""
    offered_back, repeated = [], []
    for entry in engine.knowledge.faq.values():
        for variant in (*entry.questions.en, *entry.questions.ru):
            ids = [s.id for s in engine.ask(variant).suggestions]
            if entry.id in ids:
                offered_back.append(variant)
            if len(set(ids)) != len(ids):
                repeated.append(variant)
    assert (offered_back, repeated) == ([], [])


def test_a_question_typed_as_an_faq_entry_phrases_it_opens_that_entry_not_a_sibling(engine):
    """A phrasing an editor wrote for one entry opens that entry rather than another entry about
    the same person (a bare name or "who is X" gets the card)."""
    faq = engine.knowledge.faq
    owners: dict[str, set[str]] = {}
    for entry in faq.values():
        for variant in (*entry.questions.en, *entry.questions.ru):
            owners.setdefault(normalise(variant), set()).add(entry.id)
    opened_a_sibling = []
    for entry in faq.values():
        for variant in (*entry.questions.en, *entry.questions.ru):
            result = engine.ask(variant)
            if len(owners[normalise(variant)]) > 1 or result.outcome != "answer":
                continue
            other = faq.get(result.answer.id)
            if other is not None and other.id != entry.id and other.about[:1] == entry.about[:1]:
                opened_a_sibling.append((variant, entry.id, other.id))
    assert opened_a_sibling == []


@pytest.mark.parametrize(
    ("question", "organisation", "leader"),
    [
        ("who heads Meduza", "meduza", "timchenko"),
        ("кто сейчас во главе Медузы", "meduza", "timchenko"),
        ("кто председатель партии ПАРНАС", "parnas", "kasyanov"),  # closed: its last chair
    ],
)
def test_asked_who_leads_an_organisation_the_bot_answers_with_its_leadership(
    engine, question, organisation, leader
):
    """Its leaders are what the organisation's card shows first, not rival readings of the question:
    the bot answers with the card (naming them) rather than asking which of them was meant."""
    result = engine.ask(question)
    assert (result.outcome, result.answer.id) == ("answer", organisation)
    assert leader in {entity_id for entity_id, _ in result.answer.entities}


@pytest.mark.parametrize("question", ["кого признали иноагентами", "what is the foreign agents list"])
def test_a_did_you_mean_choice_sent_back_as_text_opens_that_choice(engine, question):
    """Users copy a "did you mean" label and send it: they get that answer, not the same menu."""
    offered = engine.ask(question)
    assert offered.outcome == "suggest"
    for choice in offered.suggestions:
        sent_back = engine.ask(choice.title, offered.lang)
        assert (sent_back.outcome, sent_back.answer and sent_back.answer.id) == ("answer", choice.id)


@pytest.mark.parametrize(
    ("question", "person", "lang"),
    [("Ходорковский в розыске?", "khodorkovsky", "ru"), ("Is Ilya Yashin wanted in Russia?", "yashin", "en"),
     ("Илья Яшин в розыске?", "yashin", "ru")],
)  # fmt: skip
def test_a_yes_or_no_status_question_gets_the_persons_status_lines_not_an_entry_asking_another(
    engine, question, person, lang
):
    answer = engine.ask(question).answer
    assert answer is not None and (answer.id, answer.type) == (person, "person")
    label = {"en": "Russian state designations and cases:", "ru": "Статусы и уголовные дела в России:"}[lang]
    assert answer.short.startswith(seen(label, lang))
    # Whether they are wanted is there, dated, without pressing "more" (or that we have no record).
    assert re.search(r"розыск|wanted list", answer.short.split("\n\n")[0])


def test_asked_about_a_designation_someone_has_none_of_the_card_says_there_is_no_record(engine):
    assert (
        seen("Сведений об объявлении в розыск у нас нет.")
        in engine.ask("Ходорковский в розыске?").answer.short
    )
    assert "We have no record of a wanted listing." in engine.ask("Is Khodorkovsky wanted?").answer.short
    # An arrest in absentia answers «в розыске?» too: no line denying it.
    assert "no record" not in engine.ask("is kasparov wanted").answer.short


def test_a_status_entry_whose_phrasings_ask_about_several_designations_is_titled_for_all(engine):
    from bot.matching.candidates import designations_named
    from bot.matching.reading import reading

    k = engine.knowledge
    for faq in k.faq.values():
        if k.type_of(faq.about[0]) not in ("person", "organisation"):
            continue  # "Which organisations has Russia declared extremist?" is about the list
        for lang in ("en", "ru"):
            phrasings = getattr(faq.questions, lang)
            # An arrest in absentia puts one on the wanted list: one question, not two.
            kinds = {
                {"arrested_in_absentia": "wanted"}.get(kind, kind)
                for q in phrasings
                for kind in designations_named(reading(engine.index, q))
            }
            if len(kinds) > 1:
                # «Навальная в розыске?» over an entry also asked «навальная иноагент?» reads as a wrong answer.
                assert not designations_named(reading(engine.index, phrasings[0])), (faq.id, phrasings[0])


@pytest.mark.parametrize(
    ("question", "org", "lang", "first"),
    [("Кто основал Медиазону?", "mediazona", "ru", "Среди основателей — Надежда Толоконникова."),
     ("Who runs Mediazona?", "mediazona", "en", "Its founders include Nadezhda Tolokonnikova."),
     ("кто основал антивоенный комитет", "anti_war_committee", "ru", "Среди основателей — Михаил Ходорковский")],
)  # fmt: skip
def test_asked_who_founded_or_runs_an_organisation_the_bot_shows_its_card_with_founders_and_leaders(
    engine, question, org, lang, first
):
    answer = engine.ask(question).answer
    assert answer is not None and (answer.id, answer.type) == (org, "organisation")
    assert answer.short.startswith(seen(first, lang))


def test_asked_where_someone_works_the_bot_does_not_answer_where_they_live(engine):
    for question in ("Где работает Шульман?", "where does schulmann work"):
        answer = engine.ask(question).answer
        assert answer is not None and "живёт" not in answer.title and "live" not in answer.title
