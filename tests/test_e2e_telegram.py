"""End to end: ``python -m bot run`` as a real process, over HTTP, against the Bot API emulator.

One bot process serves the whole module (start-up is the slow part); each test still stands
alone, run by itself or after the others, and leaves the bot as it found it; the last test
stops it and checks the query log. Expected replies come from the same engine and composer,
loaded here from the same knowledge copy, so the tests check the Telegram side, not the
knowledge's wording.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from bot.answers import render
from bot.answers.engine import Engine
from bot.tg import phrases
from tests.conftest import KNOWLEDGE
from tests.emulator import Emulator
from tests.helpers import bot_env, run_cli, start_bot, stop_bot, wait_for_line, wait_until, wait_until_polling

ADMIN_ID = 7_301_555_001
USER_ID = 7_301_555_002
GROUP_ID = -1_001_777_000_123
#: What the bot logs after each reload that swapped in new knowledge.
RELOADED = "knowledge reloaded in"


@dataclass
class Bot:
    """The running bot, its emulator, and what the tests asked so far (each question is logged)."""

    emu: Emulator
    process: subprocess.Popen[bytes]
    engine: Engine
    knowledge: Path
    database: Path
    log: Path
    questions: int = 0
    users: list[dict] = field(default_factory=list)

    def user(self, user_id: int, first_name: str, language_code: str = "en") -> dict:
        """A user of this module's tests (the last test checks none of them reached the log)."""
        user = Emulator.user(user_id, first_name, language_code)
        self.users.append(user)
        return user

    def ask(self, user: dict, text: str) -> dict:
        """A private question; returns the bot's reply."""
        self.questions += 1
        return self.emu.reply_to(self.emu.private_message(user, text))

    def ask_group(self, user: dict, text: str, reply_to: int | None = None) -> tuple[dict, dict]:
        """A question in the group (``/ask``, a mention or a reply to the bot); the message and the reply."""
        self.questions += 1
        asked = self.emu.group_message(user, GROUP_ID, text, reply_to)
        return asked, self.emu.reply_to(asked)

    def ask_inline(self, user: dict, query: str) -> dict:
        """An inline query (not empty); returns the bot's answer."""
        self.questions += 1
        return self.emu.inline_answer(self.emu.inline_query(user, query))

    def press(self, user: dict, message: dict, data: str) -> dict:
        """Press a button under the bot's `message`; returns the answer to the callback query."""
        self.questions += 1
        return self.emu.callback_answer(self.emu.press(user, message, data))


def reloaded(bot: Bot) -> int:
    """How many times the bot has reloaded its knowledge so far (from its log)."""
    return bot.log.read_text(errors="replace").count(RELOADED)


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bot]:
    tmp = tmp_path_factory.mktemp("e2e")
    knowledge = tmp / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    engine = Engine.from_dir(knowledge)
    emu = Emulator().start()
    admin = Emulator.user(ADMIN_ID, "Adminka")
    emu.private_message(admin, "hi")  # the admin's chat exists, so their command menu is set
    database, log = tmp / "querylog.sqlite3", tmp / "bot.log"
    env = bot_env(BOT_TOKEN=emu.token, TELEGRAM_API_BASE_URL=emu.url, BOT_DATABASE=str(database),
                  BOT_ADMIN_IDS=str(ADMIN_ID), BOT_KNOWLEDGE_DIR=str(knowledge), BOT_HASH_SECRET="e2e-secret")  # fmt: skip
    process = start_bot(env, log)
    running = Bot(emu, process, engine, knowledge, database, log, questions=1, users=[admin])
    try:
        wait_until_polling(emu, process, log)
        emu.reply_to({"chat": {"id": ADMIN_ID}, "message_id": 1})  # the "hi" is a question too
        yield running
    finally:
        stop_bot(process)
        emu.stop()


def sent_html(message: dict) -> str:
    return message["html"]


def links(message: dict) -> list[str]:
    return [e["url"] for e in message.get("entities", []) if e["type"] == "text_link"]


def test_start_registers_commands_and_admin_menu(bot: Bot) -> None:
    public = {c["command"] for c in bot.emu.commands[("default", "")]}
    assert public == {c for c, _ in phrases.COMMANDS["en"]}
    assert {c["command"] for c in bot.emu.commands[("default", "ru")]} == public
    admin_menu = {c["command"] for c in bot.emu.commands[(f"chat:{ADMIN_ID}", "")]}
    assert {"reload", "stats", "unanswered"} <= admin_menu
    assert not public & {"reload", "stats", "unanswered"}


