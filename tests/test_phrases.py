"""The bot's own texts, as a native reader of each language must find them: every phrase in both
languages, counts in the right form, units written out, Russian typography, valid Telegram HTML.
"""

from __future__ import annotations

import re
import string

import pytest

from bot.answers import wording
from bot.answers.wording import NBSP
from bot.querylog import reports
from bot.querylog.store import Stats, Unanswered
from bot.tg import phrases
from tests.emulator import check_text
from tests.replies import seen

#: Sample values for the placeholders that are not counts.
VALUES: dict[str, object] = {
    "name": "Ann <& Bob>",
    "username": "exile_desk_bot",
    "examples": "• Where?",
    "hello": "Hello!",
    "error": "RuntimeError: <boom>",
    "path": "/var/lib/bot/q.sqlite3",
    "fronts": "private chats 3",
    "n": 7,  # "… and 7 more": a bare number needs no noun
    "text": "the question's text",  # /about's "what is kept" clause (a phrase of its own)
    "most": 1440,
    "entry": "kasparov_where_lives",
    "title": "Where does Kasparov live?",
    "question": "where does <kasparov> live",
    "report": "The year is wrong & so is the city",
    "share": "40%",
    "helpful": 2,
    "not_helpful": 1,
    "errors": 2,
    "section": "stale_section",
    "date": "2 December 2026",
    "outcome": "none",
    "field": "questions.en",
    "mark": "⚠️",
    "command": "python -m bot feedback --unhandled",
}
COUNTS = (1, 2, 5, 11, 21, 22)
#: The form a native reader expects after each number, in the case each noun is used in.
FORMS: dict[str, dict[str, tuple[str, ...]]] = {
    "question": {"en": ("question",) + ("questions",) * 5,
                 "ru": ("вопрос", "вопроса", "вопросов", "вопросов", "вопрос", "вопроса")},
    "common_question": {"en": ("common question",) + ("common questions",) * 5,
                        "ru": ("частый вопрос", "частых вопроса", "частых вопросов", "частых вопросов",
                               "частый вопрос", "частых вопроса")},
    "person": {"en": ("person",) + ("people",) * 5,
               "ru": ("человек", "человека", "человек", "человек", "человек", "человека")},
    "organisation": {"en": ("organisation",) + ("organisations",) * 5,
                     "ru": ("организация", "организации", "организаций", "организаций", "организация",
                            "организации")},
    "event": {"en": ("event",) + ("events",) * 5,
              "ru": ("событие", "события", "событий", "событий", "событие", "события")},
    "second": {"en": ("second",) + ("seconds",) * 5,
               "ru": ("секунду", "секунды", "секунд", "секунд", "секунду", "секунды")},
    "day": {"en": ("day",) + ("days",) * 5, "ru": ("день", "дня", "дней", "дней", "день", "дня")},
    "user": {"en": ("user",) + ("users",) * 5,
             "ru": ("пользователя", "пользователей", "пользователей", "пользователей", "пользователя",
                    "пользователей")},
    "row": {"en": ("row",) + ("rows",) * 5, "ru": ("строка", "строки", "строк", "строк", "строка", "строки")},
    "row_gen": {"en": ("row",) + ("rows",) * 5, "ru": ("строки", "строк", "строк", "строк", "строки", "строк")},
    "minute": {"en": ("minute",) + ("minutes",) * 5,
               "ru": ("минуту", "минуты", "минут", "минут", "минуту", "минуты")},
    "fact": {"en": ("fact",) + ("facts",) * 5, "ru": ("факт", "факта", "фактов", "фактов", "факт", "факта")},
    "message": {"en": ("message",) + ("messages",) * 5,
                "ru": ("сообщение", "сообщения", "сообщений", "сообщений", "сообщение", "сообщения")},
    "report": {"en": ("report",) + ("reports",) * 5,
               "ru": ("сообщение", "сообщения", "сообщений", "сообщений", "сообщение", "сообщения")},
}  # fmt: skip
KEYS = sorted(phrases._TEXTS)

