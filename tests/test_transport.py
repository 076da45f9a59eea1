"""`bot/transport.py`: PTB's request interface over aiohttp, against loopback servers."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.transport import AiohttpRequest
from tests.emulator import Emulator

TOKEN = "123456:secret-token-part"


async def test_calls_go_as_json_bodies_that_keep_their_types() -> None:
    with Emulator() as emu:
        user = Emulator.user(700, "Json")
        emu.private_message(user, "hello")  # the chat must exist before the bot writes to it
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Каспаров", callback_data="r:ru:kasparov")]])
        async with Bot(emu.token, base_url=emu.url + "/bot", request=AiohttpRequest(2)) as bot:
            sent = await bot.send_message(700, "<b>Где</b> живёт?", parse_mode="HTML", reply_markup=markup)
        call = next(c for c in reversed(emu.calls) if c.method == "sendMessage")
    assert sent.text == "Где живёт?" and sent.entities[0].type == "bold"
    # A form would have sent every value as a string: "700", and the markup as a JSON string.
    assert call.params["chat_id"] == 700
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Каспаров"


@contextlib.asynccontextmanager
async def _serve(handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> AsyncIterator[str]:
    """A loopback server answering every POST with `handler`; yields the bot's base URL."""
    app = web.Application()
    app.router.add_post("/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    with socket.create_server(("127.0.0.1", 0)) as sock:
        await web.SockSite(runner, sock).start()
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}/bot{TOKEN}"
        finally:
            await runner.cleanup()


async def test_uploads_go_as_multipart_forms() -> None:
    received: dict[str, object] = {}

    async def handler(request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["document"]
        received.update(chat_id=form["chat_id"], name=upload.filename, body=upload.file.read())  # type: ignore[union-attr]
        return web.json_response({"ok": True, "result": True})

    data = RequestData([RequestParameter.from_input("chat_id", 5),
                        RequestParameter.from_input("document", InputFile(b"a;b\n", filename="q.csv"))])  # fmt: skip
    async with _serve(handler) as url, AiohttpRequest() as request:
        assert await request.post(f"{url}/sendDocument", data) is True
    assert received == {"chat_id": "5", "name": "q.csv", "body": b"a;b\n"}


async def test_timeouts_and_refused_connections_fail_as_with_ptbs_transport() -> None:
    async def silent(request: web.Request) -> web.Response:
        await asyncio.sleep(10)
        return web.json_response({"ok": True, "result": True})

    async with _serve(silent) as url, AiohttpRequest(read_timeout=0.2) as request:
        with pytest.raises(TimedOut):
            await request.post(f"{url}/getMe")
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError) as refused:
            await request.post(f"{url}/getMe")  # the server is gone now
    assert "aiohttp.ClientConnectorError" in str(refused.value) and TOKEN not in str(refused.value)


async def test_a_call_that_finds_every_connection_busy_is_not_sent() -> None:
    arrived: list[str] = []
    release = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        arrived.append(request.path)
        await release.wait()
        return web.json_response({"ok": True, "result": True})

    async with _serve(slow) as url, AiohttpRequest(1, pool_timeout=0.2) as request:
        first = asyncio.create_task(request.post(f"{url}/first"))
        await asyncio.sleep(0.05)
        with pytest.raises(TimedOut, match="not sent"):
            await request.post(f"{url}/second")
        release.set()
        assert await first is True
        assert await request.post(f"{url}/third") is True  # the slot was given back
    assert arrived == [f"/bot{TOKEN}/first", f"/bot{TOKEN}/third"]


async def test_an_http_proxy_from_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readline())
        body = b'{"ok":true,"result":true}'
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(proxy, "127.0.0.1", 0)
    async with server:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with AiohttpRequest() as request:
            assert await request.post(f"http://127.0.0.1:9/bot{TOKEN}/getMe") is True
    assert seen == [f"POST http://127.0.0.1:9/bot{TOKEN}/getMe HTTP/1.1\r\n".encode()]