def test_private_question_gets_the_sourced_answer(bot: Bot) -> None:
    user = bot.user(USER_ID, "Annabel")
    question = "where does kasparov live"
    expected = bot.engine.ask(question)
    assert expected.outcome == "answer", "knowledge changed: pick another question"
    reply = bot.ask(user, question)
    assert sent_html(reply) == render.html(expected)
    assert reply["link_preview_disabled"]
    assert links(reply) == [url for _, url in expected.answer.sources]  # type: ignore[union-attr]
    russian = bot.ask(user, "где живёт Каспаров")
    assert sent_html(russian) == render.html(bot.engine.ask("где живёт Каспаров"))


def test_start_greets_in_the_users_language_and_deep_links_open_entries(bot: Bot) -> None:
    ru_user = bot.user(USER_ID + 10, "Иван", "ru")
    greeting = bot.emu.reply_to(bot.emu.private_message(ru_user, "/start"))
    assert "Здравствуйте, Иван!" in greeting["text"]
    assert phrases.EXAMPLES["ru"][0] in greeting["text"]
    opened = bot.ask(bot.user(USER_ID + 11, "Annika"), "/start khodorkovsky")
    assert sent_html(opened) == render.html(bot.engine.open("khodorkovsky", "en"))
    stale = bot.emu.reply_to(bot.emu.private_message(ru_user, "/start no_such_entry"))
    assert "Здравствуйте" in stale["text"]


def test_did_you_mean_buttons_open_the_chosen_entry(bot: Bot) -> None:
    user = bot.user(USER_ID + 1, "Beatrix")
    expected = bot.engine.ask("gudkov")
    assert expected.outcome == "suggest", "knowledge changed: pick an ambiguous name"
    offer = bot.ask(user, "gudkov")
    buttons = [row[0] for row in offer["reply_markup"]["inline_keyboard"]]
    assert [b["text"] for b in buttons] == [s.title for s in expected.suggestions]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    choice = expected.suggestions[1]
    assert bot.press(user, offer, buttons[1]["callback_data"]) == {"text": "", "show_alert": False}
    edited = bot.emu.wait_for(
        lambda: next((m for m in bot.emu._bot_messages(USER_ID + 1) if m.get("edit_date")), None)
    )
    assert edited["message_id"] == offer["message_id"]
    assert sent_html(edited) == render.html(bot.engine.open(choice.id, "en"))


def test_group_answers_ask_mentions_and_replies_and_ignores_the_rest(bot: Bot) -> None:
    emu, user = bot.emu, bot.user(USER_ID + 2, "Cyprian")
    chatter = emu.group_message(user, GROUP_ID, "where does kasparov live, does anyone know?")
    asked, reply = bot.ask_group(user, "/ask where does kasparov live")
    assert reply["reply_to_message"]["message_id"] == asked["message_id"]
    assert sent_html(reply) == render.html(bot.engine.ask("where does kasparov live"))
    mention, answer = bot.ask_group(user, f"@{emu.username} who is yashin")
    assert sent_html(answer) == render.html(bot.engine.ask("who is yashin"))
    follow_up, answer = bot.ask_group(user, "where does navalnaya live", reply["message_id"])
    assert sent_html(answer) == render.html(bot.engine.ask("where does navalnaya live"))
    emu.group_message(user, GROUP_ID, "/stats")  # unknown here: silence, not a hint
    # The sentinel: the bot handles one chat's messages in order, so once the usage hint for
    # this last message is there, every message before it has been answered or ignored.
    last = emu.group_message(user, GROUP_ID, "/ask")
    assert "/ask" in emu.reply_to(last)["text"]  # usage hint
    replied_to = {m["reply_to_message"]["message_id"] for m in emu.bot_messages(GROUP_ID)}
    replied_to = {i for i in replied_to if i >= chatter["message_id"]}  # this test's messages
    assert replied_to == {asked["message_id"], mention["message_id"], follow_up["message_id"],
                          last["message_id"]}  # fmt: skip
    assert chatter["message_id"] not in replied_to


def test_inline_query_returns_sourced_articles(bot: Bot) -> None:
    user = bot.user(USER_ID + 3, "Delphine")
    started = time.monotonic()
    answer = bot.ask_inline(user, "kasprov")  # typo
    assert time.monotonic() - started < 2.0
    results = answer["results"]
    expected = bot.engine.ask("kasprov")
    assert expected.answer is not None, "knowledge changed: the typo should still answer"
    assert 1 <= len(results) <= 10
    first = results[0]
    assert first["id"] == expected.answer.id
    assert first["title"] == expected.answer.title
    assert first["description"] == render.description(expected)
    assert first["input_message_content"]["message_text"] == render.html(expected)
    assert len({r["id"] for r in results}) == len(results)
    featured = bot.emu.inline_answer(bot.emu.inline_query(user, ""))["results"]  # not a question: not logged
    assert [r["id"] for r in featured] == [r.answer.id for r in bot.engine.featured("en") if r.answer][:10]


