"""Bad input: odd text, non-text messages, long inline queries and forged buttons never break the bot.

Property tests drive the text functions, the engine and the composer with any text; the
in-process tests send the odd messages through the emulator to the real application and the
shipped knowledge, and check each one is answered, declined or ignored, in valid Telegram HTML.
"""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update

from bot.answers import render
from bot.answers.engine import Engine
from bot.answers.result import Answer, Result, Suggestion
from bot.matching import text
from bot.tg import phrases
from bot.tg.handlers import MAX_INLINE_RESULTS
from tests.emulator import Emulator
from tests.inprocess import ADMIN_ID, Running, run_app, settings_for
from tests.replies import (
    DECLINED,
    KASPAROV,
    KASPAROV_LIVES,
    Expected,
    assert_shows,
    assert_valid_reply,
)

# --- properties ------------------------------------------------------------------------------

#: Characters that break naive code: invisible, direction marks, controls, HTML and Markdown.
ODD = "\u200b\u200c\u200d\u2060\ufeff\u202e\u202d\u200f\u2066\u2069\x00\x07\x1b\t\n<>&\"'*_[]`~|\\/"
NAMES = ["Kasparov", "Каспаров", "Навальная", "khodorkovsky", "FBK", "Yashin", "где живёт", "who is"]
ANY_TEXT = st.text(max_size=300)
ODD_TEXT = st.lists(
    st.one_of(st.sampled_from(NAMES), st.text(alphabet=ODD, max_size=3), st.text(max_size=8)), max_size=12
).map("".join)
SOME_TEXT = st.one_of(ANY_TEXT, ODD_TEXT, st.text(st.characters(codec=None, categories=["Cs", "Co", "Cn"])))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(question=SOME_TEXT)
def test_normalising_any_text_never_raises(question: str) -> None:
    normalised = text.normalise(question)
    assert isinstance(normalised, str)
    text.words(question)
    text.content_words(question)
    text.language(question)
    text.swap_layout(question)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(question=SOME_TEXT, lang=st.sampled_from([None, "en", "ru"]))
def test_any_question_gets_a_valid_telegram_reply(engine: Engine, question: str, lang: str | None) -> None:
    result = engine.ask(question, lang)
    assert result.outcome in ("answer", "suggest", "none")
    assert_valid_reply(render.html(result))
    assert len(render.description(result)) <= 120
    render.plain(result)


TITLE = st.text(min_size=1, max_size=200).filter(str.strip)


@settings(max_examples=200, deadline=None)
@given(
    title=TITLE,
    body=st.text(max_size=6000),
    sources=st.lists(
        st.tuples(TITLE, st.sampled_from(["https://e.org/?a=1&b=<2>", 'https://e.org/"q"'])),
        min_size=1,
        max_size=30,
    ),
    lang=st.sampled_from(["en", "ru"]),
)
def test_composer_escapes_and_fits_whatever_the_knowledge_says(
    title: str, body: str, sources: list[tuple[str, str]], lang: str
) -> None:
    answer = Answer("x", "person", title, (), 1.0, text=body, as_of="2025-01-02", sources=tuple(sources))
    assert_valid_reply(render.html(Result("q", lang, "answer", answer, (), 0.0)))
    offered = tuple(Suggestion(f"s{i}", "person", title, (), 0.5) for i in range(5))
    assert_valid_reply(render.html(Result("q", lang, "suggest", None, offered, 0.0)))


def test_a_long_question_costs_no_more_than_a_short_one(engine: Engine) -> None:
    started = time.perf_counter()
    for filler in "xа1":
        engine.ask(filler * 4096)  # one 4,096-character "word": the matcher reads 512 of it
    assert time.perf_counter() - started < 0.5


# --- through Telegram ------------------------------------------------------------------------

#: Odd messages, and what the user must see: the answer the words in them ask for, or a decline.
ODD_QUESTIONS: list[tuple[str, Expected]] = [
    ("?!…", DECLINED),
    ("x" * 4096, DECLINED),
    ("👨‍👩‍👧‍👦 kasparov 🏳️‍🌈", KASPAROV),
    ("\u202ekasparov\u202c \u200f where \x07 lives", KASPAROV_LIVES),
    ("Kas\u200bparov", KASPAROV),
    ("<b>kasparov</b>", KASPAROV),
    ("</a> & kasparov", KASPAROV),
    ("*_[kasparov](http://x)_*", KASPAROV),
    ("'); DROP TABLE queries; --", DECLINED),
    ("Kaспаров where", KASPAROV_LIVES),
    ("&amp; &lt;script&gt;", DECLINED),
]


def test_odd_messages_get_a_valid_reply_and_blank_ones_none(
    tmp_path: Path, engine: Engine, emu: Emulator
) -> None:
    users = [Emulator.user(100 + i, f"U{i}") for i in range(len(ODD_QUESTIONS))]

    def script(run: Running) -> None:
        emu = run.emu
        blank = Emulator.user(99, "Blank")
        for nothing in ("", "   ", "\u200b"):
            emu.private_message(blank, nothing)
        for user, (question, expected) in zip(users, ODD_QUESTIONS, strict=True):
            reply = emu.reply_to(emu.private_message(user, question))
            assert_valid_reply(reply["html"])
            assert_shows(reply, expected)
        sentinel = emu.reply_to(emu.private_message(blank, "kasparov"))
        assert emu.bot_messages(99) == [sentinel]  # nothing was said to the blank messages
        zero_width = emu.bot_messages(users[4]["id"])[0]
        assert zero_width["html"] == sentinel["html"]  # "Kas\u200bparov" is read as "kasparov"

    run = run_app(settings_for(emu, tmp_path, rate_limit_per_minute=1000), engine, script, emu)
    assert emu.rejected() == []
    assert run.errors == []


