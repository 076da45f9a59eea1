"""Dates, counts and staleness as a reader sees them, in both languages."""

import datetime as dt

import pytest

from bot.answers.wording import NBSP, count, date, span
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


def test_a_fact_is_stale_after_the_period_it_names_ends_plus_the_age():
    today = dt.date(2026, 12, 2)
    assert period_end("2025-02") == dt.date(2025, 2, 28)
    assert not is_stale("2026", today)
    assert not is_stale("2025", today)  # reported for all of 2025: less than a year ago
    assert is_stale("2025-11", today)
    assert is_stale("2021", today)
    assert not is_stale("2021", today, months=12 * 6)
