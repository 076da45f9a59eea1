"""Feedback on answers, sharing and deep links, end to end: ``python -m bot run`` against the emulator.

A user rates an answer or says what is wrong with it in one message; admins are told of reports
with a button that opens the entry; verdicts are stored under the keyed hash only, a later press
replacing an earlier one; presses keep working after a restart. The share button opens inline
mode on exactly that entry, and the card sent from there links back into the bot.
"""

from __future__ import annotations

import contextlib
import re
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.querylog.store import hash_user
from bot.tg import phrases
from tests.emulator import Emulator
from tests.helpers import bot_env, bot_process, run_cli, wait_until
from tests.replies import KASPAROV_LIVES, KASPAROV_LIVES_RU, YASHIN, Shown, assert_shows

ADMIN_ID = 7_301_666_001
USER_ID = 7_301_666_100
GROUP_ID = -1_001_777_666_001
SECRET = "feedback-secret"
#: The feedback rows under a private answer card: their labels, as a user sees them.
FEEDBACK_ROWS = {
    "en": [["👍 Helpful", "👎 Not helpful"], ["⚠️ Report an error", "↗️ Share"]],
    "ru": [["👍 Полезно", "👎 Не\u00a0помогло"], ["⚠️ Ошибка в\u00a0ответе", "↗️ Поделиться"]],
}
THANKS = "Thank you, the editors will check it."