MEDIA = {
    "sticker": {"sticker": {"file_id": "s1", "file_unique_id": "u1", "width": 512, "height": 512,
                            "is_animated": False, "is_video": False, "type": "regular"}},
    "photo": {"photo": [{"file_id": "p1", "file_unique_id": "u2", "width": 90, "height": 90}],
              "caption": "<b>who is this?</b>"},
    "voice": {"voice": {"file_id": "v1", "file_unique_id": "u3", "duration": 3}},
    "location": {"location": {"latitude": 54.68, "longitude": 25.28}},
}  # fmt: skip


def test_stickers_photos_voice_and_locations_are_declined_in_private_and_ignored_in_groups(
    tmp_path: Path, engine: Engine, emu: Emulator
) -> None:
    def script(run: Running) -> None:
        emu = run.emu
        for n, fields in enumerate(MEDIA.values()):
            user = Emulator.user(200 + n, "Media", "ru" if n % 2 else "en")
            decline = emu.reply_to(emu.media_message(user, user["id"], fields))
            assert decline["text"] == phrases.say("text_only", "ru" if n % 2 else "en")
            emu.media_message(user, -100_200, fields, kind="supergroup")
        forwarded = {"text": "where does kasparov live",
                     "forward_origin": {"type": "hidden_user", "sender_user_name": "Someone", "date": 1}}  # fmt: skip
        user = Emulator.user(210, "Fwd")
        reply = emu.reply_to(emu.media_message(user, user["id"], forwarded))
        assert_shows(reply, KASPAROV_LIVES)
        # The sentinel: a group's messages are handled in order, so the media before it are done.
        sentinel = emu.reply_to(emu.group_message(user, -100_200, "/ask kasparov"))
        assert emu.bot_messages(-100_200) == [sentinel]  # nothing was said to the media

    run = run_app(settings_for(emu, tmp_path), engine, script, emu)
    assert emu.rejected() == []
    assert run.errors == []


def test_edited_messages_and_channel_posts_are_ignored(tmp_path: Path, engine: Engine, emu: Emulator) -> None:
    message = {"message_id": 5, "date": 1, "text": "where does kasparov live",
               "chat": {"id": 300, "type": "private", "first_name": "Ed"},
               "from": {"id": 300, "is_bot": False, "first_name": "Ed"}}  # fmt: skip
    post = {**message, "chat": {"id": -100_300, "type": "channel", "title": "News"}}
    del post["from"]
    updates = [{"update_id": 1, "edited_message": {**message, "edit_date": 2}},
               {"update_id": 2, "channel_post": post},
               {"update_id": 3, "edited_channel_post": {**post, "edit_date": 2}}]  # fmt: skip

    def script(run: Running) -> None:
        for data in updates:
            run.call(run.app.process_update(Update.de_json(data, run.app.bot)))

    run = run_app(settings_for(emu, tmp_path), engine, script, emu)
    sent = [c for c in emu.calls if c.method in ("sendMessage", "editMessageText")
            and str(c.params.get("chat_id")) != str(ADMIN_ID)]  # fmt: skip
    assert sent == [] and run.errors == []


def test_long_inline_queries_and_forged_buttons_are_handled(
    tmp_path: Path, engine: Engine, emu: Emulator
) -> None:
    forged = ["s:en:../../etc/passwd", "r:ru:" + "я" * 20, "💣", "reload", "stats", "s:en:kasparov:x",
              "r:en:removed_entry", "s:xx:kasparov", " ", "\u202e"]  # fmt: skip

    def script(run: Running) -> None:
        emu = run.emu
        user = Emulator.user(400, "Inl")
        for query in ("kasparov " * 29)[:256], "я" * 256, "<b>&" * 64, "\u200b" * 256:
            answer = emu.inline_answer(emu.inline_query(user, query))
            assert len(answer["results"]) <= MAX_INLINE_RESULTS
        offer = emu.reply_to(emu.private_message(user, "gudkov"))
        for data in forged:
            query_id = emu.forged_press(user, offer, data)
            assert emu.callback_answer(query_id)["text"] in {
                phrases.say("unknown_entry", lang) for lang in phrases.LANGS
            }
        # The sentinel: a chat's updates (its buttons' too) are handled in order, so once this is
        # answered no forged press can still open or edit anything.
        sentinel = emu.reply_to(emu.private_message(user, "kasparov"))
        assert [m["message_id"] for m in emu.bot_messages(400)] == [
            offer["message_id"],
            sentinel["message_id"],
        ]
        assert emu.bot_messages(400)[0]["text"] == offer["text"]  # not edited

    run = run_app(settings_for(emu, tmp_path), engine, script, emu)
    assert emu.rejected() == []
    assert run.errors == []
