"""Telegram front end, fast: button data, keyboards, texts, reports, and the app in-process.

The in-process tests run the real PTB application against the emulator (real HTTP on 127.0.0.1)
with a small engine double, to check what must hold whatever the knowledge says: a failing
question or a refused reply never takes the bot down, and the question is still logged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.answers.result import Answer, Result, Suggestion
from bot.answers.wording import NBSP
from bot.querylog import reports
from bot.querylog.store import Stats, Unanswered
from bot.tg import admin, phrases
from bot.tg.keyboards import MAX_BUTTON_TEXT, answer_keyboard, decode_button, encode_button
from tests.emulator import Emulator, check_keyboard, check_text
from tests.inprocess import run_app, settings_for

ENTRY_ID = st.from_regex(r"\A[a-z][a-z0-9_]{0,63}\Z")


@given(kind=st.sampled_from("sr"), lang=st.sampled_from(phrases.LANGS), entry_id=ENTRY_ID)
def test_button_data_fits_telegram_and_round_trips(kind: str, lang: str, entry_id: str) -> None:
    data = encode_button(kind, lang, entry_id)
    assert 1 <= len(data.encode()) <= 64
    button = decode_button(data)
    assert button is not None and button.entry_id == entry_id
    assert (button.kind, button.lang) in ((kind, lang), ("r", None))


@pytest.mark.parametrize("data", [None, "", "x:en:kasparov", "s:de:kasparov", "s:en:", "a:b:c:d"])
def test_foreign_button_data_is_not_ours(data: str | None) -> None:
    assert decode_button(data) is None


def suggestion(entry_id: str, title: str) -> Suggestion:
    return Suggestion(entry_id, "person", title, (), 80.0)


def result(outcome: str, answer: Answer | None = None, suggestions: tuple = ()) -> Result:
    return Result("q", "en", outcome, answer, suggestions, 0.1)


def answer(related: tuple[tuple[str, str], ...] = ()) -> Answer:
    return Answer("kasparov", "person", "Garry Kasparov", (), 99.0, text="Chess.",
                  as_of="2025", sources=(("Src", "https://example.org/a?b=1&c=2"),), related=related)  # fmt: skip


def test_suggestions_become_one_button_each() -> None:
    long = "Law on the recognition of organisations as undesirable on the territory of Russia"
    offered = result("suggest", suggestions=(suggestion("dmitry_gudkov", "Dmitry Gudkov"),
                                             suggestion("undesirable_law", long)))  # fmt: skip
    markup = answer_keyboard(offered)
    assert markup is not None
    rows = markup.to_dict()["inline_keyboard"]
    assert [r[0]["callback_data"] for r in rows] == ["s:en:dmitry_gudkov", "s:en:undesirable_law"]
    label = rows[1][0]["text"]  # cut where a word ends, never inside one
    assert label == "Law on the recognition of organisations as undesirable on…"
    assert len(label) <= MAX_BUTTON_TEXT
    check_keyboard(markup.to_dict())  # Telegram would accept it


def test_answers_offer_at_most_three_related_entries() -> None:
    related = tuple((f"p{i}", f"Person {i}") for i in range(5))
    markup = answer_keyboard(result("answer", answer(related)))
    assert markup is not None
    assert [r[0]["callback_data"] for r in markup.to_dict()["inline_keyboard"]] == [
        "r:en:p0",
        "r:en:p1",
        "r:en:p2",
    ]
    assert answer_keyboard(result("answer", answer())) is None
    assert answer_keyboard(result("none")) is None


def test_interface_language_follows_telegram() -> None:
    assert [phrases.user_lang(c) for c in ("ru", "ru-RU", "uk", "en", "de", None)] == [
        "ru",
        "ru",
        "ru",
        "en",
        "en",
        "en",
    ]


def test_command_menus_are_valid() -> None:
    for lang in phrases.LANGS:
        for command, description in phrases.menu(lang, admin=True):
            assert command.isascii() and command.islower() and 1 <= len(command) <= 32
            assert 1 <= len(description) <= 256
    for admins in (False, True):
        assert [c for c, _ in phrases.menu("en", admins)] == [c for c, _ in phrases.menu("ru", admins)]


def test_reports_fit_one_message_and_escape_questions() -> None:
    many = [(f"<b>question {i} " + "x" * 100, 1000 - i) for i in range(200)]
    stats = Stats(7, 5000, {"answer": 4000, "none": 1000}, {"private": 5000}, 42, many, many)
    text = reports.stats_text([stats, stats], phrases.words("en"), as_html=True)
    plain, _ = check_text(text, "HTML")
    assert len(text) <= reports.MAX_REPORT
    assert "<b>question 0" in plain and "answered 80%" in plain
    rows = [Unanswered(f"what about <{i}>?", 2, "2026-11-23T10:00:00.000+00:00", "en") for i in range(300)]
    todo = reports.unanswered_text(rows, phrases.words("en"), as_html=True)
    assert len(todo) <= reports.MAX_REPORT
    assert "2026-11-23 10:00 [en] ×2 what about <0>?" in check_text(todo, "HTML")[0]
    csv_text = reports.unanswered_csv(rows[:1])
    assert csv_text == ("last_asked,count,lang,query\n2026-11-23T10:00:00.000+00:00,2,en,what about <0>?\n")


def test_reload_errors_fit_one_message() -> None:
    problems = [f"knowledge/people/p{i}.yaml:{i}: name: <bad> & wrong" for i in range(500)]
    for lang, more in (("en", "…and 4"), ("ru", "…и ещё 4")):
        text = admin.Reload(False, problems=tuple(problems)).text(lang)
        plain, _ = check_text(text, "HTML")
        assert len(text) <= 4096
        assert plain.startswith(("Reload failed", "Перезагрузка не\u00a0удалась"))
        assert "p0.yaml:0: name: <bad> & wrong" in plain
        assert more in plain.replace(NBSP, " ").splitlines()[-1]


# --- the application in-process -----------------------------------------------------------


class TinyEngine:
    """Answers "chess" with one entry; raises on "boom"; nothing else."""

    counts: ClassVar[dict[str, int]] = {"people": 1, "organisations": 0, "events": 0, "faq": 0}

    def ask(self, query: str, lang: str | None = None) -> Result:
        if "boom" in query:
            raise RuntimeError("engine failure")
        if "chess" in query:
            return Result(query, "en", "answer", answer(), (), 0.1)
        return Result(query, "en", "none", None, (), 0.1)

    def open(self, entry_id: str, lang: str) -> Result:
        return self.ask("chess" if entry_id == "kasparov" else entry_id, lang)

    def featured(self, lang: str) -> list[Result]:
        return [self.ask("chess", lang)]


def run_tiny(
    emu: Emulator, tmp_path: Path, script: Callable[[Emulator], None], admin_chat: bool = True
) -> Path:
    """Run the real application with `TinyEngine` while `script(emu)` drives it; returns its database."""
    settings = settings_for(emu, tmp_path)
    run_app(settings, TinyEngine(), lambda _running: script(emu), emu, admin_chat=admin_chat)
    return settings.database


def test_a_failing_question_gets_an_apology_and_the_bot_goes_on(tmp_path: Path, emu: Emulator) -> None:
    user = Emulator.user(5, "Ann")

    def script(emu: Emulator) -> None:
        sorry = emu.reply_to(emu.private_message(user, "boom"))
        assert sorry["text"] == phrases.say("error", "en")
        emu.wait_for(
            lambda: any(
                m.get("text", "").startswith(phrases.say("bot_error", "en", error="RuntimeError"))
                for m in emu._bot_messages(1)
            )
        )
        fine = emu.reply_to(emu.private_message(user, "chess"))
        assert fine["text"].startswith("Garry Kasparov")

    database = run_tiny(emu, tmp_path, script)
    assert emu.rejected() == []
    with sqlite3.connect(database) as db:
        assert [r[0] for r in db.execute("SELECT query FROM queries")] == ["chess"]


def test_a_refused_reply_is_still_logged_and_the_next_one_goes_out(tmp_path: Path, emu: Emulator) -> None:
    user = Emulator.user(6, "Bo")

    def script(emu: Emulator) -> None:
        emu.fail("sendMessage", status=500, times=2)  # the answer and the apology are both lost
        emu.private_message(user, "chess please")
        emu.wait_for(lambda: sum(c.injected for c in emu.calls) == 2)
        again = emu.reply_to(emu.private_message(user, "chess again"))
        assert again["text"].startswith("Garry Kasparov")

    database = run_tiny(emu, tmp_path, script, admin_chat=False)
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT query, outcome, user_hash FROM queries ORDER BY id").fetchall()
    assert [(q, o) for q, o, _ in rows] == [("chess please", "answer"), ("chess again", "answer")]
    assert all(len(h) == 32 for _, _, h in rows)


def test_unknown_buttons_are_acknowledged_without_an_answer(tmp_path: Path, emu: Emulator) -> None:
    user = Emulator.user(7, "Cy")

    def script(emu: Emulator) -> None:
        offer = emu.reply_to(emu.private_message(user, "chess"))
        emu.chats[7].messages[offer["message_id"]]["reply_markup"] = {
            "inline_keyboard": [[{"text": "Gone", "callback_data": "s:en:removed_entry"}]]
        }
        query = emu.press(user, offer, "s:en:removed_entry")
        assert emu.callback_answer(query)["text"] == phrases.say("unknown_entry", "en")

    run_tiny(emu, tmp_path, script, admin_chat=False)
    # The admin never opened a chat, so only their command menus (English, Russian) were refused.
    assert [c.method for c in emu.rejected()] == ["setMyCommands", "setMyCommands"]
