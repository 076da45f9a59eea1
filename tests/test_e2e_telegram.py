"""End to end: ``python -m bot run`` as a real process, over HTTP, against the Bot API emulator.

One bot process serves the whole module (start-up is the slow part); each test still stands
alone, run by itself or after the others, and leaves the bot as it found it; the last test
stops it and checks the query log. Replies are checked for what the user must see
(tests/replies.py): titles, words, sources and dates as the knowledge files give them.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from bot.answers.wording import NBSP
from bot.tg import phrases
from tests.conftest import KNOWLEDGE
from tests.emulator import Emulator
from tests.helpers import bot_process, run_cli, wait_for_line, wait_until
from tests.replies import (
    DECLINED,
    DECLINED_RU,
    GENNADY_GUDKOV,
    GUDKOVS,
    KASPAROV,
    KASPAROV_LIVES,
    KASPAROV_LIVES_RU,
    KHODORKOVSKY,
    MORE,
    NAVALNAYA_LIVES,
    YASHIN,
    Shown,
    assert_shows,
    entries,
    seen,
)

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
    admin = Emulator.user(ADMIN_ID, "Adminka")
    database, log = tmp / "querylog.sqlite3", tmp / "bot.log"
    settings = {
        "BOT_ADMIN_IDS": str(ADMIN_ID),
        "BOT_KNOWLEDGE_DIR": str(knowledge),
        "BOT_HASH_SECRET": "e2e-secret",
    }
    with Emulator() as emu:
        hi = emu.private_message(admin, "hi")  # the admin's chat exists, so their command menu is set
        with bot_process(emu, database, log, **settings) as process:
            emu.reply_to(hi)  # the "hi" is a question too
            yield Bot(emu, process, knowledge, database, log, questions=1, users=[admin])


def test_start_registers_commands_and_admin_menu(bot: Bot) -> None:
    public = {c["command"] for c in bot.emu.commands[("default", "")]}
    assert public == {c for c, _ in phrases.COMMANDS["en"]}
    assert {c["command"] for c in bot.emu.commands[("default", "ru")]} == public
    admin_menu = {c["command"] for c in bot.emu.commands[(f"chat:{ADMIN_ID}", "")]}
    assert {"reload", "stats", "unanswered", "stale"} <= admin_menu
    assert not public & {"reload", "stats", "unanswered"}
    # Russian menus for Russian-speaking users and admins, not English ones under a Russian flag.
    admin_ru = {c["command"]: c["description"] for c in bot.emu.commands[(f"chat:{ADMIN_ID}", "ru")]}
    assert admin_ru.keys() == admin_menu
    assert admin_ru["stats"] == "Вопросы и доля ответов за сутки и неделю"
    assert bot.emu.commands[("default", "ru")][0]["description"] == "Примеры вопросов"


def test_private_question_gets_the_sourced_answer(bot: Bot) -> None:
    user = bot.user(USER_ID, "Annabel")
    reply = bot.ask(user, "where does kasparov live")
    assert_shows(reply, KASPAROV_LIVES)
    assert reply["link_preview_disabled"]
    assert_shows(bot.ask(user, "где живёт Каспаров"), KASPAROV_LIVES_RU)


def test_start_greets_in_the_users_language_and_deep_links_open_entries(bot: Bot) -> None:
    ru_user = bot.user(USER_ID + 10, "Иван", "ru")
    greeting = bot.emu.reply_to(bot.emu.private_message(ru_user, "/start"))
    assert "Здравствуйте, Иван!" in greeting["text"]
    assert phrases.EXAMPLES["ru"][0] in greeting["text"]
    assert_shows(bot.ask(bot.user(USER_ID + 11, "Annika"), "/start khodorkovsky"), KHODORKOVSKY)
    stale = bot.emu.reply_to(bot.emu.private_message(ru_user, "/start no_such_entry"))
    assert (
        stale["text"].replace("\u00a0", " ").startswith("Ссылка ведёт к записи «no_such_entry», которой нет")
    )
    assert "Здравствуйте" in stale["text"]


def test_did_you_mean_buttons_open_the_chosen_entry(bot: Bot) -> None:
    user = bot.user(USER_ID + 1, "Beatrix")
    offer = bot.ask(user, "gudkov")
    assert_shows(offer, GUDKOVS)  # one button per choice
    buttons = [row[0] for row in offer["reply_markup"]["inline_keyboard"]]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    gennady = next(b for b in buttons if b["text"] == "Gennady Gudkov")
    assert bot.press(user, offer, gennady["callback_data"]) == {"text": "", "show_alert": False}
    edited = bot.emu.wait_for(
        lambda: next((m for m in bot.emu._bot_messages(USER_ID + 1) if m.get("edit_date")), None)
    )
    assert edited["message_id"] == offer["message_id"]
    assert_shows(edited, GENNADY_GUDKOV)


def test_more_expands_the_short_card_in_place_to_the_full_profile(bot: Bot) -> None:
    user = bot.user(USER_ID + 8, "Ingrid", "ru")
    card = bot.ask(user, "кто такой Волков")
    assert_shows(card, Shown.of("volkov", "ru"))
    summary = entries()["volkov"][1]["summary"]["ru"]
    assert summary not in card["text"] and len(card["text"]) <= 900
    rows = card["reply_markup"]["inline_keyboard"]
    assert rows[0][0]["text"] == MORE["ru"]
    # Pressing it is no new question: it is not logged (the last test counts the log's rows).
    query = bot.emu.press(user, card, rows[0][0]["callback_data"])
    assert bot.emu.callback_answer(query) == {"text": "", "show_alert": False}
    full = bot.emu.wait_for(
        lambda: next((m for m in bot.emu._bot_messages(USER_ID + 8) if m.get("edit_date")), None)
    )
    assert full["message_id"] == card["message_id"]
    assert_shows(full, Shown.of("volkov", "ru", full=True))
    for section in ("Участие в организациях:", "Статусы и уголовные дела в России:", "Хроника:"):
        assert seen(f"\n{section}\n") in full["text"], section
    assert (
        "• 11\u00a0июня 2025\u00a0года. Заочный приговор. 2-й Западный окружной военный суд" in full["text"]
    )
    expanded = [b["text"] for row in full["reply_markup"]["inline_keyboard"] for b in row]
    assert MORE["ru"] not in expanded and expanded == [b["text"] for row in rows[1:] for b in row]


def test_group_answers_ask_mentions_and_replies_and_ignores_the_rest(bot: Bot) -> None:
    emu, user = bot.emu, bot.user(USER_ID + 2, "Cyprian")
    chatter = emu.group_message(user, GROUP_ID, "where does kasparov live, does anyone know?")
    asked, reply = bot.ask_group(user, "/ask where does kasparov live")
    assert reply["reply_to_message"]["message_id"] == asked["message_id"]
    assert_shows(reply, KASPAROV_LIVES)
    mention, answer = bot.ask_group(user, f"@{emu.username} who is yashin")
    assert_shows(answer, YASHIN)
    follow_up, answer = bot.ask_group(user, "where does navalnaya live", reply["message_id"])
    assert_shows(answer, NAVALNAYA_LIVES)
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


def most_asked_about(count: int) -> list[str]:
    """The people with the most FAQ entries about them (ties by id), from the knowledge files."""
    about = Counter(i for folder, entry in entries().values() if folder == "faq" for i in entry["about"])
    people = [i for i, (folder, _) in entries().items() if folder == "people"]
    return sorted(people, key=lambda i: (-about[i], i))[:count]


def test_inline_query_returns_sourced_articles(bot: Bot) -> None:
    user = bot.user(USER_ID + 3, "Delphine")
    started = time.monotonic()
    answer = bot.ask_inline(user, "kasprov")  # typo
    assert time.monotonic() - started < 2.0
    results = answer["results"]
    assert 1 <= len(results) <= 10
    first = results[0]
    assert (first["id"], first["title"]) == ("kasparov", "Garry Kasparov")
    assert first["description"] == (
        "Former world chess champion, opposition politician, co-founder of the Free Russia Forum."
    )
    assert_shows(first, KASPAROV)  # the message it sends, as the emulator parsed it
    assert len({r["id"] for r in results}) == len(results)
    featured = bot.emu.inline_answer(bot.emu.inline_query(user, ""))["results"]  # not a question: not logged
    assert [r["id"] for r in featured] == most_asked_about(10)


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
    assert_shows(bot.ask(bot.user(USER_ID + 4, "Evangeline"), "where does kasparov live"), KASPAROV_LIVES)
    ok = emu.reply_to(emu.private_message(admin, "/reload"), timeout=30)
    assert ok["text"].startswith("Knowledge reloaded in")


def test_sighup_reloads_the_knowledge(bot: Bot) -> None:
    faq_file = next((bot.knowledge / "faq").glob("*.yaml"))
    faq_id = yaml.safe_load(faq_file.read_text(encoding="utf-8"))[0]["id"]
    user = bot.user(USER_ID + 5, "Fayola")
    before = bot.ask(user, f"/start {faq_id}")
    assert_shows(before, Shown.of(faq_id, "en"))
    count = reloaded(bot)

    def reloaded_notices() -> int:
        return sum(m["text"].startswith("Knowledge reloaded in") for m in bot.emu._bot_messages(ADMIN_ID))

    notices_before = bot.emu._call(reloaded_notices)
    off = faq_file.rename(faq_file.with_suffix(".off"))
    try:
        bot.process.send_signal(signal.SIGHUP)
        wait_for_line(bot.log, RELOADED, count + 1)
        # The admins hear that it worked, not only when it fails.
        bot.emu.wait_for(lambda: reloaded_notices() > notices_before)
        reply = bot.emu.reply_to(bot.emu.private_message(user, f"/start {faq_id}"))
        assert reply["text"].startswith(f"The link you followed opens “{faq_id}”, which is not")
        assert "Hello, Fayola" in reply["text"]  # the entry is gone: the deep link says so and greets
    finally:
        off.rename(faq_file)
    bot.process.send_signal(signal.SIGHUP)  # the whole knowledge again, for the tests after this one
    wait_for_line(bot.log, RELOADED, count + 2)
    assert_shows(bot.ask(user, f"/start {faq_id}"), Shown.of(faq_id, "en"))


def test_admin_commands_are_invisible_to_others_and_work_for_admins(bot: Bot) -> None:
    emu = bot.emu
    stranger = bot.user(USER_ID + 6, "Gustavo")
    unknown = emu.reply_to(emu.private_message(stranger, "/nosuchcommand"))
    for command in ("/stats", "/unanswered", "/reload", "/stale"):
        reply = emu.reply_to(emu.private_message(stranger, command))
        assert reply["text"] == unknown["text"]
    declined = bot.ask(stranger, "what is the airspeed velocity of an unladen swallow")
    # In Russian for now: test_engine.py::test_a_declined_question_is_declined_in_its_language
    assert declined["text"].startswith((DECLINED, DECLINED_RU))
    admin = Emulator.user(ADMIN_ID, "Admin")
    stats = emu.reply_to(emu.private_message(admin, "/stats"))
    assert stats["text"].startswith("Last 24 hours:")
    assert "Last 7 days:" in stats["text"].replace(NBSP, " ")
    todo = emu.reply_to(emu.private_message(admin, "/unanswered"))
    assert "airspeed velocity" in todo["text"]


def test_a_russian_speaking_admin_reads_admin_texts_in_russian(bot: Bot) -> None:
    emu, admin = bot.emu, Emulator.user(ADMIN_ID, "Админ", "ru")
    stats = emu.reply_to(emu.private_message(admin, "/stats"))["text"].replace(NBSP, " ")
    assert stats.startswith("За сутки: ") and "вопрос" in stats.splitlines()[0]
    assert "\nЗа 7 дней: " in stats and "Откуда: личные чаты" in stats
    todo = emu.reply_to(emu.private_message(admin, "/unanswered"))["text"].replace(NBSP, " ")
    assert "без ответа, сначала последние:" in todo.splitlines()[0]
    # A notice with no update to answer (a refused reload on SIGHUP) follows the admin's language.
    count = bot.log.read_text(errors="replace").count("reload refused")
    broken = bot.knowledge / "people" / "zz_broken.yaml"
    broken.write_text("id: zz_broken\nname:\n  en: Broken\nsummary: [unclosed\n", encoding="utf-8")
    try:
        bot.process.send_signal(signal.SIGHUP)
        wait_for_line(bot.log, "reload refused", count + 1)
        notice = emu.wait_for(lambda: [m for m in emu._bot_messages(ADMIN_ID) if "SIGHUP" in m["text"]])[-1]
    finally:
        broken.unlink()
    assert (
        notice["text"].startswith(seen("Перезагрузка по SIGHUP не удалась"))
        and "zz_broken.yaml:" in notice["text"]
    )


def test_lang_without_an_argument_says_which_language_is_in_effect(bot: Bot) -> None:
    emu, user = bot.emu, bot.user(USER_ID + 12, "Ирина", "ru")
    following = emu.reply_to(emu.private_message(user, "/lang"))["text"].replace(NBSP, " ")
    assert following.startswith("Я отвечаю на том языке, на котором задан вопрос")
    assert "/lang en — всегда отвечать по-английски" in following
    chosen = emu.reply_to(emu.private_message(user, "/lang en"))["text"]
    assert chosen.startswith("From now on I answer in English")
    assert emu.reply_to(emu.private_message(user, "/lang"))["text"].startswith("I answer you in English")
    auto = emu.reply_to(emu.private_message(user, "/lang auto"))["text"]  # in Telegram's language again
    assert auto == seen("Снова отвечаю на том языке, на котором задан вопрос.")
    again = emu.reply_to(emu.private_message(user, "/lang"))["text"].replace(NBSP, " ")
    assert again.startswith("Я отвечаю на том языке")  # back to following Telegram's language


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
