"""Every answer card, in both languages, with the real entries of the shipped knowledge, read as
a native editor would: the house rules of docs/knowledge-style.md ("Replies")."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest

from bot.answers import cases, content, render, wording
from bot.answers.engine import Engine
from bot.answers.result import Result
from bot.knowledge import stale
from bot.knowledge.model import Organisation, Person, Words
from tests.emulator import check_text
from tests.replies import NBSP, assert_valid_reply, seen

LANGS = ("en", "ru")
INTENTS = ("where", "left", "org", "designation", "born")
RU_MONTHS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
#: A day-month-year in Russian; the text after it must be «года» (or a plural form, «-го»).
RU_FULL_DATE = re.compile(rf"\d{{1,2}}\s(?:{'|'.join(RU_MONTHS)})\s\d{{4}}(?!\s?(?:года|годов|-го))")
RAW_DATE = re.compile(r"\b\d{4}-\d{2}\b")
BRACKETED_GENDER = re.compile(r"[а-яё]\((?:а|я|ла|на|ая|ась)\)", re.IGNORECASE)
CHECKED_ON = dt.date(2026, 11, 23)


def visible(html: str) -> str:
    return check_text(html, "HTML")[0]


def list_ids(engine: Engine) -> list[str]:
    """Every list answer the shipped knowledge gives: places, organisations, events, statuses, years."""
    index, k = engine.index, engine.knowledge
    ids = [f"list:{owner[1:]}" for owner, people in index.place_people.items() if people]
    ids += [f"list:org:{org}" for org, people in index.members.items() if people]
    ids += [f"list:event:{event}" for event, people in index.participants.items() if people]
    kinds = {d.kind for e in k.entities.values() for d in e.designations if isinstance(e, Person)}
    ids += [f"list:designation:{kind}" for kind in sorted(kinds)]
    years = {p.left_russia.year[:4] for p in k.entities.values() if getattr(p, "left_russia", None)}
    return ids + [f"list:left:{year}" for year in sorted(years)]


def every_reply(engine: Engine) -> Iterator[tuple[str, Result]]:
    """Every entry and list, opened plainly and (entities) as each kind of question asks it."""
    for lang in LANGS:
        for entry_id in [*engine.knowledge.entities, *engine.knowledge.faq, *list_ids(engine)]:
            yield entry_id, engine.open(entry_id, lang)
        for entry_id in engine.knowledge.entities:
            for intent in INTENTS:
                yield f"{entry_id}?{intent}", engine.open(entry_id, lang, frozenset({intent}))


@pytest.fixture(scope="module")
def replies(engine: Engine) -> list[tuple[str, Result, str, str]]:
    """(what, result, the short card as seen, the full card as seen)."""
    out = []
    for what, result in every_reply(engine):
        assert result.outcome == "answer", what
        short, full = render.html(result), render.html(result, full=True)
        assert_valid_reply(short)
        assert_valid_reply(full)
        out.append((what, result, visible(short), visible(full)))
    return out


def test_every_card_fits_its_length(replies):
    for what, result, short, full in replies:
        assert len(short) <= content.SHORT, (what, len(short))
        assert len(full) <= 4096, (what, len(full))
        assert result.answer.has_more == (short != full), what
        if result.answer.type == "list":
            for line in short.split("\n"):
                assert len(line) <= content.LIST_LINE, (what, line)


def test_no_raw_dates_doubled_quotes_or_bracketed_gender(replies):
    for what, result, short, full in replies:
        for text in (short, full):
            assert not RAW_DATE.search(text), (what, RAW_DATE.search(text))
            assert "««" not in text and "»»" not in text, what
            assert not BRACKETED_GENDER.search(text), (what, BRACKETED_GENDER.search(text))
            if result.lang == "ru":
                assert not RU_FULL_DATE.search(text), (what, RU_FULL_DATE.search(text))


def test_every_card_ends_with_at_most_four_outlets_and_one_check_date(replies):
    for what, result, short, full in replies:
        for text in (short, full):
            sources, checked = text.split("\n")[-2:]
            assert 1 <= sources.count(" · ") + 1 <= content.MAX_OUTLETS, (what, sources)
            assert checked.startswith(("Checked ", "Проверено ")), (what, checked)
            assert text.count(checked.split(" ", 1)[0]) == 1, what
            if result.lang == "ru":
                assert checked.endswith(f"{NBSP}года"), checked


def test_no_form_labels_and_lowercase_after_colon_or_dash_in_fact_lines(replies):
    for what, result, _, full in replies:
        if result.answer.type == "faq":
            continue
        for line in full.split("\n"):
            # What the template makes of a line: up to the knowledge's own sentence, if one follows.
            made = line.split(". ", 1)[0]
            if not made.startswith("• "):
                continue
            assert made.count("—") <= 1, (what, line)
            after = re.search(r"(?::|—) (\w\w?)", made)
            if after:  # lowercase after it, unless an abbreviation («ФБК», "FBK") starts there
                assert not after.group(1)[0].isupper() or after.group(1).isupper(), (what, line)
        for label in ("Role:", "Роль:", "Роли:", "Born:", "Год рождения:", "Основание:", "Дата:", "Date:"):
            assert label not in full, (what, label)


def test_russian_headings_need_no_case_the_template_cannot_make(engine: Engine):
    assert engine.open("list:city:Vilnius", "ru").answer.title == f"Кто живёт в{NBSP}Вильнюсе?"
    assert engine.open("list:org:fbk", "ru").answer.title == seen(
        "Фонд борьбы с коррупцией (ФБК): люди из нашей базы"
    )
    assert (
        engine.open("list:designation:foreign_agent", "ru").answer.title
        == "Кого Минюст признал «иноагентами»?"
    )
    assert engine.open("list:left:2024", "ru").answer.title == f"Кто покинул Россию в{NBSP}2024{NBSP}году?"
    assert engine.open("list:city:Vilnius", "en").answer.title == "Who lives in Vilnius?"


def test_a_persons_card_uses_their_gender_and_the_case_of_the_place(engine: Engine):
    pevchikh = engine.open("pevchikh", "ru", frozenset({"left", "where"})).answer.short
    assert seen("В 2010 году переехала в Великобританию") in pevchikh
    assert f"Живёт в{NBSP}Великобритании" in pevchikh  # her source names the country only (2024)
    assert "живёт в Лондоне" not in pevchikh  # the residence is told once, on its dated line
    volkov = engine.open("volkov", "ru", frozenset({"left", "where"})).answer.short
    assert f"Живёт в{NBSP}Литве, в{NBSP}Вильнюсе" in volkov
    assert "Родился в\u00a01963\u00a0году." in engine.open("kasparov", "ru", frozenset({"born"})).answer.short


@pytest.mark.parametrize(
    ("n", "en", "ru"),
    [(1, "1 person", "1 человек"), (2, "2 people", "2 человека"), (5, "5 people", "5 человек"),
     (11, "11 people", "11 человек"), (21, "21 people", "21 человек"), (22, "22 people", "22 человека")],
)  # fmt: skip
def test_the_rest_of_a_long_list_is_counted_in_the_right_form(n, en, ru):
    assert content.more_people(n, "en") == f"…plus {en.replace(' ', NBSP)}"
    assert content.more_people(n, "ru") == f"…и ещё {ru.replace(' ', NBSP)}"


def test_a_long_list_shows_what_fits_and_counts_the_rest(engine: Engine):
    listed = engine.open("list:designation:foreign_agent", "ru")
    short = visible(render.html(listed))
    shown = [line for line in short.split("\n") if line.startswith("• ")]
    rest = len(listed.answer.entities) - len(shown)
    assert rest > 0 and seen(content.more_people(rest, "ru")) in short
    full = visible(render.html(listed, full=True))
    assert len([line for line in full.split("\n") if line.startswith("• ")]) == len(listed.answer.entities)


def test_a_residence_older_than_the_configured_age_is_marked(engine: Engine):
    k = engine.knowledge  # Kasparov's residence is reported for 2024
    assert k.entities["kasparov"].based_in.as_of == "2024"
    on = {
        "en": "(as of 2024; may have changed)",
        "ru": seen("(по данным на 2024 год; возможно, это уже не так)"),
    }
    fresh = {"en": "(as of 2024)", "ru": seen("(по данным на 2024 год)")}
    for lang in LANGS:
        later = Engine(k, today=lambda: dt.date(2026, 11, 23)).open("kasparov", lang).answer.short
        assert on[lang] in later
        sooner = Engine(k, today=lambda: dt.date(2025, 6, 1)).open("kasparov", lang).answer.short
        assert fresh[lang] in sooner and on[lang] not in sooner
        patient = Engine(k, stale_months=36, today=lambda: dt.date(2026, 11, 23)).open("kasparov", lang)
        assert fresh[lang] in patient.answer.short


def test_asked_questions_mark_staleness_on_the_day_they_are_asked(engine: Engine):
    days = iter([dt.date(2025, 6, 1), dt.date(2026, 11, 23)])
    today = {"value": next(days)}
    asking = Engine(engine.knowledge, today=lambda: today["value"])
    first = asking.ask("who is Kasparov").answer.text
    today["value"] = next(days)
    second = asking.ask("who is Kasparov").answer.text  # the cache keys on the day
    residence = "(as of 2024; may have changed)"  # Kasparov's residence
    assert residence not in first and residence in second


def test_outlets_are_named_from_the_registry_and_the_terminal_keeps_titles(engine: Engine):
    result = engine.open("volkov", "en")
    # Newsrooms first (the file cites Wikipedia first and RFE/RL last), the rest after them.
    assert [name for name, _ in result.answer.outlets] == ["The Moscow Times", "The Insider", "Meduza",
                                                           "Radio Free Europe/Radio Liberty"]  # fmt: skip
    terminal = render.plain(result)
    for title, url in result.answer.sources:
        assert f"• {title}{NBSP}— {url}" in terminal
    assert content.outlet_name("Radio Free Europe/Radio Liberty (incl. Radio Svoboda, Current Time)") == (
        "Radio Free Europe/Radio Liberty"
    )
    assert content.outlet_name("TV Rain (Dozhd)") == "TV Rain (Dozhd)"


def test_a_short_card_is_cut_between_sentences_never_after_an_abbreviation(replies):
    assert content.sentences("Его обвиняют по ст. 278 УК. Суд — в мае. Under art. 207.3 he got 8 years.") == [
        "Его обвиняют по ст. 278 УК.", "Суд — в мае.", "Under art. 207.3 he got 8 years."
    ]  # fmt: skip
    cut = re.compile(r"\b(?:ст|ч|п|г|им|art|St|No)\.$")
    for what, result, _, _ in replies:
        for paragraph in result.answer.short.split("\n"):
            assert not cut.search(paragraph.replace(NBSP, " ").rstrip("…")), (what, paragraph)


def test_russian_fixed_phrases_keep_a_non_breaking_space_before_a_dash():
    for key, (_, ru) in content._WORDS.items():
        assert " —" not in ru, key


# --- template shapes a native editor flagged -----------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_role_or_post_the_data_dates_is_never_shown_without_its_dates(engine: Engine, lang: str):
    k = engine.knowledge
    for org in (e for e in k.entities.values() if isinstance(e, Organisation)):
        listed = engine.open(f"list:org:{org.id}", lang)
        lines = listed.answer.text.split("\n") if listed.answer else []
        for person in (e for e in k.entities.values() if isinstance(e, Person)):
            dated = [m for m in person.organisations if m.org == org.id and (m.since or m.until)]
            line = next(
                (x for x in lines if x.startswith(f"• {content.pick(person.name, lang)}{NBSP}—")), None
            )
            if dated and line:
                assert re.search(r"\d{4}", line), line  # not «• Иван Жданов — директор»
        sections = engine.open(org.id, lang).answer.text.split("\n\n")
        posts = next((s for s in sections if s.startswith(content.word("leadership", lang))), "")
        holders = [ln for ln in posts.split("\n") if ln.startswith("• ")]
        assert len({h.split(f"{NBSP}—")[0] for h in holders}) == len(holders), posts  # one line a person


def test_posts_merge_a_persons_terms_and_roles_come_current_first(engine: Engine):
    meduza = engine.open("meduza", "ru").answer.text
    assert (
        seen(
            f"• Иван Колпаков{NBSP}— главный редактор с{NBSP}28{NBSP}января 2016{NBSP}года "
            f"по{NBSP}9{NBSP}ноября 2018{NBSP}года и с{NBSP}11{NBSP}марта 2019{NBSP}года"
        )
    ) in meduza
    fbk = engine.open("list:org:fbk", "ru").answer.text
    assert seen("• Владислав Романцов — директор с 1 сентября 2025 года") in fbk
    assert seen(f"• Иван Жданов{NBSP}— директор с{NBSP}2018{NBSP}года по{NBSP}сентябрь 2025{NBSP}года") in fbk
    assert "Ivan Zhdanov — director from 2018 to September 2025".replace(" — ", f"{NBSP}— ") in (
        engine.open("list:org:fbk", "en").answer.text
    )


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_departure_line_states_the_date_once_and_does_not_repeat_the_verb(engine: Engine, lang: str):
    twice = re.compile(r"\b(Уехала?|Left|Left Russia)\b[^.\n]*\.\s+(Уехала?|Left|Went|Moved|Переехала?)\b")
    for person in (e for e in engine.knowledge.entities.values() if isinstance(e, Person)):
        if person.left_russia:
            text = engine.open(person.id, lang, frozenset({"left"})).answer.short
            assert not twice.search(text), text
    assert engine.open("guriev", "en", frozenset({"left"})).answer.short.startswith(
        "In 2013 he left for Paris after investigators questioned him"
    )
    assert engine.open("guriev", "ru", frozenset({"left"})).answer.short.startswith(
        seen("В 2013 году уехал в Париж после того")
    )


def test_an_event_says_when_and_where_in_one_phrase_and_a_law_only_when(engine: Engine):
    first = lambda entry, lang: engine.open(entry, lang).answer.text.split("\n")[0]  # noqa: E731
    # A dateline: the date, then the place in the nominative, as its file writes it.
    assert first("berlin_declaration", "ru") == f"30{NBSP}апреля 2023{NBSP}года, Берлин, Германия."
    assert first("berlin_declaration", "en") == f"30{NBSP}April 2023, Berlin, Germany."
    assert (
        first("prisoner_exchange_2024", "ru")
        == f"1{NBSP}августа 2024{NBSP}года, аэропорт Эсенбога, Анкара, Турция."
    )
    assert first("foreign_agent_law", "ru") == f"20{NBSP}июля 2012{NBSP}года."


@pytest.mark.parametrize(
    ("lang", "line"),
    [("en", "We have no verified date of birth for Sergei Aleksashenko."),
     ("ru", seen("Проверенных сведений о дате рождения у нас нет."))],
)  # fmt: skip
def test_a_question_about_an_unknown_birth_date_says_so(engine: Engine, lang: str, line: str):
    assert engine.open("aleksashenko", lang, frozenset({"born"})).answer.short.split("\n")[0] == line


# --- the second read: departure, death, founders, designations, type line, outlets, order ------


def _bullet_names(text: str, names: set[str]) -> list[str]:
    """The names that open a list's lines, in their order."""
    found = []
    for line in text.split("\n"):
        name = next((n for n in names if line.startswith(f"• {n}")), None)
        if name:
            found.append(name)
    return found


