"""`bot/transport.py`: PTB's request interface over aiohttp, against loopback servers."""

from __future__ import annotations

import asyncio
import contextlib
import io
import socket
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.tg.redact import MASK
from bot.tg.transport import AiohttpRequest
from tests.emulator import Emulator

TOKEN = "123456:secret-token-part"
OK = {"ok": True, "result": True}


async def test_calls_go_as_json_bodies_that_keep_their_types() -> None:
    with Emulator() as emu:
        user = Emulator.user(700, "Json")
        emu.private_message(user, "hello")  # the chat must exist before the bot writes to it
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Каспаров", callback_data="r:ru:kasparov")]])
        async with Bot(emu.token, base_url=emu.url + "/bot", request=AiohttpRequest(2)) as bot:
            sent = await bot.send_message(700, "<b>Где</b> живёт?", parse_mode="HTML", reply_markup=markup)
            odd = await bot.send_message(700, "a\ud800b")  # a lone surrogate cannot be UTF-8
        call = next(c for c in emu.calls if c.method == "sendMessage")
    assert sent.text == "Где живёт?" and sent.entities[0].type == "bold"
    # A form would have sent every value as a string: "700", and the markup as a JSON string.
    assert call.params["chat_id"] == 700
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Каспаров"
    assert odd.text == "a?b"


@contextlib.asynccontextmanager
async def _serve(handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> AsyncIterator[str]:
    """A loopback server answering every POST with `handler`; yields the bot's base URL."""
    app = web.Application()
    app.router.add_post("/{tail:.*}", handler)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    with socket.create_server(("127.0.0.1", 0)) as sock:
        await web.SockSite(runner, sock).start()
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}/bot{TOKEN}"
        finally:
            await runner.cleanup()


def _answer_after(
    seconds: float, arrived: list[str] | None = None
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        if arrived is not None:
            arrived.append(request.path.rsplit("/", 1)[1])
        await asyncio.sleep(seconds)
        return web.json_response(OK)

    return handler


async def arrival(arrived: list[str], call: str) -> None:
    """Wait (at most 5 s) until the server has received `call`."""
    async with asyncio.timeout(5):
        while call not in arrived:
            await asyncio.sleep(0.01)


async def test_uploads_go_as_multipart_forms_and_leave_the_callers_file_as_it_was() -> None:
    received: list[dict[str, object]] = []

    async def handler(request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["document"]
        received.append({"chat_id": form["chat_id"], "name": upload.filename, "body": upload.file.read()})  # type: ignore[union-attr]
        return web.json_response(OK)

    handle = io.BytesIO(b"a;b\n")
    document = InputFile(handle, filename="отчёт.csv", read_file_handle=False)
    data = RequestData(
        [RequestParameter.from_input("chat_id", 5), RequestParameter.from_input("document", document)]
    )
    async with _serve(handler) as url, AiohttpRequest() as request:
        assert await request.post(f"{url}/sendDocument", data) is True
        assert await request.post(f"{url}/sendDocument", data) is True  # a retry sends it whole again
    assert not handle.closed and handle.tell() == 0
    assert received == [{"chat_id": "5", "name": "отчёт.csv", "body": b"a;b\n"}] * 2


async def test_a_long_poll_may_wait_longer_than_the_default_read_timeout() -> None:
    # PTB gives getUpdates read_timeout = its long-poll timeout + the default.
    async with _serve(_answer_after(0.5)) as url, AiohttpRequest(read_timeout=0.2) as request:
        assert await request.post(f"{url}/getUpdates", read_timeout=1.5) is True
        with pytest.raises(TimedOut):
            await request.post(f"{url}/getUpdates")


async def test_timeouts_and_refused_connections_fail_as_with_ptbs_transport() -> None:
    async with _serve(_answer_after(5)) as url, AiohttpRequest(read_timeout=0.2) as request:
        with pytest.raises(TimedOut):
            await request.post(f"{url}/getMe")
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError, match=r"aiohttp\.ClientConnectorError"):
            await request.post(f"{url}/getMe")  # the server is gone now


async def test_errors_never_carry_the_token() -> None:
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError) as caught:
            await request.post(f"http://127.0.0.1:99999/bot{TOKEN}/getMe")  # aiohttp quotes the URL
    shown = "".join(traceback.format_exception(caught.value))
    assert "InvalidUrl" in shown and f"/bot{MASK}/getMe" in shown
    assert TOKEN not in shown and TOKEN.split(":")[1] not in shown


async def test_a_call_that_finds_every_connection_busy_is_not_sent() -> None:
    arrived: list[str] = []
    async with _serve(_answer_after(0.5, arrived)) as url, AiohttpRequest(1, pool_timeout=0.2) as request:
        first = asyncio.create_task(request.post(f"{url}/first"))
        await arrival(arrived, "first")  # it holds the only connection now
        with pytest.raises(TimedOut, match="not sent"):
            await request.post(f"{url}/second")
        assert await first is True
        assert await request.post(f"{url}/third") is True  # the slot was given back
    assert arrived == ["first", "third"]


async def test_a_cancelled_call_gives_its_connection_back() -> None:
    arrived: list[str] = []
    async with _serve(_answer_after(0.3, arrived)) as url, AiohttpRequest(1, pool_timeout=0.2) as request:
        waiting = asyncio.create_task(request.post(f"{url}/first"))
        queued = asyncio.create_task(request.post(f"{url}/second"))
        await arrival(arrived, "first")
        queued.cancel()  # while it waits for the slot
        waiting.cancel()  # while its answer is on the way
        await asyncio.gather(waiting, queued, return_exceptions=True)
        assert await request.post(f"{url}/third") is True


async def test_an_http_proxy_from_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readline())
        body = b'{"ok":true,"result":true}'
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(proxy, "127.0.0.1", 0)
    for name in ("http_proxy", "all_proxy", "no_proxy", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    async with server:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}")
        async with AiohttpRequest() as request:
            assert await request.post(f"http://127.0.0.1:9/bot{TOKEN}/getMe") is True
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with AiohttpRequest() as request, _serve(_answer_after(0)) as url:
            assert await request.post(f"{url}/getMe") is True  # straight to the server
    assert seen == [f"POST http://127.0.0.1:9/bot{TOKEN}/getMe HTTP/1.1\r\n".encode()]
