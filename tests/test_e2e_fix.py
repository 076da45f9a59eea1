"""End to end: an admin fixes an unanswered question with one press, through the Bot API emulator.

The bot runs as a process over a copy of the shipped knowledge, which these tests edit.
"""

from __future__ import annotations

import difflib
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import KNOWLEDGE
from tests.emulator import Emulator
from tests.helpers import bot_process, wait_until
from tests.replies import DECLINED, KASPAROV, Shown, assert_shows

ADMIN_ID = 7_301_666_001
USER_ID = 7_301_666_002
CHESS_GOAT = "that chess goat who hates putin"
SWALLOW = "what is the airspeed velocity of an unladen swallow"


@dataclass
class Running:
    emu: Emulator
    knowledge: Path
    admin: dict
    user: dict


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    tmp = tmp_path_factory.mktemp("e2e-fix")
    knowledge = shutil.copytree(KNOWLEDGE, tmp / "knowledge")
    settings = {"BOT_ADMIN_IDS": str(ADMIN_ID), "BOT_KNOWLEDGE_DIR": str(knowledge), "BOT_HASH_SECRET": "s"}
    with Emulator() as emu, bot_process(emu, tmp / "log.sqlite3", tmp / "bot.log", **settings):
        yield Running(emu, knowledge, Emulator.user(ADMIN_ID, "Admin"), Emulator.user(USER_ID, "Uma"))


def admin_message(bot: Running, wanted: Callable[[dict], bool], what: str) -> dict:
    """The first message (sent or edited) by the bot in the admin's chat that is `wanted`."""
    found: list[dict] = []
    wait_until(
        lambda: found.extend(m for m in bot.emu.bot_messages(ADMIN_ID) if wanted(m)) or found, 30, what
    )
    return found[0]


def unanswered(bot: Running) -> dict[str, dict]:
    """/unanswered: the question messages with buttons that follow the list, by question."""
    listing = bot.emu.reply_to(bot.emu.private_message(bot.admin, "/unanswered"))
    counted = re.match(r"\d+", listing["text"])  # "3 questions with no answer…" or "No unanswered…"
    groups = int(counted[0]) if counted else 0
    shown: list[dict] = []

    def offers() -> bool:
        shown[:] = [m for m in bot.emu.bot_messages(ADMIN_ID) if m["message_id"] > listing["message_id"]]
        return len(shown) >= min(groups, 8)

    wait_until(offers, 10, "the questions with their buttons")
    return {m["text"].split("\n")[0]: m for m in shown}


def edited(bot: Running, offer: dict, text: str) -> dict:
    """The offer's message once the bot has edited it to say `text`."""
    same = offer["message_id"]
    return admin_message(
        bot, lambda m: m["message_id"] == same and text in m["text"], f"{text!r} in the offer"
    )


def button(message: dict, starts: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for b in row:
            if b["text"].startswith(starts):
                return b["callback_data"]
    raise AssertionError(f"no button {starts!r} under {message['text']!r}")


def added_lines(before: str, after: str) -> list[str]:
    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))[2:]
    assert not [d for d in diff if d.startswith("-")]
    return [d[1:] for d in diff if d.startswith("+")]


def test_one_press_adds_the_question_to_the_yaml_file_and_the_bot_answers_it(bot: Running) -> None:
    emu, faq = bot.emu, bot.knowledge / "faq" / "kasparov.yaml"
    assert emu.reply_to(emu.private_message(bot.user, CHESS_GOAT))["text"].startswith(DECLINED)
    offer = unanswered(bot)[CHESS_GOAT]
    assert "1. add as question of kasparov_who_is “Who is Garry Kasparov?”" in offer["text"]
    before = faq.read_text(encoding="utf-8")
    press = emu.press(bot.admin, offer, button(offer, "1. question of Who is Garry Kasparov?"))
    assert emu.callback_answer(press)["text"].startswith("Checking")
    done = edited(bot, offer, "Added")
    assert f"Added to {faq}:" in done["text"]
    assert f"kasparov_who_is → questions.en: {CHESS_GOAT}" in done["text"]
    assert "It is now answered with Who is Garry Kasparov? (kasparov_who_is)" in done["text"]
    assert "reply_markup" not in done  # nothing left to press
    after = faq.read_text(encoding="utf-8")
    assert added_lines(before, after) == [f"    - {CHESS_GOAT}"]
    assert after.startswith("# yaml-language-server: $schema=../schema.json\n# FAQ about Garry Kasparov")
    assert_shows(emu.reply_to(emu.private_message(bot.user, CHESS_GOAT)), Shown.of("kasparov_who_is", "en"))
    assert CHESS_GOAT not in unanswered(bot)  # answered now: off the list