@dataclass
class Bot:
    """The bot process (restartable), its emulator, its database and the users of this module."""

    emu: Emulator
    database: Path
    log: Path
    settings: dict[str, str]
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    process: subprocess.Popen[bytes] | None = None
    users: list[dict] = field(default_factory=list)

    def start(self) -> None:
        self.process = self.stack.enter_context(
            bot_process(self.emu, self.database, self.log, **self.settings)
        )

    def restart(self) -> None:
        """Stop the bot gracefully and start a new process on the same database and secret."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(20) == 0
        self.stack.close()
        self.stack = contextlib.ExitStack()
        self.start()

    def user(self, offset: int, first_name: str, language_code: str = "en") -> dict:
        user = Emulator.user(USER_ID + offset, first_name, language_code)
        self.users.append(user)
        return user

    def ask(self, user: dict, text: str) -> dict:
        return self.emu.reply_to(self.emu.private_message(user, text), timeout=30)

    def press(self, user: dict, message: dict, label: str) -> dict:
        """Press the button labelled `label` under `message`; the toast Telegram shows."""
        button = button_labelled(message, label)
        return self.emu.callback_answer(self.emu.press(user, message, button["callback_data"]), timeout=30)

    def verdicts(self, user: dict) -> list[tuple[str, str, str | None]]:
        """(entry, verdict, text) of every feedback row of `user`, found by their keyed hash."""
        with sqlite3.connect(self.database) as db:
            return db.execute(
                "SELECT entry_id, verdict, text FROM feedback WHERE user_hash = ? ORDER BY id",
                (hash_user(SECRET.encode(), user["id"], "private"),),
            ).fetchall()


def buttons(message: dict) -> list[list[dict[str, Any]]]:
    return message.get("reply_markup", {}).get("inline_keyboard", [])


def button_labelled(message: dict, label: str) -> dict[str, Any]:
    found = [b for row in buttons(message) for b in row if b["text"] == label]
    assert len(found) == 1, (label, buttons(message))
    return found[0]


def labels(message: dict) -> list[list[str]]:
    return [[b["text"] for b in row] for row in buttons(message)]


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    tmp = tmp_path_factory.mktemp("feedback")
    admin = Emulator.user(ADMIN_ID, "Adminka")
    settings = {"BOT_ADMIN_IDS": str(ADMIN_ID), "BOT_HASH_SECRET": SECRET}
    with Emulator() as emu:
        hi = emu.private_message(admin, "hi")  # the admin's chat exists before the bot starts
        running = Bot(emu, tmp / "querylog.sqlite3", tmp / "bot.log", settings, users=[admin])
        running.start()
        try:
            emu.reply_to(hi, timeout=30)
            yield running
        finally:
            running.stack.close()


def test_a_private_answer_has_feedback_and_share_rows_and_a_group_answer_has_none(bot: Bot) -> None:
    card = bot.ask(bot.user(0, "Aurelia"), "where does kasparov live")
    assert_shows(card, KASPAROV_LIVES)
    assert labels(card)[-2:] == FEEDBACK_ROWS["en"]
    assert all(
        len(b["callback_data"].encode()) <= 64 for row in buttons(card) for b in row if "callback_data" in b
    )
    ru_card = bot.ask(bot.user(1, "Ирина", "ru"), "где живёт Каспаров")
    assert_shows(ru_card, KASPAROV_LIVES_RU)
    assert labels(ru_card)[-2:] == FEEDBACK_ROWS["ru"]
    asked = bot.emu.group_message(bot.user(2, "Gwendolyn"), GROUP_ID, "/ask who is yashin")
    in_group = bot.emu.reply_to(asked, timeout=30)
    assert_shows(in_group, YASHIN)
    flat = [label for row in labels(in_group) for label in row]
    assert not set(flat) & {label for row in FEEDBACK_ROWS["en"] for label in row}


@pytest.mark.parametrize(
    ("question", "lang", "expected"),
    [("where does kasparov live", "en", KASPAROV_LIVES), ("где живёт Каспаров", "ru", KASPAROV_LIVES_RU)],
)
def test_the_share_button_opens_inline_mode_on_that_entry_and_the_shared_card_links_back(
    bot: Bot, question: str, lang: str, expected: Shown
) -> None:
    user = bot.user(3, "Sharon", lang)
    card = bot.ask(user, question)
    share = button_labelled(card, FEEDBACK_ROWS[lang][1][1])
    assert share["switch_inline_query"] == f"kasparov_where_lives {lang}"
    # Telegram types that query after @bot in the chat the user picks:
    results = bot.emu.inline_answer(bot.emu.inline_query(user, share["switch_inline_query"]), timeout=30)[
        "results"
    ]
    first = results[0]
    assert first["id"] == "kasparov_where_lives"
    assert_shows(first, expected)
    [[open_in_bot]] = first["reply_markup"]["inline_keyboard"]
    assert open_in_bot["url"] == f"https://t.me/{bot.emu.username}?start=kasparov_where_lives"
    # Whoever gets the shared card opens that link: Telegram sends /start with the id.
    stranger = bot.user(4, "Stranger", lang)
    assert_shows(bot.ask(stranger, "/start kasparov_where_lives"), expected)


def test_a_deep_link_to_an_unknown_entry_says_so_before_the_greeting(bot: Bot) -> None:
    reply = bot.ask(bot.user(5, "Ulrike"), "/start no_such_entry")
    first, rest = reply["text"].split("\n\n", 1)
    assert (
        first == "The link you followed opens “no_such_entry”, which is not in the knowledge base (any more)."
    )
    assert rest.startswith("Hello, Ulrike!")
    ru = bot.ask(bot.user(6, "Ульяна", "ru"), "/start no_such_entry")
    assert ru["text"].replace("\u00a0", " ").startswith("Ссылка ведёт к записи «no_such_entry», которой нет")
    assert "Здравствуйте, Ульяна!" in ru["text"]


def test_not_helpful_with_a_report_reaches_the_admins_and_is_stored_under_the_hash(bot: Bot) -> None:
    emu, user = bot.emu, bot.user(7, "Natalia")
    card = bot.ask(user, "where does kasparov live")
    assert bot.press(user, card, "👎 Not helpful") == {"text": "", "show_alert": False}
    prompt = emu.reply_to(card, timeout=30)  # the prompt quotes the card it is about
    assert prompt["text"].startswith("Sorry it did not help. What were you looking for")
    assert labels(prompt) == [["✖️ Cancel"]]
    wait_until(lambda: bot.verdicts(user) == [("kasparov_where_lives", "not_helpful", None)], 10, "the 👎")
    report = "It does not say since when he lives in New York & <why>"
    thanks = emu.reply_to(emu.private_message(user, report), timeout=30)
    assert thanks["text"] == THANKS
    prompt_now = emu.chats[user["id"]].messages[prompt["message_id"]]
    emu.wait_for(lambda: "reply_markup" not in prompt_now)  # the Cancel button has gone
    notice = emu.wait_for(
        lambda: next((m for m in emu._bot_messages(ADMIN_ID) if report in m["text"]), None), timeout=30
    )
    assert notice["text"].split("\n") == [
        "👎 Not helpful, with a comment",
        "Entry: Where does Kasparov live? (kasparov_where_lives)",
        "Question: where does kasparov live",
        f"Report: {report}",
    ]
    wait_until(
        lambda: bot.verdicts(user) == [("kasparov_where_lives", "not_helpful", report)], 10, "the text"
    )
    admin = Emulator.user(ADMIN_ID, "Adminka")
    bot.press(admin, notice, "Open the entry")
    opened = emu.wait_for(
        lambda: next((m for m in emu._bot_messages(ADMIN_ID) if m["message_id"] > notice["message_id"]), None)
    )
    assert_shows(opened, Shown.of("kasparov_where_lives", "en"))


def test_an_error_report_is_stored_with_its_text_and_replaces_an_earlier_press(bot: Bot) -> None:
    emu, user = bot.emu, bot.user(8, "Ermengarde")
    card = bot.ask(user, "where does kasparov live")
    assert bot.press(user, card, "👍 Helpful")["text"] == "Thank you! Glad it helped."
    wait_until(lambda: bot.verdicts(user) == [("kasparov_where_lives", "helpful", None)], 10, "the 👍")
    assert bot.press(user, card, "⚠️ Report an error")["text"] == ""
    assert emu.reply_to(card, timeout=30)["text"].startswith("What is wrong in this answer?")
    assert bot.verdicts(user) == [("kasparov_where_lives", "helpful", None)]  # stored with its text
    report = "He moved to Croatia in 2025, see the Guardian"
    assert emu.reply_to(emu.private_message(user, report), timeout=30)["text"] == THANKS
    notice = emu.wait_for(
        lambda: next((m for m in emu._bot_messages(ADMIN_ID) if report in m["text"]), None), timeout=30
    )
    assert notice["text"].startswith("⚠️ Error report\nEntry: Where does Kasparov live?")
    wait_until(lambda: bot.verdicts(user) == [("kasparov_where_lives", "error", report)], 10, "the report")


def test_cancel_withdraws_the_report_and_the_next_message_is_a_question_again(bot: Bot) -> None:
    emu, user = bot.emu, bot.user(9, "Cassandra")
    card = bot.ask(user, "where does kasparov live")
    bot.press(user, card, "⚠️ Report an error")
    prompt = emu.reply_to(card, timeout=30)
    assert bot.press(user, prompt, "✖️ Cancel")["text"] == ""
    cancelled = emu.wait_for(lambda: next((m for m in emu._bot_messages(user["id"])
                                           if m["message_id"] == prompt["message_id"] and m.get("edit_date")), None))  # fmt: skip
    assert cancelled["text"] == "Cancelled: nothing more was sent." and buttons(cancelled) == []
    assert_shows(bot.ask(user, "who is yashin"), YASHIN)  # a question, not a report
    assert bot.verdicts(user) == []


def test_presses_work_after_a_restart_and_stats_show_the_least_helpful_entries(bot: Bot) -> None:
    user = bot.user(10, "Rosalind")
    card = bot.ask(user, "who is yashin")
    bot.restart()
    assert bot.press(user, card, "👎 Not helpful") == {"text": "", "show_alert": False}
    wait_until(lambda: bot.verdicts(user) == [("yashin", "not_helpful", None)], 10, "the 👎 after a restart")
    admin = Emulator.user(ADMIN_ID, "Adminka")
    stats = bot.emu.reply_to(bot.emu.private_message(admin, "/stats"), timeout=30)["text"].replace(
        "\u00a0", " "
    )
    worst = stats.split("Least helpful entries, last 7 days:\n", 1)[1].split("\n")
    assert 1 <= len(worst) <= 10
    assert any(re.fullmatch(r"\d+\. yashin: 0% helpful \(👍 0 · 👎 1 · ⚠️ 0\)", line) for line in worst), worst


def test_a_stale_press_is_answered_not_ignored(bot: Bot) -> None:
    user = bot.user(11, "Stella")
    card = bot.ask(user, "where does kasparov live")
    data = button_labelled(card, "👍 Helpful")["callback_data"]
    forged = data.rsplit(":", 1)[0] + ":no-such-ref0"
    toast = bot.emu.callback_answer(bot.emu.forged_press(user, card, forged), timeout=30)
    assert toast["text"] == phrases.say("feedback_gone", "en")
    assert bot.verdicts(user) == []


def test_the_terminal_report_and_no_raw_ids_in_the_database(bot: Bot) -> None:
    user, report = bot.user(12, "Theodora"), "The date of the move is wrong"
    card = bot.ask(user, "who is yashin")
    bot.press(user, card, "⚠️ Report an error")
    bot.emu.reply_to(card, timeout=30)
    assert bot.ask(user, report)["text"] == THANKS
    bot.restart()  # a graceful stop writes everything; the new process serves the tests after
    env = bot_env(BOT_DATABASE=str(bot.database), BOT_HASH_SECRET=SECRET)
    text = run_cli("feedback", env=env)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == "Helpfulness per entry, last 7 days, least helpful first:"
    assert any(re.fullmatch(r"\d+\. yashin: \d+% helpful \(.*⚠️ [1-9]\d*\)", line) for line in lines), lines
    at = lines.index(f"    {report}")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d error on yashin to “who is yashin”:", lines[at - 1])
    table = run_cli("feedback", "--csv", env=env)
    header, *rows = table.stdout.splitlines()
    assert header == "at,entry_id,verdict,lang,question,text,handled_at"
    assert any(row.endswith(f",yashin,error,en,who is yashin,{report},") for row in rows), rows
    files = [bot.database, Path(f"{bot.database}-wal"), Path(f"{bot.database}-shm")]
    raw = b"".join(f.read_bytes() for f in files if f.exists())
    with sqlite3.connect(bot.database) as db:
        dump = "\n".join(db.iterdump())
    for user in bot.users:
        assert str(user["id"]).encode() not in raw and str(user["id"]) not in dump
        assert user["first_name"] not in dump