#: What a reader must never see: a bracketed gender ending, an abbreviated unit, a placeholder.
BRACKETED_GENDER = re.compile(r"\w\((а|ла|ась|ы|ая|ое|на)\)")
ABBREVIATED_UNIT = re.compile(r"\d[\s\u00a0]?(с|сек|мин|ч|дн|д|г|s|sec|secs|min|mins|h|hrs|d)\b\.?", re.I)


def placeholders(key: str, lang: str) -> list[tuple[str, str]]:
    """(name, noun or "") for each placeholder of a template."""
    fields = string.Formatter().parse(phrases.template(key, lang))
    return [(name, spec or "") for _, name, spec, _ in fields if name is not None]


def render(key: str, lang: str, n: int = 5) -> str:
    values = {name: n if spec else VALUES[name] for name, spec in placeholders(key, lang)}
    return phrases.say(key, lang, **values)


@pytest.mark.parametrize("key", KEYS)
def test_every_phrase_exists_in_both_languages_with_the_same_placeholders(key: str) -> None:
    assert set(phrases._TEXTS[key]) == set(phrases.LANGS)
    assert {n for n, _ in placeholders(key, "en")} == {n for n, _ in placeholders(key, "ru")}
    counted = {
        name for name, spec in placeholders(key, "en") + placeholders(key, "ru") if spec in phrases.NOUNS
    }
    for lang in ("en", "ru"):
        for name, spec in placeholders(key, lang):
            if spec.startswith("="):  # a word referring to a counted number: singular|plural
                assert name in counted and len(spec[1:].split("|")) == 2, f"{key} [{lang}]: {{{name}:{spec}}}"
            else:
                assert spec in ("", *phrases.NOUNS), f"{key}: {{{name}:{spec}}} names no known noun"


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("lang", phrases.LANGS)
def test_every_phrase_reads_cleanly(key: str, lang: str) -> None:
    for n in COUNTS:
        text = render(key, lang, n)
        plain, _ = check_text(text, "HTML")  # Telegram would accept it
        assert "{" not in plain and "}" not in plain
        assert not BRACKETED_GENDER.search(plain), plain
        assert not ABBREVIATED_UNIT.search(plain.replace("/var/lib", "")), plain
        if lang == "ru":
            # Russian typography: no plain space where typesetting puts a non-breaking one (before
            # a dash, after a number or a short preposition, conjunction or negation).
            assert wording.typeset(text, lang) == text, plain
            assert wording.typeset(plain, lang) == plain, plain
            words = re.sub(
                r"\{[^}]*\}|/\w+( (en|ru|auto)\b)?|@\w+|<[^>]+>|Telegram|SIGHUP|ID",
                "",
                phrases.template(key, lang),
            )
            assert not re.search("[a-z]", words, re.I), f"English left in a Russian text: {words}"
        else:
            assert not re.search("[а-яё]", plain.replace("Ann", ""), re.I), plain
    assert "Sergey" not in text and "на Украине" not in text


@pytest.mark.parametrize("key", [k for k in KEYS if any(spec for _, spec in placeholders(k, "en"))])
@pytest.mark.parametrize("lang", phrases.LANGS)
def test_every_count_takes_the_form_a_native_reader_expects(key: str, lang: str) -> None:
    for i, n in enumerate(COUNTS):
        text = render(key, lang, n).replace(NBSP, " ")
        for _, noun in placeholders(key, lang):
            if noun in phrases.NOUNS:
                expected = f"{n} {FORMS[noun][lang][i]}"
                assert re.search(rf"(?<!\d){expected}(?!\w)", text), f"{key} [{lang}] {n}: {text}"


