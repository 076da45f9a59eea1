"""Dates, counts and staleness as a reader sees them, in both languages."""

import datetime as dt
import re

import pytest

from bot.answers import content
from bot.answers.wording import NBSP, count, date, en_place, shorten, span, typeset
from bot.knowledge.freshness import is_stale, period_end


def _(text: str) -> str:
    return text.replace(NBSP, " ")


@pytest.mark.parametrize(
    ("value", "frame", "en", "ru"),
    [
        ("2026-11-23", "plain", "23 November 2026", "23 ноября 2026 года"),
        ("2024-08", "since", "since August 2024", "с августа 2024 года"),
        ("2023-03", "in", "in March 2023", "в марте 2023 года"),
        ("2023-03", "plain", "March 2023", "март 2023 года"),
        ("2021", "in", "in 2021", "в 2021 году"),
        ("2021", "until", "until 2021", "до 2021 года"),
        ("2024-02-16", "in", "on 16 February 2024", "16 февраля 2024 года"),
        (dt.date(2025, 9, 2), "since", "since 2 September 2025", "со 2 сентября 2025 года"),
    ],
)
def test_dates_read_as_a_native_reader_writes_them(value, frame, en, ru):
    assert _(date(value, "en", frame)) == en
    assert _(date(value, "ru", frame)) == ru


def test_spans():
    assert _(span("2016", "2023", "ru")) == "с 2016 по 2023 год"
    assert _(span("2021", "2023-03", "ru")) == "с 2021 года по март 2023 года"
    assert _(span("2016", "2023", "en")) == "2016–2023"
    assert _(span("2024-08", None, "en")) == "since August 2024"
    assert span(None, None, "ru") == ""


@pytest.mark.parametrize(
    ("since", "until", "en"),
    [("2016", "2023", "2016–2023"),
     ("2019-03", "2021-05", "March 2019–May 2021"),
     ("2018", "2025-09-01", "from 2018 to 1 September 2025"),
     ("2010-12-13", "2011-09", "from 13 December 2010 to September 2011"),
     ("2021", "2023-03", "from 2021 to March 2023"),
     ("2020-01-05", "2021-02-06", "from 5 January 2020 to 6 February 2021")],
)  # fmt: skip
def test_an_english_span_takes_a_dash_only_between_dates_of_one_form(since, until, en):
    assert _(span(since, until, "en")) == en


def test_a_role_with_a_full_date_reads_from_to():
    assert (
        _(content._held("director", "2018", "2025-09-01", "en")) == "director from 2018 to 1 September 2025"
    )
    assert _(content._held("director", "2016", "2021", "en")) == "director, 2016–2021"


@pytest.mark.parametrize(
    ("n", "ru", "en"),
    [
        (1, "1 вопрос", "1 question"),
        (2, "2 вопроса", "2 questions"),
        (5, "5 вопросов", "5 questions"),
        (11, "11 вопросов", "11 questions"),
        (21, "21 вопрос", "21 questions"),
        (22, "22 вопроса", "22 questions"),
        (112, "112 вопросов", "112 questions"),
    ],
)
def test_counts_take_the_right_plural(n, ru, en):
    forms_en, forms_ru = ("question", "questions"), ("вопрос", "вопроса", "вопросов")
    assert _(count(n, "ru", forms_en, forms_ru)) == ru
    assert _(count(n, "en", forms_en, forms_ru)) == en


def test_large_and_fractional_counts_read_naturally():
    seconds_en, seconds_ru = ("second", "seconds"), ("секунду", "секунды", "секунд")
    assert _(count(0.84, "ru", seconds_en, seconds_ru)) == "0,8 секунды"
    assert _(count(1.26, "en", seconds_en, seconds_ru)) == "1.3 seconds"
    assert _(count(2.0, "ru", seconds_en, seconds_ru)) == "2 секунды"  # a whole float is a count
    assert _(count(1294, "ru", seconds_en, seconds_ru)) == "1294 секунды"
    assert _(count(12500, "ru", seconds_en, seconds_ru)) == "12 500 секунд"
    assert _(count(12500, "en", seconds_en, seconds_ru)) == "12,500 seconds"


def test_russian_typesetting_keeps_dashes_and_one_letter_words_off_a_line_edge():
    text = typeset("Я отвечаю в группе и в чате — <b>с ответом</b>", "ru")
    assert text == "Я\u00a0отвечаю в\u00a0группе и\u00a0в\u00a0чате\u00a0— <b>с\u00a0ответом</b>"
    assert typeset("I answer — in a group", "en") == "I answer — in a group"
    assert (
        typeset("приговорили к 8,5 года в 2024 году", "ru")
        == f"приговорили к{NBSP}8,5{NBSP}года в{NBSP}2024{NBSP}году"
    )
    assert typeset("— реплика", "ru") == "— реплика"  # a dash that opens a line stays
    # A number's groups of thousands stay on one line; two years side by side are two numbers.
    assert typeset("более 17 800 человек", "ru") == f"более 17{NBSP}800{NBSP}человек"
    assert typeset("в 2013 2014", "ru") == f"в{NBSP}2013 2014"
    assert (
        typeset("с 2001 по 2003 год", "ru") == f"с{NBSP}2001 по{NBSP}2003{NBSP}год"
    )  # «по» opens what follows