def test_reload_with_a_broken_file_keeps_the_old_knowledge(bot: Bot) -> None:
    emu, admin = bot.emu, Emulator.user(ADMIN_ID, "Admin")
    broken = bot.knowledge / "people" / "zz_broken.yaml"
    broken.write_text("id: zz_broken\nname:\n  en: Broken\nsummary: [unclosed\n", encoding="utf-8")
    try:
        report = emu.reply_to(emu.private_message(admin, "/reload"), timeout=30)
    finally:
        broken.unlink()
    assert "Reload failed" in report["text"]
    assert "zz_broken.yaml:" in report["text"]
    still = bot.ask(bot.user(USER_ID + 4, "Evangeline"), "where does kasparov live")
    assert sent_html(still) == render.html(bot.engine.ask("where does kasparov live"))
    ok = emu.reply_to(emu.private_message(admin, "/reload"), timeout=30)
    assert ok["text"].startswith("Reloaded")


def test_sighup_reloads_the_knowledge(bot: Bot) -> None:
    faq_file = next((bot.knowledge / "faq").glob("*.yaml"))
    faq_id = yaml.safe_load(faq_file.read_text(encoding="utf-8"))[0]["id"]
    user = bot.user(USER_ID + 5, "Fayola")
    before = bot.ask(user, f"/start {faq_id}")
    assert sent_html(before) == render.html(bot.engine.open(faq_id, "en"))
    count = reloaded(bot)
    off = faq_file.rename(faq_file.with_suffix(".off"))
    try:
        bot.process.send_signal(signal.SIGHUP)
        wait_for_line(bot.log, RELOADED, count + 1)
        reply = bot.emu.reply_to(bot.emu.private_message(user, f"/start {faq_id}"))
        assert "Hello, Fayola" in reply["text"]  # the entry is gone: the deep link greets instead
    finally:
        off.rename(faq_file)
    bot.process.send_signal(signal.SIGHUP)  # the whole knowledge again, for the tests after this one
    wait_for_line(bot.log, RELOADED, count + 2)
    assert sent_html(bot.ask(user, f"/start {faq_id}")) == sent_html(before)


def test_admin_commands_are_invisible_to_others_and_work_for_admins(bot: Bot) -> None:
    emu = bot.emu
    stranger = bot.user(USER_ID + 6, "Gustavo")
    unknown = emu.reply_to(emu.private_message(stranger, "/nosuchcommand"))
    for command in ("/stats", "/unanswered", "/reload"):
        reply = emu.reply_to(emu.private_message(stranger, command))
        assert reply["text"] == unknown["text"]
    nonsense = "what is the airspeed velocity of an unladen swallow"
    assert bot.engine.ask(nonsense).outcome == "none"
    bot.ask(stranger, nonsense)
    admin = Emulator.user(ADMIN_ID, "Admin")
    stats = emu.reply_to(emu.private_message(admin, "/stats"))
    assert stats["text"].startswith("Last day:")
    assert "Last 7 days:" in stats["text"]
    todo = emu.reply_to(emu.private_message(admin, "/unanswered"))
    assert "airspeed velocity" in todo["text"]


def test_no_call_was_refused_and_updates_were_confirmed(bot: Bot) -> None:
    refused = [(c.method, c.result) for c in bot.emu.rejected()]
    assert refused == []
    wait_until(lambda: bot.emu.pending_updates() == 0, 5, "every update to be confirmed")


def test_shutdown_flushes_one_row_per_question_and_no_raw_ids(bot: Bot) -> None:
    # A question from each front end, so that the log has them all even when this test runs alone.
    user = bot.user(USER_ID + 7, "Hyacinth")
    offer = bot.ask(user, "gudkov")
    bot.press(user, offer, offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    bot.ask_group(user, "/ask who is yashin")
    bot.ask_inline(user, "kasparov")
    bot.process.send_signal(signal.SIGTERM)
    assert bot.process.wait(20) == 0, bot.log.read_text(errors="replace")
    with sqlite3.connect(bot.database) as db:
        count = db.execute("SELECT count(*) FROM queries").fetchone()[0]
        fronts = {f for (f,) in db.execute("SELECT DISTINCT front FROM queries")}
        dump = "\n".join(db.iterdump())
    assert count == bot.questions
    assert fronts == {"private", "group", "inline", "callback"}
    files = [bot.database, Path(f"{bot.database}-wal"), Path(f"{bot.database}-shm")]
    raw = b"".join(f.read_bytes() for f in files if f.exists())
    for user in bot.users:
        assert str(user["id"]) not in dump and str(user["id"]).encode() not in raw
        assert user["first_name"] not in dump
    assert str(GROUP_ID) not in dump


def test_without_a_token_run_fails_with_one_clear_line(tmp_path: Path) -> None:
    done = run_cli("run", cwd=tmp_path)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "error: no bot token: set BOT_TOKEN (or `token:` in the config file)"
    ]