def test_a_name_becomes_an_alias_and_opens_the_card(bot: Running) -> None:
    emu, file = bot.emu, bot.knowledge / "people" / "kasparov.yaml"
    emu.reply_to(emu.private_message(bot.user, "Garik Kimovich"))
    offer = unanswered(bot)["Garik Kimovich"]
    before = file.read_text(encoding="utf-8")
    emu.callback_answer(emu.press(bot.admin, offer, button(offer, "1. alias of Garry Kasparov")))
    assert "kasparov → aliases: Garik Kimovich" in edited(bot, offer, "Added")["text"]
    assert added_lines(before, file.read_text(encoding="utf-8")) == ["  - Garik Kimovich"]
    assert_shows(emu.reply_to(emu.private_message(bot.user, "Garik Kimovich")), KASPAROV)


def test_a_failing_edit_changes_nothing_and_says_why(bot: Running) -> None:
    emu = bot.emu
    too_long = "the detective novelist in london " + "honestly " * 40  # declined; too long for a variant
    assert emu.reply_to(emu.private_message(bot.user, too_long))["text"].startswith(DECLINED)
    long_offer = unanswered(bot)[too_long.strip()]
    files = {p: p.read_bytes() for p in bot.knowledge.rglob("*.yaml")}
    emu.callback_answer(emu.press(bot.admin, long_offer, button(long_offer, "1.")))
    refused = emu.reply_to(long_offer, timeout=30)
    assert refused["text"].startswith("Not added to akunin_")
    assert "nothing was changed" in refused["text"] and "text too long (" in refused["text"]
    broken = bot.knowledge / "people" / "zz_broken.yaml"
    broken.write_text("id: zz_broken\nname: [unclosed\n", encoding="utf-8")
    try:
        emu.callback_answer(emu.press(bot.admin, long_offer, button(long_offer, "2.")))
        second = admin_message(bot, lambda m: "zz_broken.yaml:3" in m["text"], "the refusal naming the file")
    finally:
        broken.unlink()
    assert second["text"].startswith("Not added")
    assert {p: p.read_bytes() for p in bot.knowledge.rglob("*.yaml")} == files


def test_others_cannot_press_and_dismissed_questions_do_not_come_back(bot: Running) -> None:
    emu = bot.emu
    emu.reply_to(emu.private_message(bot.user, SWALLOW))
    offer = unanswered(bot)[SWALLOW]
    files = {p: p.read_bytes() for p in bot.knowledge.rglob("*.yaml")}
    for data in (button(offer, "Dismiss"), offer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]):
        refused = emu.callback_answer(emu.forged_press(bot.user, offer, data))
        assert refused == {"text": "Only the bot's admins can do that.", "show_alert": True}
    assert SWALLOW in unanswered(bot)
    offer = unanswered(bot)[SWALLOW]
    assert emu.callback_answer(emu.press(bot.admin, offer, button(offer, "Dismiss")))["text"] == "Dismissed."
    listed = unanswered(bot)
    assert SWALLOW not in listed and not any(q.startswith(SWALLOW) for q in listed)  # near-duplicates too
    assert {p: p.read_bytes() for p in bot.knowledge.rglob("*.yaml")} == files