_RU_ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"


def _alphabetical(name: str) -> tuple[list[int], str]:
    """A surname-first key written from the alphabet itself («ё» with «е»), not from code points."""
    surname = name.rsplit(" ", 1)[-1].lower().replace("ё", "е")
    return [_RU_ALPHABET.index(c) if c in _RU_ALPHABET else 100 + ord(c) for c in surname], name


def test_lists_are_in_the_alphabetical_order_of_the_reply_language(engine: Engine, replies):
    people = [e for e in engine.knowledge.entities.values() if isinstance(e, Person)]
    for what, result, _, full in replies:
        if result.answer.type != "list":
            continue
        names = _bullet_names(full, {content.pick(p.name, result.lang) for p in people})
        assert names == sorted(names, key=_alphabetical), (what, names)
    fbk = _bullet_names(engine.open("list:org:fbk", "ru").answer.text, {p.name.ru for p in people})
    assert fbk[:4] == ["Георгий Албуров", "Леонид Волков", "Иван Жданов", "Владимир Милов"]
    assert fbk[-2:] == [
        "Руслан Шаведдинов",
        "Кира Ярмыш",
    ]  # not by the Latin ids («…, Волков, Ярмыш, Жданов»)
    fbk_en = _bullet_names(engine.open("list:org:fbk", "en").answer.text, {p.name.en for p in people})
    assert fbk_en[-3:] == ["Leonid Volkov", "Kira Yarmysh", "Ivan Zhdanov"]