def test_the_rate_limit_notice_counts_questions_and_writes_seconds_out() -> None:
    say = lambda lang, limit, seconds: phrases.say("rate_limited", lang, limit=limit, seconds=seconds)  # noqa: E731
    assert seen("не больше чем на 1 вопрос в минуту") in say("ru", 1, 30)
    assert seen("не больше чем на 21 вопрос в минуту") in say("ru", 21, 30)
    assert "через 30\u00a0секунд," in say("ru", 5, 30)
    assert "через 1\u00a0секунду," in say("ru", 5, 1)
    assert "at most 1\u00a0question a minute" in say("en", 1, 30)
    assert "in about 30\u00a0seconds;" in say("en", 1, 30)
    about = phrases.say("about", "ru", **phrases.knowledge_counts({}))
    kept = phrases.say("about_privacy", "ru", days=90, text=phrases.part("about_text_kept", "ru"))
    assert "через 90\u00a0дней;" in kept and "0\u00a0человек" in about


@pytest.mark.parametrize(
    ("n", "en", "ru"),
    [(1, "1 message is older than 48 hours: Telegram does not let a bot delete it. To remove it,",
      "Ещё 1 сообщение старше 48 часов: такие Telegram ботам удалять не даёт. Чтобы убрать его,"),
     (2, "2 messages are older than 48 hours: Telegram does not let a bot delete them. To remove them,",
      "Ещё 2 сообщения старше 48 часов: такие Telegram ботам удалять не даёт. Чтобы убрать их,"),
     (5, "5 messages are older", "Ещё 5 сообщений старше 48 часов: такие Telegram ботам удалять не даёт. Чтобы убрать их,"),
     (11, "11 messages are older", "Ещё 11 сообщений старше 48 часов: такие Telegram ботам удалять не даёт. Чтобы убрать их,"),
     (21, "21 messages are older than 48 hours: Telegram does not let a bot delete them.",
      "Ещё 21 сообщение старше 48 часов: такие Telegram ботам удалять не даёт. Чтобы убрать их,"),
     (22, "22 messages are older", "Ещё 22 сообщения старше 48 часов: такие Telegram ботам удалять не даёт. Чтобы убрать их,"),
     (111, "111 messages are older", "Ещё 111 сообщений старше 48 часов: такие Telegram ботам удалять не даёт. Чтобы убрать их,")],
)  # fmt: skip
def test_messages_too_old_to_delete_agree_with_their_number(n: int, en: str, ru: str) -> None:
    """The noun follows the last digit («21 сообщение»); the pronoun that refers back to the
    messages counts them, so only one message is «его» («21 сообщение… убрать их»)."""
    for lang, expected in (("en", en), ("ru", ru)):
        text = phrases.say("forget_too_old", lang, older=n).replace(NBSP, " ")
        assert text.startswith(expected), text


@pytest.mark.parametrize(
    ("n", "ru", "en"),
    [(1, "до 1 строки; она будет записана", "Up to 1 row can wait in memory; it is written"),
     (2, "до 2 строк; они будут записаны", "Up to 2 rows can wait in memory; they are written"),
     (5, "до 5 строк; они будут записаны", "Up to 5 rows can wait in memory; they are written"),
     (11, "до 11 строк; они будут записаны", "Up to 11 rows can wait in memory; they are written"),
     (21, "до 21 строки; они будут записаны", "Up to 21 rows can wait in memory; they are written"),
     (22, "до 22 строк; они будут записаны", "Up to 22 rows can wait in memory; they are written"),
     (111, "до 111 строк; они будут записаны", "Up to 111 rows can wait in memory; they are written")],
)  # fmt: skip
def test_rows_waiting_for_the_log_are_referred_to_by_their_number(n: int, ru: str, en: str) -> None:
    for lang, expected in (("ru", ru), ("en", en)):
        text = phrases.say("log_cannot_write", lang, path="q.sqlite3", error="E", pending=n)
        assert expected in text.replace(NBSP, " "), text


