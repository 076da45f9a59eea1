"""The Bot API emulator refuses what Telegram refuses: the e2e tests are only as strict as it is."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from tests.emulator import _CLIENT, ApiError, Emulator, check_keyboard, parse_html

ANN = Emulator.user(11, "Ann")


def call(emu: Emulator, method: str, **params: Any) -> dict[str, Any]:
    form = {k: json.dumps(v) if isinstance(v, dict | list) else str(v) for k, v in params.items()}
    return httpx.post(f"{emu.url}/bot{emu.token}/{method}", data=form, timeout=10).json()


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<br>", 'Unsupported start tag "br"'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("text</i>", "Unexpected end tag"),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ("Tom & Jerry", "Character '&' must be escaped"),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;"'),
        ("1 < 2", "Unclosed start tag"),
        ("2 > 1", "Character '>' must be escaped"),
        ("<a>link</a>", 'Tag "a" needs an href'),
        ("<span>x</span>", 'must have class "tg-spoiler"'),
    ],
)
def test_html_telegram_would_refuse_is_refused(html: str, error: str) -> None:
    with pytest.raises(ApiError, match="can't parse entities") as caught:
        parse_html(html)
    assert error in caught.value.description


def test_html_is_parsed_into_text_and_utf16_entities() -> None:
    text, entities = parse_html('😀 <b>Kasparov</b> <a href="https://e.org/?a=1&amp;b=2">src</a> &lt;3')
    assert text == "😀 Kasparov src <3"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 8},
        {"type": "text_link", "url": "https://e.org/?a=1&b=2", "offset": 12, "length": 3},
    ]


def test_keyboards_with_long_callback_data_are_refused() -> None:
    check_keyboard({"inline_keyboard": [[{"text": "ok", "callback_data": "x" * 64}]]})
    with pytest.raises(ApiError, match="BUTTON_DATA_INVALID"):
        check_keyboard({"inline_keyboard": [[{"text": "no", "callback_data": "ж" * 33}]]})


def test_updates_are_delivered_until_confirmed(emu: Emulator) -> None:
    emu.private_message(ANN, "one")
    first = call(emu, "getUpdates", timeout=0)["result"]
    again = call(emu, "getUpdates", timeout=0)["result"]
    assert [u["update_id"] for u in first] == [u["update_id"] for u in again] != []
    assert call(emu, "getUpdates", offset=first[-1]["update_id"] + 1, timeout=0)["result"] == []
    assert emu.pending_updates() == 0


def test_long_polling_returns_when_an_update_arrives(emu: Emulator) -> None:
    timer = threading.Timer(0.3, emu.private_message, (ANN, "late"))
    timer.start()
    updates = call(emu, "getUpdates", timeout=5)["result"]
    assert [u["message"]["text"] for u in updates] == ["late"]


def test_a_second_poller_ends_the_first_with_409(emu: Emulator) -> None:
    first: dict[str, Any] = {}
    poller = threading.Thread(target=lambda: first.update(call(emu, "getUpdates", timeout=5)))
    poller.start()
    deadline = time.monotonic() + 5
    while emu._poller is None and time.monotonic() < deadline:  # the first poll is waiting
        time.sleep(0.01)
    assert call(emu, "getUpdates", timeout=0)["ok"]
    poller.join(10)
    assert first["error_code"] == 409 and "Conflict" in first["description"]


def test_a_poll_whose_client_hung_up_is_no_conflict(emu: Emulator) -> None:
    # PTB stops polling by hanging up on its long poll and polling once more at once. The server
    # can see the hang-up before it has ended that poll: the new poll is then no conflict.
    async def scenario() -> None:
        request = SimpleNamespace(transport=SimpleNamespace(is_closing=lambda: False))

        async def old_poll() -> Any:
            _CLIENT.set(request)  # type: ignore[arg-type]
            return await emu.api_getupdates({"timeout": 5})

        old = asyncio.ensure_future(old_poll())
        while emu._poller is None:  # until it is waiting
            await asyncio.sleep(0)
        request.transport = None  # the client hangs up (aiohttp has not cancelled the handler yet)
        assert await emu.api_getupdates({"timeout": 0}) == []
        # The sentinel: the old poll, not ended with a 409, still takes the next update.
        emu.post_private(ANN, "sentinel")
        assert [u["message"]["text"] for u in await old] == ["sentinel"]

    emu.run(scenario(), 10)


def test_send_message_rules(emu: Emulator) -> None:
    question = emu.private_message(ANN, "hi")
    assert call(emu, "sendMessage", chat_id=99, text="x")["description"] == "Bad Request: chat not found"
    too_long = call(emu, "sendMessage", chat_id=11, text="<b>" + "x" * 4097 + "</b>", parse_mode="HTML")
    assert too_long["description"] == "Bad Request: message is too long"
    fits = call(emu, "sendMessage", chat_id=11, text="<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    assert fits["ok"]
    missing = call(emu, "sendMessage", chat_id=11, text="x", reply_parameters={"message_id": 999})
    assert missing["description"] == "Bad Request: message to be replied not found"
    reply = call(
        emu, "sendMessage", chat_id=11, text="y", reply_parameters={"message_id": question["message_id"]}
    )
    assert reply["result"]["reply_to_message"]["text"] == "hi"
    same = call(emu, "editMessageText", chat_id=11, message_id=reply["result"]["message_id"], text="y")
    assert same["description"].startswith("Bad Request: message is not modified")


def test_queries_are_answered_once_within_the_deadline(emu: Emulator) -> None:
    inline = emu.inline_query(ANN, "kasparov")
    article = {"type": "article", "title": "t", "input_message_content": {"message_text": "m"}}
    too_many = [{**article, "id": str(i)} for i in range(51)]
    refused = call(emu, "answerInlineQuery", inline_query_id=inline, results=too_many)
    assert refused["description"] == "Bad Request: RESULTS_TOO_MUCH"
    duplicate = [{**article, "id": "a"}, {**article, "id": "a"}]
    assert (
        "RESULT_ID_DUPLICATE"
        in call(emu, "answerInlineQuery", inline_query_id=inline, results=duplicate)["description"]
    )
    inline = emu.inline_query(ANN, "kasparov")
    assert call(emu, "answerInlineQuery", inline_query_id=inline, results=[{**article, "id": "a"}])["ok"]
    again = call(emu, "answerInlineQuery", inline_query_id=inline, results=[])
    assert "query is too old" in again["description"]
    emu.query_deadline = 1.0  # about 10 s at Telegram, and here until now
    late = emu.inline_query(ANN, "late")
    threading.Event().wait(1.1)  # past the deadline
    assert (
        "query is too old" in call(emu, "answerInlineQuery", inline_query_id=late, results=[])["description"]
    )


def test_faults_answer_429_with_retry_after_then_recover(emu: Emulator) -> None:
    emu.private_message(ANN, "hi")
    emu.fail("sendMessage", status=429, times=1, retry_after=3)
    limited = call(emu, "sendMessage", chat_id=11, text="x")
    assert limited["error_code"] == 429 and limited["parameters"] == {"retry_after": 3}
    emu.fail(None, status=502)
    assert call(emu, "getMe")["error_code"] == 502
    assert call(emu, "sendMessage", chat_id=11, text="x")["ok"]
    assert emu.rejected() == []  # injected faults are not the bot's mistakes


def test_unknown_token_and_method(emu: Emulator) -> None:
    assert httpx.post(f"{emu.url}/bot1:wrong/getMe").status_code == 401
    assert call(emu, "sendTelepathy")["error_code"] == 404