@pytest.mark.parametrize("lang", LANGS)
def test_the_departure_line_always_says_the_person_left(engine: Engine, lang: str):
    gudkov = engine.open("dmitry_gudkov", lang, frozenset({"left"})).answer.short.split("\n")[0]
    expected = {
        "en": "Left in June 2021 after being briefly detained",
        "ru": seen("Уехал в июне 2021 года, после того как его ненадолго задержали"),
    }
    assert gudkov.startswith(expected[lang]), gudkov
    for person in (e for e in engine.knowledge.entities.values() if isinstance(e, Person)):
        if person.left_russia and lang == "ru":
            line = engine.open(person.id, lang, frozenset({"left"})).answer.short.split("\n")[0]
            assert cases.says_departure(line), line


DEATH = {
    "en": re.compile(r"\b[Dd]ied\b|\bkilled\b"),
    "ru": re.compile(r"\b(?:[Уу]мерл?а?|[Пп]огибл?а?|убит)\b"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_card_states_a_death_once_before_the_summary(engine: Engine, lang: str):
    dead = [e for e in engine.knowledge.entities.values() if isinstance(e, Person) and e.died]
    assert dead
    for person in dead:
        for intents in (None, *({i} for i in INTENTS)):
            answer = engine.open(person.id, lang, frozenset(intents or ())).answer
            for text in (answer.short, answer.text):
                facts = text.split("\n\n", 1)[0]  # the fact lines, before the summary
                assert len(DEATH[lang].findall(facts)) <= 1, (person.id, intents, facts)
    # The role says how he died, the template adds when: one statement, not «…погиб… Умер…».
    navalny = {lang: engine.open("navalny", lang).answer.text.split("\n\n", 1)[0] for lang in LANGS}
    assert navalny["ru"].startswith("Оппозиционный политик") and "Умер" not in navalny["ru"]
    assert seen("; погиб в российской колонии 16 февраля 2024 года.") in navalny["ru"]
    assert f"; died in a Russian prison colony on 16{NBSP}February 2024." in navalny["en"]
    assert "Died" not in navalny["en"]
    assert engine.open("navalny", "ru", frozenset({"born"})).answer.short.split("\n")[:2] == [
        f"Родился в{NBSP}1976{NBSP}году.",
        f"Умер 16{NBSP}февраля 2024{NBSP}года.",
    ]


def test_founders_are_named_as_the_data_vouches_for(engine: Engine):
    k, fresh = engine.knowledge, content.Freshness(CHECKED_ON)
    org = lambda entry, lang, **change: content.entity_card(  # noqa: E731
        k, k.entities[entry].model_copy(update=change), frozenset({"org"}), fresh, lang
    ).short.split("\n")[0]
    # Mediazona lists one of its two founders: never «Основатель: Надежда Толоконникова».
    assert org("mediazona", "ru") == f"Среди основателей{NBSP}— Надежда Толоконникова."
    assert org("mediazona", "en") == "Its founders include Nadezhda Tolokonnikova."
    assert org("memorial", "ru") == f"Среди основателей{NBSP}— Олег Орлов."
    # When the data says it lists them all: the founder's own gender, or the plural.
    assert org("mediazona", "ru", all_founders=True) == f"Основательница{NBSP}— Надежда Толоконникова."
    assert org("memorial", "ru", all_founders=True) == f"Основатель{NBSP}— Олег Орлов."
    assert org("parnas", "ru", all_founders=True) == f"Основатели{NBSP}— Михаил Касьянов и Владимир Милов."
    assert org("parnas", "en", all_founders=True) == "Founded by Mikhail Kasyanov and Vladimir Milov."
    for entry in ("mediazona", "memorial", "parnas", "fbk"):
        for lang in LANGS:
            card = engine.open(entry, lang).answer.text
            assert "Основатель:" not in card and "Founder:" not in card and "Основатели:" not in card


def test_a_designation_is_named_once_and_a_verdict_is_a_verdict(engine: Engine, replies):
    # A detail that names the list follows the date alone; one that does not keeps the label.
    yashin_ru = engine.open("yashin", "ru").answer.text
    assert seen("• Декабрь 2024 года. Объявлен МВД в розыск") in yashin_ru
    assert "Объявление в розыск" not in yashin_ru
    # Otherwise the date, then what happened, then the detail.
    assert (
        f"• 2022{NBSP}год. Статус «иностранного агента». Внесена Минюстом в{NBSP}реестр."
        in engine.open("latynina", "ru").answer.text
    )
    yashin = {lang: engine.open("yashin", lang, frozenset({"designation"})).answer for lang in LANGS}
    assert f"• 9{NBSP}декабря 2022{NBSP}года. Приговор." in yashin["ru"].short
    assert f"• 9{NBSP}December 2022. Sentence." in yashin["en"].short
    # A caption, not a sentence, keeps the label; a sentence that names the register drops it.
    listed = engine.knowledge.entities["tv_rain"].designations[0]
    for ru, en, labelled in (
        ("Реестр СМИ-иноагентов Минюста", 'Justice Ministry register of "foreign agent" media', True),
        ("Минюст внёс телеканал в реестр СМИ-иноагентов", 'The Justice Ministry listed it as "foreign agent" media', False),
    ):  # fmt: skip
        d = listed.model_copy(
            update={"kind": "foreign_agent", "detail": listed.detail.model_copy(update={"ru": ru, "en": en})}
        )
        for lang, label, caption in (
            ("ru", "Статус «иностранного агента»", ru),
            ("en", '"Foreign agent" status', en),
        ):
            line = content._designation(d, lang, detail=True)
            assert (f". {label}. " in line) == labelled and line.endswith(f". {caption}."), line
    assert f"• 9{NBSP}декабря 2022{NBSP}года. Мещанский суд Москвы приговорил его" in yashin["ru"].text
    assert "Уголовное дело" not in yashin["ru"].text.split("9\u00a0декабря 2022")[1].split("\n")[0]
    # A case whose detail opens with the charge stays a case, though it mentions a later sentence.
    assert f"• Апрель 2022{NBSP}года. Уголовное дело" in engine.open("skochilenko", "ru").answer.text
    labels = {side: [pair[i] for pair in content._DESIGNATIONS.values()] for i, side in enumerate(LANGS)}
    kind_of = {label: kind for kind, pair in content._DESIGNATIONS.items() for label in pair}
    for what, result, _, full in replies:
        for line in full.split("\n"):
            label = next((x for x in labels[result.lang] if f". {content._capital(x)}." in line), None)
            if label and line.startswith("• "):
                assert line.endswith("."), (what, line)  # with a detail or without, a period
                shown = f". {content._capital(label)}. "
                detail = line.split(shown, 1)[1] if shown in line else ""
                names = content._NAMES_KIND[kind_of[label]][LANGS.index(result.lang)]
                # A detail that names the list drops the label only when it is a sentence.
                assert not re.search(names, detail, re.IGNORECASE) or not content._is_clause(
                    detail, result.lang
                ), (what, line)
    for entity in engine.knowledge.entities.values():
        for d in entity.designations:
            for lang in LANGS:
                line = content._designation(d, lang, detail=True)
                shown = (*labels[lang], content._VERDICT_LABEL[LANGS.index(lang)])
                if d.detail and not any(f". {content._capital(x)}." in line for x in shown):
                    # «• Август 2021 года. Внесён Минюстом в реестр…», never «…года. Реестр СМИ-иноагентов.»
                    assert content._is_clause(line.split(". ", 1)[1], lang), (entity.id, line)


@pytest.mark.parametrize("lang", LANGS)
def test_the_type_line_is_left_out_when_the_summary_opens_with_it(engine: Engine, lang: str):
    k, fresh = engine.knowledge, content.Freshness(CHECKED_ON)
    ovd = k.entities["ovd_info"]
    kind = content.pick(ovd.kind, lang)
    opening = {"en": "A human rights media project that tracks detentions.",
               "ru": "Правозащитный медиапроект, который отслеживает задержания."}[lang]  # fmt: skip
    restating = ovd.model_copy(update={"summary": ovd.summary.model_copy(update={lang: opening})})
    card = content.entity_card(k, restating, frozenset(), fresh, lang).full
    assert kind not in card and opening in card
    assert kind in content.entity_card(k, ovd, frozenset(), fresh, lang).full  # its summary opens otherwise
    if lang == "ru":  # «Проект помощи антивоенным эмигрантам…» over «Проект помощи россиянам, уехавшим…»
        assert not engine.open("kovcheg", lang).answer.text.startswith("Проект помощи антивоенным")
    if lang == "ru":  # the same head noun, though not the same words: «Объединение оппозиционеров…»
        awc = k.entities["anti_war_committee"]
        opens = "Объединение российских политиков, предпринимателей и учёных в эмиграции."
        awc = awc.model_copy(update={"summary": awc.summary.model_copy(update={"ru": opens})})
        card = content.entity_card(k, awc, frozenset(), fresh, lang).full
        assert card.count("Объединение") == 1 and opens in card
        # Different head nouns: «Собрание бывших депутатов» over «Объединение российских политиков…»
        assert engine.open("congress_peoples_deputies", lang).answer.text.startswith("Собрание")
        assert cases.first_noun("Самая известная правозащитная организация России") == "организация"
    # The same head noun, but the summary does not open with the type's first words, which say more
    # («Независимое… в эмиграции»), or names the organisation as an object («Телеканал создала…»).
    for org in ("meduza", "tv_rain", "memorial", "novaya_gazeta_europe"):
        kind = content.pick(k.entities[org].kind, lang)
        assert engine.open(org, lang).answer.text.split("\n")[0] == seen(f"{kind}.", lang), org
        assert engine.ask(content.pick(k.entities[org].name, lang), lang).answer.short.startswith(
            seen(kind, lang)
        )
    parnas = engine.open("parnas", lang).answer.text  # its type says more («ликвидирована в России»)
    assert parnas.startswith(seen(content.pick(k.entities["parnas"].kind, lang), lang))


def test_russian_cards_name_outlets_by_their_russian_names(engine: Engine, replies):
    k = engine.knowledge
    for what, result, _, _ in replies:
        for name, url in result.answer.outlets:
            outlet = k.outlet(url)
            if outlet is None:
                continue
            if result.lang == "ru":
                assert name == (outlet.name_ru or outlet.name.partition(" (")[0]), (what, name, url)
            else:
                assert name == content.outlet_name(outlet.name), (what, name, url)
    shown = lambda entry, lang: dict(engine.open(entry, lang).answer.outlets)  # noqa: E731
    assert "Радио Свобода" in shown("yashin", "ru") and "Radio Svoboda" in shown("yashin", "en")
    assert "Радио Свободная Европа/Радио Свобода" in shown("latynina", "ru")  # rferl.org stays RFE/RL
    assert "Radio Free Europe/Radio Liberty" in shown("latynina", "en")
    assert k.outlet("https://www.svoboda.org/a/x.html").name_ru == "Радио Свобода"
    assert k.outlet("https://www.rferl.org/a/x.html").id == "rferl"
    for outlet_id, ru in [("novaya_gazeta_europe", "Новая газета Европа"), ("novye_izvestia", "Новые Известия"),
                          ("council_of_europe", "Совет Европы"), ("wikipedia", "Википедия"),
                          ("nemtsov_foundation", "Фонд Бориса Немцова за свободу")]:  # fmt: skip
        assert next(o for o in k.outlets.values() if o.id == outlet_id).name_ru == ru


def test_a_card_names_one_outlet_of_a_family_not_a_service_and_its_parent(engine: Engine, replies):
    k = engine.knowledge
    for what, result, _, _ in replies:
        families = [
            (o.part_of or o.id) if o else url for _, url in result.answer.outlets for o in [k.outlet(url)]
        ]
        assert len(families) == len(set(families)), (what, result.answer.outlets)
    # Yashin's case is cited from both rferl.org and svoboda.org: the card names RFE/RL once.
    shown = [name for name, _ in engine.open("yashin_russia_case", "ru").answer.outlets]
    assert sum(name.startswith("Радио Свобод") for name in shown) == 1, shown


def test_a_russian_card_names_outlets_in_russian_unless_russian_media_keep_the_brand_in_latin(
    engine: Engine, replies
):
    registry = {o.id: o for o in engine.knowledge.outlets.values()}
    for outlet in registry.values():
        # Every outlet says how Russian replies name it: a Russian name, or its brand kept in Latin.
        assert outlet.name_ru, f"{outlet.id} needs a name_ru"
        shown = content._outlet_name(outlet, "ru")
        note = re.search(r"\(([^)]*)\)", shown)
        # A bracketed note is Russian, or a domain: «Президент России (kremlin.ru)».
        assert not note or re.search("[а-яё]|^[a-z0-9.-]+\\.[a-z]{2,}$", note.group(1)), (outlet.id, shown)
    names = {o.name_ru for o in registry.values()}
    for what, result, _, _ in replies:
        if result.lang == "ru":
            for name, _ in result.answer.outlets:
                assert name in names, (what, name)
    for outlet in registry.values():  # and an English card names them in Latin letters only
        assert not re.search("[а-яё]", content._outlet_name(outlet, "en"), re.IGNORECASE), outlet.id
    assert content._outlet_name(registry["khodorkovsky_com"], "ru") == "Сайт Михаила Ходорковского"
    assert content._outlet_name(registry["daily_star_bd"], "ru") == "The Daily Star (Бангладеш)"


@pytest.mark.parametrize(
    ("entry", "lang", "line"),
    [("navalny", "ru", "• Фонд борьбы с коррупцией (ФБК): основатель (2011)"),
     ("navalny", "en", "• Anti-Corruption Foundation (FBK): founder (2011)"),
     ("tolokonnikova", "ru", "• «Медиазона»: соосновательница (2014)"),
     ("khodorkovsky", "en", "• Russian Anti-War Committee: co-founder (2022)")],
)  # fmt: skip
def test_a_founding_is_an_event_with_its_year_not_a_span_that_goes_stale(engine: Engine, entry, lang, line):
    full = render.plain(engine.open(entry, lang, frozenset({"org"})))
    assert seen(line, lang) in full.split("\n"), full
    founding = [m for m in engine.knowledge.entities[entry].organisations if m.founding]
    assert founding and all(m.role.en in ("founder", "co-founder") for m in founding)
    facts = [f.fact for f in stale.dated_facts(engine.knowledge) if f.entry == entry]
    assert not [f for f in facts if f.startswith(("founder,", "co-founder,"))], (
        facts
    )  # never "may have changed"
    members = render.plain(engine.open("list:org:mediazona", "ru")).split("\n")
    assert "• Надежда Толоконникова\u00a0— соосновательница (2014)" in members


def test_a_short_list_cuts_a_line_at_a_clause_and_the_full_list_shows_it_whole(replies):
    cut = 0
    for what, result, short, full in replies:
        if result.answer.type != "list":
            continue
        whole = [line for line in full.split("\n") if line.startswith("• ")]
        assert not [line for line in whole if line.endswith("…")], what  # "more" shows every line whole
        for line in short.split("\n"):
            if not line.startswith("• ") or line in whole:
                continue
            head = line.removesuffix(".")
            sources = [w for w in whole if w.startswith(head)]
            if not sources:  # a member's latest roles, or when they left, where the full list says more
                name = re.split(rf"{NBSP}—|\. ", line)[0]
                assert what.startswith(("list:org:", "list:left:")), (what, line)
                assert [w for w in whole if w.startswith(name)], (what, line)
                continue
            cut += 1
            (source,) = sources
            # The cut falls where a clause ends, never inside a phrase («…по новым законам о…»).
            assert source[len(head) :][:2] in (". ", "; ", ", ", ": ", f"{NBSP}—", " —", ""), (what, line)
            assert not re.search(r"\b\w{1,2}\.$", line) and not line.endswith("…"), (what, line)
    assert cut >= 10  # the shipped lists do have lines too long for a short card


@pytest.mark.parametrize(
    ("text", "lang", "shown"),
    [("• А. Уехал в Париж после того, как его допросили, и остался там надолго", "ru",
      "• А. Уехал в Париж после того, как его допросили."),
     ("• А. Уехал в Париж после того, как следователи его допросили по делу ЮКОСа", "ru", None),
     ("• А. Уехал в марте, после вторжения, чтобы не попасть в тюрьму по новым законам о цензуре", "ru",
      "• А. Уехал в марте, после вторжения."),
     ("• A. Left in 2013; he said that he could not return while the cases against him were open", "en",
      "• A. Left in 2013."),
     ("• A. The Insider and Bellingcat, with Der Spiegel and CNN, published an investigation", "en", None)],
)  # fmt: skip
def test_a_line_is_clipped_only_where_a_clause_ends(text: str, lang: str, shown: str | None):
    assert content.clip(text, 5, 60, lang) == shown


@pytest.mark.parametrize("lang", LANGS)
def test_the_departure_line_does_not_repeat_where_the_place_line_says_they_live(engine: Engine, lang: str):
    k, fresh = engine.knowledge, content.Freshness(CHECKED_ON)
    person = k.entities["pevchikh"]
    london = Words(en="London", ru="Лондон")  # a city, which her entry no longer names
    person = person.model_copy(update={"based_in": person.based_in.model_copy(update={"city": london})})
    why = {"ru": "Переехала в Великобританию учиться; сейчас живёт в Лондоне",
           "en": "Moved to Britain to study; she now lives in London"}  # fmt: skip
    dep = person.left_russia.model_copy(update={"why": person.left_russia.why.model_copy(update=why)})
    person = person.model_copy(update={"left_russia": dep})
    lives = {"ru": "живёт в Лондоне", "en": "lives in London"}[lang]
    facts = content.entity_card(k, person, frozenset(), fresh, lang).full.split("\n\n")[0].split("\n")
    (departure,) = [line for line in facts if "Великобританию учиться" in line or "Britain to study" in line]
    assert lives not in departure and departure.endswith(("учиться.", "to study.")), facts
    assert [line for line in facts if "Лондон" in line or "London" in line]  # the place line says it
    asked = content.entity_card(k, person, frozenset({"left"}), fresh, lang)
    assert lives in asked.short.split("\n\n")[0]  # no place line there: the departure line says it
    lines = asked.full.split("\n\n")[0].split("\n")
    assert lines[0] == departure and lines.count(departure) == 1


@pytest.mark.parametrize("entry", ["volna", "aleksashenko"])
def test_a_departure_the_summary_tells_word_for_word_is_told_once(engine: Engine, entry: str):
    person = engine.knowledge.entities[entry]
    for lang in LANGS:
        full = engine.open(entry, lang).answer.text
        why = content.pick(person.left_russia.why, lang).rstrip(".")
        assert why[1:] not in full.split("\n\n")[0], (entry, lang)  # not in the fact lines
        assert str(wording.year(person.left_russia.year)) in full.split("\n\n")[1]  # the summary says it
        asked = engine.open(entry, lang, frozenset({"left"})).answer  # asked: the line answers
        assert seen(why[1:], lang) in asked.short


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_card_asked_several_things_states_each_line_once(engine: Engine, lang: str):
    asks = frozenset({"where", "org", "left", "designation", "born"})
    for entity_id in engine.knowledge.entities:
        lines = [line for line in engine.open(entity_id, lang, asks).answer.short.split("\n") if line.strip()]
        repeated = {line for line in lines if lines.count(line) > 1}
        assert not repeated, (entity_id, repeated)


def test_a_designation_line_says_register_once(replies):
    """«• 10 марта 2023 года. Статус «иностранного агента». Внесён Минюстом в реестр…», never
    «• Реестр «иностранных агентов», … Внесён Минюстом в реестр…»."""
    register = re.compile(r"(?<![\w-])(?:реестр|register\b)", re.IGNORECASE)  # not "US-registered"
    for what, _result, short, full in replies:
        for line in (short + "\n" + full).split("\n"):
            if line.startswith("• "):
                assert len(register.findall(line)) <= 1, (what, line)