def test_russian_typesetting_binds_two_letter_prepositions_conjunctions_and_negations():
    assert typeset("на 2023 год", "ru") == f"на{NBSP}2023{NBSP}год"
    assert typeset("с ноября по март", "ru") == f"с{NBSP}ноября по{NBSP}март"
    assert (
        typeset("уехал из Москвы от страха до войны", "ru")
        == f"уехал из{NBSP}Москвы от{NBSP}страха до{NBSP}войны"
    )
    assert typeset("об этом, во Франции, со мной, ко мне", "ru") == (
        f"об{NBSP}этом, во{NBSP}Франции, со{NBSP}мной, ко{NBSP}мне"
    )
    assert typeset("не за деньги, но и ни за что, да и", "ru") == (
        f"не{NBSP}за{NBSP}деньги, но{NBSP}и{NBSP}ни{NBSP}за{NBSP}что, да{NBSP}и"
    )
    assert typeset("На этот вопрос НЕ ответить", "ru") == f"На{NBSP}этот вопрос НЕ{NBSP}ответить"  # any case
    assert typeset("из-за рубежа («на месте»)", "ru") == f"из-за{NBSP}рубежа («на{NBSP}месте»)"
    # Only whole words: «она», «дона», «пона» end in two letters of the set but are no prepositions.
    assert typeset("она знала, что дома", "ru") == "она знала, что дома"
    # «же», «ли», «бы» lean on the word before them.
    assert typeset("он же ли бы так", "ru") == "он же ли бы так"


def test_russian_typesetting_keeps_an_article_of_the_code_on_one_line():
    assert typeset("по ст. 207.3 УК и ч. 2", "ru") == f"по{NBSP}ст.{NBSP}207.3{NBSP}УК и{NBSP}ч.{NBSP}2"
    assert typeset("Пост. Уход", "ru") == "Пост. Уход"  # «ст.» only as a word of its own


def test_an_english_country_that_takes_the_article_gets_it():
    assert [en_place(n) for n in ("United Kingdom", "Netherlands", "Lithuania", "Vilnius, Lithuania")] == [
        "the United Kingdom", "the Netherlands", "Lithuania", "Vilnius, Lithuania",
    ]  # fmt: skip


def test_typesetting_leaves_tags_code_and_links_alone_and_is_idempotent():
    text = '<a href="https://x.ru/на сайт">на сайте</a> <code>/ask на что</code> https://t.me/по и www.ru/до дома'
    assert typeset(text, "ru") == (
        f'<a href="https://x.ru/на сайт">на{NBSP}сайте</a> <code>/ask на что</code> https://t.me/по и{NBSP}www.ru/до дома'
    )
    assert typeset("@на сайт и /по дому", "ru") == f"@на сайт и{NBSP}/по дому"
    sample = "Я в Литве с 2021 года — и не по своей воле: на 2023 год из 5 человек"
    assert typeset(typeset(sample, "ru"), "ru") == typeset(sample, "ru")


def test_every_russian_card_keeps_dashes_numbers_and_short_words_with_their_words(engine):
    loose = re.compile(
        r" —|\d [^\W\d_]{3}|(?<![\w/@.])(?:[вксуоаия]|на|по|за|из|от|до|об|во|со|ко|не|ни|но|да) ", re.I
    )
    for entry_id in (*engine.knowledge.entities, *engine.knowledge.faq):
        answer = engine.open(entry_id, "ru").answer
        for text in (answer.title, answer.short, answer.text):
            assert not loose.search(text), (entry_id, loose.search(text).group(), text)
            assert typeset(text, "ru") == text


@pytest.mark.parametrize(
    ("text", "limit", "short"),
    [
        ("Fund for the recognition of organisations", 30, "Fund for the recognition of…"),
        ("Фонд борьбы с коррупцией (ФБК)", 20, "Фонд борьбы с…"),
        (f"Фонд борьбы с{NBSP}коррупцией (ФБК)", 20, "Фонд борьбы…"),  # never a bound word alone at the end
        (f"Навальная{NBSP}— вдова Навального", 13, "Навальная…"),
        ("Kasparov", 20, "Kasparov"),
        ("Navalnaya, widow of Alexei Navalny", 20, "Navalnaya, widow of…"),
        ("G" * 30, 10, "G" * 9 + "…"),  # one word longer than the limit: nothing better to do
    ],
)
def test_labels_are_shortened_at_a_word_boundary(text, limit, short):
    assert shorten(text, limit) == short
    assert len(shorten(text, limit)) <= limit


def test_a_fact_is_stale_after_the_period_it_names_ends_plus_the_age():
    today = dt.date(2026, 12, 2)
    assert period_end("2025-02") == dt.date(2025, 2, 28)
    assert not is_stale("2026", today)
    assert not is_stale("2025", today)  # reported for all of 2025: less than a year ago
    assert is_stale("2025-11", today)
    assert is_stale("2021", today)
    assert not is_stale("2021", today, months=12 * 6)