def test_about_privacy_reads_as_a_native_editor_writes() -> None:
    kept = phrases.say("about_privacy", "ru", days=90, text=phrases.part("about_text_kept", "ru")).replace(
        NBSP, " "
    )
    assert "<b>Что я храню и как долго</b>" in kept
    assert "язык, ответ, который я дал, и текст вопроса" in kept
    assert "О том, кто спросил, я храню только хеш с секретным ключом" in kept
    assert "данный ответ" not in kept and "Кто спросил, хранится" not in kept


def test_start_greets_by_name_when_there_is_one() -> None:
    assert phrases.start("ru", "Иван").startswith("Здравствуйте, Иван! Я\u00a0отвечаю")
    assert phrases.start("ru", " ").startswith("Здравствуйте! Я\u00a0отвечаю")
    assert phrases.start("en", "").startswith("Hello! I answer")
    assert "&lt;Ann &amp; Bob&gt;" in phrases.start("en", "<Ann & Bob>")
    for lang in phrases.LANGS:
        for question in phrases.EXAMPLES[lang]:
            assert f"• {seen(question, lang)}" in phrases.start(lang, "Ann")


def test_admin_reports_in_russian_count_questions_and_users() -> None:
    day = Stats(
        1, 21, {"answer": 20, "none": 1}, {"private": 20, "inline": 1}, 1, [("где живёт каспаров", 2)], []
    )
    week = Stats(7, 0, {}, {}, 0, [], [])
    text = reports.stats_text([day, week], phrases.words("ru"), as_html=True)
    plain = check_text(text, "HTML")[0].replace(NBSP, " ")
    assert plain.splitlines() == [
        "За сутки: 21 вопрос от 1 пользователя",
        "с ответом 95% · с вариантами 0% · без ответа 5%",
        "Откуда: личные чаты 20 · инлайн 1",
        "Чаще всего спрашивали:",
        "1. где живёт каспаров (2)",
        "",
        "За 7 дней вопросов не было",
    ]
    rows = [Unanswered("кто такой <x>?", 1, "2026-11-23T10:00:00.000+00:00", "ru")] * 22
    todo = check_text(reports.unanswered_text(rows, phrases.words("ru"), as_html=True), "HTML")[0]
    assert todo.replace(NBSP, " ").splitlines()[:2] == [
        "22 вопроса без ответа, сначала последние:",
        "2026-11-23 10:00 [ru] кто такой <x>?",
    ]
    assert reports.unanswered_text([], phrases.words("ru")) == "Вопросов без ответа нет."
    # The terminal gets plain text with plain spaces.
    assert reports.stats_text([week], phrases.words("en", as_html=False)) == "Last 7 days: no questions"


def test_reload_reports_in_both_languages() -> None:
    from bot.tg.admin import Reload

    counts = {"people": 1, "organisations": 2, "events": 5, "faq": 21}
    assert Reload(True, 0.84, counts).text("ru").replace(NBSP, " ") == (
        "База знаний перезагружена за 0,8 секунды: 1 человек, 2 организации, 5 событий, 21 частый вопрос."
    )
    assert Reload(True, 0.004, counts).text("en").replace(NBSP, " ") == (
        "Knowledge reloaded in 0.1 seconds: 1 person, 2 organisations, 5 events, 21 common questions."
    )
    failed = Reload(False, problems=("a.yaml:1: id: <missing>",)).text("ru", on_signal=True)
    assert failed.startswith(
        seen("<b>Перезагрузка по SIGHUP не удалась</b>: пока эти ошибки не исправлены, я отвечаю")
    )
    assert "a.yaml:1: id: &lt;missing&gt;" in failed


def test_menus_exist_in_both_languages_for_everyone_and_for_admins() -> None:
    for admin in (False, True):
        en, ru = phrases.menu("en", admin), phrases.menu("ru", admin)
        assert [c for c, _ in en] == [c for c, _ in ru]
        assert all(re.search("[а-яё]", d) for _, d in ru) and not any(re.search("[а-яё]", d) for _, d in en)
    assert {"reload", "stats", "unanswered"} <= {c for c, _ in phrases.menu("ru", admin=True)}
