"""Russian typography in every kind of reply a user sees: no plain space where `wording.typeset`
puts a non-breaking one (before a dash, after a number it counts, after a one- or two-letter
preposition, conjunction or negation), whether the text is an answer, a list, a did-you-mean, an
"I don't know", small talk or one of the bot's notices. Cards of every entry are checked in
tests/test_cards.py; the notices' every phrase in tests/test_phrases.py."""

from __future__ import annotations

import pytest

from bot.answers import render, wording
from bot.answers.engine import Engine
from bot.tg import phrases
from tests.emulator import check_text
from tests.replies import NBSP


def visible(html: str) -> str:
    return check_text(html, "HTML")[0]


def assert_typeset(html: str) -> None:
    """`html` as Telegram shows it has every non-breaking space Russian typography wants."""
    shown = visible(html)
    assert wording.typeset(shown, "ru") == shown, shown.replace(NBSP, "⍽")
    assert wording.typeset(html, "ru") == html


#: A question of each kind, and the outcome it gets.
QUESTIONS = {
    "Иван Жданов": "answer",  # a person
    "Что такое ФБК": "answer",  # an organisation
    "Кто живёт в Вильнюсе": "answer",  # a list by city
    "кто иноагент": "answer",  # a list by designation
    "Кто уехал из России в 2022 году": "answer",  # a list by year
    "Гудков": "suggest",
    "какая погода в Париже": "none",
    "привет": "none",
    "спасибо": "none",
    "пока": "none",
    "кто ты": "none",
}


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_kind_of_russian_reply_is_typeset(engine: Engine, question: str) -> None:
    result = engine.ask(question, "ru")
    assert result.outcome == QUESTIONS[question]
    assert_typeset(render.html(result))
    if result.answer:
        assert_typeset(render.html(result, full=True))
    description = render.description(result)
    assert wording.typeset(description, "ru") == description
    plain = render.plain(result)
    assert wording.typeset(plain, "ru") == plain


def test_fixed_replies_have_their_non_breaking_spaces(engine: Engine) -> None:
    """Not only answers: "I don't know", small talk and did-you-mean are typeset as well."""
    declined = visible(render.html(engine.ask("какая погода в Париже", "ru")))
    assert declined.startswith(f"На{NBSP}этот вопрос у{NBSP}меня нет ответа.")
    assert f"вопросы о{NBSP}российских оппозиционерах в{NBSP}эмиграции" in declined
    greeting = visible(render.html(engine.ask("привет", "ru")))
    assert f"Спросите меня о{NBSP}российских" in greeting
    assert visible(render.html(engine.ask("пока", "ru"))) == f"До{NBSP}свидания!"
    assert visible(render.html(engine.ask("Гудков", "ru"))).startswith(f"Возможно, вы имели в{NBSP}виду:")


@pytest.mark.parametrize(
    "key", ["rate_limited", "start", "about", "about_privacy", "help", "unknown_command", "error"]
)
def test_notices_are_typeset_once(key: str) -> None:
    values = {"limit": 20, "seconds": 30, "people": 5, "organisations": 5, "events": 5, "faq": 21, "days": 30}
    if key == "start":
        text = phrases.start("ru", "Анна")
    elif key == "about_privacy":
        text = phrases.say(key, "ru", days=30, text=phrases.part("about_text_kept", "ru"))
    else:
        text = phrases.say(key, "ru", username="exile_desk_bot", **values)
    assert_typeset(text)
    assert NBSP in text
